"""The kelurahan queue in three real browsers: a citizen takes a number on a phone, an officer calls and
serves it at the desk, the office TV shows the call live (no reload), and the citizen rates the service."""

import time

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from satulayar.org import services as org_services
from satulayar.org.choices import Role
from satulayar.visits.choices import IKM_ELEMENTS, TicketStatus
from satulayar.visits.models import Rating, Service, Ticket
from tests.factories import kelurahan_named

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "id-ID"}
TV = {"viewport": {"width": 1920, "height": 1080}}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def office(transactional_db, city):
    kuin = kelurahan_named("Kuin Cerucuk")
    Service.objects.create(city=city, code="pengantar-ktp-kk", prefix="A", name="Surat pengantar KTP/KK",
                           sla_minutes=15, order=1, requirements="Fotokopi KK\nSurat pengantar RT/RW")
    Service.objects.create(city=city, code="sktm", prefix="C", name="Surat keterangan tidak mampu", sla_minutes=20,
                           order=2)
    officer = get_user_model().objects.create_user(username="petugas_kuin", first_name="Fauzan")
    officer.set_password("satulayar")
    officer.save()
    org_services.role_assign(actor=None, user=officer, role=Role.KELURAHAN_OFFICER, city=city, kelurahan=kuin)
    return kuin


def test_a_ticket_from_phone_to_desk_to_display_to_rating(office, live_server, browser, login):
    contexts = [browser.new_context(**options) for options in (TV, PHONE, DESKTOP)]
    tv, phone, desk = (context.new_page() for context in contexts)
    tv.goto(f"{live_server.url}/antrean/{office.code}/layar/")
    expect(tv.locator("#display-connection")).to_have_attribute("data-state", "online")
    expect(tv.get_by_test_id("display-called")).to_have_text("–")

    phone.goto(f"{live_server.url}/antrean/{office.code}/?via=qr")
    expect(phone.get_by_text("Fotokopi KK")).to_be_hidden()  # each service's requirements behind its own fold
    phone.get_by_text("Persyaratan (2)").click()
    expect(phone.get_by_text("Fotokopi KK")).to_be_visible()
    phone.get_by_role("button", name="Ambil nomor: Surat pengantar KTP/KK").click()
    phone.wait_for_url("**/antrean/tiket/**")
    expect(phone.get_by_test_id("ticket-code")).to_have_text("A-001")
    expect(phone.get_by_text("Anda berikutnya.")).to_be_visible()
    ticket = Ticket.objects.get()
    assert (ticket.code, ticket.channel) == ("A-001", "qr")

    expect(tv.get_by_test_id("display-next")).to_contain_text("A-001")  # live, through the event stream

    login(desk, "petugas_kuin")
    desk.goto(f"{live_server.url}/layanan/loket/")
    desk.wait_for_url(f"**/layanan/loket/{office.code}/1/")
    expect(desk.get_by_test_id("desk-queue")).to_contain_text("A-001")
    desk.get_by_role("button", name="Panggil berikutnya").click()
    expect(desk.get_by_test_id("desk-current-code")).to_have_text("A-001")

    expect(tv.get_by_test_id("display-called")).to_have_text("A-001")  # without reload
    expect(tv.locator(".display-called-counter")).to_have_text("Silakan ke Loket 1")
    expect(phone.get_by_test_id("ticket-called")).to_contain_text("Silakan ke Loket 1", timeout=10_000)

    desk.get_by_role("button", name="Mulai layani").click()
    expect(desk.get_by_test_id("desk-current")).to_contain_text("Dilayani")
    desk.wait_for_load_state("networkidle")  # the panel's own refresh after the action has come and gone
    desk.get_by_test_id("desk-result-produced").check()  # what the visit produced is recorded on finishing
    desk.get_by_role("button", name="Selesai").click()
    expect(desk.get_by_test_id("desk-idle")).to_be_visible()
    expect(desk.get_by_test_id("count-done")).to_have_text("1", timeout=10_000)
    expect(tv.get_by_test_id("display-called")).to_have_text("–")
    assert Ticket.objects.get().status == TicketStatus.DONE

    survey = phone.get_by_test_id("rating-form")
    expect(survey).to_be_visible(timeout=10_000)  # the ticket page refreshed itself
    for index, (_code, label) in enumerate(IKM_ELEMENTS):
        group = survey.get_by_role("group", name=f"{index + 1}. {label}")
        group.get_by_text("Baik" if index == 2 else "Sangat baik", exact=True).click()
    survey.get_by_label("Saran dan masukan (opsional)").fill("Pelayanan cepat.")
    survey.get_by_role("button", name="Kirim penilaian").click()
    expect(phone.get_by_test_id("rating-thanks")).to_be_visible()
    rating = Rating.objects.get(ticket=ticket)
    assert rating.scores == [4, 4, 3, 4, 4, 4, 4, 4, 4] and rating.comment == "Pelayanan cepat."
    for context in contexts:
        context.close()
    time.sleep(1)  # the live server notices the closed event stream at its next write and lets go of the database


def test_the_desk_hears_a_new_ticket_through_the_event_stream(office, live_server, browser, login):
    """The desk does not poll: a ticket drawn elsewhere reaches its queue through the stream within seconds (the
    fallback poll runs only while the stream is down, every 30 s)."""
    from satulayar.visits import services

    context = browser.new_context(**DESKTOP)
    desk = context.new_page()
    login(desk, "petugas_kuin")
    desk.goto(f"{live_server.url}/layanan/loket/")
    desk.wait_for_url(f"**/layanan/loket/{office.code}/1/")
    assert "every" not in desk.locator("#desk-queue").get_attribute("hx-trigger")
    assert "every" not in desk.locator("#desk-counter").get_attribute("hx-trigger")
    expect(desk.locator("body")).to_have_attribute("data-live-stream", "online")
    services.ticket_issue(kelurahan=office, service=Service.objects.get(code="pengantar-ktp-kk"), channel="qr")
    expect(desk.get_by_test_id("desk-queue")).to_contain_text("A-001", timeout=10_000)
    context.close()
    time.sleep(1)  # the live server notices the closed event stream at its next write and lets go of the database
