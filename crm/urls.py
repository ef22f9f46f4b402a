from django.urls import path

from . import views

app_name = "crm"

urlpatterns = [
    path("leads/", views.LeadListView.as_view(), name="leads"),
    path("import/", views.CsvImportView.as_view(), name="import"),
    path("webhooks/", views.WebhookSettingsView.as_view(), name="webhooks"),
    path("attribution-model/", views.AttributionModelView.as_view(), name="attribution_model"),
]
