"""The publishing watchdog: nothing stays "publishing" or late without someone knowing.

* A claim whose lease ran out (its worker died, its message was lost) goes back to "scheduled",
  due now; its last attempt is "started", so the next run checks the platform before any re-send.
  After ``MAX_ATTEMPTS`` it fails as "needs action" ("stuck").
* A publication still not out ``OVERDUE_AFTER`` after its time is flagged once
  (``overdue_flagged_at``) with an ERROR log line carrying ``alert`` (see docs/operations.md).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from . import publish_errors
from .models import ErrorKind, Publication
from .publishing import MAX_ATTEMPTS, finish, mark_failed

logger = logging.getLogger("content.publishing")

OVERDUE_AFTER = timedelta(minutes=5)


def watch(*, now: datetime | None = None) -> dict[str, int]:
    """Claims whose lease ran out go back to "scheduled" (re-checked before any re-send) or fail
    once out of attempts; late publications are flagged with an alert. Crosses organizations."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "overdue": 0}
    with transaction.atomic():
        stale = (
            Publication.objects.unscoped()
            .filter(status=Publication.Status.PUBLISHING, claimed_until__lt=now)
            .select_related("post", "account", "organization", "post__created_by")
            .select_for_update(skip_locked=True, of=("self",))
        )
        for pub in stale:
            logger.error(
                "ALERT publication %s stuck in publishing (claim expired %s)",
                pub.pk,
                pub.claimed_until.isoformat() if pub.claimed_until else "",
                extra={"publication_id": pub.pk, "organization_id": pub.organization_id, "alert": "publication_stuck"},
            )
            if pub.attempts >= MAX_ATTEMPTS:
                mark_failed(pub, kind=ErrorKind.NEEDS_ACTION, code="stuck", message=publish_errors.stuck_message(pub))
                counts["failed"] += 1
            else:
                # A lost claim counts as a try, so a publication that kills its worker every time ends.
                finish(
                    pub,
                    status=Publication.Status.SCHEDULED,
                    next_attempt_at=now,
                    attempts=pub.attempts + 1,
                    claim_token=None,
                    claimed_until=None,
                )
                counts["requeued"] += 1
        late = (
            Publication.objects.unscoped()
            .filter(
                status__in=[Publication.Status.SCHEDULED, Publication.Status.PUBLISHING],
                scheduled_at__lt=now - OVERDUE_AFTER,
                overdue_flagged_at__isnull=True,
            )
            .select_for_update(skip_locked=True)
        )
        for pub in late:
            logger.error(
                "ALERT publication %s is overdue: due %s, still %s",
                pub.pk,
                pub.scheduled_at.isoformat(),
                pub.status,
                extra={
                    "publication_id": pub.pk,
                    "organization_id": pub.organization_id,
                    "alert": "publication_overdue",
                },
            )
            pub.overdue_flagged_at = now
            pub.save(update_fields=["overdue_flagged_at", "updated_at"])
            counts["overdue"] += 1
    return counts
