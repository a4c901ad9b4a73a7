"""Public pages under /antrean/: no login (see public_views)."""

from django.urls import path

from satulayar.visits import kiosk_views
from satulayar.visits import public_views as views
from satulayar.visits.urls import KelurahanCode  # noqa: F401 - registers the <kelurahan:…> converter

app_name = "visits_public"
urlpatterns = [
    path("tiket/<str:token>/", views.ticket_page, name="ticket"),
    path("tiket/<str:token>/nilai/", views.ticket_rate, name="ticket_rate"),
    path("tiket/<str:token>/batal/", views.ticket_cancel, name="ticket_cancel"),
    path("pesan/<str:code>/", views.booking_page, name="booking"),
    path("anjungan/<str:token>/", kiosk_views.kiosk, name="kiosk"),
    path("anjungan/<str:token>/ambil/", kiosk_views.kiosk_take, name="kiosk_take"),
    path("anjungan/<str:token>/hadir/", kiosk_views.kiosk_check_in, name="kiosk_check_in"),
    path("anjungan/<str:token>/cetak/<str:ticket_token>/", kiosk_views.kiosk_print, name="kiosk_print"),
    path("<kelurahan:code>/", views.take, name="take"),
    path("<kelurahan:code>/pesan/", views.book, name="book"),
    path("<kelurahan:code>/qr/", views.qr_poster, name="qr"),
    path("<kelurahan:code>/layar/", views.display, name="display"),
    path("<kelurahan:code>/layar/isi/", views.display_board, name="display_board"),
    path("<kelurahan:code>/layar/stream/", views.display_stream, name="display_stream"),
]
