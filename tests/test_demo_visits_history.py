"""The demo's kelurahan history: deterministic, with the offices' patterns, written through `tickets_import`."""

import datetime as dt
import re
import statistics
import zoneinfo
from collections import defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, F

from satulayar.attendance.models import CalendarDay
from satulayar.demo.visits_history import office_day, offices_plan, visits_history_seed
from satulayar.org.models import Kelurahan
from satulayar.visits.catalogue import service_catalogue_for
from satulayar.visits.choices import TicketChannel, TicketStatus
from satulayar.visits.models import Rating, Ticket, TicketStep
from tests.factories import kelurahan_named

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
DAY = dt.date(2026, 11, 2)
# 10–28 August 2026: three weeks with Independence Day (Monday 17 August) and Maulid Nabi (Tuesday 25 August).
AUGUST_END = dt.date(2026, 8, 28)
HOLIDAYS = {dt.date(2026, 8, 17), dt.date(2026, 8, 25)}


def at(hour: int, minute: int, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=WITA)


# --- the simulated history ----------------------------------------------------------------------------------------


@pytest.fixture
def august(city):
    return visits_history_seed(city=city, days=19, seed=2018, end_date=AUGUST_END)


def test_three_weeks_for_every_office_with_holiday_gaps(august, city):
    assert (august["start"], august["end"], august["kelurahan"]) == (dt.date(2026, 8, 10), AUGUST_END, 52)
    assert august["work_days"] == 13  # 15 weekdays less the two holidays
    assert Ticket.objects.count() == august["tickets"] and Rating.objects.count() == august["ratings"]
    assert Ticket.objects.values("kelurahan").distinct().count() == 52
    assert len(august["overloaded"]) == 4
    assert CalendarDay.objects.filter(city=city, date=dt.date(2026, 8, 17)).exists()  # the calendar was seeded
    per_office_day = Ticket.objects.values("kelurahan", "date").annotate(n=Count("pk"))
    assert 15 <= statistics.mean(row["n"] for row in per_office_day) <= 45
    assert max(row["n"] for row in per_office_day) <= 80
    # No visits on the holidays or the weekends.
    dates = set(Ticket.objects.values_list("date", flat=True))
    assert not dates & HOLIDAYS
    assert all(date.weekday() < 5 for date in dates)
    assert len(dates) == 13


def test_monday_peaks_quiet_friday_afternoons_and_realistic_outcomes(august):
    per_day = dict(Ticket.objects.values_list("date").annotate(Count("pk")))
    mondays = [n for date, n in per_day.items() if date.weekday() == 0]
    fridays = [n for date, n in per_day.items() if date.weekday() == 4]
    assert statistics.mean(mondays) > 1.5 * statistics.mean(fridays)
    # The Tuesday after the long weekend of 15–17 August is busier than the Tuesday before it.
    assert per_day[dt.date(2026, 8, 18)] > 1.1 * per_day[dt.date(2026, 8, 11)]
    hours = defaultdict(int)
    for issued, date in Ticket.objects.values_list("issued_at", "date"):
        local = issued.astimezone(WITA)
        assert dt.time(8, 0) <= local.time() <= dt.time(15, 0)
        if date.weekday() == 4:
            hours["friday " + ("morning" if local.hour < 12 else "afternoon")] += 1
    assert hours["friday afternoon"] < 0.15 * hours["friday morning"]
    # Outcomes.
    counts = dict(Ticket.objects.values_list("status").annotate(Count("pk")))
    total = sum(counts.values())
    assert set(counts) == {TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED}  # every day is closed
    assert 0.03 <= counts[TicketStatus.NO_SHOW] / total <= 0.08
    assert 0 < counts[TicketStatus.CANCELLED] / total <= 0.05
    assert 0.27 <= Rating.objects.count() / counts[TicketStatus.DONE] <= 0.33
    means = [statistics.mean(r.scores) for r in Rating.objects.all()[:2000]]
    assert 3.0 <= statistics.mean(means) <= 3.6  # mostly good


