from django.urls import path, re_path

from satulayar.attendance import (
    calendar_views,
    correction_views,
    device_views,
    kiosk_views,
    leave_paper_views,
    leave_rule_views,
    leave_views,
    report_views,
    schedule_views,
    tpp_views,
    views,
)

app_name = "attendance"
urlpatterns = [
    path("", views.today, name="today"),
    path("presensi/", views.checkin_page, name="checkin"),
    path("saya/", views.mine, name="mine"),
    path("rekap/", report_views.recap, name="recap"),
    re_path(r"^rekap/(?P<employee_id>\d+)/(?P<month>\d{4}-(?:0[1-9]|1[0-2]))/$", report_views.recap_employee,
            name="recap_employee"),
    path("laporan/hari-pertama/", report_views.holiday_returns, name="holiday_returns"),
    path("cuti/", leave_views.leave_page, name="leave"),
    path("cuti/persetujuan/", leave_views.leave_approvals, name="leave_approvals"),
    path("cuti/<int:pk>/putuskan/", leave_views.leave_decide, name="leave_decide"),
    path("cuti/<int:pk>/batalkan/", leave_views.leave_cancel, name="leave_cancel"),
    path("cuti/<int:pk>/lampiran/", leave_paper_views.leave_attachment_add, name="leave_attachment_add"),
    path("cuti/lampiran/<int:pk>/", leave_paper_views.leave_attachment_file, name="leave_attachment_file"),
    path("cuti/lampiran/<int:pk>/hapus/", leave_paper_views.leave_attachment_delete, name="leave_attachment_delete"),
    path("cuti/aturan/", leave_rule_views.leave_rules_page, name="leave_rules"),
    path("koreksi/<int:employee_id>/", correction_views.correction, name="correction"),
    # settings: the work calendar and special hours, schedules and shifts, TPP rules, device commands
    path("kalender/", calendar_views.calendar_page, name="calendar"),
    path("kalender/<int:pk>/", calendar_views.calendar_day_edit, name="calendar_day_edit"),
    path("kalender/<int:pk>/hapus/", calendar_views.calendar_day_delete, name="calendar_day_delete"),
    path("kalender/jam-khusus/", calendar_views.special_hours_add, name="special_hours_add"),
    path("jadwal/", schedule_views.schedules_page, name="schedules"),
    path("jadwal/sif/", schedule_views.shift_add, name="shift_add"),
    path("tpp/", tpp_views.tpp_page, name="tpp"),
    path("tpp/<int:pk>/", tpp_views.tpp_page, name="tpp_edit"),
    path("tpp/<int:pk>/hapus/", tpp_views.tpp_rule_delete, name="tpp_rule_delete"),
    path("mesin/", device_views.devices_page, name="devices"),
    path("mesin/<int:pk>/", device_views.device_page, name="device"),
    path("mesin/anjungan/", kiosk_views.kiosk_register, name="kiosk_register"),
    path("mesin/anjungan/<int:pk>/nonaktifkan/", kiosk_views.kiosk_retire, name="kiosk_retire"),
    # the kiosk itself: no login, its secret link
    path("anjungan/<str:token>/", kiosk_views.kiosk_page, name="kiosk"),
    path("anjungan/<str:token>/presensi/", kiosk_views.kiosk_punch_post, name="kiosk_punch"),
]
