from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.AnalyticsHomeView.as_view(), name="home"),
    # Reports have their own section (the reports app); old links keep working.
    path("reports/", views.ReportsRedirectView.as_view(), name="reports"),
]
