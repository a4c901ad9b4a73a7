"""The demo history (deterministic, with the office patterns) and the validated bulk path it writes through."""

import dataclasses
import datetime as dt
import statistics
import zoneinfo
from collections import defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count

from satulayar.attendance.models import CalendarDay
from satulayar.visits import history, services
from satulayar.visits.catalogue import service_catalogue_for, services_seed_default
from satulayar.visits.choices import TicketChannel, TicketStatus
from satulayar.visits.history import TicketRow, office_day, offices_plan, tickets_import, visits_history_seed
from satulayar.visits.models import Rating, Service, ServiceOverride, Ticket, TicketSequence
from tests.factories import kelurahan_named

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
DAY = dt.date(2026, 11, 2)
# 10–28 August 2026: three weeks with Independence Day (Monday 17 August) and Maulid Nabi (Tuesday 25 August).
AUGUST_END = dt.date(2026, 8, 28)
HOLIDAYS = {dt.date(2026, 8, 17), dt.date(2026, 8, 25)}


def at(hour: int, minute: int, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=WITA)


# --- tickets_import ---------------------------------------------------------------------------------------------


@pytest.fixture
def office(org):
    services_seed_default(city=org.city)
    return dict(kelurahan=org.kuin, ktp=Service.objects.get(code="pengantar-ktp-el"),
                counter=services.counter_ensure(actor=None, kelurahan=org.kuin, number=1))


def done_row(office, position: int, hour: int, **changes) -> TicketRow:
    row = TicketRow(kelurahan_id=office["kelurahan"].pk, service_id=office["ktp"].pk, prefix="A", number=position,
                    date=DAY, status=TicketStatus.DONE, issued_at=at(hour, 0), called_at=at(hour, 5),
                    serving_at=at(hour, 6), finished_at=at(hour, 15), counter_id=office["counter"].pk,
                    scores=(4, 4, 3, 4, 3, 4, 4, 3, 4))
    return dataclasses.replace(row, **changes)


def test_import_stores_tickets_ratings_and_advances_the_day_s_numbering(office):
    result = tickets_import(rows=[done_row(office, 1, 8), done_row(office, 2, 9, scores=None)])
    assert (result.tickets, result.ratings) == (2, 1)
    first = Ticket.objects.get(number=1)
    assert (first.code, first.status, first.finished_at) == ("A-001", "done", at(8, 15))
    assert first.rating.u3 == 3 and first.rating.created_at == at(8, 15)  # the survey's time is the service's end
    assert TicketSequence.objects.get(kelurahan=office["kelurahan"], date=DAY, prefix="A").last_number == 2
    # The desk continues the day's numbers after the imported ones.
    later = services.ticket_issue(kelurahan=office["kelurahan"], service=office["ktp"], channel=TicketChannel.DESK,
                                  now=at(10, 0))
    assert later.code == "A-003"
    # An import for the same day continues after the desk's ticket too.
    assert tickets_import(rows=[done_row(office, 4, 11)]).tickets == 1


@pytest.mark.parametrize(("changes", "reason"), [
    ({"finished_at": at(8, 4)}, "finished_at sebelum serving_at"),
    ({"called_at": at(7, 55)}, "called_at sebelum issued_at"),
    ({"date": dt.date(2026, 11, 3)}, "bukan tanggal lokal waktu ambil nomor"),
    ({"issued_at": at(23, 50, dt.date(2026, 11, 1)), "called_at": at(8, 5)},
     "bukan tanggal lokal waktu ambil nomor"),
    ({"finished_at": at(8, 15, dt.date(2026, 11, 3))}, "finished_at tidak pada hari tiket"),
    ({"status": TicketStatus.NO_SHOW}, "status no_show tidak boleh berisi serving_at"),
    ({"status": TicketStatus.WAITING, "scores": None}, "status waiting tidak boleh berisi called_at"),
    ({"prefix": "B"}, "awalan B bukan awalan layanannya (A)"),
    ({"counter_id": None}, "harus menyebut loket kelurahan ini"),
    ({"scores": (4, 4, 4, 4, 4, 4, 4, 4, 5)}, "sembilan nilai 1–4"),
    ({"status": TicketStatus.CANCELLED, "serving_at": None}, "penilaian hanya untuk tiket yang selesai"),
    ({"channel": "fax"}, "saluran fax tidak dikenal"),
    ({"issued_at": dt.datetime(2026, 11, 2, 8, 0)}, "waktu harus berzona waktu"),
    ({"number": 2}, "nomor A-002 seharusnya A-001"),
])
def test_import_refuses_the_whole_batch_with_the_row_and_reason(office, changes, reason):
    rows = [done_row(office, 1, 8, **changes)]
    with pytest.raises(ValidationError) as refused:
        tickets_import(rows=rows)
    assert any(message.startswith("Baris 1:") and reason in message for message in refused.value.messages), \
        refused.value.messages
    assert not Ticket.objects.exists() and not Rating.objects.exists() and not TicketSequence.objects.exists()


def test_import_refuses_a_switched_off_service_and_a_taken_number(office):
    ServiceOverride.objects.create(kelurahan=office["kelurahan"], service=office["ktp"], active=False)
    with pytest.raises(ValidationError, match="tidak tersedia di kelurahan ini"):
        tickets_import(rows=[done_row(office, 1, 8)])
    ServiceOverride.objects.all().delete()
    services.ticket_issue(kelurahan=office["kelurahan"], service=office["ktp"], channel=TicketChannel.DESK,
                          now=at(7, 30))
    good, clash = done_row(office, 2, 9), done_row(office, 1, 8)
    with pytest.raises(ValidationError, match="Baris 2: nomor A-001 seharusnya A-002"):
        tickets_import(rows=[good, clash])
    assert Ticket.objects.count() == 1  # nothing of the refused batch


def test_a_clash_the_checks_cannot_see_is_refused_and_nothing_is_written(office, monkeypatch):
    tickets_import(rows=[done_row(office, 1, 8)])
    # As if a desk had taken the number between the check and the insert: the unique constraint still holds.
    monkeypatch.setattr(history, "_numbering_errors", lambda rows, catalogue: [])
    with pytest.raises(ValidationError, match="bentrok"):
        tickets_import(rows=[done_row(office, 2, 9), done_row(office, 1, 10)])
    assert list(Ticket.objects.values_list("number", flat=True)) == [1]


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
