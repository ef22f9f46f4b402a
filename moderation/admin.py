from django.contrib import admin

from .models import InboxItem


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):
    list_display = ["kind", "organization", "account", "author_name", "created_at", "status", "sentiment"]
    list_filter = ["kind", "status", "sentiment"]
    raw_id_fields = ["account"]
