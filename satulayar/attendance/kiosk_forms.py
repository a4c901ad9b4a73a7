"""The forms of attendance kiosks: registering one at a site (the machines page) and what a kiosk posts for a
check-in. They only parse; the rules are checked by kiosks and kiosk_punch."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from satulayar.attendance.kiosks import kiosk_sites_for


class KioskRegisterForm(forms.Form):
    prefix = "kiosk"
    site = forms.ModelChoiceField(label=_("Lokasi kantor"), queryset=None,
                                  widget=forms.Select(attrs={"class": "form-select"}))
    name = forms.CharField(label=_("Nama anjungan"), max_length=60,
                           widget=forms.TextInput(attrs={"class": "form-control",
                                                         "placeholder": _("mis. Lobi Dinas Kesehatan")}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = kiosk_sites_for(user)
        self.fields["site"].error_messages["invalid_choice"] = _("Pilih lokasi kantor yang Anda kelola.")


class KioskPunchForm(forms.Form):
    """NIP or PIN, the selfie, and for a check-in queued offline its UUID and the kiosk's time (ISO 8601)."""

    identity = forms.CharField(max_length=24, required=False, strip=True)
    selfie = forms.FileField(required=False)
    client_uuid = forms.UUIDField(required=False)
    device_at = forms.CharField(required=False)
    confirm_early = forms.BooleanField(required=False)

    def clean_device_at(self) -> dt.datetime | None:
        value = self.cleaned_data["device_at"]
        if not value:
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError(_("Waktu presensi dari anjungan tidak dapat dibaca: %(value)s."),
                                  params={"value": value[:40]}) from None
        if parsed.tzinfo is None:
            raise ValidationError(_("Waktu presensi dari anjungan harus menyertakan zona waktu."))
        return parsed
