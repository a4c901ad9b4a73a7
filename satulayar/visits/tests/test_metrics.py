"""The metrics against numbers worked out by hand on a small day of tickets made through the desk services."""

import datetime as dt
import random
import re
import zoneinfo
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from satulayar.org.models import Kelurahan
from satulayar.visits import selectors, services
from satulayar.visits.catalogue import services_seed_default
from satulayar.visits.choices import IKM_ELEMENTS, TicketChannel
from satulayar.visits.imports import TicketRow, tickets_import
from satulayar.visits.models import Service, ServiceOverride
from satulayar.visits.selectors import DurationStats, percentile
from tests.factories import kelurahan_named

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
DAY = dt.date(2026, 11, 2)  # a Monday
MIN = 60.0


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=WITA)


def plus(moment: dt.datetime, minutes: int) -> dt.datetime:
    return moment + dt.timedelta(minutes=minutes)


def visit(kelurahan, service, counter, issued: dt.datetime, *, wait: int, service_min: int | None = None,
          no_show: bool = False):
    """Issue at `issued`, call `wait` minutes later, start one minute after the call, finish `service_min` later."""
    ticket = services.ticket_issue(kelurahan=kelurahan, service=service, channel=TicketChannel.DESK, now=issued)
    called = plus(issued, wait)
    assert services.ticket_call_next(actor=None, kelurahan=kelurahan, counter=counter, now=called).pk == ticket.pk
    if no_show:
        return services.ticket_no_show(actor=None, ticket=ticket, now=plus(called, 5))
    started = plus(called, 1)
    services.ticket_start(actor=None, ticket=ticket, now=started)
    return services.ticket_finish(actor=None, ticket=ticket, now=plus(started, service_min))


def scores(*values: int) -> dict[str, int]:
    return dict(zip([code for code, _label in IKM_ELEMENTS], values, strict=True))


@pytest.fixture
def day(org):
    """Kuin Cerucuk's Monday (times WITA) and one ticket at Kuin Utara.

    Kuin Cerucuk overrides the KTP-el target time: 12 minutes instead of the catalogue's 10.

    ticket  service   issued  wait  service time  outcome
    A-001   KTP-el    08:00    2      5           done, rated 4 4 4 4 4 4 4 4 4 (36)
    A-002   KTP-el    08:10    4     10           done
    A-003   KTP-el    08:30    6     12           done (12 is not over 12: no breach)
    A-004   KTP-el    08:50    8     13           done, breach, rated 4 3 3 3 4 4 4 2 3 (30)
    A-005   KTP-el    09:15   30     20           done, breach
    A-006   KTP-el    10:10   10      –           no-show
    C-001   Domisili  10:30    1     14           done, rated 3 3 3 3 3 3 3 3 3 (27)
    C-002   Domisili  10:50    3     16           done, breach (target 15)
    C-003   Domisili  11:15    5      9           done
    C-004   Domisili  11:35    –      –           cancelled while waiting (never called)
    Kuin Utara: A-001 KTP-el 09:00, wait 5, service 11: a breach there, where the catalogue's 10 applies.
    """
    services_seed_default(city=org.city)
    ktp, domisili = Service.objects.get(code="pengantar-ktp-el"), Service.objects.get(code="sk-domisili")
    assert (ktp.sla_minutes, domisili.sla_minutes) == (10, 15)
    ServiceOverride.objects.create(kelurahan=org.kuin, service=ktp, sla_minutes=12)
    one = services.counter_ensure(actor=None, kelurahan=org.kuin, number=1)
    a1 = visit(org.kuin, ktp, one, at(8, 0), wait=2, service_min=5)
    visit(org.kuin, ktp, one, at(8, 10), wait=4, service_min=10)
    visit(org.kuin, ktp, one, at(8, 30), wait=6, service_min=12)
    a4 = visit(org.kuin, ktp, one, at(8, 50), wait=8, service_min=13)
    visit(org.kuin, ktp, one, at(9, 15), wait=30, service_min=20)
    visit(org.kuin, ktp, one, at(10, 10), wait=10, no_show=True)
    c1 = visit(org.kuin, domisili, one, at(10, 30), wait=1, service_min=14)
    visit(org.kuin, domisili, one, at(10, 50), wait=3, service_min=16)
    visit(org.kuin, domisili, one, at(11, 15), wait=5, service_min=9)
    c4 = services.ticket_issue(kelurahan=org.kuin, service=domisili, channel=TicketChannel.ONLINE, now=at(11, 35))
    services.ticket_cancel(actor=None, ticket=c4, now=at(11, 40))
    services.rating_submit(ticket=a1, scores=scores(4, 4, 4, 4, 4, 4, 4, 4, 4))
    services.rating_submit(ticket=a4, scores=scores(4, 3, 3, 3, 4, 4, 4, 2, 3))
    services.rating_submit(ticket=c1, scores=scores(3, 3, 3, 3, 3, 3, 3, 3, 3))

    utara = kelurahan_named("Kuin Utara")
    counter = services.counter_ensure(actor=None, kelurahan=utara, number=1)
    visit(utara, ktp, counter, at(9, 0), wait=5, service_min=11)
    return SimpleNamespace(kuin=org.kuin, utara=utara, ktp=ktp, domisili=domisili,
                           ids=[org.kuin.pk, utara.pk])


