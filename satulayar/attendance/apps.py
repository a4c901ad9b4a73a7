from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "satulayar.attendance"
    verbose_name = _("Kehadiran")

    def ready(self):
        from satulayar.attendance.nav import register_nav

        register_nav()
        from satulayar.attendance.rollups import connect_signals

        connect_signals()
