"""Thin Celery wrappers for the strategy app: the daily competitor tracking (docs/competitors.md).

``strategy.tasks.track_competitors`` (beat, daily) enqueues one task per organization that has
competitors with a VK address; ``track_organization_competitors`` tracks them (idempotent: one
snapshot per competitor and day) and retries later when VK rate-limits the service key.
"""

from __future__ import annotations

from celery import shared_task

from integrations import conf
from integrations.connectors.vk_public import VKPublicConnector
from integrations.ratelimit import get_rate_limiter
from tenancy import rls
from tenancy.models import Organization

from . import services
from .models import StrategyCompetitor

MAX_RETRIES = 3
MAX_COUNTDOWN = 3600


def vk_public_connector() -> VKPublicConnector | None:
    """The service-key connector, or None when no key is configured."""
    token = conf.vk_service_token()
    if not token:
        return None
    return VKPublicConnector(token, base_url=conf.connector_base_url("vk"), rate_limiter=get_rate_limiter())


@shared_task(name="strategy.tasks.track_competitors")
def track_competitors() -> int:
    with rls.unscoped_session("organizations that have competitors to track"):
        ids = sorted(set(StrategyCompetitor.objects.unscoped().values_list("organization_id", flat=True)))
    for organization_id in ids:
        track_organization_competitors.delay(organization_id)
    return len(ids)


@shared_task(name="strategy.tasks.track_organization_competitors", bind=True, max_retries=MAX_RETRIES)
def track_organization_competitors(self, organization_id: int) -> dict[str, int]:
    with rls.organization_session(organization_id):
        organization = Organization.objects.get(pk=organization_id)
        result = services.competitors_track(organization=organization, connector_factory=vk_public_connector)
    if result.retry_after is not None and self.request.retries < MAX_RETRIES:
        raise self.retry(countdown=min(int(result.retry_after) + 1, MAX_COUNTDOWN))
    return {"tracked": len(result.tracked), "failed": len(result.failed), "kept_manual": len(result.kept_manual)}
