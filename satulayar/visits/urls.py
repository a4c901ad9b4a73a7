from django.urls import path, register_converter

from satulayar.visits import views


class KelurahanCode:
    """A kelurahan's Kemendagri code, e.g. 63.71.03.1008."""

    regex = r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KelurahanCode, "kelurahan")

app_name = "visits"
urlpatterns = [
    path("loket/", views.desk_home, name="desk_home"),
    path("loket/<kelurahan:code>/", views.desk_counter_pick, name="desk_counter_pick"),
    path("loket/<kelurahan:code>/kuota/", views.booking_capacity, name="booking_capacity"),
    path("loket/<kelurahan:code>/<int:counter>/", views.desk, name="desk"),
    path("loket/<kelurahan:code>/<int:counter>/antrean/", views.desk_queue, name="desk_queue"),
    path("loket/<kelurahan:code>/<int:counter>/panel/", views.desk_counter_panel, name="desk_counter_panel"),
    path("loket/<kelurahan:code>/<int:counter>/tiket/", views.desk_issue, name="desk_issue"),
    path("loket/<kelurahan:code>/<int:counter>/panggil/", views.desk_call_next, name="desk_call_next"),
    path("loket/<kelurahan:code>/<int:counter>/tiket/<int:pk>/cetak/", views.desk_reprint, name="desk_reprint"),
    path("loket/<kelurahan:code>/<int:counter>/pemesanan/", views.desk_booking_check_in, name="desk_booking_check_in"),
    path("loket/<kelurahan:code>/<int:counter>/anjungan/", views.desk_kiosk_register, name="desk_kiosk_register"),
    path("loket/<kelurahan:code>/<int:counter>/tiket/<int:pk>/<slug:action>/", views.desk_ticket_action,
         name="desk_ticket_action"),
]
