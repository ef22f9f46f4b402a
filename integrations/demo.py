"""Demo data for the «Зерно» organization: a connected simulated account, synced through the
same path as real platforms (connector → sync steps → bulk upserts)."""

from __future__ import annotations

from integrations.services import demo_account_connect
from integrations.sync import account_sync

DEMO_BACKFILL_DAYS = 120


def seed(*, organization, users) -> None:
    """Idempotent: the account is found by its natural key and the facts are upserted."""
    account = demo_account_connect(organization=organization, sync=False)
    # Run the sync in-process (not via the broker) so the demo is complete when seeding ends.
    account_sync(account_id=account.pk, plan="full", days=DEMO_BACKFILL_DAYS)
