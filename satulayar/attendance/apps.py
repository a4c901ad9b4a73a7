from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "satulayar.attendance"
    verbose_name = _("Kehadiran")

    def ready(self):
        from satulayar.attendance.nav import register_nav

        register_nav()
        from satulayar.attendance.models import DailyStatus
        from satulayar.attendance.rollups import connect_signals
        from satulayar.attendance.status_bulk import unit_days_rebuild
        from satulayar.core.rollups import rollup_register

        connect_signals()
        # `satulayar rollups_rebuild` asks every app to rebuild its own (the rebuild lives in status_bulk, which
        # reads rollups: registered here rather than in rollups.py).
        rollup_register(label="kehadiran per unit per hari", model=DailyStatus, rebuild=unit_days_rebuild)
