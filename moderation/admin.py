from django.contrib import admin

from .models import InboxAction, InboxItem, InboxNote, InboxReply, ReplyServiceLevel, SavedReply


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):
    list_display = ["kind", "organization", "account", "author_name", "created_at", "status", "sentiment", "assignee"]
    list_filter = ["kind", "status", "sentiment"]
    raw_id_fields = ["account", "assignee", "thread_parent"]


@admin.register(InboxReply)
class InboxReplyAdmin(admin.ModelAdmin):
    list_display = ["item", "organization", "status", "external_id", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["item", "author"]
    # The sender owns these columns: editing them by hand could send a reply twice.
    readonly_fields = ["status", "external_id", "idempotency_key", "attempts", "claimed_at", "sent_at"]


@admin.register(InboxAction)
class InboxActionAdmin(admin.ModelAdmin):
    list_display = ["item", "organization", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["item", "actor", "target"]


admin.site.register(InboxNote, raw_id_fields=["item", "author"])
admin.site.register(SavedReply, list_display=["title", "organization"])
admin.site.register(ReplyServiceLevel, list_display=["organization", "first_response_minutes", "business_hours"])
