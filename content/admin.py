from django.contrib import admin

from .models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "platform", "status", "scheduled_at", "goal", "pillar"]
    list_filter = ["status", "platform"]
    search_fields = ["title"]
    readonly_fields = ["strategy", "status", "scheduled_at", "published_at"]