def test_percentile_is_linear_interpolation_between_nearest_ranks():
    # n = 5, p90: h = 0.9 x 4 = 3.6 -> x[3] + 0.6 x (x[4] - x[3]) = 8 + 0.6 x 22 = 21.2
    assert percentile([30, 2, 8, 4, 6], Fraction(9, 10)) == pytest.approx(21.2)
    # n = 4, median: h = 1.5 -> 4 + 0.5 x (6 - 4) = 5 (the usual mean of the two middle values)
    assert percentile([4, 6, 2, 30], Fraction(1, 2)) == 5
    assert percentile([7], Fraction(9, 10)) == 7
    assert percentile([], Fraction(1, 2)) is None


def test_waiting_and_service_time_per_kelurahan(day):
    [kuin, utara] = selectors.visit_metrics(kelurahan_ids=day.ids, start=DAY, end=DAY)
    assert (kuin.kelurahan_id, utara.kelurahan_id) == (day.kuin.pk, day.utara.pk)
    # Waits of the nine called tickets, sorted: 1 2 3 4 5 6 8 10 30 (n = 9; the no-show waited 10 too).
    # median: h = 0.5 x 8 = 4 -> x[4] = 5 min; p90: h = 0.9 x 8 = 7.2 -> 10 + 0.2 x (30 - 10) = 14 min.
    assert kuin.wait == DurationStats(count=9, median_s=5 * MIN, p90_s=14 * MIN)
    # Service times of the eight served, sorted: 5 9 10 12 13 14 16 20 (n = 8).
    # median: h = 3.5 -> 12 + 0.5 x 1 = 12.5 min; p90: h = 0.9 x 7 = 6.3 -> 16 + 0.3 x (20 - 16) = 17.2 min.
    assert kuin.service.count == 8
    assert kuin.service.median_s == pytest.approx(12.5 * MIN)
    assert kuin.service.p90_s == pytest.approx(17.2 * MIN)
    assert kuin.service.median_min == pytest.approx(12.5)
    assert (kuin.visits, kuin.served, kuin.no_shows, kuin.cancelled) == (10, 8, 1, 1)
    assert utara.wait == DurationStats(count=1, median_s=5 * MIN, p90_s=5 * MIN)
    assert utara.service == DurationStats(count=1, median_s=11 * MIN, p90_s=11 * MIN)


def test_sla_breaches_use_each_kelurahan_s_own_target_time(day):
    [kuin, utara] = selectors.visit_metrics(kelurahan_ids=day.ids, start=DAY, end=DAY)
    # Kuin: KTP-el over its own 12 min: 13 and 20 (12 is not over); Domisili over 15: 16 -> 3 of 8 served.
    assert kuin.sla_breaches == 3
    assert kuin.sla_breach_pct == pytest.approx(37.5)
    # Kuin Utara has no override: 11 min is over the catalogue's 10.
    assert (utara.sla_breaches, utara.sla_breach_pct) == (1, 100.0)
    assert kuin.no_show_pct == pytest.approx(10.0)  # 1 of 10 visits


