from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from satulayar.api import api
from satulayar.core import guide_views
from satulayar.core import offline as core_offline
from satulayar.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("sw.js", core_offline.service_worker, name="service-worker"),
    path("favicon.ico", core_offline.favicon, name="favicon"),
    path("manifest.webmanifest", core_offline.manifest, name="manifest"),
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("masuk/faktor-kedua/", core_views.second_factor, name="second_factor"),
    path("masuk/faktor-kedua/daftar/", core_views.second_factor_enrol, name="second_factor_enrol"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("panduan/", guide_views.guide_list, name="guides"),
    path("panduan/img/<str:name>", guide_views.guide_image, name="guide_image"),
    path("panduan/<slug:slug>/", guide_views.guide, name="guide"),
    path("organisasi/", include("satulayar.org.urls")),
    path("audit/", include("satulayar.audit.urls")),
    path("kehadiran/", include("satulayar.attendance.urls")),
    path("iclock/", include("satulayar.attendance.adms_urls")),
    path("layanan/laporan/", include("satulayar.visits.report_urls")),
    path("layanan/", include("satulayar.visits.urls")),
    path("antrean/", include("satulayar.visits.public_urls")),
    path("sidak/", include("satulayar.inspections.urls")),
    path("cctv/", include("satulayar.cctv.urls")),
    path("integrasi/", include("satulayar.integrations.urls")),
    path("integritas/", include("satulayar.integrity.urls")),
    path("satu-layar/", include("satulayar.dashboard.urls")),
    path("data-terbuka/", include("satulayar.opendata.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

handler404 = core_views.not_found
handler500 = core_views.server_error
