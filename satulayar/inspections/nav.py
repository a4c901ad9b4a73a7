"""The sidak pages in the navigation (inspectors and executives only); called from InspectionsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from satulayar.core.nav import NavItem, register
from satulayar.inspections.access import INSPECT


def register_nav() -> None:
    register(NavItem("inspections:list", _("Sidak"), "checks", INSPECT, order=30))
