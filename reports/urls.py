from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="list"),
    path("settings/", views.ReportSettingsView.as_view(), name="settings"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:pk>/report.pdf", views.ReportPdfView.as_view(), name="pdf"),
    path("<int:pk>/kpis.xlsx", views.ReportXlsxView.as_view(), name="xlsx"),
    path("<int:pk>/kpis.csv", views.ReportCsvView.as_view(), name="csv"),
]
