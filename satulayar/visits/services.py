"""The kelurahan front office: queue tickets from issue to finish, counters, and the citizen's IKM rating.

Each write is atomic and validated and emits a live event on commit on the channel `queue:<kelurahan id>`,
which the desk, the public queue display and the dashboard listen to. Event data carries no personal data:
the display stream is public. `actor=None` is the system itself (demo data, a citizen holding the ticket link).

A ticket moves waiting -> called -> serving -> done; called -> no_show; waiting/called -> cancelled. A called
ticket may be announced again (recall). Only today's tickets (the office's local day) are called or served.
"""

import datetime as dt
import statistics
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.core.events import event_publish
from satulayar.org.identity import validate_nik
from satulayar.org.models import Kelurahan
from satulayar.visits.access import can_operate_desk
from satulayar.visits.choices import IKM_ELEMENTS, TicketChannel, TicketStatus
from satulayar.visits.models import Counter, Rating, Service, ServiceOverride, Ticket, TicketSequence
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


def queue_channel(kelurahan: Kelurahan) -> str:
    return f"queue:{kelurahan.pk}"


def city_zone(kelurahan: Kelurahan) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(kelurahan.kecamatan.city.timezone)


def local_date(kelurahan: Kelurahan, now: dt.datetime | None = None) -> dt.date:
    """The office's day (the city zone, WITA for Banjarmasin) at `now`."""
    return timezone.localtime(now or timezone.now(), city_zone(kelurahan)).date()


def public_tickets_per_hour() -> int:
    return int(getattr(settings, "VISITS_PUBLIC_TICKETS_PER_HOUR", 5))


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
            "service": ticket.service_id, "counter": ticket.counter.number if ticket.counter_id else None, **extra}
    event_publish(channel=queue_channel(ticket.kelurahan), kind=kind, data=data)


def _check_rate(*, kelurahan: Kelurahan, ip: str, now: dt.datetime) -> None:
    limit = public_tickets_per_hour()
    recent = Ticket.objects.filter(kelurahan=kelurahan, issued_by_ip=ip, channel__in=PUBLIC_CHANNELS,
                                   issued_at__gt=now - dt.timedelta(hours=1)).count()
    if recent >= limit:
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
                 visitor_nik: str = "", now: dt.datetime | None = None, ip: str | None = None) -> Ticket:
    """A new queue number: per kelurahan, per local day and per service prefix (A-001, A-002, …)."""
    now = now or timezone.now()
    if channel not in TicketChannel.values:
        raise ValidationError({"channel": _("Saluran tiket tidak dikenal.")})
    service_offered(kelurahan=kelurahan, service=service)
    visitor_name, visitor_nik = " ".join(visitor_name.split()), _clean_nik(visitor_nik)
    date = local_date(kelurahan, now)
    with transaction.atomic():
        # Locking the day's sequence row serialises issuing per prefix (on SQLite the IMMEDIATE
        # transaction does it); a second office's or prefix's tickets do not wait.
        sequence, _created = TicketSequence.objects.select_for_update().get_or_create(
            kelurahan=kelurahan, date=date, prefix=service.prefix)
        if ip and channel in PUBLIC_CHANNELS:
            _check_rate(kelurahan=kelurahan, ip=ip, now=now)
        sequence.last_number += 1
        sequence.save(update_fields=["last_number"])
        ticket = Ticket(kelurahan=kelurahan, service=service, date=date, prefix=service.prefix,
                        number=sequence.last_number, channel=channel, visitor_name=visitor_name,
                        visitor_nik=visitor_nik, issued_at=now, issued_by_ip=ip or None)
        ticket.full_clean(validate_unique=False, validate_constraints=False)  # the lock guarantees both
        ticket.save()
        _publish(ticket, "ticket.issued")
    return ticket


