from django.urls import path

from satulayar.org import views

app_name = "org"
urlpatterns = [
    path("unit/", views.unit_list, name="units"),
    path("unit/<int:pk>/", views.unit_detail, name="unit"),
    path("pegawai/", views.employee_list, name="employees"),
    path("pegawai/baru/", views.employee_create, name="employee_create"),
    path("pegawai/<int:pk>/", views.employee_detail, name="employee"),
    path("pegawai/<int:pk>/ubah/", views.employee_edit, name="employee_edit"),
    path("wilayah/", views.region_list, name="regions"),
]
