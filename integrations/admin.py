from django.contrib import admin

from .models import OAuthState, SocialAccount, SyncRun


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = ["display_name", "organization", "platform", "external_id", "status", "last_synced_at"]
    list_filter = ["platform", "status"]
    search_fields = ["display_name", "external_id"]
    # Credentials are never shown or edited here (encrypted at rest; reconnect to change).
    exclude = ["credentials_ciphertext"]
    readonly_fields = ["last_synced_at", "next_sync_at", "token_expires_at", "last_error_at"]


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["account", "kind", "status", "started_at", "rows_fetched", "rows_written", "error"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["account"]


@admin.register(OAuthState)
class OAuthStateAdmin(admin.ModelAdmin):
    list_display = ["platform", "organization", "user", "created_at", "used_at"]
    exclude = ["state", "code_verifier"]
