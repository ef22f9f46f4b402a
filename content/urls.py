from django.urls import path

from . import views

app_name = "content"

urlpatterns = [
    path("", views.ContentHomeView.as_view(), name="home"),
    path("posts/<int:pk>/schedule/", views.PostScheduleView.as_view(), name="post_schedule"),
    path("posts/<int:pk>/unschedule/", views.PostUnscheduleView.as_view(), name="post_unschedule"),
]
