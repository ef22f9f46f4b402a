"""The API's conventions for integrators: Idempotency-Key, RateLimit-* headers, strict and cursor
pagination, filter validation, ETags on KPI reads, deprecation headers, and a schema that documents
all of it (smm_platform/api/conventions.py, pagination.py, schema.py)."""

import calendar
import functools
import re
from datetime import date
from decimal import Decimal

import jsonschema
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from content.models import Post
from crm.models import Lead
from smm_platform.api.conventions import deprecated, deprecation_headers
from tests.content.test_posts import complete
from tests.integrations.factories import SocialAccountFactory
from tests.moderation.factories import InboxItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads_url(org):
    return f"/api/v1/orgs/{org.slug}/leads/"


def lead(external_id, **fields):
    return {"external_id": external_id, "created": "2026-03-01T10:00:00+03:00", **fields}


def field_errors(response):
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


# --------------------------------------------------------------------------- Idempotency-Key


def test_a_repeated_idempotency_key_returns_the_first_answer_and_creates_nothing(token_client, leads_url, org):
    first = token_client.post(leads_url, lead("A-1", value="10"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = token_client.post(leads_url, lead("A-1", value="10"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code in (200, 201)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Lead.objects.for_organization(org).count() == 1


def test_a_replay_does_not_run_the_view_again(token_client, leads_url, org):
    token_client.post(leads_url, lead("A-1", value="10"), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    Lead.objects.for_organization(org).update(value=Decimal("99"))  # a later change by someone else

    token_client.post(leads_url, lead("A-1", value="10"), format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert Lead.objects.for_organization(org).get().value == Decimal("99")


def test_the_same_key_with_another_body_is_a_422(token_client, leads_url):
    token_client.post(leads_url, lead("A-1"), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    response = token_client.post(leads_url, lead("B-2"), format="json", HTTP_IDEMPOTENCY_KEY="k-3")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_keys_are_per_caller_and_failures_are_not_kept(token_client, leads_url, owner_access, make_token, org):
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(owner_access, name='BI').secret}")
    token_client.post(leads_url, lead("A-1"), format="json", HTTP_IDEMPOTENCY_KEY="same-key")
    assert "Idempotent-Replayed" not in other.post(
        leads_url, lead("B-1"), format="json", HTTP_IDEMPOTENCY_KEY="same-key"
    )

    refused = token_client.post(leads_url, {"external_id": ""}, format="json", HTTP_IDEMPOTENCY_KEY="retry-me")
    corrected = token_client.post(leads_url, lead("C-1"), format="json", HTTP_IDEMPOTENCY_KEY="retry-me")
    assert refused.status_code == 400
    assert corrected.status_code in (200, 201)
    assert "Idempotent-Replayed" not in corrected
    assert Lead.objects.for_organization(org).count() == 3


@pytest.mark.parametrize("key", ["", "x" * 256, "ключ"])
def test_a_malformed_key_is_a_400(token_client, leads_url, key):
    response = token_client.post(leads_url, lead("A-1"), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert "Idempotency-Key" in field_errors(response)


# --------------------------------------------------------------------------- RateLimit-* headers


@pytest.fixture
def tight_limit(settings):
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/min"},
    }
    yield
    cache.clear()


def test_rate_limit_headers_count_down_to_a_429(token_client, org, tight_limit):
    url = f"/api/v1/orgs/{org.slug}/leads/"
    answers = [token_client.get(url) for _ in range(4)]

    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r["RateLimit-Remaining"] for r in answers] == ["2", "1", "0", "0"]
    assert {r["RateLimit-Limit"] for r in answers} == {"3"}
    assert all(0 < int(r["RateLimit-Reset"]) <= 60 for r in answers)


def test_rate_limit_headers_on_errors_too(token_client, api_client, org, tight_limit):
    assert "RateLimit-Remaining" in token_client.get("/api/v1/orgs/nobody/leads/")  # 404
    assert "RateLimit-Remaining" in token_client.get(f"/api/v1/orgs/{org.slug}/leads/?page=0")  # 400
    api_client.credentials(HTTP_AUTHORIZATION="Bearer smm_nope_nope")
    unauthorized = api_client.get(f"/api/v1/orgs/{org.slug}/leads/")
    assert unauthorized.status_code == 401
    assert unauthorized["RateLimit-Limit"] == "3"


# --------------------------------------------------------------------------- pagination and filters


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("page_size=x", "page_size"),
        ("page_size=1&page_size=2", "page_size"),
        ("cursor=%%%", "cursor"),
        ("cursor=&page=1", "cursor"),
    ],
)
def test_malformed_pagination_is_a_400_naming_the_parameter(token_client, leads_url, query, field):
    assert field in field_errors(token_client.get(f"{leads_url}?{query}"))


def test_the_cursor_walks_every_lead_once_newest_first_even_when_leads_arrive(token_client, leads_url, org):
    token_client.post(leads_url, {"items": [lead(f"L-{i}") for i in range(5)]}, format="json")
    ids = sorted(Lead.objects.for_organization(org).values_list("id", flat=True), reverse=True)

    seen, url = [], f"{leads_url}?cursor=&page_size=2"
    while url:
        page = token_client.get(url).json()
        assert "count" not in page
        seen += [row["id"] for row in page["results"]]
        if len(seen) == 2:  # a lead arriving mid-walk is neither repeated nor shifts the pages
            token_client.post(leads_url, lead("L-new"), format="json")
        url = page["next"]

    assert seen == ids


def test_page_numbers_stay_the_default(token_client, leads_url):
    token_client.post(leads_url, {"items": [lead(f"L-{i}") for i in range(3)]}, format="json")
    page = token_client.get(f"{leads_url}?page_size=2&page=2").json()
    assert page["count"] == 3
    assert len(page["results"]) == 1


@pytest.mark.parametrize("query", ["platform=bogus", "status=zzz", "kind=x", "tone=angry", "assignee=abc", "tag=nope"])
def test_an_unknown_inbox_filter_value_is_a_400(token_client, org, query):
    name = query.split("=")[0]
    assert name in field_errors(token_client.get(f"/api/v1/orgs/{org.slug}/inbox/items/?{query}"))


def test_valid_inbox_filters_pass(token_client, org):
    response = token_client.get(f"/api/v1/orgs/{org.slug}/inbox/items/?platform=vk&status=new&overdue=1&assignee=none")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("ads/stats/?until=", "until"),
        ("ads/stats/?since=", "since"),
        ("ads/stats/?campaign=", "campaign"),
        ("sales/?sold_before=", "sold_before"),
        ("sales/?sold_after=", "sold_after"),
        ("leads/?created_after=", "created_after"),
        ("leads/?attributed=", "attributed"),
        ("leads/?attributed=null", "attributed"),
        ("leads/?attributed=true&attributed=false", "attributed"),
        ("ads/rule-evaluations/?fired=null&fired=null", "fired"),
        ("ads/rule-evaluations/?fired=maybe", "fired"),
        ("ads/stats/?until=2026-03-01&until=2026-03-02", "until"),
        ("leads/?status=new&status=won", "status"),
        ("goals/?strategy=", "strategy"),
    ],
)
def test_an_empty_repeated_or_non_boolean_filter_is_a_400_naming_it(token_client, org, path, field):
    assert field in field_errors(token_client.get(f"/api/v1/orgs/{org.slug}/{path}"))


@pytest.mark.parametrize(
    "path",
    ["leads/?status=", "leads/?attributed=true", "leads/?attributed=0", "ads/stats/?until=2026-03-01", "goals/"],
)
def test_an_empty_enum_filter_is_any_and_well_formed_filters_pass(token_client, org, path):
    assert token_client.get(f"/api/v1/orgs/{org.slug}/{path}").status_code == 200


def test_an_empty_objective_lists_the_whole_kpi_catalog_as_the_schema_states(token_client, org):
    url = f"/api/v1/orgs/{org.slug}/kpis/catalog/"
    everything, empty = token_client.get(url).json(), token_client.get(url + "?objective=").json()
    assert empty == everything
    assert len(everything) > 1
    schema = token_client.get("/api/schema/?format=json").json()
    (objective,) = [
        p
        for p in schema["paths"]["/api/v1/orgs/{org_slug}/kpis/catalog/"]["get"]["parameters"]
        if p["name"] == "objective"
    ]
    assert "" in objective["schema"]["enum"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("inbox/items/?tone=", "tone"),
        ("inbox/items/?assignee=", "assignee"),
        ("inbox/items/?kind=&status=&tag=", "kind"),
    ],
)
def test_an_empty_query_serializer_parameter_is_not_given_and_the_schema_admits_it(token_client, org, path, name):
    url = f"/api/v1/orgs/{org.slug}/{path}"
    given = token_client.get(url)
    assert given.status_code == 200, given.content
    assert given.json() == token_client.get(re.sub(rf"&?{name}=(&|$)", "&", url).rstrip("&?")).json()
    template = "/api/v1/orgs/{org_slug}/" + path.split("?")[0]
    (parameter,) = [p for p in _schema()["paths"][template]["get"]["parameters"] if p["name"] == name]
    jsonschema.validate("", _json_schema(parameter["schema"]))


