"""Alert rules checked against real punches and tickets, on a fixed Tuesday morning in Banjarmasin (WITA)."""

import base64
import datetime as dt
import hashlib
import hmac
import http.server
import json
import threading
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from huey.contrib.djhuey import HUEY

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.audit.models import AuditEntry
from satulayar.core.models import Event
from satulayar.dashboard.alerts import (
    alert_acknowledge,
    alert_deliver,
    alerts_evaluate,
    rule_save,
    rule_webhook_secret,
)
from satulayar.dashboard.choices import AlertKind
from satulayar.dashboard.models import Alert, AlertRule
from satulayar.dashboard.tasks import alert_webhook_task
from satulayar.visits import services as visit_services
from satulayar.visits.choices import TicketChannel
from satulayar.visits.models import Service

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
TUESDAY_0930 = dt.datetime(2026, 11, 24, 9, 30, tzinfo=WITA)
SATURDAY_0930 = dt.datetime(2026, 11, 28, 9, 30, tzinfo=WITA)


def punch(org, employee, at):
    return punches_ingest(city=org.city, rows=[PunchRow(employee_id=employee.pk, at=at)], source=PunchSource.API,
                          now=at)


@pytest.fixture
def attendance_rule(org):
    return AlertRule.objects.create(city=org.city, name="Kehadiran SKPD", kind=AlertKind.ATTENDANCE_LOW,
                                    threshold=60, check_time=dt.time(8, 0))


