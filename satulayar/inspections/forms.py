import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satulayar.inspections.choices import FollowUpStatus, Observation


class StartForm(forms.Form):
    units = forms.ModelMultipleChoiceField(queryset=None, label=_("Unit yang disidak"),
                                           help_text=_("Sub-unit ikut disidak. Ketik untuk mencari, lalu centang "
                                                       "satu unit atau lebih."),
                                           error_messages={"required": _("Pilih minimal satu unit yang akan disidak."),
                                                           "invalid_choice": _("Unit %(value)s di luar wewenang Anda."),
                                                           "invalid_pk_value": _("Unit tidak dikenal.")},
                                           widget=forms.SelectMultiple(attrs={"size": 10}))
    title = forms.CharField(label=_("Judul (opsional)"), max_length=200, required=False)
    start_time = forms.TimeField(label=_("Waktu mulai"), required=False,
                                 help_text=_("Kosongkan untuk sekarang."),
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        self.fields["units"].label_from_instance = lambda u: ("· " * u.depth) + u.label

    def started_at(self, zone) -> dt.datetime | None:
        time = self.cleaned_data.get("start_time")
        if not time:
            return None
        today = timezone.localtime(timezone.now(), zone).date()
        return dt.datetime.combine(today, time, tzinfo=zone)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Catatan penutup"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_("Saya menyatakan hasil sidak ini benar dan menandatanganinya."),
                                 error_messages={"required": _("Centang pernyataan untuk menandatangani.")})


class ResolveForm(forms.Form):
    observation = forms.ChoiceField(label=_("Pengamatan yang berlaku"), choices=Observation.choices)
    note = forms.CharField(label=_("Alasan"), required=False, max_length=255)


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label=_("Unit penanggung jawab"),
                                  widget=forms.Select(attrs={"class": "form-select"}))
    due_date = forms.DateField(label=_("Batas waktu"),
                               widget=forms.DateInput(attrs={"type": "date", "class": "form-control"},
                                                      format="%Y-%m-%d"))
    note = forms.CharField(label=_("Catatan"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: u.label


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), widget=forms.Select(attrs={"class": "form-select"}),
                               choices=[(FollowUpStatus.IN_PROGRESS, FollowUpStatus.IN_PROGRESS.label),
                                        (FollowUpStatus.DONE, FollowUpStatus.DONE.label)])
    note = forms.CharField(label=_("Tindak lanjut"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
