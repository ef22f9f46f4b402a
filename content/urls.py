from django.urls import path

from . import views
from .views import calendar, plan_data, posts

app_name = "content"

urlpatterns = [
    path("", views.ContentHomeView.as_view(), name="home"),
    path("posts/<int:pk>/schedule/", views.PostScheduleView.as_view(), name="post_schedule"),
    path("posts/<int:pk>/unschedule/", views.PostUnscheduleView.as_view(), name="post_unschedule"),
    path("calendar/", calendar.CalendarView.as_view(), name="calendar"),
    path("calendar/posts/<int:pk>/move/", calendar.PostMoveView.as_view(), name="post_move"),
    path("calendar/feed/regenerate/", calendar.FeedRegenerateView.as_view(), name="feed_regenerate"),
    path("calendar/export.csv", calendar.PlanExportView.as_view(), name="plan_export"),
    path("calendar/import/", plan_data.PlanImportView.as_view(), name="plan_import"),
    path("calendar/dates/", plan_data.PlanDatesView.as_view(), name="plan_dates"),
    path("calendar/dates/<int:pk>/remove/", plan_data.PlanDateRemoveView.as_view(), name="plan_date_remove"),
    path("calendar/dates/shipped/", plan_data.ShippedDateToggleView.as_view(), name="shipped_date_toggle"),
    path("posts/<int:pk>/", posts.PostEditView.as_view(), name="post_edit"),
    path("posts/<int:pk>/preview/", posts.PostPreviewView.as_view(), name="post_preview"),
    path("posts/<int:pk>/delete/", posts.PostDeleteView.as_view(), name="post_delete"),
    path("posts/<int:pk>/<slug:action>/", posts.PostActionView.as_view(), name="post_action"),
]
