"""API_DOCS_PUBLIC: the schema and Swagger UI are public by default, behind sign-in when off."""

import pytest

pytestmark = pytest.mark.django_db

SCHEMA = {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}


def test_docs_are_public_by_default(client, settings):
    assert settings.API_DOCS_PUBLIC is True
    schema = client.get("/api/schema/", **SCHEMA)
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "SMM Platform API"
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_private_docs_require_sign_in(client, settings):
    settings.API_DOCS_PUBLIC = False
    schema = client.get("/api/schema/", **SCHEMA)
    assert schema.status_code == 401
    assert schema.json()["error"]["code"] == "not_authenticated"
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"] == "/accounts/login/?next=/api/docs/"


def test_private_docs_open_to_members_and_tokens(owner_web, token_client, settings):
    settings.API_DOCS_PUBLIC = False
    assert owner_web.get("/api/schema/", **SCHEMA).status_code == 200
    assert owner_web.get("/api/docs/").status_code == 200
    assert token_client.get("/api/schema/", **SCHEMA).status_code == 200