def test_per_service_numbers(day):
    rows = {(m.kelurahan_id, m.service_id): m for m in selectors.visit_metrics(
        kelurahan_ids=[day.kuin.pk], start=DAY, end=DAY, by="kelurahan_service")}
    ktp = rows[(day.kuin.pk, day.ktp.pk)]
    # KTP-el waits 2 4 6 8 10 30: median h = 2.5 -> 6 + 0.5 x 2 = 7; p90 h = 4.5 -> 10 + 0.5 x 20 = 20.
    assert ktp.wait == DurationStats(count=6, median_s=7 * MIN, p90_s=20 * MIN)
    # KTP-el service 5 10 12 13 20: median 12; p90 h = 3.6 -> 13 + 0.6 x 7 = 17.2.
    assert ktp.service.median_s == 12 * MIN
    assert ktp.service.p90_s == pytest.approx(17.2 * MIN)
    assert (ktp.visits, ktp.served, ktp.no_shows, ktp.sla_breaches) == (6, 5, 1, 2)
    domisili = rows[(day.kuin.pk, day.domisili.pk)]
    assert domisili.wait == DurationStats(count=3, median_s=3 * MIN, p90_s=pytest.approx(4.6 * MIN))  # 3 + .8 x 2
    assert (domisili.visits, domisili.served, domisili.cancelled, domisili.sla_breaches) == (4, 3, 1, 1)
    # City-wide per service (both kelurahan): KTP-el service 5 10 11 12 13 20 -> median h = 2.5 -> 11.5.
    by_service = {m.service_id: m for m in selectors.visit_metrics(kelurahan_ids=day.ids, start=DAY, end=DAY,
                                                                   by="service")}
    assert by_service[day.ktp.pk].service.median_s == pytest.approx(11.5 * MIN)
    assert by_service[day.ktp.pk].sla_breaches == 3  # 13 and 20 at Kuin (over 12), 11 at Kuin Utara (over 10)


def test_ikm_per_kelurahan_and_service(day):
    [kuin, utara] = selectors.visit_metrics(kelurahan_ids=day.ids, start=DAY, end=DAY)
    # Three respondents, score totals 36 + 30 + 27 = 93. Element means (u1..u9):
    # u1 (4+4+3)/3 = 3.667, u2..u4 (4+3+3)/3 = 3.333, u5..u7 3.667, u8 (4+2+3)/3 = 3, u9 3.333;
    # their sum is 93/3 = 31; IKM = 31 / 9 x 25 = 86.111 -> 86.11: B, Baik (76.61–88.30).
    assert kuin.ikm.respondents == 3
    assert kuin.ikm.element_means[0] == pytest.approx(11 / 3)
    assert kuin.ikm.element_means[7] == pytest.approx(3.0)
    assert sum(kuin.ikm.element_means) == pytest.approx(31)
    assert kuin.ikm.index == Decimal("86.11")
    assert (kuin.ikm.grade, kuin.ikm.label, kuin.ikm.colour) == ("B", "Baik", "blue")
    assert utara.ikm.index is None and utara.ikm.grade is None  # no respondents: no index
    rows = {m.service_id: m for m in selectors.visit_metrics(kelurahan_ids=[day.kuin.pk], start=DAY, end=DAY,
                                                             by="service")}
    # KTP-el: (36 + 30) / 2 = 33 -> 33 / 9 x 25 = 91.666 -> 91.67: A, Sangat baik.
    assert (rows[day.ktp.pk].ikm.index, rows[day.ktp.pk].ikm.grade) == (Decimal("91.67"), "A")
    # Domisili: 27 / 9 x 25 = 75.00: C, Kurang baik (65.00–76.60).
    assert (rows[day.domisili.pk].ikm.index, rows[day.domisili.pk].ikm.grade) == (Decimal("75.00"), "C")


@pytest.mark.parametrize(("index", "grade"), [
    ("100.00", "A"), ("88.31", "A"), ("88.30", "B"), ("76.61", "B"), ("76.60", "C"), ("65.00", "C"),
    ("64.99", "D"), ("25.00", "D"),
])
def test_ikm_category_boundaries(index, grade):
    assert selectors.ikm_grade(Decimal(index))[0] == grade


def test_ikm_index_is_exact_and_rounded_half_up():
    assert selectors.ikm_index(element_sums=[4] * 9, respondents=1) == Decimal("100.00")
    assert selectors.ikm_index(element_sums=[1] * 9, respondents=1) == Decimal("25.00")
    # 25 x 35 / 9 = 97.2222… and 25 x 29 / 9 = 80.5555… -> 80.56
    assert selectors.ikm_index(element_sums=[4, 4, 4, 4, 4, 4, 4, 4, 3], respondents=1) == Decimal("97.22")
    assert selectors.ikm_index(element_sums=[4, 3, 3, 3, 4, 3, 3, 3, 3], respondents=1) == Decimal("80.56")
    assert selectors.ikm_index(element_sums=[0] * 9, respondents=0) is None


