"""seed_everything(): rows in every tenant table, for the row-level security tests.

A new tenant model needs a row here (or demo data) — test_rls.py fails and names its table otherwise.
"""

from django.utils import timezone

from analytics import rollups
from content.models import Notification, PostMedia, Publication, PublishAttempt
from content.plan_services import feed_get, shipped_date_hide
from crm.services import crm_webhook_regenerate
from integrations.models import OAuthState
from portability.models import DeletionStatus, OrganizationDeletion, OrganizationExport
from tenancy.demo import demo_seeders
from tenancy.roles import Role
from tenancy.services import api_token_create, invitation_create

from ..conftest import access_of


def seed_everything(organization, users) -> None:
    """Rows in every tenant table: the demo data of each app plus the tables the demo leaves empty."""
    for _app, seed in demo_seeders():
        seed(organization=organization, users=users)
    rollups.rebuild(organization)  # the daily rollup tables, from the demo's facts
    access = access_of(organization, users["owner"], Role.OWNER)
    invitation_create(access=access, email=f"new@{organization.slug}.test", role=Role.ANALYST)
    api_token_create(access=access, name="CRM", scopes=["read"])
    OAuthState.objects.create(
        organization=organization, platform="vk", state=f"state-{organization.slug}", user=users["owner"]
    )
    OrganizationExport.objects.create(organization=organization, requested_by=users["owner"])
    OrganizationDeletion.objects.create(
        organization=organization, status=DeletionStatus.CANCELLED, purge_after=timezone.now()
    )
    crm_webhook_regenerate(access=access, kind="amocrm")
    publication = Publication.objects.filter(organization=organization).first()
    PublishAttempt.objects.create(
        organization=organization, publication=publication, started_at=timezone.now(), result="transient"
    )
    Notification.objects.create(
        organization=organization, user=users["owner"], kind="publication_failed", title="x", publication=publication
    )
    feed_get(access=access)
    shipped_date_hide(access=access, key="2027-women")
    PostMedia.objects.create(
        organization=organization, post=publication.post, file="posts/demo.jpg", kind="photo", size=1024
    )
