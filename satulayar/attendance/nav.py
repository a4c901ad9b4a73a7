"""The attendance pages in the navigation; called from AttendanceConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from satulayar.core.nav import NavItem, register


def register_nav() -> None:
    register(NavItem("attendance:checkin", _("Presensi"), "map-pin", "view_self", order=11))
    register(NavItem("attendance:mine", _("Kehadiran saya"), "clock", "view_self", order=12))
    register(NavItem("attendance:leave", _("Cuti & izin"), "edit", "view_self", order=13))
    register(NavItem("attendance:today", _("Kehadiran hari ini"), "checks", "view_employees", order=15))
    register(NavItem("attendance:recap", _("Rekap bulanan"), "list-search", "view_employees", order=16))
    register(NavItem("attendance:holiday_returns", _("Hari pertama kerja"), "login", "view_employees", order=17))
    register(NavItem("attendance:leave_approvals", _("Persetujuan cuti"), "id-badge-2", "view_employees", order=18))
    register(NavItem("attendance:schedules", _("Jadwal kerja"), "clock", "manage_employees", order=19))
    register(NavItem("attendance:calendar", _("Kalender kerja"), "history", "manage_units", order=20))
    register(NavItem("attendance:leave_rules", _("Aturan cuti"), "info-circle", "manage_units", order=21))
    register(NavItem("attendance:tpp", _("Aturan potongan TPP"), "filter", "manage_units", order=21))
    register(NavItem("attendance:devices", _("Mesin absensi"), "database", "manage_units", order=22))