def test_visits_per_hour_and_day_are_local(day):
    hourly = selectors.visits_hourly(kelurahan_ids=[day.kuin.pk], start=DAY, end=DAY)
    # Issued 08:00–08:50 (4 KTP-el), 09:15 (1), 10:10 KTP-el + 10:30, 10:50 Domisili, 11:15, 11:35 Domisili (WITA).
    assert [(r["hour"], r["service_id"], r["visits"], r["served"]) for r in hourly] == [
        (8, day.ktp.pk, 4, 4), (9, day.ktp.pk, 1, 1), (10, day.ktp.pk, 1, 0), (10, day.domisili.pk, 2, 2),
        (11, day.domisili.pk, 2, 1)]
    daily = selectors.visits_daily(kelurahan_ids=day.ids, start=DAY, end=DAY)
    assert [(r["kelurahan_id"], r["date"], r["service_id"], r["visits"], r["served"]) for r in daily] == [
        (day.kuin.pk, DAY, day.ktp.pk, 6, 5), (day.kuin.pk, DAY, day.domisili.pk, 4, 3),
        (day.utara.pk, DAY, day.ktp.pk, 1, 1)]
    assert selectors.visits_heat(kelurahan_ids=[day.kuin.pk], start=DAY, end=DAY) == {
        (1, 8): 4, (1, 9): 1, (1, 10): 3, (1, 11): 2}


def test_the_range_limits_what_is_counted(day):
    next_day = DAY + dt.timedelta(days=1)
    assert selectors.visit_metrics(kelurahan_ids=day.ids, start=next_day, end=next_day) == []
    assert selectors.visit_metrics(kelurahan_ids=[], start=DAY, end=DAY) == []


def test_range_check_refuses_reversed_and_too_long_ranges():
    with pytest.raises(Exception, match="Tanggal mulai"):
        selectors.range_check(start=DAY, end=DAY - dt.timedelta(days=1))
    with pytest.raises(Exception, match="366 hari"):
        selectors.range_check(start=DAY - dt.timedelta(days=366), end=DAY)
    assert selectors.range_check(start=DAY - dt.timedelta(days=365), end=DAY)[0] == dt.date(2025, 11, 2)


def test_queue_now(day):
    services.ticket_issue(kelurahan=day.kuin, service=day.ktp, channel=TicketChannel.DESK, now=at(13, 0))
    services.ticket_issue(kelurahan=day.kuin, service=day.ktp, channel=TicketChannel.DESK, now=at(13, 20))
    [kuin, utara] = selectors.queue_now(kelurahan_ids=day.ids, now=at(13, 45))
    assert (kuin.waiting, kuin.at_counter, kuin.done_today, kuin.longest_wait_s) == (2, 0, 8, 45 * MIN)
    assert (utara.waiting, utara.longest_wait_s, utara.done_today) == (0, None, 1)
    # The next local day starts empty (00:30 WITA is still the previous day in UTC).
    [kuin] = selectors.queue_now(kelurahan_ids=[day.kuin.pk], now=plus(at(0, 30), 24 * 60))
    assert (kuin.waiting, kuin.done_today) == (0, 0)


def test_the_metrics_cost_a_fixed_number_of_queries(day, django_assert_num_queries):
    every = list(Kelurahan.objects.values_list("pk", flat=True))
    with django_assert_num_queries(4):  # counts, waits, service times, IKM: whatever the number of offices
        assert len(selectors.visit_metrics(kelurahan_ids=every, start=DAY, end=DAY)) == 2
    with django_assert_num_queries(2):  # the offices' time zones, then one count per zone
        assert len(selectors.queue_now(kelurahan_ids=every, now=at(12, 0))) == 52


def test_the_database_percentiles_match_the_python_definition(org):
    """Random durations in three kelurahan: the window-function path gives what `percentile` gives."""
    services_seed_default(city=org.city)
    ktp = Service.objects.get(code="pengantar-ktp-el")
    rng = random.Random(14)
    kelurahan = [org.kuin, kelurahan_named("Kuin Utara"), kelurahan_named("Pasar Lama")]
    rows, expected = [], {}
    for kel, n in zip(kelurahan, (1, 2, 37), strict=True):
        waits, counter = [], services.counter_ensure(actor=None, kelurahan=kel, number=1)
        for number in range(1, n + 1):
            issued = plus(at(8, 0), number)
            wait_s = rng.randint(0, 3600)
            waits.append(wait_s)
            called = issued + dt.timedelta(seconds=wait_s)
            rows.append(TicketRow(kelurahan_id=kel.pk, service_id=ktp.pk, prefix="A", number=number, date=DAY,
                                  status="no_show", issued_at=issued, called_at=called, counter_id=counter.pk,
                                  finished_at=called + dt.timedelta(minutes=3)))
        expected[(kel.pk,)] = DurationStats(count=n, median_s=percentile(waits, Fraction(1, 2)),
                                            p90_s=percentile(waits, Fraction(9, 10)))
    tickets_import(rows=rows)
    found = selectors.duration_stats(kelurahan_ids=[k.pk for k in kelurahan], start=DAY, end=DAY, measure="wait")
    assert found.keys() == expected.keys()
    for key, stats in expected.items():
        assert found[key].count == stats.count
        assert found[key].median_s == pytest.approx(stats.median_s)
        assert found[key].p90_s == pytest.approx(stats.p90_s)


