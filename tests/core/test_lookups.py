"""``has_item`` on a JSON list: exact membership, numbers and strings, on the test database."""

import pytest

from content.models import Post
from moderation.models import InboxItem, InboxTag
from tests.content.factories import PostFactory
from tests.moderation.factories import InboxItemFactory
from tests.tenancy.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_has_item_matches_whole_numbers_only():
    org = OrganizationFactory()
    one = PostFactory(organization=org, target_accounts=[1, 12])
    PostFactory(organization=org, target_accounts=[21])
    PostFactory(organization=org, target_accounts=[])
    posts = Post.objects.for_organization(org)
    assert list(posts.filter(target_accounts__has_item=1)) == [one]
    assert list(posts.filter(target_accounts__has_item=12)) == [one]
    assert not posts.filter(target_accounts__has_item=2).exists()


def test_has_item_matches_strings_and_choices():
    org = OrganizationFactory()
    praised = InboxItemFactory(organization=org, tags=[InboxTag.PRAISE, InboxTag.QUESTION])
    InboxItemFactory(organization=org, tags=["praiseworthy"])
    items = InboxItem.objects.for_organization(org)
    assert list(items.filter(tags__has_item=InboxTag.PRAISE)) == [praised]
    assert list(items.filter(tags__has_item="question")) == [praised]
    assert not items.filter(tags__has_item="complaint").exists()
