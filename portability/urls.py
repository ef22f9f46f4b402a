from django.urls import path

from . import views

app_name = "portability"

urlpatterns = [
    path("", views.DataView.as_view(), name="data"),
    path("exports/", views.ExportCreateView.as_view(), name="export_create"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export_download"),
    path("delete/", views.DeletionScheduleView.as_view(), name="deletion_schedule"),
    path("delete/cancel/", views.DeletionCancelView.as_view(), name="deletion_cancel"),
]
