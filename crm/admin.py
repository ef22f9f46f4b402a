from django.contrib import admin

from .models import CrmSettings, CrmWebhook, Lead, Sale


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["external_id", "organization", "status", "created", "value", "currency", "utm_source"]
    list_filter = ["status", "attribution_model"]
    search_fields = ["external_id"]
    raw_id_fields = ["post", "campaign", "goal"]
    readonly_fields = ["contact_hash"]


@admin.register(Sale)
class SaleAdmin(admin.ModelAdmin):
    list_display = ["external_id", "organization", "amount", "currency", "sold_at", "refunded"]
    search_fields = ["external_id"]
    raw_id_fields = ["lead"]


@admin.register(CrmWebhook)
class CrmWebhookAdmin(admin.ModelAdmin):
    list_display = ["organization", "kind", "created_at", "last_received_at"]
    readonly_fields = ["secret_hash"]


@admin.register(CrmSettings)
class CrmSettingsAdmin(admin.ModelAdmin):
    list_display = ["organization", "attribution_model", "updated_at"]
