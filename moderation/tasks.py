"""Thin Celery wrappers: the tone of new inbox items, in batches."""

from celery import shared_task

from tenancy import rls

from . import services
from .models import InboxItem

# Per beat run and organization; the next run (every few minutes) continues where this stopped.
MAX_BATCHES = 10


@shared_task(name="moderation.tasks.classify_tone")
def classify_tone(organization_id: int, max_batches: int = MAX_BATCHES) -> int:
    """Labels the organization's unlabelled items; idempotent, never touches a person's label."""
    written = 0
    with rls.organization_session(organization_id):
        for _ in range(max_batches):
            done = services.tone_classify_pending(organization_id=organization_id)
            written += done
            if done < services.TONE_BATCH:
                break
    return written


@shared_task(name="moderation.tasks.fan_out_tone")
@rls.unscoped_session("tone fan-out: organizations with unlabelled inbox items")
def fan_out_tone() -> int:
    """One ``classify_tone`` per organization that has unlabelled items."""
    ids = sorted(
        set(
            InboxItem.objects.unscoped()
            .filter(sentiment__isnull=True, is_from_account=False)
            .values_list("organization_id", flat=True)
            .distinct()
        )
    )
    for organization_id in ids:
        classify_tone.delay(organization_id)
    return len(ids)
