"""Queue numbers: per kelurahan, per local day (WITA), per service prefix; what a ticket may carry."""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from satulayar.core.models import Event
from satulayar.org.identity import mask_nik
from satulayar.visits import services
from satulayar.visits.choices import TicketChannel, TicketStatus
from satulayar.visits.models import Service, ServiceOverride, TicketSequence
from tests.factories import kelurahan_named

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
VALID_NIK = "6371034506900002"  # born 5 June 1990, a woman (day + 40)


def at(hour: int, minute: int = 0, day: int = 3) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=WITA)


@pytest.fixture
def catalogue(city):
    def make(code, prefix, name, sla, order, requirements=""):
        return Service.objects.create(city=city, code=code, prefix=prefix, name=name, sla_minutes=sla, order=order,
                                      requirements=requirements)

    return SimpleNamespace(
        ktp=make("pengantar-ktp-kk", "A", "Surat pengantar KTP/KK", 15, 1, "Fotokopi KK\nSurat pengantar RT/RW"),
        domisili=make("sk-domisili", "B", "Surat keterangan domisili", 20, 2, "- KTP\n- Surat pengantar RT"),
    )


def issue(kelurahan, service, now, **extra):
    return services.ticket_issue(kelurahan=kelurahan, service=service, channel=TicketChannel.DESK, now=now, **extra)


def test_numbers_count_up_per_prefix(org, catalogue):
    codes = [issue(org.kuin, s, at(8, i)).code
             for i, s in enumerate([catalogue.ktp, catalogue.ktp, catalogue.domisili, catalogue.ktp])]
    assert codes == ["A-001", "A-002", "B-001", "A-003"]
    sequences = {(s.prefix, s.last_number) for s in TicketSequence.objects.filter(kelurahan=org.kuin)}
    assert sequences == {("A", 3), ("B", 1)}


def test_each_kelurahan_has_its_own_numbers(org, catalogue):
    other = kelurahan_named("Kuin Utara")
    assert issue(org.kuin, catalogue.ktp, at(8)).code == "A-001"
    assert issue(org.kuin, catalogue.ktp, at(8, 1)).code == "A-002"
    assert issue(other, catalogue.ktp, at(8, 2)).code == "A-001"


def test_numbers_restart_on_the_next_local_day(org, catalogue):
    late = issue(org.kuin, catalogue.ktp, at(23, 59))
    issue(org.kuin, catalogue.ktp, at(23, 59))
    # 00:01 WITA on 4 March is still 3 March in UTC (16:01): the office's day decides.
    next_day = issue(org.kuin, catalogue.ktp, at(0, 1, day=4))
    assert (late.date, late.code) == (dt.date(2025, 3, 3), "A-001")
    assert next_day.issued_at.astimezone(dt.UTC).date() == dt.date(2025, 3, 3)
    assert (next_day.date, next_day.code) == (dt.date(2025, 3, 4), "A-001")


def test_a_new_ticket_waits_and_records_how_it_came(org, catalogue):
    ticket = services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.KIOSK_QR,
                                   now=at(9), ip="10.1.2.3")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.channel, ticket.issued_by_ip, ticket.prefix, ticket.number) == (
        TicketStatus.WAITING, TicketChannel.KIOSK_QR, "10.1.2.3", "A", 1)
    assert ticket.issued_at == at(9)
    assert len(ticket.token) >= 16


def test_visitor_name_and_nik_are_optional_and_the_nik_is_validated(org, catalogue):
    anonymous = issue(org.kuin, catalogue.ktp, at(8))
    assert (anonymous.visitor_name, anonymous.visitor_nik) == ("", "")
    named = issue(org.kuin, catalogue.ktp, at(8, 1), visitor_name="  Siti   Aminah ", visitor_nik="6371 0345 0690 0002")
    assert (named.visitor_name, named.visitor_nik) == ("Siti Aminah", VALID_NIK)
    assert mask_nik(named.visitor_nik) == "••••••••••••0002"
    with pytest.raises(ValidationError) as refused:
        issue(org.kuin, catalogue.ktp, at(8, 2), visitor_nik="12345")
    assert refused.value.message_dict == {"visitor_nik": ["NIK harus 16 digit angka."]}
    assert TicketSequence.objects.get(kelurahan=org.kuin, prefix="A").last_number == 2  # a refusal uses no number


def test_a_service_switched_off_here_or_everywhere_is_refused(org, catalogue):
    ServiceOverride.objects.create(kelurahan=org.kuin, service=catalogue.domisili, active=False)
    with pytest.raises(ValidationError) as refused:
        issue(org.kuin, catalogue.domisili, at(8))
    assert refused.value.message_dict["service"] == [
        "Layanan Surat keterangan domisili tidak tersedia di Kelurahan Kuin Cerucuk."]
    assert issue(kelurahan_named("Kuin Utara"), catalogue.domisili, at(8)).code == "B-001"
    catalogue.ktp.active = False
    catalogue.ktp.save()
    with pytest.raises(ValidationError):
        issue(org.kuin, catalogue.ktp, at(8))


def test_overrides_change_requirements_and_target_time(org, catalogue):
    ServiceOverride.objects.create(kelurahan=org.kuin, service=catalogue.ktp, requirements="KK asli", sla_minutes=30)
    offered = {o.prefix: o for o in services.services_offered(kelurahan=org.kuin)}
    assert (offered["A"].requirement_lines, offered["A"].sla_minutes) == (["KK asli"], 30)
    assert (offered["B"].requirement_lines, offered["B"].sla_minutes) == (["KTP", "Surat pengantar RT"], 20)


def test_issuing_publishes_a_live_event_without_personal_data(org, catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = issue(org.kuin, catalogue.ktp, at(8), visitor_name="Siti Aminah", visitor_nik=VALID_NIK)
    event = Event.objects.get()
    assert (event.channel, event.kind) == (f"queue:{org.kuin.pk}", "ticket.issued")
    assert event.data == {"ticket": ticket.pk, "code": "A-001", "status": "waiting", "prefix": "A",
                          "service": catalogue.ktp.pk, "counter": None, "priority": False}


def test_the_announcement_reads_the_number_digit_by_digit(org, catalogue):
    ticket = None
    for minute in range(7):
        ticket = issue(org.kuin, catalogue.ktp, at(8, minute))
    counter = services.counter_ensure(actor=None, kelurahan=org.kuin, number=2)
    ticket.counter = counter
    assert services.ticket_announcement(ticket) == "Nomor antrean A nol nol tujuh, silakan ke loket dua."
