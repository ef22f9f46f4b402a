from django.urls import path

from . import views
from .views import calendar, notifications, plan_data, posts

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
    path("posts/<int:pk>/media/<int:media_pk>/remove/", posts.PostMediaRemoveView.as_view(), name="post_media_remove"),
    path("posts/<int:pk>/media/", posts.PostMediaAddView.as_view(), name="post_media_add"),
    path("posts/<int:pk>/publish-schedule/", posts.PostScheduleFormView.as_view(), name="post_schedule_form"),
    path("notifications/", notifications.NotificationListView.as_view(), name="notifications"),
    path("notifications/unread/", notifications.NotificationUnreadView.as_view(), name="notifications_unread"),
    path("notifications/read-all/", notifications.NotificationReadAllView.as_view(), name="notifications_read_all"),
    path("notifications/<int:pk>/read/", notifications.NotificationReadView.as_view(), name="notification_read"),
    path("publications/<int:pk>/retry/", notifications.PublicationRetryView.as_view(), name="publication_retry"),
    path(
        "publications/<int:pk>/reschedule/",
        notifications.PublicationRescheduleView.as_view(),
        name="publication_reschedule",
    ),
    path("posts/<int:pk>/<slug:action>/", posts.PostActionView.as_view(), name="post_action"),
]
