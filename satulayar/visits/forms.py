from django import forms
from django.utils.translation import gettext_lazy as _

from satulayar.visits.choices import IKM_ELEMENTS, TicketChannel
from satulayar.visits.services import OfferedService

IKM_SCALE = ((1, _("Tidak baik")), (2, _("Kurang baik")), (3, _("Baik")), (4, _("Sangat baik")))


class _ServiceChoiceForm(forms.Form):
    service = forms.TypedChoiceField(label=_("Layanan"), coerce=int)

    def __init__(self, *args, offered: list[OfferedService], **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = {o.pk: o for o in offered}
        self.fields["service"].choices = [(o.pk, f"{o.prefix} · {o.name}") for o in offered]

    def clean_service(self):
        return self.offered[self.cleaned_data["service"]].service


class TicketIssueForm(_ServiceChoiceForm):
    """A walk-in at the desk: the service, and a name and NIK only if the visitor gives them."""

    visitor_name = forms.CharField(label=_("Nama pengunjung (opsional)"), max_length=120, required=False)
    visitor_nik = forms.CharField(label=_("NIK (opsional)"), max_length=20, required=False,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    priority = forms.ChoiceField(label=_("Prioritas"), required=False)

    def __init__(self, *args, priorities: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [("", _("Tidak")), *list(priorities)]


class PublicTicketForm(_ServiceChoiceForm):
    via = forms.ChoiceField(choices=[(TicketChannel.KIOSK_QR, "qr"), (TicketChannel.ONLINE, "online")],
                            required=False, widget=forms.HiddenInput)

    def channel(self) -> str:
        return self.cleaned_data.get("via") or TicketChannel.ONLINE


class RatingForm(forms.Form):
    """The nine IKM elements, each a radio group (rendered as a fieldset), and an optional comment."""

    comment = forms.CharField(label=_("Saran dan masukan (opsional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in IKM_ELEMENTS:
            self.fields[code] = forms.TypedChoiceField(
                label=label, choices=IKM_SCALE, coerce=int, widget=forms.RadioSelect,
                error_messages={"required": _("Pilih salah satu nilai.")})
        self.order_fields([code for code, _label in IKM_ELEMENTS] + ["comment"])

    def element_fields(self):
        return [self[code] for code, _label in IKM_ELEMENTS]

    def scores(self) -> dict[str, int]:
        return {code: self.cleaned_data[code] for code, _label in IKM_ELEMENTS}
