"""Re-attribution when what leads may name appears later (docs/attribution.md).

A new or changed post, goal, tracked link or ad campaign — and a finished sync of campaigns, which
writes them in bulk without model signals — queues `crm.tasks.reattribute` for its organization
once the transaction commits; several changes in one transaction queue it once.
"""

from django.db import transaction
from django.db.models.signals import post_save

from ads.models import AdCampaign
from content.models import Post
from integrations.models import SyncKind, SyncRun, SyncStatus
from links.models import TrackedLink
from strategy.models import Goal

from .tasks import reattribute

_SYNC_KINDS = frozenset({SyncKind.CAMPAIGNS, SyncKind.AD_STATS})


def queue_reattribution(organization_id: int) -> None:
    """Queues the task after the commit, once per organization and transaction (a rolled back
    transaction drops its callbacks, and with them the mark)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(callback, "reattributes", None) == organization_id for _sids, callback, *_ in connection.run_on_commit
    ):
        return

    def send() -> None:
        reattribute.delay(organization_id)

    send.reattributes = organization_id  # type: ignore[attr-defined]
    transaction.on_commit(send, robust=True)


def _on_source_saved(sender, instance, **kwargs) -> None:
    queue_reattribution(instance.organization_id)


def _on_sync_run_saved(sender, instance: SyncRun, **kwargs) -> None:
    if instance.kind in _SYNC_KINDS and instance.status == SyncStatus.SUCCESS:
        queue_reattribution(instance.organization_id)


def connect() -> None:
    for model in (Post, Goal, TrackedLink, AdCampaign):
        post_save.connect(_on_source_saved, sender=model, dispatch_uid=f"crm.reattribute.{model._meta.label}")
    post_save.connect(_on_sync_run_saved, sender=SyncRun, dispatch_uid="crm.reattribute.syncrun")
