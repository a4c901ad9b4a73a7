"""The validated bulk path that stores past tickets (a migration from another queue system, the demo's year).

`tickets_import` checks each row as the desk services do (offered services, the prefix of the first one, every
step's timestamps in order, the office's local date, numbering) and refuses the whole batch when a row is wrong;
then writes the tickets, their IKM ratings and transfer steps with `core.db.rows_insert` (COPY on PostgreSQL), moves
the desk's numbering past them and refreshes the hourly rollups of those days. `satulayar tickets_import FILE.csv`
is its command.
"""

import datetime as dt
import itertools
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from satulayar.core.db import rows_insert
from satulayar.core.keyed_hash import keyed_hash
from satulayar.org.models import Kelurahan
from satulayar.visits.catalogue import service_catalogue_for
from satulayar.visits.choices import IKM_ELEMENTS, TicketChannel, TicketStatus
from satulayar.visits.models import (
    RATING_ADDRESS_PURPOSE,
    Counter,
    Rating,
    Service,
    Ticket,
    TicketSequence,
    TicketStep,
    public_token,
)
from satulayar.visits.rollups import kelurahan_hours_refresh

IMPORT_CHUNK = 5000
MAX_ERRORS_SHOWN = 10

# --- the validated bulk path -------------------------------------------------------------------------------------


@dataclass(slots=True)
class StepRow:
    """A step a ticket left when it was sent on to another service (a `TicketStep`): it was called there."""

    service_id: int
    counter_id: int | None
    queued_at: dt.datetime
    called_at: dt.datetime | None
    serving_at: dt.datetime | None
    finished_at: dt.datetime


@dataclass(slots=True)
class TicketRow:
    """A past ticket. Visitor details are not imported (privacy by default)."""

    kelurahan_id: int
    service_id: int
    prefix: str
    number: int
    date: dt.date  # the office's local date of issued_at
    status: str
    issued_at: dt.datetime
    called_at: dt.datetime | None = None
    serving_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    counter_id: int | None = None
    channel: str = TicketChannel.DESK
    note: str = ""
    scores: tuple[int, ...] | None = None  # the nine IKM elements, 1–4, for a served ticket
    comment: str = ""
    rating_address: str = ""  # where the survey came from (stored only as its keyed hash), when known
    priority: str = ""
    result: str = ""  # what a served ticket produced (TicketResult), with the outcome from the service's list
    outcome_id: int | None = None
    transfer_to: int | None = None  # the plan sends it on to this service midway (`transfers_apply`, the live day)
    steps: tuple[StepRow, ...] = ()  # the services it was sent on from, in order; service_id is the last one's
    queued_at: dt.datetime | None = None  # when it joined service_id's queue: None is at issue


CHANNELS_KNOWN = frozenset(TicketChannel.values)
DONE, NO_SHOW, CANCELLED = TicketStatus.DONE.value, TicketStatus.NO_SHOW.value, TicketStatus.CANCELLED.value
# Which timestamps each status has: True set, False empty, None either (a ticket cancelled before or after its call).
STAMPS = {
    TicketStatus.WAITING: (False, False, False),
    TicketStatus.CALLED: (True, False, False),
    TicketStatus.SERVING: (True, True, False),
    TicketStatus.DONE: (True, True, True),
    TicketStatus.NO_SHOW: (True, False, True),
    TicketStatus.CANCELLED: (None, False, True),
}


@dataclass
class ImportResult:
    tickets: int = 0
    ratings: int = 0
    bookings: int = 0
    transfers: int = 0  # tickets sent on to another service


