from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tenancy.access import Access
from tenancy.models import Organization
from tenancy.scoping import get_for_organization

from .models import Post, Publication


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
