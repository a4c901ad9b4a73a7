"""The one screen in the navigation; called from DashboardConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from satulayar.core.nav import NavItem, register


def register_nav() -> None:
    register(NavItem("dashboard:overview", _("Satu layar"), "layout-dashboard", "view_units", order=1))
    register(NavItem("dashboard:map", _("Peta kelurahan"), "map", "view_regions", order=2))
    register(NavItem("dashboard:alerts", _("Peringatan"), "bell", "view_units", order=3))
