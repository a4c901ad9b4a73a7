from django import forms
from django.utils.translation import gettext_lazy as _

from satulayar.cctv.choices import DEFAULT_VIEWER_ROLES, VIEWER_ROLE_CHOICES, Placement, SourceKind
from satulayar.org.models import Site


class CameraForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Lokasi"), queryset=Site.objects.none())
    name = forms.CharField(label=_("Nama kamera"), max_length=120)
    placement = forms.ChoiceField(label=_("Penempatan"), choices=Placement.choices)
    source_kind = forms.ChoiceField(label=_("Jenis sumber"), choices=SourceKind.choices)
    url = forms.CharField(label=_("Alamat sumber (URL)"), max_length=500,
                          help_text=_("http/https untuk snapshot dan MJPEG, rtsp untuk RTSP; tanpa kata sandi."))
    username = forms.CharField(label=_("Nama pengguna kamera"), required=False, max_length=100)
    password = forms.CharField(label=_("Kata sandi kamera"), required=False, max_length=200,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("Disimpan terenkripsi. Kosongkan untuk tidak mengubah."))
    location = forms.CharField(label=_("Posisi kamera"), required=False, max_length=200)
    viewer_roles = forms.MultipleChoiceField(label=_("Peran yang boleh melihat"), choices=VIEWER_ROLE_CHOICES,
                                             widget=forms.CheckboxSelectMultiple,
                                             initial=[str(r) for r in DEFAULT_VIEWER_ROLES])
    interval_s = forms.IntegerField(label=_("Selang pengambilan (detik)"), min_value=2, max_value=3600, initial=15)
    active = forms.BooleanField(label=_("Aktif"), required=False, initial=True)

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sites is not None:
            self.fields["site"].queryset = sites.order_by("name")
