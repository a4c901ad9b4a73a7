from django.urls import path

from satulayar.dashboard import alert_views, drill_views, map_views, views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("layar/", views.wall, name="wall"),
    path("panel/<slug:name>/", views.panel, name="panel"),
    path("stream/", views.stream, name="stream"),
    path("peta/", map_views.map_page, name="map"),
    path("peta/data.json", map_views.map_data, name="map_data"),
    path("kelurahan/<int:pk>/", map_views.kelurahan, name="kelurahan"),
    path("unit/", drill_views.units, name="units"),
    path("unit/<int:pk>/", drill_views.unit, name="unit"),
    path("kecamatan/", drill_views.kecamatan_list, name="kecamatan_list"),
    path("kecamatan/<int:pk>/", drill_views.kecamatan, name="kecamatan"),
    path("pegawai/<int:pk>/", drill_views.person, name="person"),
    path("peringatan/", alert_views.alerts, name="alerts"),
    path("peringatan/periksa/", alert_views.alerts_check_now, name="alerts_check"),
    path("peringatan/<int:pk>/ketahui/", alert_views.alert_ack, name="alert_ack"),
    path("peringatan/ketahui/", alert_views.alerts_ack_many, name="alerts_ack_many"),
    path("peringatan/aturan/", alert_views.rules, name="rules"),
    path("peringatan/aturan/<int:pk>/", alert_views.rule_edit, name="rule_edit"),
]
