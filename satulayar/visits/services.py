"""The kelurahan front office: queue tickets from issue to finish, counters, and the citizen's IKM rating.

Each write is atomic and validated and emits a live event on commit on the channel `queue:<kelurahan id>`,
which the desk, the public queue display and the dashboard listen to. Event data carries no personal data:
the display stream is public. `actor=None` is the system itself (demo data, a citizen holding the ticket link).

A ticket moves waiting -> called -> serving -> done; called -> no_show; waiting/called -> cancelled. A called
ticket may be announced again (recall). Only today's tickets (the office's local day) are called or served.
A called or served ticket may be transferred to another service or counter of the office: it waits again with
its number, its priority and its place (its issue time), and the step it leaves is kept (`TicketStep`).
Times only run forward (issued <= queued <= called <= serving <= finished): the services refuse a step dated
before the last one, and the database's `ticket_times_forward` constraint holds it for every writer.

Calling order: the oldest waiting ticket (by issue time); a priority ticket (lansia, disabilitas, ibu hamil, or a
group the city added) goes before the regular tickets of its own service, unless the oldest regular ticket of
that service has already seen `VISITS_PRIORITY_FAIRNESS` priority tickets called past it (default 3): then that
regular ticket goes first. Priority is set at issue (the desk, the kiosk) or later by an officer of the desk.
"""

import datetime as dt
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import event_publish, queue_channel
from satulayar.core.keyed_hash import keyed_hash
from satulayar.core.time import local_date
from satulayar.org.identity import validate_nik
from satulayar.org.models import Kelurahan
from satulayar.visits.access import can_operate_desk
from satulayar.visits.choices import IKM_ELEMENTS, PRIORITY_DEFAULTS, TicketChannel, TicketResult, TicketStatus
from satulayar.visits.models import (
    RATING_ADDRESS_PURPOSE,
    Counter,
    KioskDevice,
    PriorityGroup,
    Rating,
    Service,
    ServiceOutcome,
    ServiceOverride,
    Ticket,
    TicketSequence,
    TicketStep,
)
from satulayar.visits.rollups import kelurahan_hours_refresh

MAX_COUNTERS = 9
PUBLIC_CHANNELS = (TicketChannel.KIOSK_QR, TicketChannel.ONLINE)
SERVICE_TIME_SAMPLE = 30  # the most recent finished services an estimate is based on
SERVICE_TIME_DAYS = 14
SERVICE_TIME_MIN_SAMPLES = 3
DIGIT_WORDS = (gettext_lazy("nol"), gettext_lazy("satu"), gettext_lazy("dua"), gettext_lazy("tiga"),
               gettext_lazy("empat"), gettext_lazy("lima"), gettext_lazy("enam"), gettext_lazy("tujuh"),
               gettext_lazy("delapan"), gettext_lazy("sembilan"))


class TicketRateLimited(ValidationError):
    """Too many public tickets from one client; the page answers 429."""


def public_tickets_per_hour() -> int:
    return int(settings.VISITS_PUBLIC_TICKETS_PER_HOUR)


def public_tickets_per_address_hour() -> int:
    """The ceiling for one client address whose browsers each carry their own token (an office Wi-Fi, a mobile
    carrier's shared address): far above one browser's limit, still a stop for a script."""
    return int(settings.VISITS_PUBLIC_TICKETS_PER_ADDRESS_HOUR)


def priority_fairness() -> int:
    return int(settings.VISITS_PRIORITY_FAIRNESS)


def priority_groups(*, city) -> list[tuple[str, str]]:
    """(code, label) of the priority groups of a city: the standard three and the city's own active ones."""
    own = PriorityGroup.objects.filter(city=city, active=True).values_list("code", "name")
    return [(code, str(label)) for code, label in PRIORITY_DEFAULTS] + list(own)


def _clean_priority(kelurahan: Kelurahan, priority: str) -> str:
    priority = (priority or "").strip()
    if priority and priority not in dict(priority_groups(city=kelurahan.kecamatan.city)):
        raise ValidationError({"priority": _("Kelompok prioritas %(code)s tidak dikenal.") % {"code": priority}})
    return priority


def _require_desk(actor, kelurahan: Kelurahan) -> None:
    if actor is not None and not can_operate_desk(actor, kelurahan):
        raise PermissionDenied(_("Anda tidak bertugas di loket Kelurahan %(name)s.") % {"name": kelurahan.name})


# --- catalogue as one office offers it --------------------------------------------------------------------