@dataclass
class _Catalogue:
    """What the rows are checked against, loaded once per batch."""

    zones: dict[int, zoneinfo.ZoneInfo]
    offered: dict[int, set[int]]
    prefixes: dict[int, str]
    counters: dict[int, int]
    last_numbers: dict[tuple[int, dt.date, str], int]
    sequences: set[tuple[int, dt.date, str]]  # the days and prefixes that have a TicketSequence row
    days: dict[tuple[int, dt.date], tuple[dt.datetime, dt.datetime]] = field(default_factory=dict)

    def local_day(self, kelurahan_id: int, date: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The office's local day as an instant range [start, end)."""
        key = (kelurahan_id, date)
        if key not in self.days:
            zone = self.zones[kelurahan_id]
            self.days[key] = (dt.datetime.combine(date, dt.time(0), zone),
                              dt.datetime.combine(date + dt.timedelta(days=1), dt.time(0), zone))
        return self.days[key]

    @classmethod
    def load(cls, rows: list[TicketRow]) -> "_Catalogue":
        kelurahan_ids = {row.kelurahan_id for row in rows}
        kelurahan = list(Kelurahan.objects.filter(pk__in=kelurahan_ids).select_related("kecamatan__city"))
        dates = [row.date for row in rows if isinstance(row.date, dt.date)]
        last_numbers: dict[tuple[int, dt.date, str], int] = {}
        sequences = set()
        if dates:
            window = {"kelurahan_id__in": kelurahan_ids, "date__range": (min(dates), max(dates))}
            for kel_id, date, prefix, last in TicketSequence.objects.filter(**window).values_list(
                    "kelurahan_id", "date", "prefix", "last_number"):
                last_numbers[(kel_id, date, prefix)] = last
                sequences.add((kel_id, date, prefix))
            for row in Ticket.objects.filter(**window).values("kelurahan_id", "date", "prefix").annotate(
                    last=Max("number")).order_by():
                key = (row["kelurahan_id"], row["date"], row["prefix"])
                last_numbers[key] = max(last_numbers.get(key, 0), row["last"])
        return cls(
            zones={k.pk: k.kecamatan.city.zone for k in kelurahan},
            offered={k.pk: {service.pk for service, _req, _sla in service_catalogue_for(kelurahan=k)}
                     for k in kelurahan},
            prefixes=dict(Service.objects.filter(pk__in={row.service_id for row in rows} | {
                step.service_id for row in rows for step in row.steps}).values_list("pk", "prefix")),
            counters=dict(Counter.objects.filter(kelurahan_id__in=kelurahan_ids).values_list("pk", "kelurahan_id")),
            last_numbers=last_numbers, sequences=sequences,
        )


def _row_errors(row: TicketRow, catalogue: _Catalogue) -> list[str]:
    if row.kelurahan_id not in catalogue.zones:
        return [_("kelurahan %(id)s tidak dikenal") % {"id": row.kelurahan_id}]
    errors = _step_errors(row, catalogue)
    first = row.steps[0].service_id if row.steps else row.service_id  # a ticket keeps its number when sent on
    if row.service_id not in catalogue.offered[row.kelurahan_id]:
        errors.append(_("layanan %(id)s tidak tersedia di kelurahan ini") % {"id": row.service_id})
    elif first in catalogue.prefixes and row.prefix != catalogue.prefixes[first]:
        errors.append(_("awalan %(prefix)s bukan awalan layanannya (%(expected)s)")
                      % {"prefix": row.prefix, "expected": catalogue.prefixes[first]})
    if row.channel not in CHANNELS_KNOWN:
        errors.append(_("saluran %(channel)s tidak dikenal") % {"channel": row.channel})
    rule = STAMPS.get(row.status)
    if rule is None:
        return [*errors, _("status %(status)s tidak dikenal") % {"status": row.status}]
    stamps = (("called_at", row.called_at), ("serving_at", row.serving_at), ("finished_at", row.finished_at))
    present = [(name, value) for name, value in _timeline(row) if value is not None]
    if any(value.tzinfo is None for _name, value in present):
        return [*errors, _("waktu harus berzona waktu")]
    for (name, value), wanted in zip(stamps, rule, strict=True):
        if wanted is not None and (value is not None) != wanted:
            errors.append(_("status %(status)s %(rule)s %(field)s")
                          % {"status": row.status, "rule": _("wajib berisi") if wanted else _("tidak boleh berisi"),
                             "field": name})
    for (before, earlier), (after, later) in itertools.pairwise(present):
        if later < earlier:
            errors.append(_("%(after)s sebelum %(before)s") % {"after": after, "before": before})
    day_start, day_end = catalogue.local_day(row.kelurahan_id, row.date)
    if not day_start <= row.issued_at < day_end:
        errors.append(_("tanggal %(date)s bukan tanggal lokal waktu ambil nomor") % {"date": row.date})
    if row.status != CANCELLED:  # a cancellation may come later; calling and serving only on the ticket's day
        errors += [_("%(field)s tidak pada hari tiket (tiket kemarin tidak dilayani hari ini)") % {"field": name}
                   for name, value in present[1:] if not day_start <= value < day_end]
    if row.called_at is not None and catalogue.counters.get(row.counter_id) != row.kelurahan_id:
        errors.append(_("tiket yang dipanggil harus menyebut loket kelurahan ini"))
    if row.scores is not None:
        if row.status != DONE:
            errors.append(_("penilaian hanya untuk tiket yang selesai"))
        if len(row.scores) != len(IKM_ELEMENTS) or not all(type(score) is int and 1 <= score <= 4
                                                           for score in row.scores):
            errors.append(_("penilaian harus berisi sembilan nilai 1–4"))
    return errors


STEP_TIMES = ("queued_at", "called_at", "serving_at", "finished_at")


def _timeline(row: TicketRow) -> list[tuple[str, dt.datetime | None]]:
    """Every time of the ticket in the order it must run: issue, each earlier step, its last service."""
    times = [("issued_at", row.issued_at)]
    for n, step in enumerate(row.steps, start=1):
        times += [(f"langkah {n} {name}", getattr(step, name)) for name in STEP_TIMES]
    return [*times, ("queued_at", row.queued_at), ("called_at", row.called_at), ("serving_at", row.serving_at),
            ("finished_at", row.finished_at)]


def _step_errors(row: TicketRow, catalogue: _Catalogue) -> list[str]:
    """A ticket is sent on from a service of its office where it was called, as `ticket_transfer` requires."""
    errors = []
    if row.steps and row.queued_at is None:
        errors.append(_("tiket yang dipindahkan harus berisi queued_at"))
    for n, step in enumerate(row.steps, start=1):
        if step.service_id not in catalogue.offered[row.kelurahan_id]:
            errors.append(_("langkah %(n)s: layanan %(id)s tidak tersedia di kelurahan ini")
                          % {"n": n, "id": step.service_id})
        if step.called_at is None or catalogue.counters.get(step.counter_id) != row.kelurahan_id:
            errors.append(_("langkah %(n)s: hanya tiket yang dipanggil di loket kelurahan ini dapat dipindahkan")
                          % {"n": n})
    return errors


def _numbering_errors(rows: list[TicketRow], catalogue: _Catalogue) -> list[tuple[int, str]]:
    """Per office, day and prefix the numbers continue the day's sequence, one by one in the order of issue."""
    groups: dict[tuple[int, dt.date, str], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        groups[(row.kelurahan_id, row.date, row.prefix)].append(index)
    errors = []
    for key, indexes in groups.items():
        expected = catalogue.last_numbers.get(key, 0) + 1
        for index in sorted(indexes, key=lambda i: (rows[i].issued_at, rows[i].number)):
            if rows[index].number != expected:
                errors.append((index, _("nomor %(prefix)s-%(number)03d seharusnya %(prefix)s-%(expected)03d "
                                        "(urut menurut waktu ambil nomor, melanjutkan nomor hari itu)")
                               % {"prefix": rows[index].prefix, "number": rows[index].number,
                                  "expected": expected}))
            expected += 1
    return errors


def tickets_import(*, rows: list[TicketRow]) -> ImportResult:
    """Store past tickets (and their IKM ratings) in bulk, after checking every row. All or nothing: a batch
    with a wrong row is refused, with the first rows' reasons, and nothing is written."""
    if not rows:
        return ImportResult()
    with transaction.atomic():
        catalogue = _Catalogue.load(rows)
        errors = [(index, message) for index, row in enumerate(rows) for message in _row_errors(row, catalogue)]
        errors += _numbering_errors(rows, catalogue) if not errors else []
        if errors:
            shown = [_("Baris %(row)s: %(reason)s.") % {"row": index + 1, "reason": message}
                     for index, message in sorted(errors)[:MAX_ERRORS_SHOWN]]
            if len(errors) > MAX_ERRORS_SHOWN:
                shown.append(_("… dan %(n)s kesalahan lain.") % {"n": len(errors) - MAX_ERRORS_SHOWN})
            raise ValidationError(shown)
        try:
            rows_insert(Ticket, TICKET_COLUMNS, [_ticket_values(row) for row in rows])
            ids = _ticket_ids([row for row in rows if row.scores or row.steps])
            rated = [row for row in rows if row.scores]
            # The survey is filled in when the service ends: that is its time, not the import's.
            rows_insert(Rating, RATING_COLUMNS, [(ids[(row.kelurahan_id, row.date, row.prefix, row.number)],
                                              row.comment, row.finished_at,
                                              keyed_hash(purpose=RATING_ADDRESS_PURPOSE, value=row.rating_address),
                                              *row.scores) for row in rated])
            rows_insert(TicketStep, STEP_COLUMNS, [(ids[(row.kelurahan_id, row.date, row.prefix, row.number)],
                                                step.service_id, step.counter_id, None, step.queued_at,
                                                step.called_at, step.serving_at, step.finished_at)
                                               for row in rows for step in row.steps])
            _sequences_advance(rows, catalogue)
            kelurahan_hours_refresh(days={(row.kelurahan_id, row.date) for row in rows})
        except IntegrityError as exc:
            raise ValidationError(_("Nomor tiket bentrok dengan tiket yang sudah ada: %(error)s") % {"error": exc}) \
                from None
    return ImportResult(tickets=len(rows), ratings=len(rated), transfers=sum(1 for row in rows if row.steps))


TICKET_COLUMNS = ("kelurahan", "service", "date", "prefix", "number", "status", "channel", "visitor_name",
                  "visitor_nik", "counter", "officer", "issued_at", "called_at", "serving_at", "finished_at", "token",
                  "issued_by_ip", "note", "queued_at", "priority", "transfers", "result", "outcome", "browser",
                  "prints")
RATING_COLUMNS = ("ticket", "comment", "created_at", "address", *(code for code, _label in IKM_ELEMENTS))
STEP_COLUMNS = ("ticket", "service", "counter", "officer", *STEP_TIMES)


def _ticket_values(row: TicketRow) -> tuple:
    return (row.kelurahan_id, row.service_id, row.date, row.prefix, row.number, str(row.status), str(row.channel), "",
            "", row.counter_id, None, row.issued_at, row.called_at, row.serving_at, row.finished_at, public_token(),
            None, row.note, row.queued_at or row.issued_at, row.priority, len(row.steps), row.result, row.outcome_id,
            "", 0)


def _ticket_ids(rows: list[TicketRow]) -> dict[tuple[int, dt.date, str, int], int]:
    if not rows:
        return {}
    window = Ticket.objects.filter(kelurahan_id__in={row.kelurahan_id for row in rows},
                                   date__range=(min(row.date for row in rows), max(row.date for row in rows)))
    return {(kel_id, date, prefix, number): pk for kel_id, date, prefix, number, pk in window.values_list(
        "kelurahan_id", "date", "prefix", "number", "pk").iterator(chunk_size=IMPORT_CHUNK)}


def _sequences_advance(rows: list[TicketRow], catalogue: _Catalogue) -> None:
    """The desk's next number on an imported day continues after the imported ones."""
    last: dict[tuple[int, dt.date, str], int] = {}
    for row in rows:
        key = (row.kelurahan_id, row.date, row.prefix)
        last[key] = max(last.get(key, 0), row.number)
    rows_insert(TicketSequence, ("kelurahan", "date", "prefix", "last_number"),
            [(*key, number) for key, number in last.items() if key not in catalogue.sequences])
    for (kelurahan_id, date, prefix), number in last.items():
        if (kelurahan_id, date, prefix) in catalogue.sequences:
            TicketSequence.objects.filter(kelurahan_id=kelurahan_id, date=date, prefix=prefix).update(
                last_number=number)


# --- from a CSV file -----------------------------------------------------------------------------------------------

CSV_COLUMNS = ("kelurahan", "layanan", "nomor", "status", "diambil", "dipanggil", "dilayani", "selesai", "loket",
               "saluran")


def _when(value: str, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    if not value.strip():
        return None
    moment = dt.datetime.fromisoformat(value.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def ticket_rows_from_csv(*, city, lines) -> list[TicketRow]:
    """Rows of a CSV export of another queue system (header CSV_COLUMNS: the kelurahan's Kemendagri code, the
    service's code, the ticket number, its status, the local times it was issued, called, served and finished,
    the counter number and the channel) as TicketRow, for `tickets_import` to check. A value that cannot be read
    is a ValidationError naming the line; the rules are `tickets_import`'s."""
    import csv

    zone = city.zone
    kelurahan = {k.code: k for k in Kelurahan.objects.filter(kecamatan__city=city)}
    services = {s.code: s for s in Service.objects.filter(city=city)}
    counters = {(c.kelurahan_id, c.number): c.pk for c in Counter.objects.filter(kelurahan__in=kelurahan.values())}
    rows = []
    for line, record in enumerate(csv.DictReader(lines), start=2):
        try:
            office, service = kelurahan[record["kelurahan"].strip()], services[record["layanan"].strip()]
            issued_at = _when(record["diambil"], zone)
            counter = record.get("loket", "").strip()
            rows.append(TicketRow(
                kelurahan_id=office.pk, service_id=service.pk, prefix=service.prefix, number=int(record["nomor"]),
                date=issued_at.astimezone(zone).date(), status=record["status"].strip(), issued_at=issued_at,
                called_at=_when(record.get("dipanggil", ""), zone), serving_at=_when(record.get("dilayani", ""), zone),
                finished_at=_when(record.get("selesai", ""), zone),
                counter_id=counters.get((office.pk, int(counter))) if counter else None,
                channel=record.get("saluran", "").strip() or TicketChannel.DESK))
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise ValidationError(_("Baris %(line)s tidak dapat dibaca: %(error)s") % {"line": line, "error": exc}) \
                from None
    return rows
