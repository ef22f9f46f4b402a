"""Reads for connected accounts and sync health (constant query counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.vocabulary import AD_PLATFORMS, SocialPlatform
from integrations.connectors.base import platform_label
from integrations.models import AccountStatus, Platform, SocialAccount, SyncKind, SyncRun, SyncStatus
from integrations.quality import ErrorKind
from tenancy.models import Organization

RECENT_RUNS = 300


def social_account_list(*, organization: Organization, include_disabled: bool = True) -> QuerySet[SocialAccount]:
    qs = SocialAccount.objects.filter(organization=organization)
    if not include_disabled:
        qs = qs.exclude(status=AccountStatus.DISABLED)
    return qs.order_by("platform", "display_name", "pk")


def analytics_platform_choices(*, organization: Organization) -> list[tuple[str, str]]:
    """The platforms an analytics page can be narrowed to: the social networks, plus every other
    platform the organization has a page/channel account on (the demo platform). Ad cabinets are
    left out: their figures enter through the social platform they advertise on."""
    choices = [(str(value), str(label)) for value, label in SocialPlatform.choices]
    listed = {value for value, _label in choices}
    connected = (
        SocialAccount.objects.filter(organization=organization)
        .exclude(platform__in=[str(p) for p in AD_PLATFORMS])
        .values_list("platform", flat=True)
        .distinct()
    )
    return choices + [(platform, _label(platform)) for platform in sorted(set(connected) - listed)]


def sync_run_list(*, organization: Organization, account_id: int | None = None) -> QuerySet[SyncRun]:
    qs = SyncRun.objects.filter(organization=organization).select_related("account")
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    return qs.order_by("-started_at", "-pk")


def recent_sync_runs(*, organization: Organization, limit: int) -> list[SyncRun]:
    """The latest runs with their problem and notes worded for the reader (one query)."""
    runs = list(sync_run_list(organization=organization)[:limit])
    for run in runs:
        run.problem_text = run_problem_text(run) if run.status in (SyncStatus.FAILED, SyncStatus.RETRYING) else ""
        run.notes = run_notes(run)
    return runs


def _label(platform: str) -> str:
    return str(Platform(platform).label) if platform in Platform.values else platform_label(platform)


def account_status_text(account: SocialAccount) -> str:
    """The account's state in words a marketer understands."""
    label = _label(account.platform)
    if account.status == AccountStatus.NEEDS_REAUTH:
        return _("%(platform)s access expired — reconnect the account.") % {"platform": label}
    if account.status == AccountStatus.ERROR:
        # last_error is the platform's English wording; the health page shows it as detail.
        return _("%(platform)s refused access — check the account's permissions and reconnect.") % {"platform": label}
    if account.status == AccountStatus.DISABLED:
        return _("Disconnected. Data collected earlier is kept.")
    if account.last_synced_at is None:
        return _("Connected. The first sync is on its way.")
    return _("Working.")


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def run_problem_text(run: SyncRun) -> str:
    """What went wrong in a run, in the reader's language (the stored ``error`` is the platform's
    own English text, kept as technical detail). Empty when nothing went wrong."""
    label = _label(run.account.platform) if run.account_id else ""
    resume = {"platform": label, "time": _when(run.resume_at)} if run.resume_at else None
    kind = run.error_kind
    if kind == ErrorKind.RATE_LIMITED:
        if resume:
            return _("%(platform)s asked us to slow down — sync resumes at %(time)s.") % resume
        return _("%(platform)s asked us to slow down — sync resumes automatically.") % {"platform": label}
    if kind == ErrorKind.BLOCKED:
        if resume:
            return (
                _(
                    "%(platform)s is blocking our requests for now (a firewall page, not a missing permission) — "
                    "sync resumes at %(time)s."
                )
                % resume
            )
        return _(
            "%(platform)s is blocking our requests for now (a firewall page, not a missing permission) — we will retry."
        ) % {"platform": label}
    if kind == ErrorKind.TRANSIENT:
        if resume:
            return _("%(platform)s is temporarily unavailable — we will retry at %(time)s.") % resume
        return _("%(platform)s is temporarily unavailable — we will retry.") % {"platform": label}
    if kind == ErrorKind.AUTH:
        return _("%(platform)s access expired — reconnect the account.") % {"platform": label}
    if kind == ErrorKind.PERMISSION:
        return _("%(platform)s refused access — check the account's permissions and reconnect.") % {"platform": label}
    if kind == ErrorKind.NOT_SUPPORTED:
        return _("Not available through the %(platform)s API.") % {"platform": label}
    if kind == ErrorKind.INVALID:
        return _("%(platform)s rejected the request; this needs a fix on our side and we were notified.") % {
            "platform": label
        }
    if kind == ErrorKind.CRASH:
        return _("Unexpected error while saving the data; we were notified.")
    # Runs without an error kind: our own messages (marked with gettext_noop when stored, so they are
    # translated here) and runs recorded before error kinds existed.
    return _(run.error) if run.error else run.error


