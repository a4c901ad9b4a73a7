from django.urls import path

from satulayar.visits import report_views

app_name = "visits_report"
urlpatterns = [
    path("", report_views.metrics, name="metrics"),
    path("unduh.csv", report_views.metrics_csv, name="metrics_csv"),
]
