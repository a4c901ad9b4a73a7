"""The front desk: calling order, the ticket state machine and its refusals, and who may work which desk."""

import datetime as dt
import re
import zoneinfo
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from satulayar.audit.models import AuditEntry
from satulayar.core.models import Event
from satulayar.org.choices import Role
from satulayar.visits import services
from satulayar.visits.access import kelurahan_for_desk
from satulayar.visits.choices import TicketChannel, TicketStatus
from satulayar.visits.models import Counter, Service, Ticket
from tests.factories import kelurahan_named, make_user

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
HTMX = {"HTTP_HX_REQUEST": "true"}
VALID_NIK = "6371034506900002"


def at(hour: int, minute: int = 0, day: int = 3) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=WITA)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def catalogue(city):
    return SimpleNamespace(
        ktp=Service.objects.create(city=city, code="pengantar-ktp-kk", prefix="A", name="Surat pengantar KTP/KK",
                                   sla_minutes=15, order=1),
        sktm=Service.objects.create(city=city, code="sktm", prefix="C", name="Surat keterangan tidak mampu",
                                    sla_minutes=20, order=2),
    )


@pytest.fixture
def desk(org, personas):
    return SimpleNamespace(
        lurah=personas.lurah_kuin_cerucuk,
        one=services.counter_ensure(actor=None, kelurahan=org.kuin, number=1),
        two=services.counter_ensure(actor=None, kelurahan=org.kuin, number=2),
    )


def issue(kelurahan, service, now, **extra):
    return services.ticket_issue(kelurahan=kelurahan, service=service, channel=TicketChannel.DESK, now=now, **extra)


# --- calling order -------------------------------------------------------------------------------------------


def test_call_next_takes_the_oldest_waiting_ticket_of_any_service(org, catalogue, desk):
    first_c = issue(org.kuin, catalogue.sktm, at(8, 0))
    first_a = issue(org.kuin, catalogue.ktp, at(8, 1))
    second_c = issue(org.kuin, catalogue.sktm, at(8, 2))
    issue(kelurahan_named("Kuin Utara"), catalogue.ktp, at(7, 0))  # another office's queue
    called = [services.ticket_call_next(actor=desk.lurah, kelurahan=org.kuin, counter=desk.one, now=at(9)),
              services.ticket_call_next(actor=desk.lurah, kelurahan=org.kuin, counter=desk.two, now=at(9))]
    assert [t.code for t in called] == [first_c.code, first_a.code]
    services.ticket_no_show(actor=desk.lurah, ticket=called[0], now=at(9, 5))
    third = services.ticket_call_next(actor=desk.lurah, kelurahan=org.kuin, counter=desk.one, now=at(9, 5))
    assert third.pk == second_c.pk
    services.ticket_no_show(actor=desk.lurah, ticket=third, now=at(9, 6))
    assert services.ticket_call_next(actor=desk.lurah, kelurahan=org.kuin, counter=desk.one, now=at(9, 6)) is None


def test_a_counter_finishes_its_ticket_before_calling_the_next(org, catalogue, desk):
    issue(org.kuin, catalogue.ktp, at(8))
    issue(org.kuin, catalogue.ktp, at(8, 1))
    services.ticket_call_next(actor=desk.lurah, kelurahan=org.kuin, counter=desk.one, now=at(9))
    with pytest.raises(ValidationError) as refused:
        services.ticket_call_next(actor=desk.lurah, kelurahan=org.kuin, counter=desk.one, now=at(9, 1))
    assert refused.value.messages == [
        "Loket 1 masih menangani tiket A-001; selesaikan atau tandai tidak hadir dulu."]
    assert Ticket.objects.filter(status=TicketStatus.WAITING).count() == 1


def test_a_counter_of_another_kelurahan_cannot_call_here(org, catalogue, desk):
    other = services.counter_ensure(actor=None, kelurahan=kelurahan_named("Kuin Utara"), number=1)
    issue(org.kuin, catalogue.ktp, at(8))
    with pytest.raises(ValidationError):
        services.ticket_call_next(actor=None, kelurahan=org.kuin, counter=other, now=at(9))


