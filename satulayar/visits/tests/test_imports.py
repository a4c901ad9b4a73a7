"""The validated bulk path for past tickets (`visits.imports.tickets_import`): all or nothing, the desk's rules."""

import dataclasses
import datetime as dt
import io
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from satulayar.visits import imports, services
from satulayar.visits.catalogue import services_seed_default
from satulayar.visits.choices import TicketChannel, TicketStatus
from satulayar.visits.imports import TicketRow, tickets_import
from satulayar.visits.models import Rating, Service, ServiceOverride, Ticket, TicketSequence, TicketStep

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


def transferred_row(office, **step_changes) -> TicketRow:
    """A-001 sent on from the KTP-el cover letter to the KK one at 08:08, called again at 08:10."""
    step = imports.StepRow(service_id=office["ktp"].pk, counter_id=office["counter"].pk, queued_at=at(8, 0),
                           called_at=at(8, 5), serving_at=at(8, 6), finished_at=at(8, 8))
    kk = Service.objects.get(code="pengantar-kk")
    return done_row(office, 1, 8, service_id=kk.pk, steps=(dataclasses.replace(step, **step_changes),),
                    queued_at=at(8, 8), called_at=at(8, 10), serving_at=at(8, 11))


def test_import_keeps_a_transferred_ticket_s_number_and_its_earlier_step(office):
    assert tickets_import(rows=[transferred_row(office)]).transfers == 1
    ticket = Ticket.objects.get()
    assert (ticket.code, ticket.service.code, ticket.transfers, ticket.queued_at) == ("A-001", "pengantar-kk", 1,
                                                                                     at(8, 8))
    step = TicketStep.objects.get(ticket=ticket)
    assert (step.service, step.counter, step.queued_at, step.finished_at) == (office["ktp"], office["counter"],
                                                                              at(8, 0), at(8, 8))


@pytest.mark.parametrize(("changes", "reason"), [
    ({"finished_at": at(8, 9)}, "queued_at sebelum langkah 1 finished_at"),
    ({"called_at": None, "serving_at": None}, "langkah 1: hanya tiket yang dipanggil"),
    ({"counter_id": None}, "langkah 1: hanya tiket yang dipanggil"),
])
def test_import_refuses_a_transfer_whose_step_is_wrong(office, changes, reason):
    with pytest.raises(ValidationError) as refused:
        tickets_import(rows=[transferred_row(office, **changes)])
    assert any(reason in message for message in refused.value.messages), refused.value.messages
    assert not Ticket.objects.exists() and not TicketStep.objects.exists()


def test_a_clash_the_checks_cannot_see_is_refused_and_nothing_is_written(office, monkeypatch):
    tickets_import(rows=[done_row(office, 1, 8)])
    # As if a desk had taken the number between the check and the insert: the unique constraint still holds.
    monkeypatch.setattr(imports, "_numbering_errors", lambda rows, catalogue: [])
    with pytest.raises(ValidationError, match="bentrok"):
        tickets_import(rows=[done_row(office, 2, 9), done_row(office, 1, 10)])
    assert list(Ticket.objects.values_list("number", flat=True)) == [1]


def test_the_command_imports_a_csv_file_all_or_nothing(office, tmp_path):
    from django.core.management import CommandError, call_command

    good = tmp_path / "antrean.csv"
    good.write_text("kelurahan,layanan,nomor,status,diambil,dipanggil,dilayani,selesai,loket,saluran\n"
                    f"{office['kelurahan'].code},pengantar-ktp-el,1,done,2026-11-02 08:00,2026-11-02 08:05,"
                    "2026-11-02 08:06,2026-11-02 08:15,1,desk\n"
                    f"{office['kelurahan'].code},pengantar-ktp-el,2,cancelled,2026-11-02 08:10,,,2026-11-02 08:40,,\n")
    out = io.StringIO()
    call_command("tickets_import", str(good), stdout=out)
    assert "2 tiket" in out.getvalue()
    first = Ticket.objects.get(number=1)
    assert (first.code, first.called_at, first.counter) == ("A-001", at(8, 5), office["counter"])
    bad = tmp_path / "salah.csv"
    bad.write_text("kelurahan,layanan,nomor,status,diambil,dipanggil,dilayani,selesai,loket,saluran\n"
                   f"{office['kelurahan'].code},pengantar-ktp-el,5,done,2026-11-02 09:00,2026-11-02 08:05,"
                   "2026-11-02 09:06,2026-11-02 09:15,1,desk\n")
    with pytest.raises(CommandError, match="Tidak ada yang diimpor"):
        call_command("tickets_import", str(bad))
    assert Ticket.objects.count() == 2
