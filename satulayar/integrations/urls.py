from django.urls import path

from satulayar.integrations import views

app_name = "integrations"
urlpatterns = [
    path("", views.hub_home, name="hub_home"),
    path("sumber/baru/", views.connector_new, name="connector_new"),
    path("sumber/pratinjau/", views.connector_preview, name="connector_preview"),
    path("sumber/<int:pk>/", views.connector_detail, name="connector_detail"),
    path("sumber/<int:pk>/ubah/", views.connector_edit, name="connector_edit"),
    path("sumber/<int:pk>/jalankan/", views.connector_run, name="connector_run"),
    path("sumber/<int:pk>/rahasia-baru/", views.connector_rotate_secret, name="connector_rotate_secret"),
    path("sumber/<int:pk>/unggah/", views.connector_upload, name="connector_upload"),
    path("proses/<int:pk>/", views.run_detail, name="run_detail"),
    path("proses/<int:pk>/pemetaan/", views.upload_mapping, name="upload_mapping"),
    path("indikator/", views.indicator_list, name="indicator_list"),
    path("indikator/baru/", views.indicator_edit, name="indicator_new"),
    path("indikator/<int:pk>/", views.indicator_edit, name="indicator_edit"),
    path("katalog/", views.catalogue_page, name="catalogue"),
    path("klien-api/", views.api_clients, name="api_clients"),
    path("klien-api/<int:pk>/aktif/", views.api_client_toggle, name="api_client_toggle"),
    path("webhook/<str:key>/", views.webhook, name="webhook"),
]
