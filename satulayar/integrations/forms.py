"""The integration admin's forms. The connector form holds one kind's settings; `parts()` splits what it got into
the connector's fields, its plain config, its secrets (kept encrypted) and its mapping."""

from django import forms
from django.utils.translation import gettext_lazy as _

from satulayar.core.outbound import INTEGRATIONS, OutboundRefused, headers_check, url_check
from satulayar.core.vault import SecretUnreadable
from satulayar.integrations.choices import ApiScope, AuthKind, ConnectorKind, Pagination
from satulayar.integrations.crypto import secret_open
from satulayar.integrations.models import Connector, Indicator
from satulayar.org.models import Unit

SECRET_FIELDS = {"api_key": "api_key", "username": "username", "password": "password", "token": "token",
                 "dsn": "dsn"}
KIND_FIELDS = {
    ConnectorKind.REST: {"url", "auth_kind", "api_key_header", "api_key", "username", "password", "token",
                         "pagination", "page_param", "next_path", "records_path", "schedule_minutes", "max_retries"},
    ConnectorKind.SQL: {"dsn", "query", "schedule_minutes", "max_retries"},
    ConnectorKind.WEBHOOK: {"records_path"},
    ConnectorKind.UPLOAD: set(),
}
ALL_KIND_FIELDS = set().union(*KIND_FIELDS.values())


