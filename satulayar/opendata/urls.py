from django.urls import path

from satulayar.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.page, name="page"),
    path("<slug:dataset>.<str:fmt>", views.download, name="download"),
]
