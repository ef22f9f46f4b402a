from django.contrib import admin

from .models import LinkClickHourly, TrackedLink


@admin.register(TrackedLink)
class TrackedLinkAdmin(admin.ModelAdmin):
    list_display = ["code", "organization", "target_url", "post", "campaign", "clicks", "created_at"]
    search_fields = ["code", "target_url"]
    readonly_fields = ["code", "clicks"]
    raw_id_fields = ["post", "campaign", "created_by"]


@admin.register(LinkClickHourly)
class LinkClickHourlyAdmin(admin.ModelAdmin):
    list_display = ["link", "hour", "clicks"]
    raw_id_fields = ["link"]
