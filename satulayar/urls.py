from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from satulayar.api import api
from satulayar.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
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
    path("satu-layar/", include("satulayar.dashboard.urls")),
    path("data-terbuka/", include("satulayar.opendata.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
