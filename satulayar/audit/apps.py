from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "satulayar.audit"
    verbose_name = _("Log audit")

    def ready(self):
        from satulayar.audit import signals  # noqa: F401
        from satulayar.core.nav import NavItem, register

        register(NavItem("audit:list", _("Log audit"), "history", "view_audit", order=90))
