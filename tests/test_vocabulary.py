"""Each shared term (core.vocabulary) is defined once and shown once in the API schema."""

import importlib
from collections import defaultdict

import pytest
from django.apps import apps
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import deep_import_string

from content.models import Post
from core.vocabulary import AD_PLATFORMS, CampaignStatus, Platform, PostFormat, SocialPlatform
from integrations.connectors import registry

from .strategy.factories import ContentPillarFactory

SHARED = {
    "PlatformEnum": Platform,
    "SocialPlatformEnum": SocialPlatform,
    "PostFormatEnum": PostFormat,
    "CampaignStatusEnum": CampaignStatus,
}


@pytest.fixture(scope="module")
def enums() -> dict[str, tuple]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        name: tuple(component["enum"])
        for name, component in schema["components"]["schemas"].items()
        if "enum" in component
    }


def test_no_two_enum_components_list_the_same_values(enums):
    by_values = defaultdict(list)
    for name, values in enums.items():
        by_values[frozenset(values)].append(name)
    duplicates = [sorted(names) for names in by_values.values() if len(names) > 1]
    assert not duplicates, (
        f"the same choices appear under several names: {duplicates}. Define the term once "
        "(core.vocabulary for shared terms) and name it in SPECTACULAR_SETTINGS['ENUM_NAME_OVERRIDES']."
    )


def test_shared_terms_have_their_stable_names(enums):
    for name, choices in SHARED.items():
        assert settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"][name] == f"core.vocabulary.{choices.__name__}"
        assert enums[name] == tuple(choices.values), name


def test_a_named_choice_set_is_never_shown_under_a_field_name(enums):
    """A component with the values of a choice set named in ENUM_NAME_OVERRIDES carries that name,
    not one derived from a field (e.g. `FormatEnum` next to `PostFormatEnum`)."""
    for name, path in settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].items():
        choices = deep_import_string(path)
        values = frozenset(v for v, _ in getattr(choices, "choices", choices) if v not in ("", None))
        same = [other for other, listed in enums.items() if frozenset(listed) == values]
        assert same in ([], [name]), f"{path} appears as {same}, expected {name}"


def test_social_platforms_are_platforms_with_the_same_labels():
    for member in SocialPlatform:
        assert Platform(member.value).label == member.label
    assert not (set(SocialPlatform.values) & AD_PLATFORMS)
    assert Platform.DEMO not in SocialPlatform.values


def test_every_platform_has_a_connector_that_names_it():
    # Other tests may register extra test connectors, so only inclusion is asserted.
    assert set(Platform.values) <= set(registry.platforms())
    for platform in Platform:
        assert registry.get_connector_class(platform).platform == platform.value


# --- the migration that moved stored formats onto PostFormat ------------------------------------

pillar_formats_migration = importlib.import_module("strategy.migrations.0005_pillar_formats_shared_vocabulary")
post_format_migration = importlib.import_module("content.migrations.0003_post_format_shared_vocabulary")


def test_stored_formats_move_to_post_format_and_back(org):
    pillar = ContentPillarFactory(strategy__organization=org, formats=["image", "short_video", "poll"])
    untouched = ContentPillarFactory(strategy__organization=org, formats=[])
    posts = {
        old: Post.objects.create(organization=org, platform="vk", title=old, objective="leads", format=old)
        for old in ("image", "short_video", "carousel")
    }

    pillar_formats_migration.forwards(apps, None)
    post_format_migration.forwards(apps, None)
    pillar.refresh_from_db()
    untouched.refresh_from_db()
    assert pillar.formats == ["photo", "reel", "poll"]
    assert untouched.formats == []
    assert {old: Post.objects.get(pk=p.pk).format for old, p in posts.items()} == {
        "image": "photo",
        "short_video": "reel",
        "carousel": "carousel",
    }
    assert set(pillar.formats) <= set(PostFormat.values)

    pillar_formats_migration.backwards(apps, None)
    post_format_migration.backwards(apps, None)
    pillar.refresh_from_db()
    assert pillar.formats == ["image", "short_video", "poll"]
    assert [Post.objects.get(pk=p.pk).format for p in posts.values()] == ["image", "short_video", "carousel"]