def test_a_unit_below_the_threshold_opens_one_alert_which_resolves_when_staff_arrive(org, attendance_rule,
                                                                                     django_capture_on_commit_callbacks):
    punch(org, org.staff.pemerintahan, TUESDAY_0930 - dt.timedelta(hours=2))  # Setda: 1 of 1 in
    with django_capture_on_commit_callbacks(execute=True):
        result = alerts_evaluate(city=org.city, now=TUESDAY_0930)
    alerts = {a.subject_label: a for a in Alert.objects.all()}
    # Dinkes (0 of 2), Diskominfotik (0 of 1), Kecamatan Banjarmasin Barat (0 of 1) are below 60%; Setda is not.
    assert result.opened == 3 and set(alerts) == {"Dinkes", "Diskominfotik", "Kecamatan Banjarmasin Barat"}
    assert alerts["Dinkes"].unit == org.dinkes and alerts["Dinkes"].value == 0
    assert alerts["Dinkes"].message == "Kehadiran Dinkes 0,0% (0 dari 2), di bawah 60%."
    assert Event.objects.filter(channel=f"alerts:{org.city.pk}", kind="alert.opened").count() == 3

    assert alerts_evaluate(city=org.city, now=TUESDAY_0930).opened == 0  # still open: no second alert
    assert Alert.objects.count() == 3

    with django_capture_on_commit_callbacks(execute=True):  # statuses follow the punches' commit
        for employee in (org.staff.dinkes, org.staff.p2p):
            punch(org, employee, TUESDAY_0930 + dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        result = alerts_evaluate(city=org.city, now=TUESDAY_0930 + dt.timedelta(minutes=10))
    assert result.resolved == 1 and result.open == 2
    dinkes = Alert.objects.get(unit=org.dinkes)
    assert dinkes.resolved_at == TUESDAY_0930 + dt.timedelta(minutes=10)
    assert Event.objects.filter(kind="alert.resolved", data__alert=dinkes.pk).exists()


def test_attendance_is_not_checked_before_its_time_nor_on_a_day_off(org, attendance_rule):
    assert alerts_evaluate(city=org.city, now=TUESDAY_0930.replace(hour=7, minute=45)).opened == 0
    assert alerts_evaluate(city=org.city, now=SATURDAY_0930).opened == 0
    assert not Alert.objects.exists()


def test_a_rule_for_one_unit_looks_at_its_whole_subtree(org):
    rule = AlertRule.objects.create(city=org.city, name="Dinkes", kind=AlertKind.ATTENDANCE_LOW, threshold=60,
                                    unit=org.dinkes)
    punch(org, org.staff.p2p, TUESDAY_0930)  # the Bidang P2P officer counts for Dinkes: 1 of 2 = 50%
    alerts_evaluate(city=org.city, now=TUESDAY_0930)
    [alert] = Alert.objects.filter(rule=rule)
    assert alert.value == 50.0 and alert.subject == f"unit:{org.dinkes.pk}"


@pytest.fixture
def queue(org):
    service = Service.objects.create(city=org.city, code="ktp", prefix="A", name="KTP", order=1)
    for minutes in (50, 20, 5):
        visit_services.ticket_issue(kelurahan=org.kuin, service=service, channel=TicketChannel.DESK,
                                    now=TUESDAY_0930 - dt.timedelta(minutes=minutes))
    return org.kuin


def test_queue_and_waiting_rules(org, queue):
    long_queue = AlertRule.objects.create(city=org.city, name="Antrean", kind=AlertKind.QUEUE_LONG, threshold=2)
    long_wait = AlertRule.objects.create(city=org.city, name="Tunggu", kind=AlertKind.WAIT_LONG, threshold=45,
                                         kelurahan=queue)
    assert alerts_evaluate(city=org.city, now=TUESDAY_0930).opened == 2
    assert Alert.objects.get(rule=long_queue).message == "Antrean Kelurahan Kuin Cerucuk: 3 menunggu (batas 2)."
    wait = Alert.objects.get(rule=long_wait)
    assert wait.kelurahan == queue and wait.value == 50
    long_wait.threshold = 60
    long_wait.save()
    assert alerts_evaluate(city=org.city, now=TUESDAY_0930).resolved == 1


def test_a_breach_that_clears_and_returns_soon_continues_its_alert_instead_of_opening_another(org, queue):
    rule = AlertRule.objects.create(city=org.city, name="Antrean", kind=AlertKind.QUEUE_LONG, threshold=2)
    assert alerts_evaluate(city=org.city, now=TUESDAY_0930).opened == 1
    first = Alert.objects.get(rule=rule)
    ticket = visit_services.ticket_call_next(actor=None, kelurahan=queue, counter=_counter(queue),
                                             now=TUESDAY_0930 + dt.timedelta(minutes=1))
    assert alerts_evaluate(city=org.city, now=TUESDAY_0930 + dt.timedelta(minutes=2)).resolved == 1  # 2 wait
    visit_services.ticket_issue(kelurahan=queue, service=ticket.service, channel=TicketChannel.DESK,
                                now=TUESDAY_0930 + dt.timedelta(minutes=3))
    again = alerts_evaluate(city=org.city, now=TUESDAY_0930 + dt.timedelta(minutes=4))
    assert (again.opened, again.open) == (0, 1)  # the same alert, open again, not a second one
    [alert] = Alert.objects.filter(rule=rule)
    assert alert.pk == first.pk and alert.resolved_at is None and alert.value == 3
    assert alert.last_seen_at == TUESDAY_0930 + dt.timedelta(minutes=4)
    for _minute in range(3):  # checked every minute while it lasts: still one alert
        alerts_evaluate(city=org.city, now=TUESDAY_0930 + dt.timedelta(minutes=5))
    assert Alert.objects.filter(rule=rule).count() == 1

    visit_services.ticket_call_next(actor=None, kelurahan=queue, counter=_counter(queue, 2),
                                    now=TUESDAY_0930 + dt.timedelta(minutes=6))
    alerts_evaluate(city=org.city, now=TUESDAY_0930 + dt.timedelta(minutes=7))  # resolved
    visit_services.ticket_issue(kelurahan=queue, service=ticket.service, channel=TicketChannel.DESK,
                                now=TUESDAY_0930 + dt.timedelta(minutes=80))
    later = alerts_evaluate(city=org.city, now=TUESDAY_0930 + dt.timedelta(minutes=80))
    assert later.opened == 1 and Alert.objects.filter(rule=rule).count() == 2  # long after: a new episode


def _counter(kelurahan, number: int = 1):
    return visit_services.counter_ensure(actor=None, kelurahan=kelurahan, number=number)


def test_rules_are_validated_with_clear_messages_and_audited(org, personas):
    with pytest.raises(ValidationError) as error:
        rule_save(actor=personas.walikota, city=org.city, data={"name": "Salah", "kind": AlertKind.ATTENDANCE_LOW,
                                                                "threshold": 150})
    assert "persen" in str(error.value)
    with pytest.raises(ValidationError) as error:
        rule_save(actor=personas.walikota, city=org.city, data={"name": "Salah", "kind": AlertKind.QUEUE_LONG,
                                                                "threshold": 5, "unit": org.dinkes})
    assert "Unit kerja hanya dipakai aturan kehadiran." in str(error.value)
    rule = rule_save(actor=personas.walikota, city=org.city, data={"name": "Antrean", "kind": AlertKind.QUEUE_LONG,
                                                                   "threshold": 5})
    rule_save(actor=personas.walikota, city=org.city, data={"threshold": 8}, rule=rule)
    entries = AuditEntry.objects.filter(object_type="dashboard.alertrule", object_id=str(rule.pk)).order_by("id")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].before["threshold"] == 5 and entries[1].after["threshold"] == 8


