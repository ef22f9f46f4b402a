"""Rules run after every successful ad-stats sync: the sync writes stats in bulk without model
signals, so the finished ``SyncRun`` queues ``adrules.tasks.evaluate_rules`` once it commits."""

from django.db import transaction
from django.db.models.signals import post_save

from integrations.models import SyncKind, SyncRun, SyncStatus

from .tasks import evaluate_rules


def _on_sync_run_saved(sender, instance: SyncRun, **kwargs) -> None:
    if instance.kind == SyncKind.AD_STATS and instance.status == SyncStatus.SUCCESS:
        organization_id = instance.organization_id
        transaction.on_commit(lambda: evaluate_rules.delay(organization_id), robust=True)


def connect() -> None:
    post_save.connect(_on_sync_run_saved, sender=SyncRun, dispatch_uid="adrules.evaluate.syncrun")
