"""Public pages (no login): take a ticket, follow it, rate it once; the QR poster and the queue display."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from satulayar.core.models import Event
from satulayar.visits import services
from satulayar.visits.choices import IKM_ELEMENTS, TicketChannel, TicketStatus
from satulayar.visits.models import Rating, Service, Ticket

HTMX = {"HTTP_HX_REQUEST": "true"}
VALID_NIK = "6371034506900002"
ALL_GOOD = {code: 4 for code, _label in IKM_ELEMENTS}

pytestmark = pytest.mark.usefixtures("mid_morning")  # tickets served minutes after now stay on today


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def catalogue(city):
    return SimpleNamespace(
        ktp=Service.objects.create(city=city, code="pengantar-ktp-kk", prefix="A", name="Surat pengantar KTP/KK",
                                   sla_minutes=15, order=1, requirements="Fotokopi KK\nSurat pengantar RT/RW"),
        ahli_waris=Service.objects.create(city=city, code="sk-ahli-waris", prefix="D",
                                          name="Surat keterangan ahli waris", sla_minutes=45, order=2),
    )


@pytest.fixture
def counter(org):
    return services.counter_ensure(actor=None, kelurahan=org.kuin, number=1)


def take(client, kelurahan, service, ip="203.0.113.7", via=""):
    return client.post(f"/antrean/{kelurahan.code}/", {"service": service.pk, "via": via}, REMOTE_ADDR=ip)


def serve(ticket, counter, *, minutes=10):
    """Call, serve and finish `ticket`, the service taking `minutes` (called no earlier than it was issued)."""
    now = max(timezone.now(), ticket.issued_at + dt.timedelta(minutes=minutes + 1))
    services.ticket_call_next(actor=None, kelurahan=ticket.kelurahan, counter=counter,
                              now=now - dt.timedelta(minutes=minutes + 1))
    services.ticket_start(actor=None, ticket=ticket, now=now - dt.timedelta(minutes=minutes))
    services.ticket_finish(actor=None, ticket=ticket, now=now)


# --- taking a ticket ----------------------------------------------------------------------------------------------


def test_the_take_page_lists_services_with_requirements_and_target_time(org, catalogue):
    page = Client().get(f"/antrean/{org.kuin.code}/")
    assert page.status_code == 200
    body = text(page)
    assert "Surat pengantar KTP/KK" in body and "<li>Fotokopi KK</li>" in body
    assert "Target waktu layanan ± 15 menit" in body and "Target waktu layanan ± 45 menit" in body
    assert "Saat ini 0 orang menunggu." in body


def test_a_citizen_takes_a_ticket_and_follows_it(org, catalogue):
    client = Client()
    response = take(client, org.kuin, catalogue.ktp, via="qr")
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/antrean/tiket/{ticket.token}/"
    assert (ticket.channel, ticket.issued_by_ip, ticket.code) == (TicketChannel.KIOSK_QR, "203.0.113.7", "A-001")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'data-testid="ticket-code">A-001<' in page.content.decode()
    assert "Anda berikutnya." in text(page)
    assert take(client, org.kuin, catalogue.ktp).status_code == 302
    assert Ticket.objects.latest("pk").channel == TicketChannel.ONLINE


def test_position_and_estimate_use_the_target_time_without_history(org, catalogue):
    for _ in range(3):
        services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.DESK)
    mine = services.ticket_issue(kelurahan=org.kuin, service=catalogue.ahli_waris, channel=TicketChannel.ONLINE)
    page = text(Client().get(f"/antrean/tiket/{mine.token}/"))
    assert 'data-testid="ticket-position">3<' in page
    assert 'data-testid="ticket-estimate">± 135<' in page  # 3 ahead x 45 minutes (this service's target)


def test_the_estimate_uses_the_recent_median_service_time(org, catalogue, counter):
    for minutes in (4, 6, 20):  # median 6
        done = services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.DESK,
                                     now=timezone.now() - dt.timedelta(minutes=30))  # times run forward
        serve(done, counter, minutes=minutes)
    for _ in range(2):
        services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.DESK)
    mine = services.ticket_issue(kelurahan=org.kuin, service=catalogue.ahli_waris, channel=TicketChannel.ONLINE)
    assert services.queue_position(ticket=mine) == 2
    assert services.median_service_minutes(kelurahan=org.kuin) == pytest.approx(6)
    assert 'data-testid="ticket-estimate">± 12<' in text(Client().get(f"/antrean/tiket/{mine.token}/"))


def test_a_called_ticket_tells_the_citizen_where_to_go(org, catalogue, counter):
    mine = services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.ONLINE)
    services.ticket_call_next(actor=None, kelurahan=org.kuin, counter=counter)
    assert "Silakan ke Loket 1" in text(Client().get(f"/antrean/tiket/{mine.token}/", **HTMX))


def test_the_citizen_may_cancel_while_waiting(org, catalogue):
    mine = services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.ONLINE)
    response = Client().post(f"/antrean/tiket/{mine.token}/batal/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == TicketStatus.CANCELLED
    again = Client().post(f"/antrean/tiket/{mine.token}/batal/")
    assert again.status_code == 422 and "Hanya tiket yang masih menunggu" in text(again)


def test_unknown_kelurahan_and_tokens_are_404(org):
    assert Client().get("/antrean/63.71.99.9999/").status_code == 404
    assert Client().get("/antrean/tiket/tidak-ada/").status_code == 404
    assert Client().get("/antrean/bukan-kode/layar/").status_code == 404


# --- rate limit -------------------------------------------------------------------------------------------------


def test_a_ticket_flood_from_one_client_is_refused_with_429(org, catalogue, settings):
    settings.VISITS_PUBLIC_TICKETS_PER_HOUR = 3
    client = Client()
    assert [take(client, org.kuin, catalogue.ktp).status_code for _ in range(3)] == [302, 302, 302]
    refused = take(client, org.kuin, catalogue.ktp)
    assert refused.status_code == 429
    assert ("Terlalu banyak nomor antrean dari perangkat ini: paling banyak 3 nomor per jam di Kelurahan Kuin "
            "Cerucuk. Silakan coba lagi nanti atau ambil nomor di loket.") in text(refused)
    assert Ticket.objects.count() == 3
    assert take(client, org.kuin, catalogue.ktp, ip="203.0.113.8").status_code == 302  # another client
    other = org.kuin.kecamatan.kelurahan.exclude(pk=org.kuin.pk).first()
    assert take(client, other, catalogue.ktp).status_code == 302  # another office
    # the desk is never limited
    for _ in range(4):
        services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.DESK,
                              ip="203.0.113.7")


def test_the_limit_counts_the_last_hour_only(org, catalogue, settings):
    settings.VISITS_PUBLIC_TICKETS_PER_HOUR = 2
    old = timezone.now() - dt.timedelta(minutes=61)
    for _ in range(2):
        services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.ONLINE, ip="10.0.0.9",
                              now=old)
    assert take(Client(), org.kuin, catalogue.ktp, ip="10.0.0.9").status_code == 302


def test_the_default_limit_is_five_per_hour(org, catalogue):
    statuses = [take(Client(), org.kuin, catalogue.ktp).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]


# --- rating ------------------------------------------------------------------------------------------------------


def test_the_survey_appears_after_the_service_and_is_accepted_once(org, catalogue, counter):
    mine = services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.ONLINE)
    assert 'data-testid="rating-form"' not in text(Client().get(f"/antrean/tiket/{mine.token}/"))
    serve(mine, counter)
    page = text(Client().get(f"/antrean/tiket/{mine.token}/"))
    assert 'data-testid="rating-form"' in page
    assert page.count("<fieldset") == 9 and page.count("<legend") == 9
    for label in ("Tidak baik", "Kurang baik", "Baik", "Sangat baik"):
        assert label in page
    scores = {**ALL_GOOD, "u3": 2, "u9": 3}
    response = Client().post(f"/antrean/tiket/{mine.token}/nilai/", {**scores, "comment": "Ruang tunggu panas."})
    assert response.status_code == 302
    rating = Rating.objects.get(ticket=mine)
    assert rating.scores == [4, 4, 2, 4, 4, 4, 4, 4, 3] and rating.comment == "Ruang tunggu panas."
    assert "Terima kasih atas penilaian Anda." in text(Client().get(f"/antrean/tiket/{mine.token}/"))
    second = Client().post(f"/antrean/tiket/{mine.token}/nilai/", {code: 1 for code in ALL_GOOD})
    assert second.status_code == 409
    assert "Tiket A-001 sudah dinilai. Penilaian hanya dapat diberikan sekali per tiket." in text(second)
    rating.refresh_from_db()
    assert rating.scores == [4, 4, 2, 4, 4, 4, 4, 4, 3]


def test_rating_before_the_service_ends_or_incomplete_is_refused(org, catalogue, counter):
    mine = services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.ONLINE)
    early = Client().post(f"/antrean/tiket/{mine.token}/nilai/", ALL_GOOD)
    assert early.status_code == 422 and "Penilaian dapat diisi setelah layanan tiket A-001 selesai." in text(early)
    serve(mine, counter)
    partial = Client().post(f"/antrean/tiket/{mine.token}/nilai/", {"u1": 4, "u2": 3})
    assert partial.status_code == 422 and "Lengkapi penilaian" in text(partial)
    page = text(partial)  # the error stands at the top of the form, and the answer scrolls the phone to it
    form_at = page.index('data-testid="rating-form"')
    assert form_at < page.index('data-testid="rating-error"') < page.index("Kirim penilaian")
    assert page.count('data-testid="rating-error"') == 1 and 'nilai/#penilaian"' in page
    assert 'value="4" id="id_u1_' in page and "checked" in page[form_at:]  # what was chosen stays chosen
    out_of_scale = Client().post(f"/antrean/tiket/{mine.token}/nilai/", {**ALL_GOOD, "u5": 5})
    assert out_of_scale.status_code == 422
    assert not Rating.objects.exists()


def test_rating_submit_validates_scores(org, catalogue, counter):
    from django.core.exceptions import ValidationError

    mine = services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.ONLINE)
    serve(mine, counter)
    with pytest.raises(ValidationError) as refused:
        services.rating_submit(ticket=mine, scores={**ALL_GOOD, "u4": 0, "u10": 3})
    assert refused.value.message_dict["u4"] == ["Pilih nilai 1–4 untuk unsur Biaya/tarif."]
    assert "u10" in refused.value.message_dict["__all__"][0]
    services.rating_submit(ticket=mine, scores=ALL_GOOD)
    with pytest.raises(ValidationError) as again:
        services.rating_submit(ticket=mine, scores=ALL_GOOD)
    assert again.value.code == "already_rated"


# --- privacy: public pages carry no personal data ---------------------------------------------------------------


def test_public_pages_show_no_personal_data(org, catalogue, counter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        walk_in = services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.DESK,
                                        visitor_name="Siti Aminah", visitor_nik=VALID_NIK)
        services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.DESK,
                              visitor_name="Ahmad Rizani", visitor_nik="6371031203850001")
        services.ticket_call_next(actor=None, kelurahan=org.kuin, counter=counter)
    client = Client()
    pages = [f"/antrean/{org.kuin.code}/", f"/antrean/{org.kuin.code}/layar/", f"/antrean/{org.kuin.code}/layar/isi/",
             f"/antrean/{org.kuin.code}/qr/", f"/antrean/tiket/{walk_in.token}/"]
    for path in pages:
        body = client.get(path).content.decode()
        for secret in ("Siti", "Aminah", "Rizani", VALID_NIK, "0002", "6371031203850001"):
            assert secret not in body, (path, secret)
    for event in Event.objects.all():
        assert "Siti" not in str(event.data) and VALID_NIK not in str(event.data)
    board = text(client.get(f"/antrean/{org.kuin.code}/layar/isi/"))
    assert 'data-testid="display-called">A-001<' in board.replace("> ", ">").replace(" <", "<")
    assert "A-002" in board


# --- QR poster and display --------------------------------------------------------------------------------------


def test_the_qr_poster_points_to_the_take_page(org):
    page = Client().get(f"/antrean/{org.kuin.code}/qr/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and f"http://testserver/antrean/{org.kuin.code}/?via=qr" in body
    assert "Kantor Kelurahan Kuin Cerucuk" in body


def test_the_display_page_is_dark_full_screen_and_connects_to_its_stream(org, catalogue):
    page = Client().get(f"/antrean/{org.kuin.code}/layar/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-bs-theme="dark"' in body and "Sedang dilayani" in body and "Berikutnya" in body
    assert f'data-stream="/antrean/{org.kuin.code}/layar/stream/?last=' in body
    assert "visits/display.js" in body


def test_the_display_stream_is_an_event_stream(org, settings):
    settings.EVENTS_STREAM_SECONDS = 0
    response = Client().get(f"/antrean/{org.kuin.code}/layar/stream/")
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache" and response["X-Accel-Buffering"] == "no"
    assert b"".join(response.streaming_content).startswith(b"retry: ")


def test_the_position_counts_a_priority_ticket_taken_later_that_is_called_first(org, catalogue, personas, settings):
    settings.VISITS_PRIORITY_FAIRNESS = 1
    services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.DESK)
    mine = services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.ONLINE)
    assert services.queue_position(ticket=mine) == 1
    for _ in range(2):  # an elderly citizen, then a second: only one may pass the oldest regular ticket
        services.ticket_issue(kelurahan=org.kuin, service=catalogue.ktp, channel=TicketChannel.DESK,
                              priority="lansia", actor=personas.lurah_kuin_cerucuk)
    assert services.queue_position(ticket=mine) == 2
    assert 'data-testid="ticket-position">2<' in text(Client().get(f"/antrean/tiket/{mine.token}/"))
