"""The camera pages in the navigation; called from CctvConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from satulayar.core.nav import NavItem, register


def register_nav() -> None:
    register(NavItem("cctv:grid", _("Kamera CCTV"), "video", "view_regions", order=40))
