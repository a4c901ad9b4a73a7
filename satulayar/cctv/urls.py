from django.urls import path

from satulayar.cctv import views

app_name = "cctv"
urlpatterns = [
    path("", views.grid, name="grid"),
    path("grid/", views.grid_fragment, name="grid_fragment"),
    path("cek-silang/", views.crosscheck, name="crosscheck"),
    path("kamera/baru/", views.camera_create, name="camera_create"),
    path("kamera/<int:pk>/", views.camera_detail, name="camera"),
    path("kamera/<int:pk>/langsung/", views.camera_live, name="camera_live"),
    path("kamera/<int:pk>/ubah/", views.camera_edit, name="camera_edit"),
    path("kamera/<int:pk>/area/", views.zone_save, name="zone_save"),
    path("kamera/<int:pk>/samaran/", views.blur_save, name="blur_save"),
    path("kamera/<int:pk>/snapshot.jpg", views.snapshot, name="snapshot"),
    path("kamera/<int:pk>/thumbnail.jpg", views.thumbnail, name="thumbnail"),
    path("kamera/<int:pk>/mjpeg/", views.stream, name="stream"),
]