@dataclass(frozen=True)
class OfferedService:
    """A catalogue service with the kelurahan's own requirements and target time applied."""

    service: Service
    requirements: str
    sla_minutes: int

    @property
    def pk(self) -> int:
        return self.service.pk

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def prefix(self) -> str:
        return self.service.prefix

    @property
    def requirement_lines(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.requirements.splitlines() if line.strip(" -•\t")]


def services_offered(*, kelurahan: Kelurahan) -> list[OfferedService]:
    overrides = {o.service_id: o for o in ServiceOverride.objects.filter(kelurahan=kelurahan)}
    offered = []
    for service in Service.objects.filter(city_id=kelurahan.kecamatan.city_id, active=True):
        override = overrides.get(service.pk)
        if override is not None and not override.active:
            continue
        offered.append(OfferedService(
            service=service,
            requirements=(override.requirements if override and override.requirements else service.requirements),
            sla_minutes=(override.sla_minutes if override and override.sla_minutes else service.sla_minutes),
        ))
    return offered


def service_offered(*, kelurahan: Kelurahan, service: Service) -> OfferedService:
    for offered in services_offered(kelurahan=kelurahan):
        if offered.pk == service.pk:
            return offered
    raise ValidationError({"service": _("Layanan %(service)s tidak tersedia di Kelurahan %(name)s.")
                           % {"service": service.name, "name": kelurahan.name}})


# --- counters -------------------------------------------------------------------------------------------------


@transaction.atomic
def counter_ensure(*, actor, kelurahan: Kelurahan, number: int) -> Counter:
    """The counter (loket) with this number, created the first time an officer opens it."""
    _require_desk(actor, kelurahan)
    if not 1 <= number <= MAX_COUNTERS:
        raise ValidationError(_("Nomor loket harus 1 sampai %(max)s.") % {"max": MAX_COUNTERS})
    counter, created = Counter.objects.get_or_create(kelurahan=kelurahan, number=number)
    if created:
        audit_record(actor=actor, action=AuditAction.CREATE, obj=counter, after=snapshot(counter),
                     note=f"kelurahan {kelurahan.code}")
    if not counter.active:
        raise ValidationError(_("%(counter)s sedang tidak aktif.") % {"counter": counter})
    return counter


def counters_for_desk(*, kelurahan: Kelurahan) -> list[tuple[int, str]]:
    """(number, label) of the counters a desk may open: the active ones, and 1–3 until they exist."""
    existing = {c.number: c for c in Counter.objects.filter(kelurahan=kelurahan)}
    numbers = {n for n, c in existing.items() if c.active} | {n for n in (1, 2, 3) if n not in existing}
    return [(n, str(existing[n]) if n in existing else _("Loket %(n)s") % {"n": n}) for n in sorted(numbers)]


# --- tickets ---------------------------------------------------------------------------------------------------


def ticket_announcement(ticket: Ticket) -> str:
    """What the display says aloud: 'Nomor antrean A nol nol tujuh, silakan ke loket dua.'"""
    spoken = " ".join([*ticket.prefix, *(str(DIGIT_WORDS[int(d)]) for d in f"{ticket.number:03d}")])
    counter = " ".join(str(DIGIT_WORDS[int(d)]) for d in str(ticket.counter.number)) if ticket.counter_id else ""
    return _("Nomor antrean %(number)s, silakan ke loket %(counter)s.") % {"number": spoken, "counter": counter}


def _publish(ticket: Ticket, kind: str, **extra) -> None:
    """Every ticket write ends here, inside its transaction: the day's rollup follows, then the live event."""
    kelurahan_hours_refresh(days={(ticket.kelurahan_id, ticket.date)}, zone=ticket.kelurahan.kecamatan.city.timezone)
    data = {"ticket": ticket.pk, "code": ticket.code, "status": ticket.status, "prefix": ticket.prefix,
            "service": ticket.service_id, "counter": ticket.counter.number if ticket.counter_id else None,
            "priority": bool(ticket.priority), **extra}
    event_publish(channel=queue_channel(ticket.kelurahan_id), kind=kind, data=data)