def test_acknowledging_an_alert_is_recorded_once(org, queue, personas):
    AlertRule.objects.create(city=org.city, name="Antrean", kind=AlertKind.QUEUE_LONG, threshold=1)
    alerts_evaluate(city=org.city, now=TUESDAY_0930)
    alert = Alert.objects.get()
    alert_acknowledge(actor=personas.walikota, alert=alert, note="  Petugas   tambahan dikirim ")
    alert.refresh_from_db()
    assert alert.acknowledged_by == personas.walikota and alert.acknowledged_note == "Petugas tambahan dikirim"
    with pytest.raises(ValidationError, match="sudah diketahui oleh walikota"):
        alert_acknowledge(actor=personas.walikota, alert=alert)
    assert AuditEntry.objects.filter(object_type="dashboard.alert", object_id=str(alert.pk)).count() == 1


class _Hook(http.server.BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers, body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the receiver in these tests listens on loopback
    _Hook.received, _Hook.status = [], 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
def worker():
    """Huey runs jobs at once in the test process; a retry scheduled for later stays in its schedule."""
    HUEY.immediate = True
    HUEY.flush()
    yield HUEY
    HUEY.flush()
    HUEY.immediate = False


def _hand_signature(secret: str, headers, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def _evaluate(org, capture):
    with capture(execute=True):
        return alerts_evaluate(city=org.city, now=TUESDAY_0930)


def test_a_new_alert_is_posted_once_signed_the_standard_webhooks_way(org, queue, webhook, worker,
                                                                      django_capture_on_commit_callbacks):
    _server, url = webhook
    rule = rule_save(actor=None, city=org.city, data={"name": "Antrean", "kind": AlertKind.QUEUE_LONG,
                                                     "threshold": 1, "webhook_url": url})
    _evaluate(org, django_capture_on_commit_callbacks)
    _evaluate(org, django_capture_on_commit_callbacks)  # still open: not sent again
    [(headers, body)] = _Hook.received
    payload = json.loads(body)
    assert headers["Content-Type"] == "application/json"
    assert payload["kind"] == "queue_long" and payload["subject_label"] == "Kuin Cerucuk"
    assert payload["message"] == "Antrean Kelurahan Kuin Cerucuk: 3 menunggu (batas 1)." and payload["city"]
    secret = rule_webhook_secret(AlertRule.objects.get(pk=rule.pk))
    assert secret.startswith("whsec_") and "whsec_" not in AlertRule.objects.get(pk=rule.pk).webhook_secret
    assert headers["webhook-signature"] == _hand_signature(secret, headers, body)
    alert = Alert.objects.get()
    assert headers["webhook-id"] == f"alert_{alert.pk}_{int(alert.opened_at.timestamp())}"
    assert alert.delivered_at is not None and alert.delivery_error == "" and alert.delivery_attempts == 1


def test_a_failing_webhook_is_retried_with_backoff_until_it_answers(org, queue, webhook, worker, settings,
                                                                    django_capture_on_commit_callbacks):
    """Regression: the webhook was posted once, inside the minute's job, and a failure was never tried again."""
    server, url = webhook
    _Hook.status = 500
    AlertRule.objects.create(city=org.city, name="Antrean", kind=AlertKind.QUEUE_LONG, threshold=1, webhook_url=url)
    _evaluate(org, django_capture_on_commit_callbacks)
    alert = Alert.objects.get()
    assert alert.delivered_at is None and alert.delivery_error == "Webhook menjawab HTTP 500."
    [retry] = worker.scheduled()
    assert retry.args == (alert.pk, 2)
    assert 25 <= (retry.eta - dt.datetime.now(dt.UTC).replace(tzinfo=None)).total_seconds() <= 30  # 30 s, then 60 s

    _Hook.status = 200
    alert_webhook_task.call_local(alert.pk, 2)
    alert.refresh_from_db()
    assert alert.delivered_at is not None and alert.delivery_error == "" and alert.delivery_attempts == 2
    assert len(_Hook.received) == 2 and _Hook.received[0][0]["webhook-id"] == _Hook.received[1][0]["webhook-id"]

    server.shutdown()
    server.server_close()
    worker.flush()
    settings.DASHBOARD_WEBHOOK_ATTEMPTS = 3
    assert alert_deliver(alert=alert, attempt=3) is False  # the last attempt: nothing more is scheduled
    alert.refresh_from_db()
    assert alert.delivery_error.startswith("Webhook tidak dapat dihubungi") and alert.resolved_at is None
    assert worker.scheduled() == []


def test_a_webhook_to_a_refused_address_is_not_sent_nor_retried(org, queue, worker, settings):
    with pytest.raises(ValidationError, match="Alamat webhook ditolak"):
        rule_save(actor=None, city=org.city, data={"name": "Antrean", "kind": AlertKind.QUEUE_LONG, "threshold": 1,
                                                   "webhook_url": "http://169.254.169.254/latest/meta-data/"})
    with pytest.raises(ValidationError, match="loopback"):  # the default settings: this server's own loopback
        rule_save(actor=None, city=org.city, data={"name": "Antrean", "kind": AlertKind.QUEUE_LONG, "threshold": 1,
                                                   "webhook_url": "http://127.0.0.1:8000/admin/"})
    rule = AlertRule.objects.create(city=org.city, name="Antrean", kind=AlertKind.QUEUE_LONG, threshold=1,
                                    webhook_url="http://127.0.0.1:9/hook")  # behind the form's back
    alert = Alert.objects.create(rule=rule, city=org.city, kind=rule.kind, subject="kelurahan:1", subject_label="K",
                                 message="m", opened_at=TUESDAY_0930, last_seen_at=TUESDAY_0930)
    assert alert_deliver(alert=alert) is False
    alert.refresh_from_db()
    assert alert.delivery_error.startswith("Webhook tidak dikirim: alamat loopback")
    assert worker.scheduled() == []


def test_ticked_alerts_are_acknowledged_together(org, queue, personas, client_for):
    AlertRule.objects.create(city=org.city, name="Antrean", kind=AlertKind.QUEUE_LONG, threshold=1)
    AlertRule.objects.create(city=org.city, name="Antrean panjang", kind=AlertKind.QUEUE_LONG, threshold=0)
    alerts_evaluate(city=org.city, now=TUESDAY_0930)
    alerts = list(Alert.objects.order_by("pk"))
    assert len(alerts) >= 2
    alert_acknowledge(actor=personas.walikota, alert=alerts[0])
    client = client_for("walikota")
    page = client.get("/satu-layar/peringatan/").content.decode()
    assert 'data-testid="bulk-ack"' in page and f'name="alert" value="{alerts[1].pk}"' in page
    response = client.post("/satu-layar/peringatan/ketahui/", {"alert": [a.pk for a in alerts], "note": "Ditangani"},
                           follow=True)
    assert f"{len(alerts) - 1} peringatan ditandai diketahui; 1 sudah diketahui sebelumnya." in \
        response.content.decode()
    assert not Alert.objects.filter(acknowledged_at=None).exists()
    assert Alert.objects.get(pk=alerts[1].pk).acknowledged_note == "Ditangani"