def test_an_empty_kpis_list_is_a_400_and_the_schema_refuses_it_too(token_client, org):
    url = f"/api/v1/orgs/{org.slug}/kpis/?start=2026-03-01&end=2026-03-31&kpis="
    assert "kpis" in field_errors(token_client.get(url))
    (parameter,) = [
        p for p in _schema()["paths"]["/api/v1/orgs/{org_slug}/kpis/"]["get"]["parameters"] if p["name"] == "kpis"
    ]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate("", _json_schema(parameter["schema"]))


def test_an_inbox_bulk_tag_is_one_of_the_tags_in_the_schema_and_the_server(token_client, org):
    item = InboxItemFactory(organization=org)
    url = f"/api/v1/orgs/{org.slug}/inbox/items/bulk/"
    refused = token_client.post(url, {"ids": [item.pk], "action": "tag", "tag": "0"}, format="json")
    assert "tag" in field_errors(refused)
    tagged = token_client.post(url, {"ids": [item.pk], "action": "tag", "tag": "praise"}, format="json")
    assert tagged.json() == {"updated": 1}
    components = _schema()["components"]["schemas"]
    tag = (components["BulkRequest"]["properties"]["tag"].get("allOf") or [{}])[0]
    enum = components[tag["$ref"].rsplit("/", 1)[-1]]["enum"] if "$ref" in tag else tag["enum"]
    assert set(enum) == {"question", "complaint", "order", "praise", "spam"}


