from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.AnalyticsHomeView.as_view(), name="home"),
    path("reports/", views.ReportsView.as_view(), name="reports"),
]
