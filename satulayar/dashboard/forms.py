from django import forms
from django.utils.translation import gettext_lazy as _

from satulayar.core.outbound import ALERTS, OutboundRefused, url_check
from satulayar.dashboard.models import AlertRule
from satulayar.org.models import Kelurahan, Unit


class AlertRuleForm(forms.ModelForm):
    webhook_url = forms.URLField(label=_("URL webhook"), required=False, assume_scheme="https", max_length=200,
                                 help_text=AlertRule._meta.get_field("webhook_url").help_text)

    class Meta:
        model = AlertRule
        fields = ["name", "kind", "threshold", "check_time", "unit", "kelurahan", "webhook_url", "active"]
        widgets = {"check_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(city=city, active=True, parent__isnull=True)
        self.fields["kelurahan"].queryset = Kelurahan.objects.filter(kecamatan__city=city)
        self.fields["threshold"].help_text = _("Kehadiran: persen minimum. Antrean: jumlah menunggu. Waktu tunggu "
                                               "dan kamera: menit. Konektor dan kerumunan: tidak dipakai.")
        self.instance.city = city
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control")
            field.widget.attrs.setdefault("class", css)

    def clean_webhook_url(self):
        url = self.cleaned_data.get("webhook_url") or ""
        if url:
            try:
                url_check(url, purpose=ALERTS)
            except OutboundRefused as exc:
                raise forms.ValidationError(_("Alamat webhook ditolak: %(reason)s.") % {"reason": exc}) from None
        return url


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("Catatan"), max_length=300, required=False)
