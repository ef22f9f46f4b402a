"""Writes for tracked links, one transaction each (docs/links.md)."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ads.models import AdCampaign
from content.models import Post
from core.errors import DomainError, NotFound
from tenancy.access import Access
from tenancy.models import Organization
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization

from .models import TrackedLink, new_code
from .selectors import access_link
from .utm import UTM_FIELDS, default_utm, is_safe_target

EDITABLE_FIELDS = {"target_url", *UTM_FIELDS}
_CODE_ATTEMPTS = 5


def _owner(
    organization: Organization, post: Post | int | None, campaign: AdCampaign | int | None
) -> tuple[Post | None, AdCampaign | None]:
    """The post or campaign (ids or instances) re-read within the organization and locked, so two
    requests for the same post and target make one link (a foreign or missing id: a field error)."""
    if post is not None and campaign is not None:
        raise DomainError(_("A link belongs to a post or to an ad campaign, not both."), field="campaign")
    if post is not None:
        try:
            post = get_for_organization(Post, organization, post, lock=True)
        except NotFound as exc:
            raise DomainError(_("Choose a post of your organization."), field="post") from exc
    if campaign is not None:
        try:
            campaign = get_for_organization(AdCampaign, organization, campaign, lock=True)
        except NotFound as exc:
            raise DomainError(_("Choose an ad campaign of your organization."), field="campaign") from exc
    return post, campaign


def _clean(link: TrackedLink) -> None:
    try:
        link.full_clean(exclude=["organization", "post", "campaign", "created_by", "code"])
    except ValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        raise DomainError(next(iter(fields.values()))[0], fields=fields) from exc
    if not is_safe_target(link.target_url):
        raise DomainError(_("Enter an http:// or https:// address."), field="target_url")


def _check_fields(fields: Iterable[str]) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})


def _save_new(link: TrackedLink) -> TrackedLink:
    """Saves with a fresh code; a clash with an existing code (one in trillions; another
    organization's row is invisible here under row-level security) draws again."""
    for attempt in range(_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                link.save()
            return link
        except IntegrityError:
            if attempt == _CODE_ATTEMPTS - 1:
                raise
            code = new_code()
            if link.utm_content == link.code:
                link.utm_content = code
            link.code = code
    raise AssertionError("unreachable")


@transaction.atomic
def link_get_or_create(
    *,
    organization: Organization,
    target_url: str,
    post: Post | int | None = None,
    campaign: AdCampaign | int | None = None,
    created_by: User | None = None,
    **utm: str | None,
) -> tuple[TrackedLink, bool]:
    """The organization's link of this post or campaign to `target_url`, or a new one with the
    default UTM tags (`utm` values given here replace the defaults). Returns (link, created)."""
    _check_fields(utm)
    target_url = (target_url or "").strip()
    post, campaign = _owner(organization, post, campaign)
    existing = (
        TrackedLink.objects.for_organization(organization)
        .filter(post=post, campaign=campaign, target_url=target_url)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing, False
    code = new_code()
    defaults = default_utm(code=code, post=post, campaign=campaign, target_url=target_url)
    defaults.update({name: (value or "").strip() for name, value in utm.items()})
    link = TrackedLink(
        organization=organization,
        code=code,
        target_url=target_url,
        post=post,
        campaign=campaign,
        created_by=created_by,
        **defaults,
    )
    _clean(link)
    return _save_new(link), True


def link_for(
    *,
    organization: Organization,
    target_url: str,
    post: Post | int | None = None,
    campaign: AdCampaign | int | None = None,
    created_by: User | None = None,
    **utm: str | None,
) -> TrackedLink:
    """The tracked link of a post or campaign (or of neither) to `target_url`, created with the
    default UTM tags if there is none yet; editable afterwards with `link_update`."""
    return link_get_or_create(
        organization=organization, target_url=target_url, post=post, campaign=campaign, created_by=created_by, **utm
    )[0]


def link_create(
    *,
    access: Access,
    target_url: str,
    post: Post | int | None = None,
    campaign: AdCampaign | int | None = None,
    **utm: str | None,
) -> tuple[TrackedLink, bool]:
    access.require(Perm.WRITE)
    return link_get_or_create(
        organization=access.organization,
        target_url=target_url,
        post=post,
        campaign=campaign,
        created_by=access.user,
        **utm,
    )


@transaction.atomic
def link_update(*, access: Access, link: TrackedLink | int, **fields: str | None) -> TrackedLink:
    """Changes the target address and UTM tags; the code, post and campaign stay."""
    access.require(Perm.WRITE)
    _check_fields(fields)
    link = access_link(access, link, lock=True)
    for name, value in fields.items():
        setattr(link, name, (value or "").strip())
    _clean(link)
    link.save()
    return link