def test_a_dry_run_import_answers_the_documented_200(token_client, org):
    account = SocialAccountFactory(organization=org)
    body = {"account": account.pk, "csv": "day,campaign,spend,impressions,clicks\n2026-01-02,C,1.00,10,1\n"}
    url = f"/api/v1/orgs/{org.slug}/ads/stats/import/"
    response = token_client.post(url, {**body, "dry_run": True}, format="json")
    assert response.status_code == 200, response.content
    assert_documented(_schema(), "/api/v1/orgs/{org_slug}/ads/stats/import/", "post", response)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("business-profile/", {"product": "Coffee", "support_contact_cost": 0}, "support_contact_cost"),
        ("business-profile/", {"product": "Coffee", "average_order_value": 420.5}, "average_order_value"),
        ("ads/budgets/", {"month": "2026-03-01", "amount": 1500}, "amount"),
        ("abtests/calculate/", {"baseline_percent": 5, "mde_percent": "10"}, "baseline_percent"),
    ],
)
def test_a_decimal_sent_as_a_json_number_is_a_400_as_the_schema_says_string(token_client, org, path, body, field):
    method = token_client.put if path == "business-profile/" else token_client.post
    errors = field_errors(method(f"/api/v1/orgs/{org.slug}/{path}", body, format="json"))
    assert errors[field] == ['Send the number as a string, e.g. "1500.00".']
    as_text = {**body, field: str(body[field])}
    assert field not in (
        method(f"/api/v1/orgs/{org.slug}/{path}", as_text, format="json").json().get("error") or {}
    ).get("fields", {})


