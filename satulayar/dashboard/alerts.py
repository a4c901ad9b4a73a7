"""Alert rules and alerts: the writes of the dashboard app.

`alerts_evaluate` checks a city's active rules (every minute from the worker, and on demand from the alerts page):
a rule breached for a subject (a unit, a kelurahan, a camera, a connector) opens one alert for it, which stays
open, its value kept current, until the condition clears, when it is resolved. Each new, acknowledged or resolved
alert publishes a live event on `alerts:<city id>` (ids only; the screen fetches what the viewer may see), and a
new alert is POSTed as JSON to the rule's webhook, if it has one, by a worker job after the commit: signed the Standard
Webhooks way with the rule's secret, through core.outbound, and tried again with backoff when it fails.

The numbers come from the apps that own them: `attendance.reports.units_today`, `visits.selectors.queue_now`, and
the CCTV and integration hub selectors.
"""

import datetime as dt
import json
import logging
import urllib.error
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from satulayar.attendance.reports import units_today
from satulayar.audit.choices import AuditAction
from satulayar.audit.services import audit_record, snapshot
from satulayar.cctv import selectors as cctv
from satulayar.core import webhooks as standard
from satulayar.core.events import alerts_channel, event_publish
from satulayar.core.outbound import ALERTS, OutboundRefused, ResponseTooLarge, outbound_fetch, url_check
from satulayar.core.time import local_now
from satulayar.core.vault import SecretUnreadable, seal, unseal
from satulayar.dashboard.choices import AlertKind
from satulayar.dashboard.models import Alert, AlertRule
from satulayar.integrations import selectors as hub
from satulayar.org.models import City, Employee, Kelurahan, Unit
from satulayar.visits import selectors as visits

log = logging.getLogger(__name__)
# A breach that clears and comes back within this time continues its alert (reopened, its value kept current)
# instead of opening a new one: a queue that empties for a minute is the same long queue.
REOPEN_WITHIN = dt.timedelta(minutes=60)
RULE_FIELDS = ("name", "kind", "threshold", "check_time", "unit", "kelurahan", "webhook_url", "active")


def webhook_timeout() -> float:
    return float(settings.DASHBOARD_WEBHOOK_TIMEOUT_SECONDS)