# --- the state machine -------------------------------------------------------------------------------------------


def test_a_ticket_goes_through_called_serving_done_recording_who_where_and_when(org, catalogue, desk):
    ticket = issue(org.kuin, catalogue.ktp, at(8))
    services.ticket_call_next(actor=desk.lurah, kelurahan=org.kuin, counter=desk.two, now=at(9))
    services.ticket_recall(actor=desk.lurah, ticket=ticket, now=at(9, 2))
    services.ticket_start(actor=desk.lurah, ticket=ticket, now=at(9, 3))
    services.ticket_finish(actor=desk.lurah, ticket=ticket, now=at(9, 15))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.counter, ticket.officer) == (TicketStatus.DONE, desk.two, desk.lurah)
    assert (ticket.called_at, ticket.serving_at, ticket.finished_at) == (at(9), at(9, 3), at(9, 15))


@pytest.mark.parametrize("step, status, message", [
    ("start", TicketStatus.WAITING, "Tiket A-001 berstatus menunggu; tidak dapat mulai dilayani."),
    ("finish", TicketStatus.CALLED, "Tiket A-001 berstatus dipanggil; tidak dapat diselesaikan."),
    ("no_show", TicketStatus.SERVING, "Tiket A-001 berstatus dilayani; tidak dapat ditandai tidak hadir."),
    ("cancel", TicketStatus.SERVING, "Tiket A-001 berstatus dilayani; tidak dapat dibatalkan."),
    ("cancel", TicketStatus.DONE, "Tiket A-001 berstatus selesai; tidak dapat dibatalkan."),
    ("recall", TicketStatus.SERVING, "Tiket A-001 berstatus dilayani; tidak dapat dipanggil ulang."),
    ("start", TicketStatus.NO_SHOW, "Tiket A-001 berstatus tidak hadir; tidak dapat mulai dilayani."),
])
def test_invalid_transitions_are_refused_in_indonesian(org, catalogue, desk, step, status, message):
    ticket = issue(org.kuin, catalogue.ktp, at(8))
    path = {TicketStatus.WAITING: [], TicketStatus.CALLED: ["call"], TicketStatus.SERVING: ["call", "start"],
            TicketStatus.DONE: ["call", "start", "finish"], TicketStatus.NO_SHOW: ["call", "no_show"]}[status]
    for done in path:
        if done == "call":
            services.ticket_call_next(actor=desk.lurah, kelurahan=org.kuin, counter=desk.one, now=at(9))
        else:
            getattr(services, f"ticket_{done}")(actor=desk.lurah, ticket=ticket, now=at(9, 5))
    with pytest.raises(ValidationError) as refused:
        getattr(services, f"ticket_{step}")(actor=desk.lurah, ticket=ticket, now=at(9, 10))
    assert refused.value.messages == [message]
    ticket.refresh_from_db()
    assert ticket.status == status


def test_waiting_and_called_tickets_may_be_cancelled(org, catalogue, desk):
    waiting = issue(org.kuin, catalogue.ktp, at(8))
    called = issue(org.kuin, catalogue.ktp, at(8, 1))
    services.ticket_cancel(actor=desk.lurah, ticket=waiting, now=at(8, 30), note="Salah layanan")
    services.ticket_call_next(actor=desk.lurah, kelurahan=org.kuin, counter=desk.one, now=at(9))
    services.ticket_cancel(actor=desk.lurah, ticket=called, now=at(9, 1))
    waiting.refresh_from_db()
    called.refresh_from_db()
    assert (waiting.status, waiting.finished_at, waiting.note) == (TicketStatus.CANCELLED, at(8, 30), "Salah layanan")
    assert (called.status, called.counter) == (TicketStatus.CANCELLED, desk.one)


