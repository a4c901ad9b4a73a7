"""The integrity list in the navigation: inspectors and executives only (the `inspect` capability)."""

from django.utils.translation import gettext_lazy as _

from satulayar.core.nav import NavItem, register
from satulayar.integrity.access import INSPECT


def register_nav() -> None:
    register(NavItem("integrity:list", _("Sinyal integritas"), "list-search", INSPECT, order=32))
