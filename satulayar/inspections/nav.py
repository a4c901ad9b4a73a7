"""The sidak pages in the navigation; called from InspectionsConfig.ready(). The sidak itself only for
inspectors and executives; the follow-up of findings also for unit admins (they see their units' only)."""

from django.utils.translation import gettext_lazy as _

from satulayar.core.nav import NavItem, register
from satulayar.inspections.access import INSPECT


def register_nav() -> None:
    register(NavItem("inspections:list", _("Sidak"), "checks", INSPECT, order=30))
    register(NavItem("inspections:findings", _("Tindak lanjut sidak"), "bell-check", "manage_employees", order=31))