def _dress(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            field.widget.attrs.setdefault("class", "form-check-input")
        else:
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class MappingFieldsMixin:
    """The mapping part, shared by the connector form and the upload column mapping."""

    def _add_mapping_fields(self, city, columns: list[str] | None = None):
        indicators = Indicator.objects.filter(city=city).order_by("name")
        f = self.fields
        text = forms.CharField
        if columns is None:
            f["timestamp_field"] = text(label=_("Kolom waktu"), required=False, max_length=200, help_text=_(
                "Jalur bertitik, mis. tanggal atau meta.waktu. Kosong: waktu proses."))
            f["dimension_field"] = text(label=_("Kolom rincian (kelurahan, unit, pos)"), required=False,
                                        max_length=200)
            f["value_field"] = text(label=_("Kolom nilai"), max_length=200)
            f["value_field_2"] = text(label=_("Kolom nilai kedua (opsional)"), required=False, max_length=200)
        else:
            choices = [("", _("— tidak dipakai —")), *[(c, c) for c in columns]]
            f["timestamp_field"] = forms.ChoiceField(label=_("Kolom waktu"), choices=choices, required=False)
            f["dimension_field"] = forms.ChoiceField(label=_("Kolom rincian"), choices=choices, required=False)
            f["value_field"] = forms.ChoiceField(label=_("Kolom nilai"), choices=choices[1:])
            f["value_field_2"] = forms.ChoiceField(label=_("Kolom nilai kedua (opsional)"), choices=choices,
                                                   required=False)
        f["indicator"] = IndicatorChoiceField(label=_("Indikator"), queryset=indicators, to_field_name="code")
        f["indicator_2"] = IndicatorChoiceField(label=_("Indikator kedua (opsional)"), queryset=indicators,
                                                to_field_name="code", required=False)

    def mapping(self) -> dict:
        data = self.cleaned_data
        values = [{"indicator": data["indicator"].code, "field": data["value_field"]}]
        if data.get("indicator_2") and data.get("value_field_2"):
            values.append({"indicator": data["indicator_2"].code, "field": data["value_field_2"]})
        return {"records": data.get("records_path", ""), "timestamp": data.get("timestamp_field", ""),
                "dimension": data.get("dimension_field", ""), "values": values}


def mapping_initial(mapping: dict) -> dict:
    values = (mapping or {}).get("values") or []
    initial = {"records_path": mapping.get("records", ""), "timestamp_field": mapping.get("timestamp", ""),
               "dimension_field": mapping.get("dimension", "")}
    if values:
        initial.update(indicator=values[0]["indicator"], value_field=values[0]["field"])
    if len(values) > 1:
        initial.update(indicator_2=values[1]["indicator"], value_field_2=values[1]["field"])
    return initial


class ConnectorForm(MappingFieldsMixin, forms.Form):
    name = forms.CharField(label=_("Nama sumber data"), max_length=150)
    department = UnitChoiceField(label=_("Perangkat daerah pemilik data"), queryset=Unit.objects.none())
    description = forms.CharField(label=_("Deskripsi"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    licence = forms.ChoiceField(label=_("Lisensi"), choices=Connector._meta.get_field("licence").choices)
    update_frequency = forms.ChoiceField(label=_("Frekuensi pemutakhiran"),
                                         choices=Connector._meta.get_field("update_frequency").choices)
    active = forms.BooleanField(label=_("Aktif"), required=False, initial=True)
    url = forms.URLField(label=_("Alamat API (URL)"), max_length=500, assume_scheme="https")
    auth_kind = forms.ChoiceField(label=_("Autentikasi"), choices=AuthKind.choices, initial=AuthKind.NONE)
    api_key_header = forms.CharField(label=_("Nama header kunci API"), required=False, initial="X-API-Key")
    api_key = forms.CharField(label=_("Kunci API"), required=False, widget=forms.PasswordInput(render_value=False))
    username = forms.CharField(label=_("Nama pengguna"), required=False)
    password = forms.CharField(label=_("Kata sandi"), required=False, widget=forms.PasswordInput(render_value=False))
    token = forms.CharField(label=_("Token Bearer"), required=False, widget=forms.PasswordInput(render_value=False))
    pagination = forms.ChoiceField(label=_("Halaman"), choices=Pagination.choices, initial=Pagination.NONE)
    page_param = forms.CharField(label=_("Parameter nomor halaman"), required=False, initial="page")
    next_path = forms.CharField(label=_("Jalur tautan halaman berikutnya"), required=False, initial="next")
    records_path = forms.CharField(label=_("Jalur daftar data di jawaban"), required=False, max_length=200,
                                   help_text=_("Mis. data atau hasil.items. Kosong: jawaban itu sendiri daftarnya."))
    dsn = forms.CharField(label=_("DSN basis data"), required=False, max_length=500,
                          widget=forms.PasswordInput(render_value=False),
                          help_text=_("postgresql://pengguna:sandi@host/db, mysql://…, atau sqlite:////jalur/berkas."))
    query = forms.CharField(label=_("Kueri SELECT"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                            help_text=_("Satu SELECT saja; dijalankan dalam koneksi baca-saja."))
    schedule_minutes = forms.IntegerField(label=_("Jalankan setiap (menit)"), min_value=1, max_value=60 * 24 * 31,
                                          initial=60)
    max_retries = forms.IntegerField(label=_("Ulangan bila gagal"), min_value=0, max_value=10, initial=3)

    secret_problem = ""

    def __init__(self, *args, city, kind: str, connector: Connector | None = None, **kwargs):
        if connector is not None and "initial" not in kwargs:
            kwargs["initial"] = connector_initial(connector)
        super().__init__(*args, **kwargs)
        self.kind, self.connector = kind, connector
        for name in ALL_KIND_FIELDS - KIND_FIELDS[kind]:
            self.fields.pop(name, None)
        self.fields["department"].queryset = Unit.objects.filter(city=city).order_by("name")
        if kind != ConnectorKind.UPLOAD:
            self._add_mapping_fields(city)
        try:
            stored = secret_open(connector.secret) if connector else {}
        except SecretUnreadable as exc:
            stored, self.secret_problem = {}, str(exc)
        for name in SECRET_FIELDS:
            if name in self.fields and stored.get(name):
                self.fields[name].help_text = _("Tersimpan terenkripsi. Kosongkan untuk tetap memakai yang lama.")
        _dress(self)

    def clean_url(self):
        url = (self.cleaned_data.get("url") or "").strip()
        try:
            url_check(url, purpose=INTEGRATIONS)
        except OutboundRefused as exc:
            raise forms.ValidationError(_("Alamat ditolak: %(reason)s.") % {"reason": exc}) from None
        return url

    def clean_api_key_header(self):
        name = (self.cleaned_data.get("api_key_header") or "").strip()
        try:
            headers_check({name: ""})
        except OutboundRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return name

    def parts(self) -> tuple[dict, dict, dict, dict]:
        data = self.cleaned_data
        fields = {name: data[name] for name in ("name", "department", "description", "licence", "update_frequency",
                                                "active") if name in data}
        fields["kind"] = self.kind
        for name in ("auth_kind", "schedule_minutes", "max_retries"):
            if name in data:
                fields[name] = data[name]
        config = {name: data[name] for name in ("url", "api_key_header", "pagination", "page_param", "next_path",
                                                "query") if name in data and data[name] not in (None, "")}
        secret = {key: data.get(name, "") for name, key in SECRET_FIELDS.items() if name in data}
        mapping = self.mapping() if self.kind != ConnectorKind.UPLOAD else (self.connector.mapping if self.connector
                                                                            else {})
        return fields, config, secret, mapping


def connector_initial(connector: Connector) -> dict:
    initial = {name: getattr(connector, name) for name in ("name", "description", "licence", "update_frequency",
                                                           "active", "auth_kind", "schedule_minutes", "max_retries")}
    initial["department"] = connector.department_id
    initial.update(connector.config or {})
    initial.update(mapping_initial(connector.mapping or {}))
    return initial


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Berkas CSV atau XLSX"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _dress(self)


class ColumnMappingForm(MappingFieldsMixin, forms.Form):
    def __init__(self, *args, city, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self._add_mapping_fields(city, columns)
        _dress(self)


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["code", "name", "unit_of_measure", "owner", "aggregation", "granularity", "dimension_kind",
                  "update_frequency", "licence", "public", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"owner": UnitChoiceField}

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Unit.objects.filter(city=city).order_by("name")
        _dress(self)

    def validate_unique(self):
        """indicator_save checks the code per city, with a clearer message."""


class ApiClientForm(forms.Form):
    name = forms.CharField(label=_("Nama sistem"), max_length=150)
    scopes = forms.MultipleChoiceField(label=_("Cakupan"), choices=ApiScope.choices,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _dress(self)


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(label=_("Cari data"), required=False, max_length=100)