def _check_rate(*, kelurahan: Kelurahan, ip: str | None, browser: str, now: dt.datetime) -> None:
    """Public tickets per hour: per browser token when the browser has one (and a high ceiling per address, so
    neighbours on one shared address are not refused for each other), per address otherwise."""
    recent = Ticket.objects.filter(kelurahan=kelurahan, channel__in=PUBLIC_CHANNELS,
                                   issued_at__gt=now - dt.timedelta(hours=1))
    limit = public_tickets_per_hour()
    if browser:
        own = recent.filter(browser=browser).count()
        shared = recent.filter(issued_by_ip=ip).count() if ip else 0
        refused = own >= limit or shared >= public_tickets_per_address_hour()
        limit = limit if own >= limit else public_tickets_per_address_hour()
    else:
        refused = bool(ip) and recent.filter(issued_by_ip=ip).count() >= limit
    if refused:
        raise TicketRateLimited(
            _("Terlalu banyak nomor antrean dari perangkat ini: paling banyak %(limit)s nomor per jam di "
              "Kelurahan %(name)s. Silakan coba lagi nanti atau ambil nomor di loket.")
            % {"limit": limit, "name": kelurahan.name}, code="rate_limited")


def _clean_nik(value: str) -> str:
    nik = "".join(value.split())
    if nik:
        try:
            validate_nik(nik)
        except ValidationError as exc:
            raise ValidationError({"visitor_nik": exc.messages}) from None
    return nik


def ticket_issue(*, kelurahan: Kelurahan, service: Service, channel: str, visitor_name: str = "",
                 visitor_nik: str = "", now: dt.datetime | None = None, ip: str | None = None,
                 priority: str = "", actor=None, kiosk: KioskDevice | None = None, browser: str = "") -> Ticket:
    """A new queue number: per kelurahan, per local day and per service prefix (A-001, A-002, …).

    A priority mark at issue comes from the desk (an officer of this desk when `actor` is given) or the office's
    kiosk; the public web may not set it. A kiosk ticket needs the kiosk and an open office; it is not counted
    against the public per-address limit. `browser` is the public page's (hashed) browser token.
    """
    now = now or timezone.now()
    if channel not in TicketChannel.values:
        raise ValidationError({"channel": _("Saluran tiket tidak dikenal.")})
    service_offered(kelurahan=kelurahan, service=service)
    priority = _clean_priority(kelurahan, priority)
    if priority and channel in PUBLIC_CHANNELS:
        raise ValidationError({"priority": _("Tanda prioritas diberikan di kantor (anjungan atau petugas loket), "
                                             "tidak lewat halaman daring.")}, code="priority_not_allowed")
    if priority and channel == TicketChannel.DESK:
        _require_desk(actor, kelurahan)
    if channel == TicketChannel.KIOSK:
        _require_kiosk(kelurahan, kiosk, now)
    visitor_name, visitor_nik = " ".join(visitor_name.split()), _clean_nik(visitor_nik)
    date = local_date(kelurahan.kecamatan.city, now)
    with transaction.atomic():
        # Locking the day's sequence row serialises issuing per prefix (on SQLite the IMMEDIATE
        # transaction does it); a second office's or prefix's tickets do not wait.
        sequence, _created = TicketSequence.objects.select_for_update().get_or_create(
            kelurahan=kelurahan, date=date, prefix=service.prefix)
        if channel in PUBLIC_CHANNELS:
            _check_rate(kelurahan=kelurahan, ip=ip, browser=browser, now=now)
        sequence.last_number += 1
        sequence.save(update_fields=["last_number"])
        ticket = Ticket(kelurahan=kelurahan, service=service, date=date, prefix=service.prefix,
                        number=sequence.last_number, channel=channel, visitor_name=visitor_name,
                        visitor_nik=visitor_nik, issued_at=now, queued_at=now, issued_by_ip=ip or None,
                        priority=priority, kiosk=kiosk if channel == TicketChannel.KIOSK else None,
                        browser=browser if channel in PUBLIC_CHANNELS else "")
        ticket.full_clean(validate_unique=False, validate_constraints=False)  # the lock guarantees both
        ticket.save()
        _publish(ticket, "ticket.issued")
    return ticket


def _require_kiosk(kelurahan: Kelurahan, kiosk: KioskDevice | None, now: dt.datetime) -> None:
    from satulayar.visits.office import office_closed_reason  # the office's hours and calendar

    if kiosk is None or not kiosk.active or kiosk.kelurahan_id != kelurahan.pk:
        raise PermissionDenied(_("Anjungan ini tidak terdaftar untuk Kelurahan %(name)s.") % {"name": kelurahan.name})
    reason = office_closed_reason(kelurahan=kelurahan, now=now)
    if reason:
        raise ValidationError(reason, code="office_closed")


@dataclass(frozen=True)
class Waiting:
    pk: int
    service_id: int
    issued_at: dt.datetime
    priority: str


