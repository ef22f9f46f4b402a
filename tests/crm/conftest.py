import pytest
from rest_framework.test import APIClient


@pytest.fixture
def read_client(owner_access, make_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(owner_access, scopes=('read',)).secret}")
    return client


@pytest.fixture
def leads_url(org):
    return f"/api/v1/orgs/{org.slug}/leads/"


@pytest.fixture
def sales_url(org):
    return f"/api/v1/orgs/{org.slug}/sales/"
