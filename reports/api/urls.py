from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("reports", views.ReportViewSet, basename="report")

report_settings = views.ReportSettingsViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update"})

urlpatterns = [path("report-settings/", report_settings, name="report-settings"), *router.urls]
