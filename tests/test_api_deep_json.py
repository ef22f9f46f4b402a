"""Request bodies the JSON parser must refuse cleanly (found by probing: 5,000 nested arrays made
`json.loads` raise RecursionError, which DRF's parser does not catch → 500)."""

import json

import pytest

from smm_platform.api.parsers import MAX_JSON_DEPTH, nesting_exceeds
from strategy.models import Competitor

pytestmark = pytest.mark.django_db


def nested_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_object(depth: int) -> str:
    return '{"name": ' * depth + '"x"' + "}" * depth


@pytest.mark.parametrize("body", [nested_list(5000), nested_object(5000), nested_list(100_000)])
def test_deeply_nested_json_is_a_400_in_the_api_error_format(token_client, org, body):
    response = token_client.post(f"/api/v1/orgs/{org.slug}/competitors/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "parse_error", "message": "JSON parse error - nested too deeply.", "fields": {}}
    }
    assert not Competitor.objects.exists()


def body_nested(depth: int) -> str:
    """A valid competitor whose ignored extra key makes the whole body ``depth`` levels deep."""
    return json.dumps({"name": "Кофе Бум", "extra": json.loads(nested_list(depth - 1))})


def test_nesting_up_to_the_limit_still_parses(token_client, org):
    url = f"/api/v1/orgs/{org.slug}/competitors/"

    accepted = token_client.post(url, body_nested(MAX_JSON_DEPTH), content_type="application/json")
    refused = token_client.post(url, body_nested(MAX_JSON_DEPTH + 1), content_type="application/json")

    assert accepted.status_code == 201
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "JSON parse error - nested too deeply."
    assert list(Competitor.objects.values_list("name", flat=True)) == ["Кофе Бум"]


@pytest.mark.parametrize(
    ("value", "limit", "exceeds"),
    [
        ("x", 0, False),
        ([], 1, False),
        ([], 0, True),
        ({"a": [1, {"b": []}]}, 4, False),
        ({"a": [1, {"b": []}]}, 3, True),
        ([[], [[[]]]], 3, True),
    ],
)
def test_nesting_exceeds(value, limit, exceeds):
    assert nesting_exceeds(value, limit) is exceeds
