"""The kelurahan service pages in the navigation; called from VisitsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from satulayar.core.nav import NavItem, register


def register_nav() -> None:
    register(NavItem("visits:desk_home", _("Loket layanan"), "building-community", "view_regions", order=35))
