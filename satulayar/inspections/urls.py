from django.urls import path

from satulayar.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
]
