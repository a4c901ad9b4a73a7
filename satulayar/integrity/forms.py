from django import forms
from django.utils.translation import gettext_lazy as _

from satulayar.integrity.choices import FindingStatus

JUDGEMENTS = [(s.value, s.label) for s in FindingStatus if s != FindingStatus.NEW]


class JudgeForm(forms.Form):
    status = forms.ChoiceField(label=_("Penilaian"), choices=JUDGEMENTS, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Catatan"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RunForm(forms.Form):
    start = forms.DateField(label=_("Dari"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Sampai"), widget=forms.DateInput(attrs={"type": "date"}))
