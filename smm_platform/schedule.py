"""Static periodic schedule, declared in code in one place.

Per-account or per-organization work is not scheduled here row by row: a frequent fan-out task
selects due rows (`next_sync_at`, `scheduled_at`) and enqueues one task each.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    "tenancy-expire-invitations": {
        "task": "tenancy.tasks.expire_invitations",
        "schedule": crontab(minute=15),
    },
}
