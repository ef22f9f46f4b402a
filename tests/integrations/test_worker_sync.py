"""A real Celery worker process + Redis + PostgreSQL sync a demo account end to end."""

import pytest
from django.utils import timezone

from ads.models import AdCampaign, AdStatDaily
from analytics.models import AccountMetricDaily, PostMetricDaily, SocialPost
from integrations.models import SocialAccount, SyncRun, SyncStatus
from integrations.services import demo_account_connect
from integrations.tasks import sync_account
from moderation.models import InboxItem
from tests.worker import celery_worker, require_worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (SocialPost, PostMetricDaily, AccountMetricDaily, AdCampaign, AdStatDaily, InboxItem)
    }


def test_real_worker_syncs_the_demo_account_and_a_rerun_changes_nothing(org):
    require_worker()
    account = demo_account_connect(organization=org, sync=False)
    # Both syncs see the same platform: on the wall clock a fresh post's counters (hourly), a new
    # comment or Moscow's midnight (a new observation day) may fall between them and rightly write
    # rows. The demo's own behaviour at those moments is pinned in tests/integrations/test_sync.py.
    account.options["connector"]["frozen_at"] = timezone.now().isoformat()
    account.save(update_fields=["options"])

    finished = SyncRun.objects.filter(account=account).exclude(status=SyncStatus.RUNNING)
    with celery_worker() as queue:
        # Sync results are not stored (ignore_result): the SyncRun rows are the record.
        sync_account.apply_async(args=[account.pk], kwargs={"plan": "full", "days": 7}, queue=queue)
        wait_until(lambda: finished.count() == 7, timeout=120, what="the first sync")
        after_first = counts()
        sync_account.apply_async(args=[account.pk], kwargs={"plan": "full", "days": 7}, queue=queue)
        wait_until(lambda: finished.count() == 14, timeout=120, what="the second sync")

    assert after_first["AccountMetricDaily"] == 7
    assert after_first["AdCampaign"] == 3
    assert after_first["SocialPost"] > 0
    assert after_first["InboxItem"] > 0
    assert counts() == after_first
    runs = SyncRun.objects.filter(account=account)
    assert runs.count() == 14
    assert set(runs.values_list("status", flat=True)) == {SyncStatus.SUCCESS}
    assert sum(runs.order_by("-pk")[:7].values_list("rows_written", flat=True)) == 0
    assert SocialAccount.objects.get(pk=account.pk).last_synced_at is not None