def next_in_line(waiting: list[Waiting], jumped: dict[int, int], fairness: int) -> int | None:
    """The pk to call: the oldest by issue time, a priority ticket placed just before the oldest regular ticket
    of its service unless that one has already had `fairness` priority tickets called past it (`jumped`)."""
    oldest_regular: dict[int, Waiting] = {}
    for ticket in waiting:
        if not ticket.priority:
            oldest_regular.setdefault(ticket.service_id, ticket)

    def place(ticket: Waiting) -> tuple:
        regular = oldest_regular.get(ticket.service_id)
        if (ticket.priority and regular is not None and regular.issued_at < ticket.issued_at
                and jumped.get(ticket.service_id, 0) < fairness):
            return (regular.issued_at, 0, ticket.issued_at, ticket.pk)
        return (ticket.issued_at, 1, ticket.pk)

    return min(waiting, key=place).pk if waiting else None


def _jumped(kelurahan: Kelurahan, today: dt.date, waiting: list[Waiting]) -> dict[int, int]:
    """Per service: how many priority tickets were called past its oldest waiting regular ticket."""
    if not any(t.priority for t in waiting):
        return {}
    return _jumped_by(waiting, _priority_called(kelurahan, today))


def _priority_called(kelurahan: Kelurahan, today: dt.date) -> list[tuple[int, dt.datetime]]:
    return list(Ticket.objects.filter(kelurahan=kelurahan, date=today, called_at__isnull=False).exclude(priority="")
                .values_list("service_id", "issued_at"))


def _jumped_by(waiting: list[Waiting], called: list[tuple[int, dt.datetime]]) -> dict[int, int]:
    oldest: dict[int, dt.datetime] = {}
    for ticket in waiting:
        if not ticket.priority:
            oldest.setdefault(ticket.service_id, ticket.issued_at)
    jumped: dict[int, int] = {}
    for service_id, issued_at in called:
        if service_id in oldest and issued_at > oldest[service_id]:
            jumped[service_id] = jumped.get(service_id, 0) + 1
    return jumped


def _waiting_for(kelurahan: Kelurahan, counter: Counter, today: dt.date, now: dt.datetime):
    """Today's waiting tickets this counter may call: not queued after `now`, not sent to another counter."""
    return (Ticket.objects.filter(kelurahan=kelurahan, date=today, status=TicketStatus.WAITING, queued_at__lte=now)
            .filter(Q(counter__isnull=True) | Q(counter=counter)))


def ticket_call_next(*, actor, kelurahan: Kelurahan, counter: Counter, now: dt.datetime | None = None
                     ) -> Ticket | None:
    """Call the next waiting ticket of today to `counter` (see the module's calling order); None when nobody waits.

    Two counters calling at the same moment never get the same ticket: on PostgreSQL the chosen row is taken
    with FOR UPDATE SKIP LOCKED, and a row another counter holds is passed over; on SQLite writers are serialised.
    """
    now = now or timezone.now()
    _require_desk(actor, kelurahan)
    if counter.kelurahan_id != kelurahan.pk:
        raise ValidationError(_("%(counter)s bukan loket Kelurahan %(name)s.") % {"counter": counter,
                                                                                  "name": kelurahan.name})
    if not counter.active:
        raise ValidationError(_("%(counter)s sedang tidak aktif.") % {"counter": counter})
    today = local_date(kelurahan.kecamatan.city, now)
    with transaction.atomic():
        # One call at a time per counter. get() orders nothing, so no joined row (the kelurahan) is locked too.
        Counter.objects.select_for_update().get(pk=counter.pk)
        busy = Ticket.objects.filter(counter=counter, date=today, status__in=(TicketStatus.CALLED,
                                                                               TicketStatus.SERVING)).first()
        if busy is not None:
            raise ValidationError(
                _("%(counter)s masih menangani tiket %(code)s; selesaikan atau tandai tidak hadir dulu.")
                % {"counter": counter, "code": busy.code})
        ticket = _take_next(kelurahan, counter, today, now)
        if ticket is None:
            return None
        ticket.status, ticket.called_at, ticket.counter = TicketStatus.CALLED, now, counter
        ticket.officer = actor
        ticket.save(update_fields=["status", "called_at", "counter", "officer"])
        ticket.kelurahan = kelurahan
        _publish(ticket, "ticket.called", say=ticket_announcement(ticket))
    return ticket


