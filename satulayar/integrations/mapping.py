"""The declarative mapping from a source record (a JSON object, a CSV/XLSX row, an SQL row) to indicator values.

A mapping is plain JSON, stored on the connector and edited in its form:

    {"records": "data.items",          # where the list of records is in a JSON answer ("" = the answer itself)
     "timestamp": "tanggal",           # the record's time ("" = the time of the run)
     "dimension": "kelurahan",         # what the value is broken down by ("" = the city as a whole)
     "values": [{"indicator": "kunjungan-puskesmas", "field": "jumlah"}]}

Field paths are dotted (`meta.lokasi.nama`, `items.0.nilai`). Each problem with a record becomes a rejection
naming the row and the field, in Indonesian; the other records still map.
"""

import datetime as dt
import math
import re
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from satulayar.integrations.choices import Aggregation, DimensionKind, Granularity
from satulayar.integrations.models import Indicator
from satulayar.org.models import Kelurahan, Unit

MISSING = object()


class MappingError(Exception):
    """A record that cannot be mapped: `field` names the source field, the message says why."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class MappedValue:
    indicator: Indicator
    period: dt.datetime
    dimension: str
    dimension_label: str
    value: float
    row: int


@dataclass
class Rejection:
    row: int
    field: str
    reason: str

    def as_dict(self) -> dict:
        clean = str.maketrans("", "", "\x00")  # PostgreSQL's jsonb refuses NUL characters
        return {"row": self.row, "field": self.field.translate(clean), "reason": self.reason.translate(clean)}


@dataclass
class MapResult:
    values: list[MappedValue] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    read: int = 0

    @property
    def accepted_rows(self) -> int:
        return len({v.row for v in self.values})


def field_get(record, path: str):
    """The value at a dotted path, or MISSING."""
    current = record
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part, MISSING)
        elif isinstance(current, list | tuple) and part.lstrip("-").isdigit() and -len(current) <= int(part) < len(
                current):
            current = current[int(part)]
        else:
            return MISSING
        if current is MISSING:
            return MISSING
    return current


def records_at(payload, path: str) -> list:
    """The list of records in a JSON answer; a clear error when the path is wrong."""
    found = field_get(payload, path) if path else payload
    if found is MISSING:
        raise ValidationError(_("Jalur daftar data '%(path)s' tidak ada di jawaban.") % {"path": path})
    if isinstance(found, dict):
        return [found]  # one object is one record (a webhook pushing a single reading)
    if not isinstance(found, list):
        raise ValidationError(_("Jalur daftar data '%(path)s' berisi %(type)s, bukan daftar.")
                              % {"path": path or "(akar)", "type": type(found).__name__})
    return found


def parse_number(raw, field_name: str) -> float:
    if isinstance(raw, bool) or raw is None or raw == "":
        raise MappingError(field_name, _("nilai kosong") if raw in (None, "") else _("nilai bukan angka"))
    if isinstance(raw, int | float | Decimal):
        number = float(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace(" ", "")
        if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", text) or ("," in text and "." not in text):
            text = text.replace(".", "").replace(",", ".")  # Indonesian: 1.234,5
        try:
            number = float(text)
        except ValueError:
            raise MappingError(field_name, _("'%(raw)s' bukan angka") % {"raw": raw[:40]}) from None
    else:
        raise MappingError(field_name, _("nilai berjenis %(type)s, bukan angka") % {"type": type(raw).__name__})
    if not math.isfinite(number):
        raise MappingError(field_name, _("nilai bukan angka terhingga"))
    return number


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")


def parse_time(raw, field_name: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """An aware datetime from a date, datetime, ISO text, dd/mm/yyyy, or Unix seconds. Naive means the city zone."""
    if isinstance(raw, dt.datetime):
        moment = raw
    elif isinstance(raw, dt.date):
        moment = dt.datetime.combine(raw, dt.time())
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        seconds = raw / 1000 if raw > 1e11 else raw
        try:
            moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise MappingError(field_name, _("waktu Unix %(raw)s di luar jangkauan") % {"raw": raw}) from None
    elif isinstance(raw, str) and raw.strip():
        moment = _parse_time_text(raw.strip(), field_name)
    else:
        raise MappingError(field_name, _("waktu kosong") if raw in (None, "") else _("waktu tidak dikenali"))
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone)
    return moment


def _parse_time_text(text: str, field_name: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise MappingError(field_name, _("'%(raw)s' bukan tanggal/waktu (contoh: 2026-11-30 atau 30/11/2026)")
                       % {"raw": text[:40]})


def period_start(moment: dt.datetime, granularity: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The start of the indicator's period holding `moment`, in the city's zone, as UTC."""
    local = moment.astimezone(zone)
    if granularity == Granularity.HOUR:
        local = local.replace(minute=0, second=0, microsecond=0)
    elif granularity == Granularity.MONTH:
        local = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    else:
        local = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return local.astimezone(dt.UTC)


def _norm(text: str) -> str:
    text = re.sub(r"^(kel\.?|kelurahan)\s+", "", str(text).strip().lower())
    return re.sub(r"\s+", " ", text)