# --- rules ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def rule_save(*, actor, city: City, data: dict, rule: AlertRule | None = None) -> AlertRule:
    """Create a rule, or change `rule`; validated and audited."""
    before = snapshot(rule) if rule else None
    rule = rule or AlertRule(city=city, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    rule.full_clean()
    _webhook_prepare(rule)
    rule.save()
    audit_record(actor=actor, action=AuditAction.UPDATE if before else AuditAction.CREATE, obj=rule,
                 before=before, after=snapshot(rule))
    return rule


def _webhook_prepare(rule: AlertRule) -> None:
    if not rule.webhook_url:
        return
    try:
        url_check(rule.webhook_url, purpose=ALERTS)
    except OutboundRefused as exc:
        raise ValidationError({"webhook_url": _("Alamat webhook ditolak: %(reason)s.") % {"reason": exc}}) from None
    if not rule.webhook_secret:
        rule.webhook_secret = seal(standard.secret_new(), purpose="alerts")


# --- evaluation ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Breach:
    subject: str
    label: str
    message: str
    value: float | None = None
    unit_id: int | None = None
    kelurahan_id: int | None = None


def _attendance_low(rule: AlertRule, now: dt.datetime) -> list[Breach]:
    local = local_now(rule.city, now)
    if rule.check_time and local.time() < rule.check_time:
        return []
    units = list(Unit.objects.filter(city=rule.city, active=True).select_related("city").order_by("path"))
    groups = [rule.unit] if rule.unit_id else [u for u in units if u.parent_id is None]
    rows = units_today(units=units, employees=Employee.objects.filter(unit__city=rule.city, active=True), now=now)
    breaches = []
    for group in groups:
        expected = sum(r.expected for r in rows if r.unit.is_descendant_of(group))
        present = sum(r.present for r in rows if r.unit.is_descendant_of(group))
        if not expected:  # not a work day for this unit
            continue
        rate = 100 * present / expected
        if rate < rule.threshold:
            breaches.append(Breach(
                subject=f"unit:{group.pk}", label=group.label, value=round(rate, 1), unit_id=group.pk,
                message=_("Kehadiran %(unit)s %(rate)s%% (%(present)d dari %(expected)d), di bawah %(min)s%%.")
                % {"unit": group.label, "rate": number_format(rate, 1), "present": present, "expected": expected,
                   "min": number_format(rule.threshold, 0)}))
    return breaches


def _rule_kelurahan(rule: AlertRule) -> dict[int, Kelurahan]:
    found = Kelurahan.objects.filter(kecamatan__city=rule.city)
    if rule.kelurahan_id:
        found = found.filter(pk=rule.kelurahan_id)
    return {k.pk: k for k in found}


def _queue_long(rule: AlertRule, now: dt.datetime) -> list[Breach]:
    kelurahan = _rule_kelurahan(rule)
    return [Breach(subject=f"kelurahan:{q.kelurahan_id}", label=kelurahan[q.kelurahan_id].name, value=q.waiting,
                   kelurahan_id=q.kelurahan_id,
                   message=_("Antrean Kelurahan %(name)s: %(n)d menunggu (batas %(max)g).")
                   % {"name": kelurahan[q.kelurahan_id].name, "n": q.waiting, "max": rule.threshold})
            for q in visits.queue_now(kelurahan_ids=list(kelurahan), now=now) if q.waiting > rule.threshold]


def _wait_long(rule: AlertRule, now: dt.datetime) -> list[Breach]:
    kelurahan = _rule_kelurahan(rule)
    breaches = []
    for q in visits.queue_now(kelurahan_ids=list(kelurahan), now=now):
        minutes = (q.longest_wait_s or 0) / 60
        if minutes > rule.threshold:
            breaches.append(Breach(
                subject=f"kelurahan:{q.kelurahan_id}", label=kelurahan[q.kelurahan_id].name, value=round(minutes),
                kelurahan_id=q.kelurahan_id,
                message=_("Kelurahan %(name)s: pengunjung sudah menunggu %(min)d menit (batas %(max)g menit).")
                % {"name": kelurahan[q.kelurahan_id].name, "min": minutes, "max": rule.threshold}))
    return breaches


def _camera_offline(rule: AlertRule, now: dt.datetime) -> list[Breach]:
    return [Breach(subject=f"camera:{cam['id']}", label=cam.get("name", ""), kelurahan_id=cam.get("kelurahan_id"),
                   message=_("Kamera %(name)s (%(site)s) mati lebih dari %(min)g menit.")
                   % {"name": cam.get("name", ""), "site": cam.get("site") or cam.get("kelurahan") or "–",
                      "min": rule.threshold})
            for cam in cctv.cameras_offline(city=rule.city, minutes=int(rule.threshold), now=now)]


def _connector_stale(rule: AlertRule, now: dt.datetime) -> list[Breach]:
    return [Breach(subject=f"connector:{c['id']}", label=c["name"],
                   message=_("Konektor %(name)s (%(dept)s) %(health)s.") % {
                       "name": c["name"], "dept": c.get("department") or "–",
                       "health": _("gagal") if c["health"] == "failing" else _("tidak segar")})
            for c in hub.connectors_health(city=rule.city, now=now) if c["health"] != "fresh"]


def _crowd_mismatch(rule: AlertRule, now: dt.datetime) -> list[Breach]:
    """The kelurahan whose last or current hour is flagged (an hour long past is history, not an alert)."""
    local = local_now(rule.city, now)
    return [Breach(subject=f"crowd:{row['kelurahan_id']}", label=row["kelurahan"], kelurahan_id=row["kelurahan_id"],
                   value=row["people_seen"],
                   message=_("Kelurahan %(name)s pukul %(hour)02d: %(seen)d orang terlihat di kamera, "
                             "%(tickets)d tiket.")
                   % {"name": row["kelurahan"], "hour": row["hour"], "seen": row["people_seen"],
                      "tickets": row["tickets_issued"]})
            for row in cctv.crowd_mismatches(city=rule.city, date=local.date(), now=now)
            if row.get("flagged") and row["hour"] >= local.hour - 1]


def _dwell_long(rule: AlertRule, now: dt.datetime) -> list[Breach]:
    return [Breach(subject=f"dwell:{row['kelurahan_id']}", label=row["kelurahan"], kelurahan_id=row["kelurahan_id"],
                   value=round(row["dwell_median_s"] / 60),
                   message=_("Kelurahan %(name)s: orang berada di area tunggu %(min)d menit (median, satu jam "
                             "terakhir, %(n)d orang; batas %(max)g menit).")
                   % {"name": row["kelurahan"], "min": row["dwell_median_s"] / 60, "n": row["dwell_count"],
                      "max": rule.threshold})
            for row in cctv.dwell_long(city=rule.city, minutes=rule.threshold, now=now)]


CHECKS = {AlertKind.ATTENDANCE_LOW: _attendance_low, AlertKind.QUEUE_LONG: _queue_long,
          AlertKind.WAIT_LONG: _wait_long, AlertKind.CAMERA_OFFLINE: _camera_offline,
          AlertKind.CONNECTOR_STALE: _connector_stale, AlertKind.CROWD_MISMATCH: _crowd_mismatch,
          AlertKind.DWELL_LONG: _dwell_long}


@dataclass
class Evaluation:
    rules: int = 0
    opened: int = 0
    resolved: int = 0
    open: int = 0


def _publish(alert: Alert, kind: str) -> None:
    event_publish(channel=alerts_channel(alert.city), kind=kind, data={"alert": alert.pk, "kind": alert.kind})


def _apply(rule: AlertRule, breaches: list[Breach], now: dt.datetime, result: Evaluation) -> list[Alert]:
    opened = []
    # Two checks of one rule at once (the minute's job and "check now") take turns on the rule's row.
    AlertRule.objects.select_for_update().filter(pk=rule.pk).first()
    current = {a.subject: a for a in Alert.objects.filter(rule=rule, resolved_at__isnull=True)}
    breached = {breach.subject: breach for breach in breaches}
    recent = _recently_resolved(rule, [subject for subject in breached if subject not in current], now)
    for breach in breached.values():
        alert = current.pop(breach.subject, None)
        if alert is None and breach.subject in recent:
            alert = recent[breach.subject]
            Alert.objects.filter(pk=alert.pk).update(resolved_at=None, message=breach.message[:300],
                                                     value=breach.value, last_seen_at=now)
            _publish(alert, "alert.opened")
        elif alert is None:
            alert = Alert.objects.create(
                rule=rule, city=rule.city, kind=rule.kind, subject=breach.subject, subject_label=breach.label[:200],
                unit_id=breach.unit_id, kelurahan_id=breach.kelurahan_id, message=breach.message[:300],
                value=breach.value, opened_at=now, last_seen_at=now)
            _publish(alert, "alert.opened")
            opened.append(alert)
        else:
            Alert.objects.filter(pk=alert.pk).update(message=breach.message[:300], value=breach.value,
                                                     last_seen_at=now)
        result.open += 1
    for alert in current.values():
        alert.resolved_at = now
        alert.save(update_fields=["resolved_at"])
        _publish(alert, "alert.resolved")
        result.resolved += 1
    result.opened += len(opened)
    return opened


def _recently_resolved(rule: AlertRule, subjects: list[str], now: dt.datetime) -> dict[str, Alert]:
    """The latest alert of each subject resolved within REOPEN_WITHIN before `now`."""
    if not subjects:
        return {}
    found: dict[str, Alert] = {}
    for alert in (Alert.objects.filter(rule=rule, subject__in=subjects, resolved_at__gte=now - REOPEN_WITHIN,
                                       resolved_at__lte=now).select_related("city").order_by("resolved_at", "pk")):
        found[alert.subject] = alert
    return found


def alerts_evaluate(*, city: City, now: dt.datetime | None = None, rules=None) -> Evaluation:
    """Check the city's active rules (or those given) now; returns what changed. Webhooks go out after commit."""
    now = now or timezone.now()
    result, to_deliver = Evaluation(), []
    rules = rules if rules is not None else AlertRule.objects.filter(city=city, active=True).select_related(
        "city", "unit")
    for rule in rules:
        breaches = CHECKS[rule.kind](rule, now)
        result.rules += 1
        with transaction.atomic():
            opened = _apply(rule, breaches, now, result)
        to_deliver += [a for a in opened if rule.webhook_url]
    for alert in to_deliver:
        alert_deliver_later(alert=alert)
    return result


# --- acknowledgement and delivery ------------------------------------------------------------------------------------


@transaction.atomic
def alert_acknowledge(*, actor, alert: Alert, note: str = "", now: dt.datetime | None = None) -> Alert:
    if alert.acknowledged_at:
        raise ValidationError(_("Peringatan ini sudah diketahui oleh %(who)s.") % {
            "who": alert.acknowledged_by.get_username() if alert.acknowledged_by else _("sistem")})
    alert.acknowledged_at, alert.acknowledged_by = now or timezone.now(), actor
    alert.acknowledged_note = " ".join(note.split())[:300]
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledged_note"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=alert, after={"acknowledged": True,
                                                                          "note": alert.acknowledged_note})
    _publish(alert, "alert.acknowledged")
    return alert


