import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _


class CheckinForm(forms.Form):
    """What the check-in page posts. The rules (fence, accuracy, selfie) are checked by checkin_record."""

    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput)
    selfie = forms.FileField(
        label=_("Swafoto (opsional)"), required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png", "capture": "user",
                                               "class": "form-control"}),
    )


class MonthForm(forms.Form):
    bulan = forms.RegexField(label=_("Bulan"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
                             widget=forms.TextInput(attrs={"type": "month", "class": "form-control"}))

    def month(self, default: dt.date) -> dt.date:
        """The first day of the chosen month, or of the default's month."""
        if self.is_valid() and self.cleaned_data["bulan"]:
            year, month = self.cleaned_data["bulan"].split("-")
            return dt.date(int(year), int(month), 1)
        return default.replace(day=1)