def test_yesterdays_ticket_is_not_called_or_served_today(org, catalogue, desk):
    yesterday = issue(org.kuin, catalogue.ktp, at(15, 0, day=2))
    called_yesterday = issue(org.kuin, catalogue.ktp, at(15, 1, day=2))
    services.ticket_cancel(actor=None, ticket=yesterday, now=at(15, 2, day=2))
    yesterday = issue(org.kuin, catalogue.ktp, at(15, 3, day=2))  # still waiting at closing time
    services.ticket_call_next(actor=desk.lurah, kelurahan=org.kuin, counter=desk.one, now=at(15, 30, day=2))
    assert services.ticket_call_next(actor=desk.lurah, kelurahan=org.kuin, counter=desk.two, now=at(8)) is None
    with pytest.raises(ValidationError) as refused:
        services.ticket_start(actor=desk.lurah, ticket=called_yesterday, now=at(8))
    assert refused.value.messages == ["Tiket tanggal 2 Maret 2025 tidak dapat dilayani hari ini."]
    with pytest.raises(ValidationError):
        services.ticket_recall(actor=desk.lurah, ticket=called_yesterday, now=at(8))
    yesterday.refresh_from_db()
    assert yesterday.status == TicketStatus.WAITING
    services.ticket_cancel(actor=desk.lurah, ticket=yesterday, now=at(8))  # clearing it away is allowed
    yesterday.refresh_from_db()
    assert yesterday.status == TicketStatus.CANCELLED