@pytest.mark.parametrize("url", ["\fhttps://example.com/", " https://example.com/", "https://example.com/ ", 5])
def test_a_url_is_taken_as_sent_white_space_around_it_is_a_400(token_client, org, url):
    body = {"title": "T", "kind": "algorithm", "platform": "vk", "noted_on": "2026-03-01", "source_url": url}
    response = token_client.post(f"/api/v1/orgs/{org.slug}/trend-notes/", body, format="json")
    assert "source_url" in field_errors(response)
    ok = token_client.post(
        f"/api/v1/orgs/{org.slug}/trend-notes/", {**body, "source_url": "https://example.com/"}, format="json"
    )
    assert ok.status_code == 201, ok.content


# --------------------------------------------------------------------------- ETag on KPI reads


@pytest.mark.parametrize("path", ["kpis/catalog/", "kpis/?start=2026-03-01&end=2026-03-31&kpis=reach,leads"])
def test_kpi_reads_answer_an_etag_and_304_when_unchanged(token_client, org, path):
    url = f"/api/v1/orgs/{org.slug}/{path}"
    first = token_client.get(url)
    etag = first["ETag"]

    unchanged = token_client.get(url, HTTP_IF_NONE_MATCH=etag)
    stale = token_client.get(url, HTTP_IF_NONE_MATCH='"something-else"')

    assert first.status_code == 200
    assert etag.startswith('"')
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert stale.status_code == 200
    assert stale["ETag"] == etag


def test_the_etag_changes_with_the_answer(token_client, org):
    url = f"/api/v1/orgs/{org.slug}/kpis/catalog/"
    assert token_client.get(url)["ETag"] != token_client.get(url + "?objective=leads")["ETag"]


# --------------------------------------------------------------------------- deprecation


def test_deprecation_and_sunset_headers():
    headers = deprecation_headers(
        since=date(2026, 12, 1), sunset=date(2027, 6, 1), link="https://example.com/changelog"
    )
    assert headers == {
        "Deprecation": f"@{calendar.timegm((2026, 12, 1, 0, 0, 0))}",
        "Sunset": "Tue, 01 Jun 2027 00:00:00 GMT",
        "Link": '<https://example.com/changelog>; rel="deprecation"; type="text/html"',
    }


def test_a_deprecated_operation_sends_the_headers_and_is_marked_in_the_schema():
    class OldView(APIView):
        authentication_classes: list = []
        permission_classes: list = []

        @deprecated(since=date(2026, 12, 1), sunset=date(2027, 6, 1), link="https://example.com/changelog")
        def get(self, request):
            return Response({"ok": True})

    response = OldView.as_view()(APIRequestFactory().get("/old/"))
    assert response["Deprecation"] == f"@{calendar.timegm((2026, 12, 1, 0, 0, 0))}"
    assert response["Sunset"].startswith("Tue, 01 Jun 2027")

    from django.urls import path

    schema = SchemaGenerator(patterns=[path("api/v1/old/", OldView.as_view())]).get_schema(request=None, public=True)
    assert schema["paths"]["/api/v1/old/"]["get"]["deprecated"] is True


# --------------------------------------------------------------------------- the schema documents it all


@pytest.fixture(scope="module")
def schema():
    return _schema()


@functools.cache
def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_every_operation_documents_its_errors_with_the_shared_schema(schema):
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, method, operation in operations(schema):
        for code in ("400", "401", "403", "404", "429"):
            assert operation["responses"][code]["content"] == error, f"{method} {path} {code}"
        if method == "post":
            assert operation["responses"]["422"]["content"] == error
            assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
        assert "RateLimit-Remaining" in next(iter(operation["responses"].values()))["headers"]