def run_notes(run: SyncRun) -> list[str]:
    """Skipped items and merged/rejected repeats of a run, in plain words."""
    notes = []
    details = run.details or {}
    if run.rows_skipped:
        notes.append(
            ngettext(
                "%(count)s item was skipped (deleted on the platform or unreadable); the rest was saved.",
                "%(count)s items were skipped (deleted on the platform or unreadable); the rest was saved.",
                run.rows_skipped,
            )
            % {"count": run.rows_skipped}
        )
    duplicates = details.get("duplicates_total") or 0
    if duplicates:
        notes.append(
            ngettext(
                "The platform sent %(count)s row twice; one copy was kept and the other recorded.",
                "The platform sent %(count)s rows more than once; one copy each was kept and the others recorded.",
                duplicates,
            )
            % {"count": duplicates}
        )
    return notes


@dataclass
class KindHealth:
    kind: str
    label: str
    last_success_at: datetime | None = None
    last_run: SyncRun | None = None
    running: SyncRun | None = None  # a step under way now, newer than `last_run`

    @property
    def failing(self) -> bool:
        return self.last_run is not None and self.last_run.status in (SyncStatus.FAILED, SyncStatus.RETRYING)

    @property
    def problem_text(self) -> str:
        return run_problem_text(self.last_run) if self.last_run is not None and self.failing else ""

    @property
    def detail(self) -> str:
        """The platform's own wording, shown as technical detail under the translated message."""
        run = self.last_run
        return run.error if run is not None and self.failing and run.error_kind else ""

    @property
    def notes(self) -> list[str]:
        return run_notes(self.last_run) if self.last_run is not None else []


@dataclass
class AccountHealth:
    account: SocialAccount
    status_text: str
    kinds: list[KindHealth] = field(default_factory=list)

    @property
    def problems(self) -> list[KindHealth]:
        return [k for k in self.kinds if k.failing]

    @property
    def _state(self) -> tuple[str, str]:
        """(badge, label). The account's own status first (reconnect, error, disabled); then the
        worst latest step wins: a failed step is "bad", a step waiting to retry is "warn"."""
        account = self.account
        if account.status in (AccountStatus.NEEDS_REAUTH, AccountStatus.ERROR):
            return "bad", str(account.get_status_display())
        if account.status != AccountStatus.ACTIVE:
            return "warn", str(account.get_status_display())
        statuses = [k.last_run.status for k in self.kinds if k.last_run is not None]
        failed = statuses.count(SyncStatus.FAILED)
        if failed and failed == len(statuses):
            return "bad", _("Not syncing")
        if failed:
            return "bad", _("Partly failing")
        if SyncStatus.RETRYING in statuses:
            return "warn", _("Waiting to retry")
        return "ok", str(account.get_status_display())

    @property
    def badge(self) -> str:
        return self._state[0]

    @property
    def badge_label(self) -> str:
        return self._state[1]


def sync_health(*, organization: Organization) -> list[AccountHealth]:
    """Per account and data kind: when data last arrived and what failed last. Two queries."""
    accounts = list(social_account_list(organization=organization))
    runs = list(SyncRun.objects.filter(organization=organization).order_by("-started_at", "-pk")[:RECENT_RUNS])
    labels = dict(SyncKind.choices)
    result = []
    for account in accounts:
        by_kind: dict[str, KindHealth] = {}
        for run in runs:
            if run.account_id != account.pk:
                continue
            kind_health = by_kind.setdefault(
                run.kind, KindHealth(kind=run.kind, label=str(labels.get(run.kind, run.kind)))
            )
            if run.status == SyncStatus.RUNNING:
                # Shown as under way; the badge and the problem come from the last finished step. A step
                # stuck here (its worker died) is failed by the reaper and shows up as a problem.
                if kind_health.last_run is None and kind_health.running is None:
                    kind_health.running = run
                continue
            if kind_health.last_run is None:
                kind_health.last_run = run
            if run.status == SyncStatus.SUCCESS and kind_health.last_success_at is None:
                kind_health.last_success_at = run.finished_at
        kinds = sorted(by_kind.values(), key=lambda k: list(labels).index(k.kind) if k.kind in labels else 99)
        for kind in kinds:
            if kind.last_run is not None:
                kind.last_run.account = account  # the wording names the platform; no extra query
        health = AccountHealth(account=account, status_text=account_status_text(account), kinds=kinds)
        if account.status == AccountStatus.ACTIVE and health.problems and account.last_synced_at is not None:
            health.status_text = _("Some data could not be synced; see what failed below.")
        result.append(health)
    return result
