"""Connected social/ad accounts, their encrypted credentials, OAuth state and sync runs.

Credentials live in ``SocialAccount.credentials_ciphertext`` as a Fernet token (see
``integrations/crypto.py``); the plaintext only exists in memory while a connector runs. The
field is excluded from every serializer, form and admin page.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.vocabulary import AD_PLATFORMS, Platform
from integrations.crypto import decrypt_json, encrypt_json
from tenancy.models import TenantModel

# `Platform` and `AD_PLATFORMS` are defined in core.vocabulary; importing them from here keeps
# working on purpose (the sync, services and tests do).


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Working")
    NEEDS_REAUTH = "needs_reauth", _("Needs reconnecting")
    ERROR = "error", _("Error")
    DISABLED = "disabled", _("Disabled")


class SocialAccount(TenantModel):
    """One connected page/channel/community/ad account of an organization.

    ``external_id`` is the platform's id (VK community id, Telegram chat id, IG user id,
    Facebook page id, ``act_…`` ad account id). ``next_sync_at`` is when the periodic fan-out
    should enqueue the next frequent sync (posts, comments, mentions, campaigns).
    """

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    external_id = models.CharField(_("platform id"), max_length=100)
    display_name = models.CharField(_("name"), max_length=200)
    username = models.CharField(_("username"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # Non-secret per-account options: mention search query, currency of an ad account, Telegram
    # chat username, the demo seed, the getUpdates offset...
    options = models.JSONField(default=dict, blank=True)
    # Fernet token (text) of a JSON object {"access_token", "refresh_token", "expires_at", ...}.
    credentials_ciphertext = models.TextField(blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    followers = models.IntegerField(_("followers"), null=True, blank=True)
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True)
    # Claims of the periodic fan-outs: while set in the future, the account's task is queued or
    # running and the fan-out does not enqueue it again (the lease frees a lost task's claim).
    sync_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    daily_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    sync_interval_minutes = models.PositiveIntegerField(default=15)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")
        ordering = ["platform", "display_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "platform", "external_id"], name="socialaccount_org_platform_ext_uniq"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="socialaccount_org_status_idx"),
            models.Index(fields=["organization", "next_sync_at"], name="socialaccount_org_nextsync_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.display_name}"

    def __repr__(self) -> str:  # never include credentials
        return f"<SocialAccount {self.pk} {self.platform}:{self.external_id}>"

    @property
    def is_ad_account(self) -> bool:
        return self.platform in AD_PLATFORMS

    @property
    def credentials(self) -> dict[str, Any]:
        """Decrypted credentials (in memory only). Empty dict when none are stored."""
        if not self.credentials_ciphertext:
            return {}
        return decrypt_json(self.credentials_ciphertext)

    def set_credentials(self, values: dict[str, Any]) -> None:
        self.credentials_ciphertext = encrypt_json(values) if values else ""

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_ciphertext)


class OAuthState(TenantModel):
    """Server-side record of an OAuth authorization request; the callback must present
    ``state`` (single use, short-lived) and gets the PKCE verifier and the user's choices."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    state = models.CharField(max_length=100, unique=True)
    code_verifier = models.CharField(max_length=128, blank=True)
    # What the user asked to connect (community id, page id, ad account id, target platform).
    payload = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "created_at"], name="oauthstate_org_created_idx")]

    def __str__(self) -> str:
        return f"OAuth {self.platform} ({self.created_at:%Y-%m-%d %H:%M})"


class SyncKind(models.TextChoices):
    PROFILE = "profile", _("Account profile")
    POSTS = "posts", _("Posts and post metrics")
    ACCOUNT_METRICS = "account_metrics", _("Daily account metrics")
    COMMENTS = "comments", _("Comments and messages")
    MENTIONS = "mentions", _("Brand mentions")
    CAMPAIGNS = "campaigns", _("Ad campaigns")
    AD_STATS = "ad_stats", _("Daily ad statistics")


class SyncStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCESS = "success", _("Done")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not available")
    RETRYING = "retrying", _("Will retry")


class SyncRun(TenantModel):
    """One step of a sync of one account (what was asked, what came back, what went wrong)."""

    # Display texts, not columns: set by `integrations.selectors.recent_sync_runs` for the pages.
    problem_text: str
    notes: list[str]

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=20, choices=SyncKind.choices)
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=SyncStatus.choices, default=SyncStatus.RUNNING)
    rows_fetched = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    # Items the connector could not read and skipped (the rest of the page was stored).
    rows_skipped = models.PositiveIntegerField(default=0)
    # What was skipped, merged or rejected, so no value is lost silently:
    # {"skipped": [{"kind", "item_id", "reason"}], "duplicates": [{"table", "key", "action", "rows"}]}
    details = models.JSONField(default=dict, blank=True)
    # Why the step failed, as a category the health page words in the reader's language
    # (see ErrorKind), and when a rate-limited or blocked step resumes.
    error_kind = models.CharField(max_length=20, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True)
    # Error code of the platform (e.g. "5", "190/463") and a marketer-readable message; never a token.
    error_code = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("sync run")
        verbose_name_plural = _("sync runs")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "account", "-started_at"], name="syncrun_org_account_idx"),
            models.Index(fields=["organization", "status", "-started_at"], name="syncrun_org_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status} ({self.account_id})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
