import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from satulayar.attendance.choices import LeaveKind


class CheckinForm(forms.Form):
    """What the check-in page posts. The rules (fence, accuracy, selfie) are checked by checkin_record."""

    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput)
    altitude = forms.FloatField(required=False, widget=forms.HiddenInput)  # null on most desktop browsers
    client_uuid = forms.UUIDField(required=False, widget=forms.HiddenInput)  # made on the phone per attempt
    browser_id = forms.CharField(required=False, widget=forms.HiddenInput)  # kept in the browser (localStorage)
    confirm_early = forms.BooleanField(required=False, widget=forms.HiddenInput)  # "yes, leave before the end"
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


def _dress(form: forms.Form) -> None:
    """Tabler classes on every widget."""
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class RecapForm(MonthForm):
    """The recap's month and unit pickers; the unit list is the user's scope (a unit outside it is a 404)."""

    unit = forms.ChoiceField(label=_("Unit kerja"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        top = min((unit.depth for unit in units), default=0)
        self.fields["unit"].choices = [("", _("Pilih unit kerja")),
                                       *[(unit.pk, f"{'— ' * (unit.depth - top)}{unit.name}") for unit in units]]
        self.fields["unit"].widget.attrs["class"] = "form-select"


class YearForm(forms.Form):
    tahun = forms.TypedChoiceField(label=_("Tahun"), coerce=int, required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tahun"].choices = [(year, str(year)) for year in years]
        self.fields["tahun"].widget.attrs.update({"class": "form-select", "style": "width: auto"})


DATE_INPUT = {"type": "date"}


class MarkedForm(forms.Form):
    """Marks the widgets of fields with errors (Tabler's is-invalid), also those a service refused later."""

    def full_clean(self):
        super().full_clean()
        self._mark_invalid()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._mark_invalid()

    def _mark_invalid(self) -> None:
        for name in self._errors or ():
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


class PaperInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PaperField(forms.FileField):
    """Several PDF/JPEG papers in one input; `leave_papers` checks each file."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", PaperInput(attrs={"multiple": True, "accept": ".pdf,.jpg,.jpeg,application/pdf,"
                                                                                  "image/jpeg"}))
        super().__init__(required=False, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PaperField, self).clean(item, initial) for item in files]


class LeaveRequestForm(MarkedForm):
    """What an employee asks for; the rules (dates in order, no overlap) are checked by leave_request_create."""

    kind = forms.ChoiceField(label=_("Jenis"))
    start_date = forms.DateField(label=_("Mulai"), widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
                                 error_messages={"required": _("Tanggal mulai wajib diisi."),
                                                 "invalid": _("Tanggal mulai tidak valid.")})
    end_date = forms.DateField(label=_("Sampai"), widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
                               error_messages={"required": _("Tanggal selesai wajib diisi."),
                                               "invalid": _("Tanggal selesai tidak valid.")})
    reason = forms.CharField(label=_("Alasan"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    attachments = PaperField(label=_("Lampiran (PDF atau JPEG)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = LeaveKind.choices
        self.fields["kind"].error_messages["invalid_choice"] = _("Jenis cuti/izin tidak dikenal.")
        _dress(self)


class LeavePaperForm(forms.Form):
    """One more paper for a pending request."""

    file = forms.FileField(label=_("Tambah lampiran (PDF atau JPEG)"),
                           error_messages={"required": _("Pilih berkas PDF atau JPEG."),
                                           "empty": _("Berkas yang dipilih kosong.")})


class LeaveRuleForm(forms.Form):
    """One kind's row of the city's leave rule table; empty means never."""

    attachment_over_days = forms.IntegerField(label=_("Lampiran wajib bila lebih dari (hari kerja)"), required=False,
                                              min_value=0, max_value=365)
    bkpsdm_over_days = forms.IntegerField(label=_("Persetujuan BKPSDM bila lebih dari (hari kerja)"), required=False,
                                          min_value=0, max_value=365)
    collective_leave_deducted = forms.BooleanField(label=_("Cuti bersama mengurangi hak cuti tahunan"),
                                                   required=False)

    def __init__(self, *args, annual: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not annual:
            del self.fields["collective_leave_deducted"]


class LeaveDecisionForm(forms.Form):
    APPROVE, REJECT = "setujui", "tolak"

    keputusan = forms.ChoiceField(choices=[(APPROVE, _("Setujui")), (REJECT, _("Tolak"))])
    note = forms.CharField(label=_("Catatan"), max_length=255, required=False)

    @property
    def approve(self) -> bool:
        return self.cleaned_data["keputusan"] == self.APPROVE


class DayForm(forms.Form):
    tanggal = forms.DateField(label=_("Tanggal"), required=False, widget=forms.DateInput(
        attrs={**DATE_INPUT, "class": "form-control", "style": "width: auto"}, format="%Y-%m-%d"))

    def date(self, default: dt.date) -> dt.date:
        if self.is_valid() and self.cleaned_data["tanggal"]:
            return self.cleaned_data["tanggal"]
        return default


class PunchAddForm(MarkedForm):
    """A missing punch: a local time on the page's date, and why."""

    time = forms.TimeField(label=_("Jam"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                           error_messages={"required": _("Jam wajib diisi."), "invalid": _("Jam tidak valid.")})
    reason = forms.CharField(label=_("Alasan koreksi"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="tambah", **kwargs)
        _dress(self)


class PunchExcludeForm(MarkedForm):
    """A wrong punch set aside (it stays, struck through), and why."""

    punch = forms.TypedChoiceField(label=_("Rekam yang dikecualikan"), coerce=int,
                                   error_messages={"required": _("Pilih rekam kehadiran yang akan dikecualikan."),
                                                   "invalid_choice": _("Pilih rekam kehadiran yang akan "
                                                                       "dikecualikan.")})
    reason = forms.CharField(label=_("Alasan koreksi"), max_length=255, required=False)

    def __init__(self, *args, punches=(), **kwargs):
        super().__init__(*args, prefix=kwargs.pop("prefix", "kecualikan"), **kwargs)
        self.fields["punch"].choices = [("", _("Pilih rekam")), *punches]
        _dress(self)


class PunchAcceptForm(PunchExcludeForm):
    """A punch flagged as lying in the future, accepted before its time comes (the machine's clock was right)."""

    def __init__(self, *args, punches=(), **kwargs):
        super().__init__(*args, punches=punches, prefix="terima", **kwargs)
        self.fields["punch"].label = _("Rekam bertanda waktu di masa depan")
        self.fields["punch"].error_messages.update({"required": _("Pilih rekam yang diterima."),
                                                    "invalid_choice": _("Pilih rekam yang diterima.")})
