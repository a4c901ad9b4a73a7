from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "satulayar.inspections"
    verbose_name = _("Sidak")

    def ready(self):
        from satulayar.inspections.nav import register_nav

        register_nav()