def ticket_call_next(*, actor, kelurahan: Kelurahan, counter: Counter, now: dt.datetime | None = None
                     ) -> Ticket | None:
    """Call the oldest waiting ticket of today to `counter`; None when nobody waits.

    Two counters calling at the same moment never get the same ticket: on PostgreSQL the row is taken
    with FOR UPDATE SKIP LOCKED, so the second counter skips it; on SQLite writers are serialised.
    """
    now = now or timezone.now()
    _require_desk(actor, kelurahan)
    if counter.kelurahan_id != kelurahan.pk:
        raise ValidationError(_("%(counter)s bukan loket Kelurahan %(name)s.") % {"counter": counter,
                                                                                  "name": kelurahan.name})
    if not counter.active:
        raise ValidationError(_("%(counter)s sedang tidak aktif.") % {"counter": counter})
    today = local_date(kelurahan, now)
    with transaction.atomic():
        # One call at a time per counter. get() orders nothing, so no joined row (the kelurahan) is locked too.
        Counter.objects.select_for_update().get(pk=counter.pk)
        busy = Ticket.objects.filter(counter=counter, date=today, status__in=(TicketStatus.CALLED,
                                                                               TicketStatus.SERVING)).first()
        if busy is not None:
            raise ValidationError(
                _("%(counter)s masih menangani tiket %(code)s; selesaikan atau tandai tidak hadir dulu.")
                % {"counter": counter, "code": busy.code})
        ticket = (Ticket.objects.select_for_update(skip_locked=True)
                  .filter(kelurahan=kelurahan, date=today, status=TicketStatus.WAITING)
                  .order_by("issued_at", "pk").first())
        if ticket is None:
            return None
        ticket.status, ticket.called_at, ticket.counter = TicketStatus.CALLED, now, counter
        ticket.officer = actor
        ticket.save(update_fields=["status", "called_at", "counter", "officer"])
        ticket.kelurahan = kelurahan
        _publish(ticket, "ticket.called", say=ticket_announcement(ticket))
    return ticket


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


def _transition(*, actor, ticket: Ticket, action: str, now: dt.datetime | None, note: str = "") -> Ticket:
    rule = TRANSITIONS[action]
    now = now or timezone.now()
    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(of=("self",))
                  .select_related("kelurahan__kecamatan__city", "counter").get(pk=ticket.pk))
        _require_desk(actor, ticket.kelurahan)
        if rule.today_only and ticket.date != local_date(ticket.kelurahan, now):
            raise ValidationError(_("Tiket tanggal %(date)s tidak dapat dilayani hari ini.")
                                  % {"date": date_format(ticket.date, "j F Y")}, code="not_today")
        if ticket.status not in rule.sources:
            raise ValidationError(_("Tiket %(code)s berstatus %(status)s; tidak dapat %(action)s.")
                                  % {"code": ticket.code, "status": ticket.get_status_display().lower(),
                                     "action": rule.refusal}, code="invalid_transition")
        fields = []
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


def ticket_finish(*, actor, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    return _transition(actor=actor, ticket=ticket, action="finish", now=now)


def ticket_no_show(*, actor, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    return _transition(actor=actor, ticket=ticket, action="no_show", now=now)


def ticket_cancel(*, actor, ticket: Ticket, now: dt.datetime | None = None, note: str = "") -> Ticket:
    """Cancel a waiting or called ticket (an officer, or the citizen through the ticket link with actor=None)."""
    return _transition(actor=actor, ticket=ticket, action="cancel", now=now, note=note)


# --- the citizen's IKM rating ----------------------------------------------------------------------------------


def rating_submit(*, ticket: Ticket, scores: dict[str, int], comment: str = "") -> Rating:
    """The nine IKM elements, each 1 (tidak baik) to 4 (sangat baik); once per finished ticket."""
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
        rating = Rating(ticket=ticket, comment=comment.strip()[:2000], **scores)
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
    return (Ticket.objects.filter(kelurahan=kelurahan, date=local_date(kelurahan, now))
            .select_related("service", "counter").order_by("issued_at", "pk"))


def queue_position(*, ticket: Ticket) -> int | None:
    """How many waiting tickets are called before this one; None once it is no longer waiting."""
    if ticket.status != TicketStatus.WAITING:
        return None
    ahead = Ticket.objects.filter(kelurahan_id=ticket.kelurahan_id, date=ticket.date, status=TicketStatus.WAITING)
    return (ahead.filter(issued_at__lt=ticket.issued_at).count()
            + ahead.filter(issued_at=ticket.issued_at, pk__lt=ticket.pk).count())


def median_service_minutes(*, kelurahan: Kelurahan, now: dt.datetime | None = None) -> float | None:
    """The median of the office's most recent service times (start to finish), or None with too few."""
    since = (now or timezone.now()) - dt.timedelta(days=SERVICE_TIME_DAYS)
    recent = (Ticket.objects.filter(kelurahan=kelurahan, status=TicketStatus.DONE, finished_at__gte=since,
                                    serving_at__isnull=False)
              .order_by("-finished_at").values_list("serving_at", "finished_at")[:SERVICE_TIME_SAMPLE])
    minutes = [(end - start).total_seconds() / 60 for start, end in recent]
    return statistics.median(minutes) if len(minutes) >= SERVICE_TIME_MIN_SAMPLES else None


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
