from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "satulayar.dashboard"
    # Alert webhook signing secrets, sealed with core.vault: re-sealed by `secrets_rotate`.
    sealed_fields = [("dashboard.AlertRule", "webhook_secret", "alerts")]
    verbose_name = _("Satu layar")

    def ready(self):
        from satulayar.dashboard.nav import register_nav

        register_nav()
