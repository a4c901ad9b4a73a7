from django.urls import path, re_path

from satulayar.attendance import correction_views, leave_views, report_views, views

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
    path("koreksi/<int:employee_id>/", correction_views.correction, name="correction"),
]
