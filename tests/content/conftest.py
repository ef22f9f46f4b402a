import pytest

from integrations.models import Platform
from tests.integrations.factories import SocialAccountFactory


@pytest.fixture(autouse=True)
def vk_account(request):
    """A connected VK community of `org`: a post can be scheduled only to a connected account."""
    if "org" not in request.fixturenames or "django_db_setup" not in request.fixturenames:
        return None
    org = request.getfixturevalue("org")
    return SocialAccountFactory(organization=org, platform=Platform.VK, external_id="1", display_name="Зерно ВК")
