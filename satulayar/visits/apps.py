from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "satulayar.visits"
    verbose_name = _("Layanan kelurahan")

    def ready(self):
        from satulayar.visits.nav import register_nav
        from satulayar.visits.report_views import report_nav

        register_nav()
        report_nav()
