from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "satulayar.integrity"
    verbose_name = _("Sinyal integritas")

    def ready(self):
        from satulayar.integrity.nav import register_nav

        register_nav()
