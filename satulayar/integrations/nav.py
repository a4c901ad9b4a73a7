"""The integration hub in the navigation; called from IntegrationsConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from satulayar.core.nav import NavItem, register


def register_nav() -> None:
    register(NavItem("integrations:hub_home", _("Integrasi data"), "sitemap", "view_integrations", order=60))
    register(NavItem("integrations:catalogue", _("Katalog data"), "list-search", None, order=61))