def test_shared_parameters_declare_the_constraints_the_server_enforces(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            kind = parameter["schema"]
            if parameter["name"] == "page":
                assert kind["minimum"] == 1
            if parameter["name"] == "page_size":
                assert (kind["minimum"], kind["maximum"]) == (1, 200)
            if parameter["in"] == "path" and kind.get("type") == "integer":
                assert kind["minimum"] == 1, f"{method} {path}"


def test_the_large_collections_offer_a_cursor(schema):
    for path in ("/api/v1/orgs/{org_slug}/leads/", "/api/v1/orgs/{org_slug}/inbox/items/"):
        assert "cursor" in [p["name"] for p in schema["paths"][path]["get"]["parameters"]]
    assert "304" in schema["paths"]["/api/v1/orgs/{org_slug}/kpis/"]["get"]["responses"]


# Query parameters taking a row id (`?object_id=` of the audit log is any object's key, a string).
ID_NAME = re.compile(r"^(id|account|campaign|competitor|endpoint|goal|item|pillar|post|rule|strategy)$")


def id_query_parameters(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            name, kind = parameter["name"], parameter["schema"]
            if parameter["in"] != "query" or name in ("page", "page_size"):
                continue
            if kind.get("type") == "integer" or ID_NAME.match(name):
                yield path, method, parameter


def test_every_integer_query_parameter_naming_an_id_declares_minimum_one(schema):
    found = list(id_query_parameters(schema))
    assert len(found) >= 20  # strategy, account, goal, pillar, campaign, endpoint, … on many lists
    for path, method, parameter in found:
        kind = parameter["schema"]
        assert kind.get("type") == "integer", f"{method} {path} ?{parameter['name']}: {kind}"
        assert kind.get("minimum", 0) >= 1, f"{method} {path} ?{parameter['name']}: {kind}"


def test_only_list_actions_document_filters(schema):
    history = schema["paths"]["/api/v1/orgs/{org_slug}/posts/{id}/history/"]["get"]
    assert {p["name"] for p in history.get("parameters", []) if p["in"] == "query"} == set()


def _id_filter_cases():
    found = sorted(
        {(path, parameter["name"]) for path, method, parameter in id_query_parameters(_schema()) if method == "get"}
    )
    return [(path, name, value) for path, name in found for value in ("0", "-1")]


@pytest.mark.parametrize(("path", "name", "value"), _id_filter_cases())
def test_an_id_filter_below_one_is_a_400_naming_the_parameter(token_client, org, path, name, value):
    url = path.replace("{org_slug}", org.slug)
    query = {name: value}
    if "calendar/" in path:
        query |= {"start": "2026-03-01", "end": "2026-03-31"}
    response = token_client.get(url, query)
    assert response.status_code == 400, (url, query, response.content[:300])
    assert name in response.json()["error"]["fields"]


def test_a_fractional_id_is_a_400_too(token_client, org):
    response = token_client.get(f"/api/v1/orgs/{org.slug}/links/", {"campaign": "1.5"})
    assert response.status_code == 400
    assert "campaign" in response.json()["error"]["fields"]


def test_a_valid_id_filter_still_filters(token_client, org):
    assert token_client.get(f"/api/v1/orgs/{org.slug}/links/", {"campaign": "1"}).status_code == 200
    assert token_client.get(f"/api/v1/orgs/{org.slug}/links/", {"campaign": str(2**63 - 1)}).status_code == 200


# ------------------------------------------------------ documented statuses are the ones answered


def _json_schema(node):
    """OpenAPI 3.0 → JSON Schema: `nullable: true` becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(value) for value in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def assert_documented(schema, template, method, response):
    responses = schema["paths"][template][method]["responses"]
    code = str(response.status_code)
    assert code in responses, f"{method} {template} answered {code}, documents {sorted(responses)}"
    body_schema = responses[code]["content"]["application/json"]["schema"]
    root = _json_schema({**body_schema, "components": schema["components"]})
    jsonschema.validate(response.json(), root)


def test_the_four_creating_actions_document_the_status_they_answer(
    schema, owner_client, org, owner_access, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    post = complete(owner_access)
    base = f"/api/v1/orgs/{org.slug}"
    posts = "/api/v1/orgs/{org_slug}/posts/{id}"

    photo = SimpleUploadedFile("cup.jpg", b"x" * 100, content_type="image/jpeg")
    media = owner_client.post(f"{base}/posts/{post.pk}/media/", {"file": photo}, format="multipart")
    assert media.status_code == 201, media.content
    assert_documented(schema, f"{posts}/media/", "post", media)

    comment = owner_client.post(f"{base}/posts/{post.pk}/comment/", {"comment": "Хорошо"}, format="json")
    assert comment.status_code == 201, comment.content
    assert_documented(schema, f"{posts}/comment/", "post", comment)

    duplicate = owner_client.post(f"{base}/posts/{post.pk}/duplicate/")
    assert duplicate.status_code == 201, duplicate.content
    assert_documented(schema, f"{posts}/duplicate/", "post", duplicate)

    item = InboxItemFactory(organization=org, text="Отличный кофе!")
    testimonial = owner_client.post(f"{base}/inbox/items/{item.pk}/testimonial/")
    assert testimonial.status_code == 201, testimonial.content
    assert_documented(schema, "/api/v1/orgs/{org_slug}/inbox/items/{id}/testimonial/", "post", testimonial)
    assert Post.objects.for_organization(org).filter(pk=testimonial.json()["post"]).exists()


@pytest.mark.parametrize("amount", ["0", "0.00", "00.0", ".00", "0.001"])
def test_a_decimal_that_must_be_above_zero_says_so_in_the_schema_and_zero_is_a_400(token_client, org, amount):
    schema = token_client.get("/api/schema/?format=json").json()
    pattern = schema["components"]["schemas"]["AdBudgetRequest"]["properties"]["amount"]["pattern"]
    assert all(re.search(pattern, ok) for ok in ["0.01", ".5", "5", "007.10", "123456789012.99"])
    assert not re.search(pattern, amount)
    response = token_client.post(
        f"/api/v1/orgs/{org.slug}/ads/budgets/", {"month": "2026-03-01", "amount": amount}, format="json"
    )
    assert "amount" in field_errors(response)


@pytest.mark.parametrize(
    ("currency", "known"), [("RUB", True), ("rub", True), ("uSd", True), ("XAU", False), ("ZZZ", False)]
)
def test_the_schema_states_the_currency_codes_the_server_accepts(token_client, org, currency, known):
    schema = token_client.get("/api/schema/?format=json").json()
    pattern = schema["components"]["schemas"]["SaleInRequest"]["properties"]["currency"]["pattern"]
    assert bool(re.search(pattern, currency)) is known
    sale = {"external_id": f"S-{currency}", "amount": "10.00", "currency": currency, "sold_at": "2026-03-01T10:00:00Z"}
    response = token_client.post(f"/api/v1/orgs/{org.slug}/sales/", sale, format="json")
    assert (response.status_code == 200) is known, response.content


def _texts_of(values, places):
    """Every way a client may write each value: padded, trimmed, without the whole zero, leading zeros."""
    for value in values:
        text = f"{value:.{places}f}"
        yield from {text, text + "0", "00" + text}
        if "." in text:
            trimmed = text.rstrip("0")
            yield from {trimmed, trimmed.rstrip("."), trimmed[1:] if trimmed.startswith("0.") else trimmed}


@pytest.mark.parametrize(
    ("low", "high", "digits", "places"),
    [
        ("0.1", "500", 6, 2),  # an A/B test's minimum detectable effect
        ("0.001", "0.2", 4, 3),  # its significance level
        ("0.5", "0.99", 4, 3),  # its power
        ("0.0001", "99.9999", 7, 4),  # a current rate
        ("0", "100", 5, 2),  # a percentage
        ("3", "250", 4, 0),
    ],
)
def test_a_bounded_decimal_pattern_matches_exactly_what_the_server_accepts(low, high, digits, places):
    from rest_framework import serializers

    from smm_platform.api.schema import decimal_range_pattern

    field = serializers.DecimalField(
        max_digits=digits, decimal_places=places, min_value=Decimal(low), max_value=Decimal(high)
    )
    pattern = re.compile(decimal_range_pattern(Decimal(low), Decimal(high), places))
    step = Decimal(1).scaleb(-places)
    top = 10 ** (digits - places) * 10**places  # every value the field's digits can write, in steps
    edges = [int(Decimal(bound) / step) for bound in (low, high)] + [top - 1]
    steps = {*range(min(top, 2000)), *range(0, top, max(1, top // 2000))}
    steps |= {n + d for n in edges for d in range(-30, 31) if 0 <= n + d < top}
    values = [n * step for n in sorted(steps)]
    texts = {*_texts_of(values, places), "", ".", "-1", "-0.5", "1.2.3", " "}
    for text in texts:
        try:
            field.run_validation(text)
            accepted = True
        except serializers.ValidationError:
            accepted = False
        assert bool(pattern.search(text)) is accepted, (text, accepted)


def test_the_ab_test_bounds_are_in_the_schema_and_the_planner_refuses_what_is_outside(token_client, org):
    schema = token_client.get("/api/schema/?format=json").json()["components"]["schemas"]
    for component in ("ABTestRequest", "PatchedABTestRequest", "CalculatorRequest"):
        properties = schema[component]["properties"]
        for name, inside, outside in [
            ("mde_percent", ["0.1", "20", "500.00", ".5"], ["0.09", "0", "500.01", "1000"]),
            ("alpha", ["0.001", "0.05", ".2", "0.200"], ["0", "0.0009", "0.201", "0.3", "1"]),
            ("power", ["0.5", "0.8", "0.99", ".990"], ["0.49", "0.991", "1", "0"]),
            ("baseline_percent", ["0.0001", "2.5", "99.9999"], ["0", "100", "0.00001"]),
        ]:
            pattern = properties[name]["pattern"]
            assert all(re.search(pattern, text) for text in inside), (component, name)
            assert not any(re.search(pattern, text) for text in outside), (component, name)
    url = f"/api/v1/orgs/{org.slug}/abtests/calculate/"
    for name, value in [("alpha", "0.3"), ("power", "0.4"), ("baseline_percent", "100"), ("mde_percent", "0.05")]:
        body = {"metric": "ctr", "mde_percent": "20", "baseline_percent": "2", name: value}
        assert name in field_errors(token_client.post(url, body, format="json"))
    ok = token_client.post(url, {"metric": "ctr", "mde_percent": "20", "baseline_percent": "2"}, format="json")
    assert ok.status_code == 200, ok.content


def test_a_required_text_states_it_needs_more_than_white_space(token_client, org):
    schema = token_client.get("/api/schema/?format=json").json()["components"]["schemas"]
    pattern = schema["ExperimentRequest"]["properties"]["title"]["pattern"]
    assert re.search(pattern, " Reels ")
    assert not re.search(pattern, "\u0085 \t")
    assert schema["ApiTokenRequest"]["properties"]["name"]["pattern"] == pattern  # every required text
    body = {"title": "\u0085", "hypothesis": "h", "kind": "format", "start_date": "2026-03-01"}
    assert "title" in field_errors(token_client.post(f"/api/v1/orgs/{org.slug}/experiments/", body, format="json"))


def test_list_lengths_are_in_the_schema(schema):
    components = schema["components"]["schemas"]
    variants = components["ABTestRequest"]["properties"]["variants"]
    assert (variants["minItems"], variants["maxItems"]) == (2, 4)
    counts = components["CountsRequest"]["properties"]["counts"]
    assert (counts["minItems"], counts["maxItems"]) == (1, 4)


def test_the_schema_states_the_shapes_of_competitor_links_kpi_keys_and_telegram_inputs(token_client, org):
    document = token_client.get("/api/schema/?format=json").json()
    schema = document["components"]["schemas"]
    links = schema["CompetitorRequest"]["properties"]["links"]
    assert set(links["properties"]) == {"vk", "telegram", "instagram", "facebook"}
    assert links["additionalProperties"] is False
    bad_links = {"name": "Rival", "links": {"myspace": "https://myspace.com/rival"}}
    assert "links" in field_errors(token_client.post(f"/api/v1/orgs/{org.slug}/competitors/", bad_links, format="json"))

    (kpis,) = [
        p for p in document["paths"]["/api/v1/orgs/{org_slug}/kpis/"]["get"]["parameters"] if p["name"] == "kpis"
    ]
    pattern = kpis["schema"]["pattern"]
    for text, known in [
        ("reach", True),
        (" reach , er,,cpl ", True),
        (",leads", True),
        ("0", False),
        ("reach er", False),
    ]:
        assert bool(re.search(pattern, text)) is known, text
        query = {"kpis": text, "start": "2026-03-01", "end": "2026-03-07"}
        response = token_client.get(f"/api/v1/orgs/{org.slug}/kpis/", query)
        assert (response.status_code == 200) is known, (text, response.content)

    telegram = schema["TelegramConnectRequest"]["properties"]
    for text, known in [("7012345678:AAF-ZernoBotSecretToken_abcdefghijk", True), ("123:short", False)]:
        assert bool(re.search(telegram["bot_token"]["pattern"], text)) is known
    for text, known in [
        ("@zerno_coffee", True),
        ("https://t.me/zerno_coffee", True),
        ("-100214", True),
        ("@ab", False),
    ]:
        assert bool(re.search(telegram["chat"]["pattern"], text)) is known
    shape = {"bot_token": "123:short", "chat": "@zerno_coffee"}
    response = token_client.post(
        f"/api/v1/orgs/{org.slug}/integrations/accounts/connect-telegram/", shape, format="json"
    )
    assert "bot_token" in field_errors(response)


def test_an_ad_rule_figure_that_cannot_be_negative_says_so(schema):
    properties = schema["components"]["schemas"]["RuleRequest"]["properties"]
    for name in ("factor", "min_spend", "ctr_below", "budget_min", "budget_max"):
        assert not properties[name]["pattern"].startswith("^-"), name
    assert "-?" in properties["romi_above"]["pattern"][:8]  # a ROMI may be negative


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com",
        "HTTP://Example.COM:8080/a?b=c#d",
        "https://www.shop.example.co.uk/x",
        "http://user:pass@1.2.3.4/",
        "http://localhost/",
        " https://пример.рф/путь ",
        "https://" + ".".join(["a" * 63] * 3) + "." + "b" * 59,
        "http://a",
        "http://-a.com",
        "ftp://a.com",
        "https://" + ".".join(["a" * 63] * 4) + ".com",  # a host name over 253 characters
        "https://a .com",
    ],
)
def test_the_url_pattern_accepts_only_what_the_server_accepts(text):
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    from core.patterns import url_pattern

    try:
        URLValidator(schemes=["http", "https"])(text.strip())
        accepted = True
    except ValidationError:
        accepted = False
    matched = bool(re.search(url_pattern(["http", "https"]), text))
    assert matched == accepted, (matched, accepted)


def test_the_schema_states_non_empty_lists_query_patterns_and_null_decimals(token_client, org, schema):
    components = schema["components"]["schemas"]
    assert components["PostScheduleRequest"]["properties"]["accounts"]["minItems"] == 1
    (assignee,) = [
        p
        for p in schema["paths"]["/api/v1/orgs/{org_slug}/inbox/items/"]["get"]["parameters"]
        if p["name"] == "assignee"
    ]
    assert assignee["schema"]["pattern"] == r"^$|^(none|[1-9][0-9]{0,18})$"  # empty: not given
    pattern = components["PatchedBusinessProfileRequest"]["properties"]["support_contact_cost"]["pattern"]
    assert re.search(pattern, "")
    assert re.search(pattern, "12.50")
    from rest_framework import serializers

    nullable = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    assert nullable.run_validation("") is None  # what the pattern's empty alternative states