def test_the_history_is_deterministic_per_office_and_day_and_seeded_once(august, city):
    offices = {o.kelurahan.code: o for o in offices_plan(city=city, seed=2018)}
    kuin = offices[kelurahan_named("Kuin Cerucuk").code]
    catalogue = {s.prefix: (s.pk, sla) for s, _req, sla in service_catalogue_for(kelurahan=kuin.kelurahan)}
    again = office_day(office=kuin, date=dt.date(2026, 8, 12), services=catalogue, seed=2018)
    assert again == office_day(office=kuin, date=dt.date(2026, 8, 12), services=catalogue, seed=2018)
    assert again != office_day(office=kuin, date=dt.date(2026, 8, 12), services=catalogue, seed=2019)
    stored = list(Ticket.objects.filter(kelurahan=kuin.kelurahan, date=dt.date(2026, 8, 12))
                  .order_by("issued_at", "prefix", "number")
                  .values_list("prefix", "number", "status", "issued_at", "called_at", "serving_at", "finished_at"))
    assert stored == sorted([(r.prefix, r.number, r.status, r.issued_at, r.called_at, r.serving_at, r.finished_at)
                             for r in again], key=lambda t: (t[3], t[0], t[1]))
    # A second run over the same range is refused.
    with pytest.raises(ValidationError, match="riwayat demo hanya diisi sekali"):
        visits_history_seed(city=city, days=5, seed=2018, end_date=AUGUST_END)


def test_the_history_has_priority_tickets_outcomes_and_bookings_with_no_shows(august):
    from satulayar.visits.choices import BookingStatus, TicketResult
    from satulayar.visits.models import Booking

    done = Ticket.objects.filter(status=TicketStatus.DONE)
    priority_share = Ticket.objects.exclude(priority="").count() / Ticket.objects.count()
    assert 0.04 < priority_share < 0.08
    results = dict(done.values_list("result").annotate(n=Count("pk")).order_by())
    assert set(results) == {TicketResult.PRODUCED, TicketResult.MISSING_PAPERS, TicketResult.REFERRED}
    assert 0.05 < results[TicketResult.MISSING_PAPERS] / done.count() < 0.13
    produced = done.filter(result=TicketResult.PRODUCED)
    assert not produced.filter(outcome__isnull=True).exists()
    assert not produced.exclude(outcome__service=F("service")).exists()
    checked_in = Booking.objects.filter(status=BookingStatus.CHECKED_IN)
    assert checked_in.count() > 0 and not checked_in.filter(ticket__isnull=True).exists()
    assert not checked_in.exclude(ticket__channel=TicketChannel.ONLINE).exists()
    missed = Booking.objects.filter(status=BookingStatus.BOOKED, date__lte=AUGUST_END)
    assert 0 < missed.count() < checked_in.count() / 4
    assert Booking.objects.filter(date__gt=AUGUST_END).exists()  # the days after it: the live demo checks them in
    assert august["bookings"] == Booking.objects.count()


def test_the_history_sends_a_few_finished_visits_on_to_another_service_with_their_steps(august, city, client_for):
    from satulayar.visits.selectors import desk_figures, desk_today

    done = Ticket.objects.filter(status=TicketStatus.DONE)
    moved = done.filter(transfers__gt=0)
    assert 0.01 < moved.count() / done.count() < 0.05 and august["transfers"] == moved.count()
    assert not Ticket.objects.exclude(status=TicketStatus.DONE).filter(transfers__gt=0).exists()
    assert TicketStep.objects.count() == moved.count()
    for step in TicketStep.objects.select_related("ticket", "service"):
        ticket, day_end = step.ticket, dt.datetime.combine(step.ticket.date + dt.timedelta(days=1), dt.time(0), WITA)
        assert ticket.transfers == 1 and step.service_id != ticket.service_id
        assert ticket.prefix == step.service.prefix  # the number of the service it came for
        assert step.counter_id is not None and step.counter.kelurahan_id == ticket.kelurahan_id
        assert (ticket.issued_at == step.queued_at <= step.called_at <= step.serving_at <= step.finished_at
                == ticket.queued_at <= ticket.called_at <= ticket.serving_at <= ticket.finished_at < day_end)
    assert not moved.filter(result="produced").exclude(outcome__service=F("service")).exists()
    # The reports and the one screen count them.
    offices = Kelurahan.objects.filter(kecamatan__city=city)
    figures = desk_figures(kelurahan_ids=offices, start=august["start"], end=august["end"])
    assert sum(part.transferred for part in figures.values()) == moved.count()
    busiest = moved.values("date").annotate(n=Count("pk")).order_by("-n", "date").first()
    assert desk_today(kelurahan_ids=offices, date=busiest["date"]).figures.transferred == busiest["n"]
    one = moved.values("kelurahan__code").annotate(n=Count("pk")).order_by("-n", "kelurahan__code").first()
    report = client_for("walikota").get("/layanan/laporan/", {"mulai": august["start"], "sampai": august["end"]})
    row = re.search(rf'data-testid="report-desk-row" data-code="{re.escape(one["kelurahan__code"])}">(.*?)</tr>',
                    report.content.decode(), re.S)
    assert re.findall(r'<td class="text-end">([^<]*)', row.group(1))[1].strip() == str(one["n"])
