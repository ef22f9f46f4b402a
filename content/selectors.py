from django.db.models import QuerySet

from tenancy.models import Organization

from .models import Post


def post_list(*, organization: Organization, status: str | None = None) -> QuerySet[Post]:
    qs = Post.objects.filter(organization=organization).select_related("goal", "pillar", "strategy")
    return qs.filter(status=status) if status else qs
