from django.urls import path

from . import post_views, views

app_name = "content"

urlpatterns = [
    path("", views.ContentHomeView.as_view(), name="home"),
    path("posts/<int:pk>/schedule/", views.PostScheduleView.as_view(), name="post_schedule"),
    path("posts/<int:pk>/unschedule/", views.PostUnscheduleView.as_view(), name="post_unschedule"),
    path("posts/<int:pk>/", post_views.PostEditView.as_view(), name="post_edit"),
    path("posts/<int:pk>/preview/", post_views.PostPreviewView.as_view(), name="post_preview"),
    path("posts/<int:pk>/delete/", post_views.PostDeleteView.as_view(), name="post_delete"),
    path(
        "posts/<int:pk>/<slug:action>/",
        post_views.PostActionView.as_view(),
        name="post_action",
    ),
]
