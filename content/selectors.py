from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tenancy.access import Access
from tenancy.models import Organization
from tenancy.scoping import get_for_organization

from .models import Notification, Post, Publication


def access_post(access: Access, post: Post | int, *, lock: bool = False) -> Post:
    """The organization's post, or NotFound (also for another organization's post)."""
    return get_for_organization(Post, access.organization, post, lock=lock, message=_("Post not found."))


def post_list(*, organization: Organization, status: str | None = None) -> QuerySet[Post]:
    qs = Post.objects.filter(organization=organization).select_related("goal", "pillar", "strategy")
    return qs.filter(status=status) if status else qs


def access_publication(access: Access, publication: Publication | int, *, lock: bool = False) -> Publication:
    return get_for_organization(
        Publication, access.organization, publication, lock=lock, message=_("Publication not found.")
    )


def publication_list(*, organization: Organization, status: str | None = None) -> QuerySet[Publication]:
    qs = Publication.objects.filter(organization=organization).select_related("post", "account")
    return qs.filter(status=status) if status else qs


def notification_list(*, organization: Organization, user: Any) -> QuerySet[Notification]:
    """The member's own notifications in this organization, newest first, with the publication
    and its post and account (for the link and the retry and reschedule actions)."""
    return (
        Notification.objects.filter(organization=organization, user=user)
        .select_related("publication", "publication__post", "publication__account")
        .order_by("-created_at", "-id")
    )


def unread_notification_count(*, organization: Organization, user: Any) -> int:
    return Notification.objects.filter(organization=organization, user=user, read_at__isnull=True).count()


def access_notification(access: Access, notification: Notification | int, *, lock: bool = False) -> Notification:
    """The member's own notification, or NotFound (another member's or organization's: 404)."""
    own = Notification.objects.for_organization(access.organization).filter(
        user_id=getattr(access.user, "pk", None) or 0
    )
    return get_for_organization(own, access.organization, notification, lock=lock, message=_("Notification not found."))
