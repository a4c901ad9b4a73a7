from django import forms
from django.utils.translation import gettext_lazy as _

from satulayar.org import access
from satulayar.org.choices import EmploymentType
from satulayar.org.models import Employee


class EmployeeForm(forms.ModelForm):
    class Meta:
        model = Employee
        fields = ["name", "employment_type", "nip", "rank", "position", "unit", "nik", "active"]
        help_texts = {
            "nip": _("18 digit: tanggal lahir, TMT pengangkatan, jenis kelamin, nomor urut. Kosongkan untuk non-ASN."),
            "nik": _("Opsional, 16 digit. Hanya admin kepegawaian yang melihatnya utuh."),
        }
        widgets = {"nip": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                   "nik": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = access.scope_for(user)
        units = access.units_for(user).filter(active=True).order_by("path")
        if not scope.city_wide:
            units = units.filter(pk__in=[u.pk for u in units if access.can_place_in_unit(user, u)])
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{'— ' * u.depth}{u.name}"
        self.fields["employment_type"].initial = EmploymentType.PNS
        if self.instance.pk and self.instance.nik and not scope.can("view_nik"):
            # Never put a full NIK into the page of someone who may not see it.
            self.fields.pop("nik")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            field.widget.attrs.setdefault("class", css)


class EmployeeFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari nama, NIP, atau jabatan"), required=False)
    unit = forms.ModelChoiceField(label=_("Unit kerja"), queryset=None, required=False, empty_label=_("Semua unit"))
    employment_type = forms.ChoiceField(label=_("Status"), required=False,
                                        choices=[("", _("Semua status")), *EmploymentType.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = access.units_for(user).order_by("path")
        self.fields["unit"].label_from_instance = lambda u: f"{'— ' * u.depth}{u.name}"
        self.fields["q"].widget.attrs.update({"class": "form-control", "type": "search", "autocomplete": "off"})
        self.fields["unit"].widget.attrs["class"] = "form-select"
        self.fields["employment_type"].widget.attrs["class"] = "form-select"
