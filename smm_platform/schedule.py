"""Static periodic schedule, declared in code in one place.

Per-account or per-organization work is not scheduled here row by row: a frequent fan-out task
selects due rows (`next_sync_at`, `scheduled_at`) and enqueues one task each.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    # Outbound webhooks whose next retry is due (the backoff is stored per delivery, docs/webhooks.md).
    "webhooks-fan-out-due-deliveries": {
        "task": "webhooks.tasks.fan_out_due_deliveries",
        "schedule": 60.0,
    },
    "tenancy-expire-invitations": {
        "task": "tenancy.tasks.expire_invitations",
        "schedule": crontab(minute=15),
    },
    # Accounts whose `next_sync_at` is due: posts, comments, mentions, campaigns.
    "integrations-fan-out-due-syncs": {
        "task": "integrations.tasks.fan_out_due_syncs",
        "schedule": 60.0,
    },
    # Steps left "running" by a worker that died: failed, and the account synced again.
    "integrations-reap-stale-sync-runs": {
        "task": "integrations.tasks.reap_stale_sync_runs",
        "schedule": 300.0,
    },
    # Trailing 7-day metrics and ad stats (platforms revise the last ~48 h), nightly.
    "integrations-fan-out-daily-syncs": {
        "task": "integrations.tasks.fan_out_daily_syncs",
        "schedule": crontab(hour=2, minute=30),
    },
    # Due publications: claimed once each and enqueued on the "publish" queue (docs/publishing.md).
    "content-fan-out-due-publications": {
        "task": "content.tasks.fan_out_due_publications",
        "schedule": 60.0,
    },
    # Publications stuck in "publishing" (a worker died) or late: re-queued or failed, with an alert.
    "content-watch-publications": {
        "task": "content.tasks.watch_publications",
        "schedule": 60.0,
    },
    # Inbox: first-response breach alerts; replies stuck in "sending" shown as failed.
    "moderation-watch-inbox": {
        "task": "moderation.tasks.watch_inbox",
        "schedule": 60.0,
    },
    # Expired data exports: their files are deleted (downloads already stop at `expires_at`).
    "portability-expire-exports": {
        "task": "portability.tasks.expire_exports",
        "schedule": crontab(minute=5),
    },
    # Organizations whose deletion grace period is over: purge queued (claimed, so once each).
    "portability-start-due-deletions": {
        "task": "portability.tasks.start_due_deletions",
        "schedule": crontab(minute=35),
    },
    # Reports of closed periods (monthly or weekly per organization), early in the morning UTC;
    # one per organization and period, so a second run adds nothing.
    "reports-generate-due": {
        "task": "reports.tasks.generate_due_reports",
        "schedule": crontab(hour=4, minute=10),
    },
    # Tone of new comments, messages and mentions (moderation/tone): unlabelled items, in batches.
    "moderation-fan-out-tone": {
        "task": "moderation.tasks.fan_out_tone",
        "schedule": 180.0,
    },
    # Competitors' public VK figures: one snapshot per competitor and day (docs/competitors.md).
    "strategy-track-competitors": {
        "task": "strategy.tasks.track_competitors",
        "schedule": crontab(hour=3, minute=40),
    },
}
