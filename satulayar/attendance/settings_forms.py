"""The forms of the attendance settings pages (calendar, special hours, schedules, shifts, TPP rules, device
commands). They only parse what is typed; the rules are checked by the services, whose errors land on the fields."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from satulayar.attendance.choices import CalendarDayKind, ScheduleKind, TppViolation

WEEKDAYS = [_("Senin"), _("Selasa"), _("Rabu"), _("Kamis"), _("Jumat"), _("Sabtu"), _("Minggu")]


def _dress(form: forms.Form) -> None:
    """Tabler classes and the input types a phone offers the right keyboard for."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(field, forms.DateField):
            widget.input_type = "date"
        elif isinstance(field, forms.TimeField):
            widget.input_type = "time"
        elif isinstance(field, forms.DateTimeField):
            widget.input_type = "datetime-local"
        widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


class DressedForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _dress(self)


class CalendarDayForm(DressedForm):
    date = forms.DateField(label=_("Tanggal"))
    kind = forms.ChoiceField(label=_("Jenis hari"), choices=CalendarDayKind.choices)
    name = forms.CharField(label=_("Nama hari"), max_length=200)


class SpecialHoursForm(DressedForm):
    prefix = "special"  # on the calendar page beside CalendarDayForm: both have a `name`, ids must differ
    name = forms.CharField(label=_("Nama periode"), max_length=100)
    start_date = forms.DateField(label=_("Mulai tanggal"))
    end_date = forms.DateField(label=_("Sampai tanggal"))
    start_time = forms.TimeField(label=_("Jam masuk"))
    end_time = forms.TimeField(label=_("Jam pulang"))
    friday_end_time = forms.TimeField(label=_("Jam pulang hari Jumat"))


class ScheduleForm(DressedForm):
    """A unit's schedule: a name, a start date, the grace minutes and, for a fixed schedule, each weekday's hours
    (both empty: a day off)."""

    name = forms.CharField(label=_("Nama jadwal"), max_length=100)
    kind = forms.ChoiceField(label=_("Jenis jadwal"), choices=ScheduleKind.choices)
    effective_from = forms.DateField(label=_("Berlaku mulai"))
    grace_minutes = forms.IntegerField(label=_("Toleransi terlambat (menit)"), initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, label in enumerate(WEEKDAYS):
            self.fields[f"start_{weekday}"] = forms.TimeField(label=_("%(day)s masuk") % {"day": label},
                                                              required=False)
            self.fields[f"end_{weekday}"] = forms.TimeField(label=_("%(day)s pulang") % {"day": label},
                                                            required=False)
        _dress(self)

    def day_rows(self):
        """(day name, start field, end field) per weekday, for the table of hours."""
        return [(label, self[f"start_{weekday}"], self[f"end_{weekday}"]) for weekday, label in enumerate(WEEKDAYS)]

    def clean(self):
        data = super().clean()
        for weekday in range(7):
            start, end = data.get(f"start_{weekday}"), data.get(f"end_{weekday}")
            if (start is None) != (end is None) and f"start_{weekday}" not in self.errors:
                self.add_error(f"end_{weekday}" if start else f"start_{weekday}",
                               _("Isi jam masuk dan jam pulang, atau kosongkan keduanya untuk hari libur."))
        return data

    def days(self) -> dict[int, tuple[dt.time, dt.time]]:
        data = self.cleaned_data
        return {weekday: (data[f"start_{weekday}"], data[f"end_{weekday}"]) for weekday in range(7)
                if data.get(f"start_{weekday}") and data.get(f"end_{weekday}")}


class ShiftForm(DressedForm):
    employee = forms.TypedChoiceField(label=_("Pegawai"), coerce=int)
    date = forms.DateField(label=_("Tanggal sif"))
    start = forms.TimeField(label=_("Jam mulai"))
    end = forms.TimeField(label=_("Jam selesai"), help_text=_("Jam selesai sebelum jam mulai: sif malam, selesai "
                                                              "keesokan harinya."))

    def __init__(self, *args, employees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].choices = [("", _("Pilih pegawai")), *[(e.pk, f"{e.name} · {e.unit.name}")
                                                                        for e in employees]]


class TppRuleForm(DressedForm):
    violation = forms.ChoiceField(label=_("Pelanggaran"), choices=TppViolation.choices)
    min_minutes = forms.IntegerField(label=_("Dari menit"), min_value=0, initial=0)
    max_minutes = forms.IntegerField(label=_("Sampai menit"), min_value=0, required=False,
                                     help_text=_("Kosongkan bila tanpa batas atas."))
    percent = forms.DecimalField(label=_("Potongan (%)"), max_digits=5, decimal_places=2, min_value=0)


class DeviceCommandForm(DressedForm):
    command = forms.CharField(label=_("Perintah"), max_length=500,
                              help_text=_("Contoh: INFO, CHECK, REBOOT."))


class ReuploadForm(DressedForm):
    start = forms.DateTimeField(label=_("Dari (waktu setempat)"))
    end = forms.DateTimeField(label=_("Sampai (waktu setempat)"))