# --- the report page ---------------------------------------------------------------------------------------------

REPORT = "/layanan/laporan/"
ON_DAY = {"mulai": "2026-11-02", "sampai": "2026-11-02"}


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_report_needs_a_login_and_view_regions(day, client_for):
    assert Client().get(REPORT).status_code == 302
    assert Client().get(REPORT + "unduh.csv").status_code == 302
    assert client_for("outsider").get(REPORT).status_code == 403
    assert client_for("pegawai_dinkes").get(REPORT + "unduh.csv").status_code == 403


def test_the_lurah_s_report_shows_kuin_cerucuk_only(day, client_for):
    response = client_for("lurah_kuin_cerucuk").get(REPORT, ON_DAY)
    assert response.status_code == 200
    html = page_text(response)
    assert html.count('data-testid="report-row"') == 1
    assert "Kuin Cerucuk" in html and "Kuin Utara" not in html
    # median/p90 wait 5,0 and 14,0 min; service 12,5 and 17,2; 37,5% over target (3); IKM 86,11 B.
    for shown in (">5,0<", ">14,0<", ">12,5<", ">17,2<", "37,5%", "86,11", ">B<", "3 responden"):
        assert shown in html, shown
    # The heat table opens on the busiest office in scope: Monday 08.00 has 4 visits, 10.00 has 3.
    assert "Jam ramai di Kelurahan Kuin Cerucuk" in html
    assert 'class="bg-primary bg-opacity-100 text-white">4<' in html
    assert 'class="bg-primary bg-opacity-75 text-white">3<' in html


def test_the_heat_table_of_another_kelurahan_is_a_partial_and_scoped(day, client_for):
    walikota = client_for("walikota")
    response = walikota.get(REPORT, {**ON_DAY, "kelurahan": day.utara.pk}, HTTP_HX_REQUEST="true")
    html = page_text(response)
    assert response.status_code == 200 and "<html" not in html
    assert "Jam ramai di Kelurahan Kuin Utara" in html and "1 kunjungan" in html
    lurah = client_for("lurah_kuin_cerucuk")
    assert lurah.get(REPORT, {**ON_DAY, "kelurahan": day.utara.pk}).status_code == 404


def test_the_report_csv(day, client_for):
    response = client_for("walikota").get(REPORT + "unduh.csv", ON_DAY)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="layanan-kelurahan-20261102-20261102.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 52
    # As Excel set to Indonesian reads it: semicolons between cells, decimal commas.
    assert lines[0].startswith("Kode;Kelurahan;Kecamatan;Kunjungan;Dilayani;Tunggu median (menit)")
    kuin = next(line for line in lines if ";Kuin Cerucuk;" in line)
    # … then priority, transferred, produced, missing papers, referred, bookings, checked in, no-shows
    assert kuin.endswith(";10;8;5;14;12,5;17,2;3;37,5;1;1;86,11;B (Baik);3;0;0;0;0;0;0;0;0")
    assert lines[0].endswith(";Prioritas;Dipindahkan;Hasil diberikan;Persyaratan belum lengkap;Dirujuk;Pemesanan;"
                             "Pemesanan hadir;Pemesanan tidak hadir")


def test_empty_states_and_a_bad_range(day, client_for):
    lurah = client_for("lurah_kuin_cerucuk")
    today = timezone.localdate()
    html = page_text(lurah.get(REPORT))  # the last 30 days by default, filled in the date fields
    assert f'value="{today - dt.timedelta(days=29):%Y-%m-%d}"' in html and f'value="{today:%Y-%m-%d}"' in html
    html = page_text(lurah.get(REPORT, {"mulai": "2026-10-01", "sampai": "2026-10-02"}))
    assert 'data-testid="report-no-visits"' in html and 'data-testid="report-table"' not in html
    html = page_text(lurah.get(REPORT, {"mulai": "2026-11-05", "sampai": "2026-11-01"}))
    assert "Tanggal mulai harus sebelum atau sama dengan tanggal akhir." in html
    assert "yang ditampilkan 30 hari terakhir" in html
    # A unit admin of Dinas Kesehatan reads regions but has no kelurahan office in scope.
    html = page_text(client_for("admin_dinas_kesehatan").get(REPORT, ON_DAY))
    assert 'data-testid="report-empty"' in html and "Tidak ada kelurahan dalam cakupan Anda." in html
