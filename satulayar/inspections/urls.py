from django.urls import path

from satulayar.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("mulai/", views.inspection_start, name="start"),
    path("<int:pk>/", views.inspection_roster, name="roster"),
    path("<int:pk>/tutup/", views.inspection_close, name="close"),
    path("<int:pk>/konflik/<int:entry_id>/", views.conflict_resolve, name="resolve"),
    path("<int:pk>/laporan/", views.inspection_report, name="report"),
    path("<int:pk>/laporan.pdf", views.inspection_pdf, name="report_pdf"),
    path("<int:pk>/laporan.xlsx", views.inspection_xlsx, name="report_xlsx"),
    path("foto/<uuid:uuid>/", views.mark_photo, name="photo"),
    path("temuan/", views.finding_list, name="findings"),
    path("temuan/<int:pk>/", views.finding_detail, name="finding"),
]