def alert_payload(alert: Alert) -> dict:
    return {"alert": alert.pk, "kind": alert.kind, "kind_label": str(AlertKind(alert.kind).label),
            "rule": alert.rule.name, "subject": alert.subject, "subject_label": alert.subject_label,
            "message": alert.message, "value": alert.value, "opened_at": alert.opened_at.isoformat(),
            "city": alert.city.name, "text": f"⚠️ {alert.message}"}


def webhook_attempts() -> int:
    return int(settings.DASHBOARD_WEBHOOK_ATTEMPTS)


def webhook_retry_delay(attempt: int) -> int:
    """Seconds before attempt `attempt + 1`: the base delay, doubled after each failure."""
    return int(settings.DASHBOARD_WEBHOOK_RETRY_BASE_SECONDS) * 2 ** (attempt - 1)


def alert_deliver_later(*, alert: Alert) -> None:
    """Hand the alert's webhook to the worker once the alert is committed: a slow or dead receiver never holds up
    the minute's check, and a failure is tried again with backoff."""
    from satulayar.dashboard.tasks import alert_webhook_task

    transaction.on_commit(lambda: alert_webhook_task(alert.pk, 1))


def rule_webhook_secret(rule: AlertRule) -> str:
    """The rule's signing secret (made now for a rule from before signing), or SecretUnreadable."""
    if not rule.webhook_secret:
        sealed = seal(standard.secret_new(), purpose="alerts")
        AlertRule.objects.filter(pk=rule.pk, webhook_secret="").update(webhook_secret=sealed)
        rule.refresh_from_db(fields=["webhook_secret"])  # a job at the same moment may have made it first
    return unseal(rule.webhook_secret, purpose="alerts")