def test_every_transition_publishes_a_live_event(org, catalogue, desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = issue(org.kuin, catalogue.ktp, at(8))
        services.ticket_call_next(actor=desk.lurah, kelurahan=org.kuin, counter=desk.two, now=at(9))
        services.ticket_recall(actor=desk.lurah, ticket=ticket, now=at(9, 1))
        services.ticket_start(actor=desk.lurah, ticket=ticket, now=at(9, 2))
        services.ticket_finish(actor=desk.lurah, ticket=ticket, now=at(9, 9))
    events = list(Event.objects.filter(channel=f"queue:{org.kuin.pk}").order_by("id"))
    assert [e.kind for e in events] == ["ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving",
                                        "ticket.done"]
    assert events[1].data["say"] == "Nomor antrean A nol nol satu, silakan ke loket dua."
    assert events[1].data["counter"] == 2


def test_services_refuse_an_officer_of_another_kelurahan(org, catalogue, city):
    kuin_utara = kelurahan_named("Kuin Utara")
    counter = services.counter_ensure(actor=None, kelurahan=kuin_utara, number=1)
    ticket = issue(kuin_utara, catalogue.ktp, at(8))
    lurah = make_user("lurah_lain", Role.KELURAHAN_OFFICER, city, kelurahan=org.kuin)
    with pytest.raises(PermissionDenied):
        services.ticket_call_next(actor=lurah, kelurahan=kuin_utara, counter=counter, now=at(9))
    with pytest.raises(PermissionDenied):
        services.ticket_cancel(actor=lurah, ticket=ticket, now=at(9))
    with pytest.raises(PermissionDenied):
        services.counter_ensure(actor=lurah, kelurahan=kuin_utara, number=2)


def test_counters_are_created_on_demand_and_audited(org, personas):
    counter = services.counter_ensure(actor=personas.lurah_kuin_cerucuk, kelurahan=org.kuin, number=3)
    again = services.counter_ensure(actor=personas.lurah_kuin_cerucuk, kelurahan=org.kuin, number=3)
    assert counter.pk == again.pk and str(counter) == "Loket 3"
    assert AuditEntry.objects.filter(object_type="visits.counter", object_id=str(counter.pk)).count() == 1
    with pytest.raises(ValidationError):
        services.counter_ensure(actor=personas.lurah_kuin_cerucuk, kelurahan=org.kuin, number=10)


# --- who may work which desk ----------------------------------------------------------------------------------


def test_desk_scope_follows_the_organisation(org, personas, city):
    kecamatan_admin = make_user("admin_kecamatan", Role.UNIT_ADMIN, city, unit=org.kecamatan)
    assert list(kelurahan_for_desk(personas.lurah_kuin_cerucuk)) == [org.kuin]
    assert list(kelurahan_for_desk(kecamatan_admin)) == [org.kuin]  # the office in its subtree
    for name in ("walikota", "admin_bkpsdm", "admin_dinas_kesehatan", "pegawai_dinkes", "outsider"):
        assert not kelurahan_for_desk(getattr(personas, name)).exists(), name


def test_anonymous_is_sent_to_login(org):
    response = Client().get(f"/layanan/loket/{org.kuin.code}/1/")
    assert response.status_code == 302 and response["Location"].startswith("/masuk/?next=")


@pytest.mark.parametrize("persona, status", [
    ("lurah_kuin_cerucuk", 200), ("walikota", 403), ("admin_dinas_kesehatan", 404), ("pegawai_dinkes", 403),
    ("outsider", 403),
])
def test_who_may_open_the_kuin_cerucuk_desk(org, client_for, persona, status):
    assert client_for(persona).get(f"/layanan/loket/{org.kuin.code}/1/").status_code == status


def test_the_lurah_of_kuin_cerucuk_gets_404_for_another_kelurahans_desk(org, client_for, catalogue):
    other = kelurahan_named("Kuin Utara")
    counter = services.counter_ensure(actor=None, kelurahan=other, number=1)
    ticket = issue(other, catalogue.ktp, None)
    client = client_for("lurah_kuin_cerucuk")
    assert client.get(f"/layanan/loket/{other.code}/1/").status_code == 404
    assert client.post(f"/layanan/loket/{other.code}/1/panggil/").status_code == 404
    assert client.post(f"/layanan/loket/{other.code}/1/tiket/", {"service": catalogue.ktp.pk}).status_code == 404
    # and a ticket of another office cannot be reached through one's own desk either
    assert client.post(f"/layanan/loket/{org.kuin.code}/1/tiket/{ticket.pk}/batal/").status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING
    assert not Counter.objects.filter(kelurahan=other, number=2).exists() and counter.number == 1


def test_desk_home_sends_an_officer_to_their_desk_and_shows_viewers_the_city(org, client_for):
    response = client_for("lurah_kuin_cerucuk").get("/layanan/loket/", follow=True)
    assert response.redirect_chain[-1][0] == f"/layanan/loket/{org.kuin.code}/1/"
    overview = client_for("walikota").get("/layanan/loket/")
    assert overview.status_code == 200
    assert text(overview).count('data-testid="desk-home-row"') == 52
    assert "Buka loket" not in text(overview)
    assert client_for("outsider").get("/layanan/loket/").status_code == 403


# --- the desk pages ---------------------------------------------------------------------------------------------


def test_the_desk_issues_calls_serves_and_finishes(org, client_for, catalogue):
    client = client_for("lurah_kuin_cerucuk")
    base = f"/layanan/loket/{org.kuin.code}/2"
    page = client.get(f"{base}/")
    assert "Panggil berikutnya" in text(page) and "Surat pengantar KTP/KK" in text(page)
    issued = client.post(f"{base}/tiket/", {"service": catalogue.ktp.pk, "visitor_name": "Siti Aminah",
                                            "visitor_nik": VALID_NIK}, **HTMX)
    assert issued.status_code == 200 and issued["HX-Trigger-After-Settle"] == "queue-changed"
    assert "A-001" in text(issued) and "<svg" in text(issued)
    ticket = Ticket.objects.get()
    called = client.post(f"{base}/panggil/", **HTMX)
    assert "A-001 dipanggil ke Loket 2." in text(called)
    assert "Siti Aminah" in text(called) and "••••••••••••0002" in text(called) and VALID_NIK not in text(called)
    for action, status in [("mulai", TicketStatus.SERVING), ("selesai", TicketStatus.DONE)]:
        response = client.post(f"{base}/tiket/{ticket.pk}/{action}/", {"result": "produced"}, **HTMX)
        assert response.status_code == 200
        ticket.refresh_from_db()
        assert ticket.status == status
    assert ticket.officer.username == "lurah_kuin_cerucuk"
    queue = client.get(f"{base}/antrean/", **HTMX)
    assert 'data-testid="count-done">1<' in queue.content.decode()


def test_desk_refusals_are_shown_not_raised(org, client_for, catalogue):
    client = client_for("lurah_kuin_cerucuk")
    base = f"/layanan/loket/{org.kuin.code}/1"
    empty = client.post(f"{base}/panggil/", **HTMX)
    assert "Tidak ada antrean yang menunggu." in text(empty)
    ticket = issue(org.kuin, catalogue.ktp, None)
    refused = client.post(f"{base}/tiket/{ticket.pk}/selesai/", **HTMX)
    assert refused.status_code == 200
    assert "Tiket A-001 berstatus menunggu; tidak dapat diselesaikan." in text(refused)
    bad_nik = client.post(f"{base}/tiket/", {"service": catalogue.ktp.pk, "visitor_nik": "123"}, **HTMX)
    assert "NIK harus 16 digit angka." in text(bad_nik)
    assert Ticket.objects.count() == 1
    # without htmx the same actions redirect back to the desk with a message
    plain = client.post(f"{base}/panggil/", follow=True)
    assert "A-001 dipanggil ke Loket 1." in text(plain)
    assert client.post(f"{base}/tiket/{ticket.pk}/terbang/").status_code == 404


def test_the_queue_fragment_answers_204_when_nothing_changed(org, client_for, catalogue,
                                                                 django_capture_on_commit_callbacks):
    client = client_for("lurah_kuin_cerucuk")
    url = f"/layanan/loket/{org.kuin.code}/1/antrean/"
    with django_capture_on_commit_callbacks(execute=True):
        issue(org.kuin, catalogue.ktp, None)
    version = Event.objects.latest("id").pk
    assert client.get(f"{url}?v={version}", **HTMX).status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        issue(org.kuin, catalogue.ktp, None)
    changed = client.get(f"{url}?v={version}", **HTMX)
    assert changed.status_code == 200 and "A-002" in text(changed)


def test_the_desk_remembers_the_counter_and_skips_switched_off_ones(org, client_for, desk):
    client = client_for("lurah_kuin_cerucuk")
    client.get(f"/layanan/loket/{org.kuin.code}/2/")
    assert client.get(f"/layanan/loket/{org.kuin.code}/")["Location"] == f"/layanan/loket/{org.kuin.code}/2/"
    desk.two.active = False
    desk.two.save()
    assert services.counters_for_desk(kelurahan=org.kuin) == [(1, "Loket 1"), (3, "Loket 3")]
    assert client.get(f"/layanan/loket/{org.kuin.code}/")["Location"] == f"/layanan/loket/{org.kuin.code}/1/"
    assert client.get(f"/layanan/loket/{org.kuin.code}/2/").status_code == 404


# --- master data screens -----------------------------------------------------------------------------------------


def test_admin_screens_show_the_catalogue_and_tickets_read_only_with_a_masked_nik(org, client_for, catalogue):
    ticket = issue(org.kuin, catalogue.ktp, None, visitor_name="Siti Aminah", visitor_nik=VALID_NIK)
    admin = client_for("admin_bkpsdm")
    for path in ("/admin/visits/service/", "/admin/visits/counter/", "/admin/visits/serviceoverride/",
                 "/admin/visits/ticket/", "/admin/visits/service/add/", "/admin/visits/officehours/",
                 "/admin/visits/bookingcapacity/", "/admin/visits/kioskdevice/", "/admin/visits/serviceoutcome/",
                 "/admin/visits/prioritygroup/"):
        assert admin.get(path).status_code == 200, path
    detail = admin.get(f"/admin/visits/ticket/{ticket.pk}/change/")
    assert detail.status_code == 200
    assert "••••••••••••0002" in text(detail) and VALID_NIK not in text(detail)
    assert admin.get("/admin/visits/ticket/add/").status_code == 403
    assert client_for("lurah_kuin_cerucuk").get("/admin/visits/ticket/").status_code == 302  # no admin access
