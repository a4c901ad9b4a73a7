from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "satulayar.core"
    verbose_name = _("Inti")

    def ready(self):
        from satulayar.core.nav import NavItem, register

        register(NavItem("home", _("Beranda"), "home", None, order=0))
