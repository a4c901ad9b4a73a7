from django.urls import path

from satulayar.attendance import views

app_name = "attendance"
urlpatterns = [
    path("", views.today, name="today"),
    path("presensi/", views.checkin_page, name="checkin"),
    path("saya/", views.mine, name="mine"),
]