class Mapper:
    """Maps records of one connector; built once per run (it loads the indicators and the region names)."""

    def __init__(self, *, city, mapping: dict, now: dt.datetime | None = None):
        self.city = city
        self.zone = city.zone
        self.mapping = mapping_validate(city=city, mapping=mapping)
        self.now = now or timezone.now()
        codes = [pair["indicator"] for pair in self.mapping["values"]]
        self.indicators = {i.code: i for i in Indicator.objects.filter(city=city, code__in=codes)}
        kinds = {i.dimension_kind for i in self.indicators.values()}
        self._kelurahan = self._kelurahan_lookup() if DimensionKind.KELURAHAN in kinds else {}
        self._units = self._unit_lookup() if DimensionKind.UNIT in kinds else {}

    def _kelurahan_lookup(self) -> dict:
        lookup = {}
        for kel in Kelurahan.objects.filter(kecamatan__city=self.city).only("code", "name"):
            lookup[kel.code] = lookup[_norm(kel.name)] = (f"kelurahan:{kel.code}", kel.name)
        return lookup

    def _unit_lookup(self) -> dict:
        lookup = {}
        for unit in Unit.objects.filter(city=self.city).only("code", "name", "short_name"):
            entry = (f"unit:{unit.code}", unit.name)
            for key in (unit.code.lower(), _norm(unit.name), _norm(unit.short_name or "")):
                if key:
                    lookup.setdefault(key, entry)
        return lookup

    def map(self, records, *, first_row: int = 1) -> MapResult:
        result = MapResult()
        for offset, record in enumerate(records):
            row = first_row + offset
            result.read += 1
            try:
                result.values.extend(self.map_record(record, row))
            except MappingError as exc:
                result.rejections.append(Rejection(row=row, field=exc.field, reason=str(exc)))
        return result

    def map_record(self, record, row: int) -> list[MappedValue]:
        if not isinstance(record, dict):
            raise MappingError("", _("baris bukan objek JSON (berisi %(type)s)") % {"type": type(record).__name__})
        moment = self.now
        if self.mapping["timestamp"]:
            moment = parse_time(self._get(record, self.mapping["timestamp"]), self.mapping["timestamp"], self.zone)
        raw_dimension = self._get(record, self.mapping["dimension"]) if self.mapping["dimension"] else None
        mapped = []
        for pair in self.mapping["values"]:
            indicator = self.indicators[pair["indicator"]]
            value = parse_number(self._get(record, pair["field"]), pair["field"])
            dimension, label = self._dimension(indicator, raw_dimension)
            mapped.append(MappedValue(indicator=indicator, value=value, dimension=dimension, dimension_label=label,
                                      period=period_start(moment, indicator.granularity, self.zone), row=row))
        return mapped

    def _get(self, record: dict, path: str):
        value = field_get(record, path)
        if value is MISSING:
            raise MappingError(path, _("kolom '%(field)s' tidak ada") % {"field": path})
        return value

    def _dimension(self, indicator: Indicator, raw) -> tuple[str, str]:
        kind = indicator.dimension_kind
        if kind == DimensionKind.NONE:
            return "", ""
        name = self.mapping["dimension"]
        if raw in (None, ""):
            raise MappingError(name, _("rincian kosong"))
        if kind == DimensionKind.TEXT:
            text = str(raw).strip()[:100]
            return f"text:{text.lower()}", text
        lookup = self._kelurahan if kind == DimensionKind.KELURAHAN else self._units
        found = lookup.get(str(raw).strip()) or lookup.get(_norm(raw))
        if found is None:
            what = _("kelurahan") if kind == DimensionKind.KELURAHAN else _("unit kerja")
            raise MappingError(name, _("%(what)s '%(raw)s' tidak dikenal di %(city)s")
                               % {"what": what, "raw": str(raw)[:60], "city": self.city.name})
        return found


def mapping_validate(*, city, mapping: dict) -> dict:
    """The mapping with its keys normalised; ValidationError naming what is wrong with it."""
    if not isinstance(mapping, dict):
        raise ValidationError(_("Pemetaan harus berupa objek."))
    clean = {key: str(mapping.get(key) or "").strip() for key in ("records", "timestamp", "dimension")}
    pairs = [p for p in mapping.get("values") or [] if isinstance(p, dict) and (p.get("indicator") or p.get("field"))]
    if not pairs:
        raise ValidationError(_("Pemetaan belum menyebut indikator dan kolom nilainya."))
    clean["values"] = []
    indicators = {i.code: i for i in Indicator.objects.filter(city=city)}
    for pair in pairs:
        code, field_name = str(pair.get("indicator") or "").strip(), str(pair.get("field") or "").strip()
        if code not in indicators:
            raise ValidationError(_("Indikator '%(code)s' belum terdaftar.") % {"code": code})
        if not field_name:
            raise ValidationError(_("Kolom nilai untuk indikator %(code)s belum diisi.") % {"code": code})
        if indicators[code].dimension_kind != DimensionKind.NONE and not clean["dimension"]:
            raise ValidationError(_("Indikator %(code)s dirinci %(kind)s: isi kolom rincian.")
                                  % {"code": code, "kind": indicators[code].get_dimension_kind_display().lower()})
        clean["values"].append({"indicator": code, "field": field_name})
    return clean


def values_combine(values: list[MappedValue]) -> list[MappedValue]:
    """One value per (indicator, period, dimension): several source rows for the same key are combined by the
    indicator's aggregation (e.g. visits of two puskesmas in one kelurahan are summed)."""
    groups: dict[tuple, list[MappedValue]] = {}
    for value in values:
        groups.setdefault((value.indicator.pk, value.period, value.dimension), []).append(value)
    combined = []
    for group in groups.values():
        numbers = [v.value for v in group]
        how = group[0].indicator.aggregation
        total = {Aggregation.SUM: sum, Aggregation.MAX: max, Aggregation.MIN: min,
                 Aggregation.AVG: lambda n: sum(n) / len(n)}.get(how, lambda n: n[-1])(numbers)
        last = group[-1]
        combined.append(MappedValue(indicator=last.indicator, period=last.period, dimension=last.dimension,
                                    dimension_label=last.dimension_label, value=total, row=last.row))
    return combined