def _webhook_post(alert: Alert) -> tuple[str, bool]:
    """Sign and POST the alert through the outbound guard: ('', _) when delivered, else (why, worth retrying)."""
    body = json.dumps(alert_payload(alert)).encode()
    try:
        headers = standard.headers_for(secret=rule_webhook_secret(alert.rule), body=body,
                                       msg_id=f"alert_{alert.pk}_{int(alert.opened_at.timestamp())}")
        outbound_fetch(alert.rule.webhook_url, purpose=ALERTS, timeout=webhook_timeout(), max_bytes=64 * 1024,
                       method="POST", data=body, max_redirects=0,
                       headers={"Content-Type": "application/json", "User-Agent": "SatuLayar-alerts/1", **headers})
    except (SecretUnreadable, OutboundRefused) as exc:
        return _("Webhook tidak dikirim: %(reason)s") % {"reason": exc}, False
    except urllib.error.HTTPError as exc:
        return _("Webhook menjawab HTTP %(status)s.") % {"status": exc.code}, exc.code >= 500 or exc.code in (408, 429)
    except (urllib.error.URLError, ResponseTooLarge, OSError, ValueError) as exc:
        return _("Webhook tidak dapat dihubungi: %(reason)s") % {"reason": getattr(exc, "reason", exc)}, True
    return "", False


def alert_deliver(*, alert: Alert, attempt: int = 1) -> bool:
    """One attempt to POST the alert to its rule's webhook; the outcome is kept on the alert, and a failure worth
    retrying is scheduled again (after 30 s, 60 s, 120 s … up to DASHBOARD_WEBHOOK_ATTEMPTS). Never raises."""
    error, retry = _webhook_post(alert)
    if error:
        log.warning("alert %s webhook attempt %s failed: %s", alert.pk, attempt, error)
    Alert.objects.filter(pk=alert.pk).update(delivered_at=None if error else timezone.now(),
                                             delivery_error=str(error)[:300], delivery_attempts=attempt)
    if error and retry and attempt < webhook_attempts():
        from satulayar.dashboard.tasks import alert_webhook_task

        alert_webhook_task.schedule((alert.pk, attempt + 1), delay=webhook_retry_delay(attempt))
    return not error
