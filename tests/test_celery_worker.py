from datetime import timedelta

import pytest
from django.utils import timezone

from tenancy.models import Invitation
from tenancy.tasks import expire_invitations
from tests.tenancy.factories import InvitationFactory

from .worker import celery_worker, require_worker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_real_worker_runs_a_task_that_writes_to_postgres(org):
    require_worker()
    now = timezone.now()
    overdue = InvitationFactory(organization=org, email="late@example.com", expires_at=now - timedelta(hours=1))
    fresh = InvitationFactory(organization=org, email="soon@example.com", expires_at=now + timedelta(days=1))
    with celery_worker() as queue:
        result = expire_invitations.apply_async(queue=queue)
        assert result.get(timeout=60) == 1
    overdue.refresh_from_db()
    fresh.refresh_from_db()
    assert overdue.status == Invitation.Status.EXPIRED
    assert fresh.status == Invitation.Status.PENDING
