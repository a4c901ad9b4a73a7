"""Alert rules checked against real punches and tickets, on a fixed Tuesday morning in Banjarmasin (WITA)."""

import datetime as dt
import http.server
import json
import threading
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.audit.models import AuditEntry
from satulayar.core.models import Event
from satulayar.dashboard.alerts import alert_acknowledge, alert_deliver, alerts_evaluate, rule_save
from satulayar.dashboard.choices import AlertKind
from satulayar.dashboard.models import Alert, AlertRule
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
        type(self).received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    _Hook.received, _Hook.status = [], 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_a_new_alert_is_posted_to_the_rules_webhook_once(org, queue, webhook):
    _server, url = webhook
    AlertRule.objects.create(city=org.city, name="Antrean", kind=AlertKind.QUEUE_LONG, threshold=1, webhook_url=url)
    alerts_evaluate(city=org.city, now=TUESDAY_0930)
    alerts_evaluate(city=org.city, now=TUESDAY_0930)  # still open: not sent again
    [(content_type, payload)] = _Hook.received
    assert content_type == "application/json"
    assert payload["kind"] == "queue_long" and payload["subject_label"] == "Kuin Cerucuk"
    assert payload["message"] == "Antrean Kelurahan Kuin Cerucuk: 3 menunggu (batas 1)." and payload["city"]
    alert = Alert.objects.get()
    assert alert.delivered_at is not None and alert.delivery_error == ""


def test_a_failing_webhook_is_recorded_and_the_alert_kept(org, queue, webhook):
    server, url = webhook
    _Hook.status = 500
    rule = AlertRule.objects.create(city=org.city, name="Antrean", kind=AlertKind.QUEUE_LONG, threshold=1,
                                    webhook_url=url)
    alerts_evaluate(city=org.city, now=TUESDAY_0930)
    alert = Alert.objects.get()
    assert alert.delivered_at is None and alert.delivery_error == "Webhook menjawab HTTP 500."
    port = server.server_address[1]
    server.shutdown()
    server.server_close()
    rule.webhook_url = f"http://127.0.0.1:{port}/hook"
    rule.save()
    alert.refresh_from_db()
    assert alert_deliver(alert=alert) is False
    alert.refresh_from_db()
    assert alert.delivery_error.startswith("Webhook tidak dapat dihubungi") and alert.resolved_at is None
