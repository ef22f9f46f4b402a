"""Reads for connected accounts and sync health (constant query counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from integrations.connectors.base import platform_label
from integrations.models import AccountStatus, Platform, SocialAccount, SyncKind, SyncRun, SyncStatus
from tenancy.models import Organization

RECENT_RUNS = 300


def social_account_list(*, organization: Organization, include_disabled: bool = True) -> QuerySet[SocialAccount]:
    qs = SocialAccount.objects.filter(organization=organization)
    if not include_disabled:
        qs = qs.exclude(status=AccountStatus.DISABLED)
    return qs.order_by("platform", "display_name", "pk")


def sync_run_list(*, organization: Organization, account_id: int | None = None) -> QuerySet[SyncRun]:
    qs = SyncRun.objects.filter(organization=organization).select_related("account")
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    return qs.order_by("-started_at", "-pk")


def _label(platform: str) -> str:
    return str(Platform(platform).label) if platform in Platform.values else platform_label(platform)


def account_status_text(account: SocialAccount) -> str:
    """The account's state in words a marketer understands."""
    label = _label(account.platform)
    if account.status == AccountStatus.NEEDS_REAUTH:
        return _("%(platform)s access expired — reconnect the account.") % {"platform": label}
    if account.status == AccountStatus.ERROR:
        return account.last_error or _("%(platform)s returned an error.") % {"platform": label}
    if account.status == AccountStatus.DISABLED:
        return _("Disconnected. Data collected earlier is kept.")
    if account.last_synced_at is None:
        return _("Connected. The first sync is on its way.")
    return _("Working.")


@dataclass
class KindHealth:
    kind: str
    label: str
    last_success_at: datetime | None = None
    last_run: SyncRun | None = None

    @property
    def failing(self) -> bool:
        return self.last_run is not None and self.last_run.status in (SyncStatus.FAILED, SyncStatus.RETRYING)


@dataclass
class AccountHealth:
    account: SocialAccount
    status_text: str
    kinds: list[KindHealth] = field(default_factory=list)

    @property
    def problems(self) -> list[KindHealth]:
        return [k for k in self.kinds if k.failing]

    @property
    def badge(self) -> str:
        if self.account.status in (AccountStatus.NEEDS_REAUTH, AccountStatus.ERROR):
            return "bad"
        if self.problems:
            return "warn"
        return "ok" if self.account.status == AccountStatus.ACTIVE else "warn"


def sync_health(*, organization: Organization) -> list[AccountHealth]:
    """Per account and data kind: when data last arrived and what failed last. Two queries."""
    accounts = list(social_account_list(organization=organization))
    runs = list(
        SyncRun.objects.filter(organization=organization)
        .exclude(status=SyncStatus.RUNNING)
        .order_by("-started_at", "-pk")[:RECENT_RUNS]
    )
    labels = dict(SyncKind.choices)
    result = []
    for account in accounts:
        by_kind: dict[str, KindHealth] = {}
        for run in runs:
            if run.account_id != account.pk:
                continue
            health = by_kind.setdefault(run.kind, KindHealth(kind=run.kind, label=str(labels.get(run.kind, run.kind))))
            if health.last_run is None:
                health.last_run = run
            if run.status == SyncStatus.SUCCESS and health.last_success_at is None:
                health.last_success_at = run.finished_at
        kinds = sorted(by_kind.values(), key=lambda k: list(labels).index(k.kind) if k.kind in labels else 99)
        result.append(AccountHealth(account=account, status_text=account_status_text(account), kinds=kinds))
    return result
