"""Demo: the simulated account's posts linked to the plan, as the posts sync links them (by account,
time and text, analytics/plan_links.py). The sync ran before the plan existed (integrations seeds
first), so the plan's posts published by hand (content/demo.py) are linked here, once they and the
CRM demo's leads are in place. Idempotent: links once made are kept."""

from integrations.models import AccountStatus, Platform, SocialAccount

from .models import SocialPost
from .plan_links import link_account_posts


def seed(*, organization, users: dict) -> None:
    accounts = SocialAccount.objects.for_organization(organization).filter(
        platform=Platform.DEMO, status=AccountStatus.ACTIVE
    )
    for account in accounts:
        unlinked = SocialPost.objects.for_organization(organization).filter(account=account, planned_post__isnull=True)
        link_account_posts(account=account, external_ids=list(unlinked.values_list("external_id", flat=True)))
