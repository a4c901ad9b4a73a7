from django.urls import path

from satulayar.integrity import views

app_name = "integrity"
urlpatterns = [
    path("", views.finding_list, name="list"),
    path("<int:pk>/", views.finding_detail, name="finding"),
    path("<int:pk>/nilai/", views.finding_judge, name="judge"),
    path("aturan/", views.rules, name="rules"),
    path("aturan/<code>/", views.rule_tune, name="rule_tune"),
    path("jalankan/", views.run, name="run"),
    path("lencana/", views.badge, name="badge"),
]
