"""Accounts and sync runs as the API shows them. Credentials are never serialized."""

from rest_framework import serializers

from integrations.models import SocialAccount, SyncRun
from integrations.selectors import account_status_text
from tenancy.api.fields import TenantModelSerializer


class SocialAccountSerializer(TenantModelSerializer):
    status_text = serializers.SerializerMethodField()

    class Meta:
        model = SocialAccount
        # An explicit allow-list: credentials_ciphertext and options stay server-side.
        fields = [
            "id",
            "platform",
            "external_id",
            "display_name",
            "username",
            "url",
            "status",
            "status_text",
            "last_error",
            "followers",
            "last_synced_at",
            "next_sync_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_status_text(self, obj: SocialAccount) -> str:
        return account_status_text(obj)


class SyncRunSerializer(TenantModelSerializer):
    class Meta:
        model = SyncRun
        fields = [
            "id",
            "account",
            "kind",
            "window_start",
            "window_end",
            "started_at",
            "finished_at",
            "status",
            "rows_fetched",
            "rows_written",
            "rows_skipped",
            "details",
            "error_code",
            "error",
            "error_kind",
            "resume_at",
        ]
        read_only_fields = fields


class BotTokenField(serializers.CharField):
    # The shapes `telegram_account_connect` checks before it asks Telegram, stated for the schema.
    schema_pattern = r"^\s*\d{5,}:[A-Za-z0-9_-]{20,}\s*$"


class TelegramChatField(serializers.CharField):
    schema_pattern = r"^\s*(?:-?\d+|(?:https?://t\.me/|t\.me/|@)?[A-Za-z0-9_]{4,64})\s*$"


class TelegramConnectSerializer(serializers.Serializer):
    bot_token = BotTokenField(max_length=200, write_only=True)
    chat = TelegramChatField(max_length=100)
