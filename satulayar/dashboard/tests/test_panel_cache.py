"""Panels are cached per viewer scope and version: shared by viewers of one scope, built again after the events
that change them, never shown to a viewer of another scope."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from satulayar.attendance.choices import PunchSource
from satulayar.attendance.ingest import PunchRow, punches_ingest
from satulayar.core.models import Event
from satulayar.dashboard.choices import AlertKind
from satulayar.dashboard.models import Alert, AlertRule


def present(html: str) -> str:
    return re.search(r'data-testid="attendance-present">([^<]*)<', html).group(1).strip()


def get(client, path: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_panel_is_built_once_until_an_event_changes_it(client_for, org, django_capture_on_commit_callbacks):
    walikota = client_for("walikota")
    first, built = get(walikota, "/satu-layar/panel/attendance/")
    again, cached = get(walikota, "/satu-layar/panel/attendance/")
    assert again == first and cached < built / 2
    assert present(first).startswith("0 dari")

    with django_capture_on_commit_callbacks(execute=True):  # the punch, then its status on commit
        punches_ingest(city=org.city, rows=[PunchRow(employee_id=org.staff.kominfo.pk, at=timezone.now())],
                       source=PunchSource.API)
    assert Event.objects.filter(kind="status.changed").exists()
    after, _queries = get(walikota, "/satu-layar/panel/attendance/")
    assert present(after).startswith("1 dari")


def test_viewers_of_another_scope_never_get_the_cached_panel(client_for, org):
    city_wide, _q = get(client_for("walikota"), "/satu-layar/panel/attendance/")
    dinkes, _q = get(client_for("admin_dinas_kesehatan"), "/satu-layar/panel/attendance/")
    assert present(city_wide) == "0 dari 5" and present(dinkes) == "0 dari 2"
    assert "Diskominfotik" in city_wide and "Diskominfotik" not in dinkes


def test_the_alerts_panel_carrying_the_viewers_form_token_is_built_for_each_request(client_for, org):
    rule = AlertRule.objects.create(city=org.city, name="Kehadiran", kind=AlertKind.ATTENDANCE_LOW, threshold=50)
    now = timezone.now()
    Alert.objects.create(rule=rule, city=org.city, kind=rule.kind, subject=f"unit:{org.kominfo.pk}",
                         subject_label="Diskominfotik", unit=org.kominfo, message="Diskominfotik rendah",
                         opened_at=now, last_seen_at=now)
    mayor, other = client_for("walikota"), client_for("walikota")
    first, second = get(mayor, "/satu-layar/panel/alerts/")[0], get(other, "/satu-layar/panel/alerts/")[0]
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(first) and token.search(first).group(1) != token.search(second).group(1)
