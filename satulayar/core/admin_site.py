from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class SatuLayarAdminSite(admin.AdminSite):
    """The master-data screens. Who may enter, and what they see inside, is decided by org.access."""

    site_header = _("Satu Layar · Data induk")
    site_title = _("Data induk")
    index_title = _("Data induk")

    def has_permission(self, request):
        from satulayar.org.access import scope_for

        return request.user.is_active and scope_for(request.user).can("use_admin")


class SatuLayarAdminConfig(AdminConfig):
    default_site = "satulayar.core.admin_site.SatuLayarAdminSite"
