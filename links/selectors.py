import datetime as dt

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from tenancy import rls
from tenancy.access import Access
from tenancy.models import Organization
from tenancy.scoping import get_for_organization

from .models import LinkClickHourly, TrackedLink
from .utm import UTM_FIELDS


def access_link(access: Access, link: TrackedLink | int, *, lock: bool = False) -> TrackedLink:
    """The organization's link, or NotFound (also for another organization's link)."""
    return get_for_organization(TrackedLink, access.organization, link, lock=lock, message=_("Link not found."))


def link_list(*, organization: Organization) -> QuerySet[TrackedLink]:
    return (
        TrackedLink.objects.for_organization(organization)
        .select_related("post", "campaign")
        .order_by("-created_at", "-id")
    )


def link_by_code(code: str) -> TrackedLink | None:
    """The link behind `/l/<code>`, whichever organization owns it: the code is the global secret
    the visitor holds (one indexed lookup on the unique code)."""
    with rls.unscoped_context("a short link is looked up by its globally unique code"):
        return (
            TrackedLink.objects.unscoped()
            .only("id", "organization_id", "code", "target_url", *UTM_FIELDS)
            .filter(code=code)
            .first()
        )


def clicks_between(*, organization: Organization, start: dt.date, end: dt.date) -> int | None:
    """Counted clicks of the organization's links over its calendar days [start, end] (hours in
    the organization's time zone): the site-clicks series. None when it has no tracked link at all
    ("no data", never 0)."""
    if not TrackedLink.objects.for_organization(organization).exists():
        return None
    tz = organization.tzinfo
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = LinkClickHourly.objects.for_organization(organization).filter(hour__gte=since, hour__lt=until)
    return rows.aggregate(n=Sum("clicks"))["n"] or 0
