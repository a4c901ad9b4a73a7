from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "satulayar.integrations"
    # Connector secrets, sealed with core.vault: re-sealed by `secrets_rotate`.
    sealed_fields = [("integrations.Connector", "secret", "integrations")]
    verbose_name = _("Integrasi data")

    def ready(self):
        from satulayar.integrations.nav import register_nav

        register_nav()
