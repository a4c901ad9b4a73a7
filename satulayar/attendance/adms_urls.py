"""/iclock/: where fingerprint machines push (ZKTeco ADMS). Some firmware appends `.aspx` to every path."""

from django.urls import re_path

from satulayar.attendance import adms_views

app_name = "adms"
urlpatterns = [
    re_path(r"^cdata(?:\.aspx)?$", adms_views.cdata, name="cdata"),
    re_path(r"^getrequest(?:\.aspx)?$", adms_views.getrequest, name="getrequest"),
    re_path(r"^devicecmd(?:\.aspx)?$", adms_views.devicecmd, name="devicecmd"),
    re_path(r"^ping(?:\.aspx)?$", adms_views.ping, name="ping"),
]
