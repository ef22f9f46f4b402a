from django.contrib import admin

from .models import Notification, Post, Publication, PublishAttempt


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "platform", "status", "scheduled_at", "goal", "pillar"]
    list_filter = ["status", "platform"]
    search_fields = ["title"]
    readonly_fields = ["strategy", "status", "scheduled_at", "published_at"]


class PublishAttemptInline(admin.TabularInline):
    model = PublishAttempt
    extra = 0
    can_delete = False
    fields = ["started_at", "result", "error_code", "message", "duration_ms"]
    readonly_fields = ["started_at", "result", "error_code", "message", "duration_ms"]


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """Read-only: publications change through the scheduling services and the publisher."""

    list_display = ["post", "account", "organization", "status", "scheduled_at", "attempts", "error_code"]
    list_filter = ["status", "error_kind"]
    search_fields = ["post__title", "external_id"]
    inlines = [PublishAttemptInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "organization", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