def _take_next(kelurahan: Kelurahan, counter: Counter, today: dt.date, now: dt.datetime) -> Ticket | None:
    passed: set[int] = set()
    while True:
        waiting = [Waiting(*row) for row in _waiting_for(kelurahan, counter, today, now).exclude(pk__in=passed)
                   .order_by("issued_at", "pk").values_list("pk", "service_id", "issued_at", "priority")]
        pk = next_in_line(waiting, _jumped(kelurahan, today, waiting), priority_fairness())
        if pk is None:
            return None
        ticket = (Ticket.objects.select_for_update(skip_locked=True)
                  .filter(pk=pk, status=TicketStatus.WAITING).first())
        if ticket is not None:
            return ticket
        passed.add(pk)  # another counter holds it (or called it meanwhile)


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str | None  # None: the status stays (a recall)
    stamp: str | None  # the timestamp field the transition sets
    refusal: str  # "Tiket A-001 berstatus Selesai; tidak dapat …"
    today_only: bool = True


TRANSITIONS = {
    "start": Transition((TicketStatus.CALLED,), TicketStatus.SERVING, "serving_at",
                        gettext_lazy("mulai dilayani")),
    "finish": Transition((TicketStatus.SERVING,), TicketStatus.DONE, "finished_at",
                         gettext_lazy("diselesaikan")),
    "no_show": Transition((TicketStatus.CALLED,), TicketStatus.NO_SHOW, "finished_at",
                          gettext_lazy("ditandai tidak hadir")),
    "cancel": Transition((TicketStatus.WAITING, TicketStatus.CALLED), TicketStatus.CANCELLED, "finished_at",
                         gettext_lazy("dibatalkan"), today_only=False),
    "recall": Transition((TicketStatus.CALLED,), None, None, gettext_lazy("dipanggil ulang")),
}


def _require_forward(ticket: Ticket, now: dt.datetime) -> None:
    """A step is never dated before the ticket's last one (a late replay, a wrong clock)."""
    last = max(t for t in (ticket.issued_at, ticket.queued_at, ticket.called_at, ticket.serving_at) if t)
    if now < last:
        raise ValidationError(
            _("Waktu langkah %(at)s lebih awal dari langkah terakhir tiket %(code)s (%(last)s); waktu tiket hanya "
              "boleh maju.") % {"at": _clock(ticket, now), "code": ticket.code, "last": _clock(ticket, last)},
            code="time_backwards")


def _clock(ticket: Ticket, at: dt.datetime) -> str:
    return timezone.localtime(at, ticket.kelurahan.kecamatan.city.zone).strftime("%H:%M:%S")


def _transition(*, actor, ticket: Ticket, action: str, now: dt.datetime | None, note: str = "",
                prepare=None, extra_fields: tuple[str, ...] = ()) -> Ticket:
    rule = TRANSITIONS[action]
    now = now or timezone.now()
    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(of=("self",))
                  .select_related("kelurahan__kecamatan__city", "counter").get(pk=ticket.pk))
        _require_desk(actor, ticket.kelurahan)
        if rule.today_only and ticket.date != local_date(ticket.kelurahan.kecamatan.city, now):
            raise ValidationError(_("Tiket tanggal %(date)s tidak dapat dilayani hari ini.")
                                  % {"date": date_format(ticket.date, "j F Y")}, code="not_today")
        if ticket.status not in rule.sources:
            raise ValidationError(_("Tiket %(code)s berstatus %(status)s; tidak dapat %(action)s.")
                                  % {"code": ticket.code, "status": ticket.get_status_display().lower(),
                                     "action": rule.refusal}, code="invalid_transition")
        _require_forward(ticket, now)
        fields = list(extra_fields)
        if rule.target is not None:
            ticket.status = rule.target
            setattr(ticket, rule.stamp, now)
            fields += ["status", rule.stamp]
        if actor is not None:
            ticket.officer = actor
            fields.append("officer")
        if note:
            ticket.note = note[:255]
            fields.append("note")
        if prepare is not None:
            prepare(ticket)
        if fields:
            ticket.save(update_fields=fields)
        extra = {"say": ticket_announcement(ticket)} if action == "recall" else {}
        _publish(ticket, "ticket.recalled" if action == "recall" else f"ticket.{ticket.status}", **extra)
    return ticket


