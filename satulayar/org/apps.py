from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "satulayar.org"
    verbose_name = _("Organisasi")

    def ready(self):
        from satulayar.core.nav import NavItem, register

        register(NavItem("org:units", _("Unit kerja"), "sitemap", "view_units", order=20))
        register(NavItem("org:employees", _("Pegawai"), "users", "view_employees", order=30))
        register(NavItem("org:regions", _("Wilayah"), "map-2", "view_regions", order=40))
