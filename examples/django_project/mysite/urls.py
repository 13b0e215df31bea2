from django.contrib import admin
from django.urls import path

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("hello/", views.greet),
    path("preview/", views.preview),
    path("banner/", views.banner),
]