def ticket_recall(*, actor, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    """Announce a called ticket again (the citizen did not come forward yet)."""
    return _transition(actor=actor, ticket=ticket, action="recall", now=now)


def ticket_start(*, actor, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    return _transition(actor=actor, ticket=ticket, action="start", now=now)


def ticket_finish(*, actor, ticket: Ticket, now: dt.datetime | None = None, result: str = "",
                  outcome: ServiceOutcome | None = None) -> Ticket:
    """Finish the service, recording what it produced (`result` produced, with the `outcome` from the service's
    list) or why not (missing papers, referred elsewhere). The desk always records it; imports may not."""

    def record(locked: Ticket) -> None:
        locked.result, locked.outcome = _clean_result(locked, result, outcome)

    finished = _transition(actor=actor, ticket=ticket, action="finish", now=now, prepare=record,
                           extra_fields=("result", "outcome"))
    if finished.result:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=finished,
                     after={"result": finished.result, "outcome": str(finished.outcome or "")},
                     note=f"kelurahan {finished.kelurahan.code}")
    return finished


def _clean_result(ticket: Ticket, result: str, outcome: ServiceOutcome | None):
    if result and result not in TicketResult.values:
        raise ValidationError({"result": _("Hasil layanan tidak dikenal.")})
    if result != TicketResult.PRODUCED:
        if outcome is not None:
            raise ValidationError({"outcome": _("Hasil dokumen hanya dicatat untuk layanan yang selesai diberikan.")})
        return result, None
    offered = ServiceOutcome.objects.filter(service_id=ticket.service_id, active=True)
    if outcome is None and offered.exists():
        raise ValidationError({"outcome": _("Pilih hasil layanan %(service)s yang diberikan.")
                                          % {"service": ticket.service.name}})
    if outcome is not None and not offered.filter(pk=outcome.pk).exists():
        raise ValidationError({"outcome": _("%(outcome)s bukan hasil layanan %(service)s.")
                                          % {"outcome": outcome, "service": ticket.service.name}})
    return result, outcome


def ticket_priority_set(*, actor, ticket: Ticket, priority: str, now: dt.datetime | None = None) -> Ticket:
    """An officer of the desk marks (or clears, with "") a waiting ticket's priority group."""
    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(of=("self",))
                  .select_related("kelurahan__kecamatan__city", "counter", "service").get(pk=ticket.pk))
        if actor is None or not can_operate_desk(actor, ticket.kelurahan):
            raise PermissionDenied(_("Hanya petugas loket Kelurahan %(name)s yang dapat memberi tanda prioritas.")
                                   % {"name": ticket.kelurahan.name})
        if ticket.status != TicketStatus.WAITING:
            raise ValidationError(_("Tanda prioritas hanya untuk tiket yang masih menunggu; %(code)s berstatus "
                                    "%(status)s.") % {"code": ticket.code,
                                                      "status": ticket.get_status_display().lower()})
        before = ticket.priority
        ticket.priority = _clean_priority(ticket.kelurahan, priority)
        ticket.save(update_fields=["priority"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=ticket, before={"priority": before},
                     after={"priority": ticket.priority}, note=f"kelurahan {ticket.kelurahan.code}")
        _publish(ticket, "ticket.prioritised")
    return ticket


def ticket_transfer(*, actor, ticket: Ticket, service: Service, counter: Counter | None = None,
                    now: dt.datetime | None = None) -> Ticket:
    """Send a called or served ticket on to another service (or counter) of the same office: it waits again with
    its number, priority and issue time (its place), and the step it leaves is kept with its times."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(of=("self",))
                  .select_related("kelurahan__kecamatan__city", "counter", "service").get(pk=ticket.pk))
        _require_desk(actor, ticket.kelurahan)
        _check_transfer(ticket, service, counter, now)
        TicketStep.objects.create(ticket=ticket, service_id=ticket.service_id, counter=ticket.counter,
                                  officer=ticket.officer, queued_at=ticket.queued_at, called_at=ticket.called_at,
                                  serving_at=ticket.serving_at, finished_at=now)
        before = {"service": ticket.service_id, "counter": ticket.counter_id}
        ticket.service, ticket.counter, ticket.status = service, counter, TicketStatus.WAITING
        ticket.queued_at, ticket.called_at, ticket.serving_at = now, None, None
        ticket.transfers += 1
        ticket.officer = actor
        ticket.save(update_fields=["service", "counter", "status", "queued_at", "called_at", "serving_at",
                                   "transfers", "officer"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=ticket, before=before,
                     after={"service": service.pk, "counter": counter.pk if counter else None},
                     note=f"kelurahan {ticket.kelurahan.code}: dipindahkan")
        _publish(ticket, "ticket.transferred", to_service=service.name,
                 to_counter=counter.number if counter else None)
    return ticket


def _check_transfer(ticket: Ticket, service: Service, counter: Counter | None, now: dt.datetime) -> None:
    if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
        raise ValidationError(_("Hanya tiket yang sedang dipanggil atau dilayani dapat dipindahkan; %(code)s "
                                "berstatus %(status)s.") % {"code": ticket.code,
                                                            "status": ticket.get_status_display().lower()},
                              code="invalid_transition")
    if ticket.date != local_date(ticket.kelurahan.kecamatan.city, now):
        raise ValidationError(_("Tiket tanggal %(date)s tidak dapat dipindahkan hari ini.")
                              % {"date": date_format(ticket.date, "j F Y")}, code="not_today")
    _require_forward(ticket, now)
    service_offered(kelurahan=ticket.kelurahan, service=service)
    if counter is not None and (counter.kelurahan_id != ticket.kelurahan_id or not counter.active):
        raise ValidationError({"counter": _("%(counter)s bukan loket aktif Kelurahan %(name)s.")
                                          % {"counter": counter, "name": ticket.kelurahan.name}})
    if service.pk == ticket.service_id and (counter is None or counter.pk == ticket.counter_id):
        raise ValidationError(_("Pilih layanan atau loket lain untuk memindahkan tiket %(code)s.")
                              % {"code": ticket.code}, code="same_step")


def ticket_print_record(*, actor, ticket: Ticket, kiosk: KioskDevice | None = None) -> Ticket:
    """A printed copy of a ticket: the kiosk's first print, or a reprint by an officer of the desk."""
    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(of=("self",))
                  .select_related("kelurahan__kecamatan__city", "counter", "service").get(pk=ticket.pk))
        if kiosk is None:
            if actor is None or not can_operate_desk(actor, ticket.kelurahan):
                raise PermissionDenied(_("Hanya petugas loket Kelurahan %(name)s yang dapat mencetak ulang tiket.")
                                       % {"name": ticket.kelurahan.name})
        elif kiosk.pk != ticket.kiosk_id or ticket.prints:
            raise PermissionDenied(_("Anjungan hanya mencetak tiketnya sendiri, sekali; cetak ulang oleh petugas."))
        ticket.prints += 1
        ticket.save(update_fields=["prints"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=ticket, after={"prints": ticket.prints},
                     note=(f"dicetak di anjungan {kiosk}" if kiosk else "dicetak ulang oleh petugas"))
        _publish(ticket, "ticket.printed", copy=ticket.prints)
    return ticket


def ticket_no_show(*, actor, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    return _transition(actor=actor, ticket=ticket, action="no_show", now=now)


def ticket_cancel(*, actor, ticket: Ticket, now: dt.datetime | None = None, note: str = "") -> Ticket:
    """Cancel a waiting or called ticket (an officer, or the citizen through the ticket link with actor=None)."""
    return _transition(actor=actor, ticket=ticket, action="cancel", now=now, note=note)


# --- the citizen's IKM rating ----------------------------------------------------------------------------------


def rating_submit(*, ticket: Ticket, scores: dict[str, int], comment: str = "", address: str = "") -> Rating:
    """The nine IKM elements, each 1 (tidak baik) to 4 (sangat baik); once per finished ticket. `address` is the
    client's address; only its keyed hash is stored (many perfect surveys from one address are an integrity
    signal)."""
    errors = {}
    for code, label in IKM_ELEMENTS:
        value = scores.get(code)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 4:
            errors[code] = _("Pilih nilai 1–4 untuk unsur %(element)s.") % {"element": label}
    unknown = set(scores) - {code for code, _label in IKM_ELEMENTS}
    if unknown:
        errors["__all__"] = _("Unsur penilaian tidak dikenal: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
    already = ValidationError(_("Tiket %(code)s sudah dinilai. Penilaian hanya dapat diberikan sekali per tiket.")
                              % {"code": ticket.code}, code="already_rated")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("kelurahan").get(pk=ticket.pk)
        if Rating.objects.filter(ticket=ticket).exists():
            raise already
        if ticket.status != TicketStatus.DONE:
            raise ValidationError(_("Penilaian dapat diisi setelah layanan tiket %(code)s selesai.")
                                  % {"code": ticket.code}, code="not_done")
        if errors:
            raise ValidationError(errors)
        rating = Rating(ticket=ticket, comment=comment.strip()[:2000],
                        address=keyed_hash(purpose=RATING_ADDRESS_PURPOSE, value=address), **scores)
        rating.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                rating.save()
        except IntegrityError:
            raise already from None
        _publish(ticket, "rating.submitted")
    return rating


# --- what the desk and the public pages read ----------------------------------------------------------------


def tickets_today(*, kelurahan: Kelurahan, now: dt.datetime | None = None):
    return (Ticket.objects.filter(kelurahan=kelurahan, date=local_date(kelurahan.kecamatan.city, now))
            .select_related("service", "counter").order_by("issued_at", "pk"))


def queue_position(*, ticket: Ticket) -> int | None:
    """How many waiting tickets are called before this one, in the desk's calling order (priority tickets placed
    before the oldest regular one of their service, within the fairness limit); None once it is no longer waiting."""
    if ticket.status != TicketStatus.WAITING:
        return None
    waiting = [Waiting(*row) for row in Ticket.objects.filter(
        kelurahan_id=ticket.kelurahan_id, date=ticket.date, status=TicketStatus.WAITING)
        .order_by("issued_at", "pk").values_list("pk", "service_id", "issued_at", "priority")]
    called = _priority_called(ticket.kelurahan_id, ticket.date) if any(t.priority for t in waiting) else []
    fairness = priority_fairness()
    for position in range(len(waiting)):
        pk = next_in_line(waiting, _jumped_by(waiting, called), fairness)
        if pk == ticket.pk:
            return position
        taken = next(t for t in waiting if t.pk == pk)
        waiting.remove(taken)
        if taken.priority:
            called.append((taken.service_id, taken.issued_at))
    return len(waiting)


def median_service_minutes(*, kelurahan: Kelurahan, now: dt.datetime | None = None) -> float | None:
    """The median of the office's most recent service times (start to finish), or None with too few."""
    since = (now or timezone.now()) - dt.timedelta(days=SERVICE_TIME_DAYS)
    recent = (Ticket.objects.filter(kelurahan=kelurahan, status=TicketStatus.DONE, finished_at__gte=since,
                                    serving_at__isnull=False)
              .order_by("-finished_at").values_list("serving_at", "finished_at")[:SERVICE_TIME_SAMPLE])
    minutes = [(end - start).total_seconds() / 60 for start, end in recent]
    return statistics.median(minutes) if len(minutes) >= SERVICE_TIME_MIN_SAMPLES else None


@dataclass(frozen=True)
class ServiceQueue:
    offered: OfferedService
    waiting: int  # of this service
    estimate_minutes: int  # for a number taken now: everyone waiting is called first


def queues_by_service(*, kelurahan: Kelurahan, now: dt.datetime | None = None) -> list[ServiceQueue]:
    """The public page's live figures: per offered service, how many wait and the wait for a new number."""
    waiting = dict(Ticket.objects.filter(kelurahan=kelurahan, date=local_date(kelurahan.kecamatan.city, now),
                                         status=TicketStatus.WAITING)
                   .values("service_id").annotate(n=models.Count("pk")).values_list("service_id", "n").order_by())
    total, median = sum(waiting.values()), median_service_minutes(kelurahan=kelurahan, now=now)
    return [ServiceQueue(offered, waiting.get(offered.pk, 0),
                         round(total * (median if median is not None else offered.sla_minutes)))
            for offered in services_offered(kelurahan=kelurahan)]


def wait_estimate_minutes(*, ticket: Ticket, position: int | None, now: dt.datetime | None = None) -> int | None:
    """Tickets ahead x the recent median service time (or the service's target time without history)."""
    if position is None:
        return None
    per_ticket = median_service_minutes(kelurahan=ticket.kelurahan, now=now)
    if per_ticket is None:
        offered = {o.pk: o for o in services_offered(kelurahan=ticket.kelurahan)}.get(ticket.service_id)
        per_ticket = offered.sla_minutes if offered else ticket.service.sla_minutes
    return round(position * per_ticket)


@dataclass
class CounterNow:
    number: int
    label: str
    ticket: Ticket | None


def queue_board(*, kelurahan: Kelurahan, now: dt.datetime | None = None, next_count: int = 8) -> dict:
    """Now serving per counter, the next numbers, and today's counts; codes only, no personal data."""
    tickets = list(tickets_today(kelurahan=kelurahan, now=now))
    active = {}
    for ticket in sorted((t for t in tickets if t.status in (TicketStatus.CALLED, TicketStatus.SERVING)),
                         key=lambda t: t.called_at):
        active[ticket.counter_id] = ticket
    counters = [CounterNow(c.number, str(c), active.get(c.pk))
                for c in Counter.objects.filter(kelurahan=kelurahan, active=True)]
    waiting = [t for t in tickets if t.status == TicketStatus.WAITING]
    counts = {status: 0 for status in TicketStatus.values}
    for ticket in tickets:
        counts[ticket.status] += 1
    last_called = max(active.values(), key=lambda t: t.called_at, default=None)
    return {"counters": counters, "next": waiting[:next_count], "waiting": len(waiting), "counts": counts,
            "served": counts[TicketStatus.DONE], "total": len(tickets), "last_called": last_called}
