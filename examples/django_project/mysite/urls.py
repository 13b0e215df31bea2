from django.contrib import admin
from django.urls import path

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("hello/", views.greet),
    path("preview/", views.preview),
    path("banner/", views.banner),
    path("search/", views.search),
    path("search/author/", views.search_by_author),
    path("drafts/import/", views.import_draft),
    path("drafts/save/", views.save_draft),
    path("account/", views.account_settings),
    path("comments/widget/", views.comment_widget),
    path("theme/", views.set_theme),
]
