from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "satulayar.dashboard"
    verbose_name = _("Satu layar")

    def ready(self):
        from satulayar.dashboard.nav import register_nav

        register_nav()
