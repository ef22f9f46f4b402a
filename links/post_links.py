"""The tracked short link behind a post's call to action (registered in content.hooks)."""

from django.conf import settings

from content.models import Post

from .services import link_for


def cta_short_url(post: Post) -> str:
    """The post's link to its CTA address, created with the default UTM tags, as an absolute URL."""
    link = link_for(organization=post.organization, target_url=post.cta_url, post=post, created_by=post.created_by)
    return f"{settings.SITE_URL.rstrip('/')}/l/{link.code}"
