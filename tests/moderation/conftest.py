# The recorded-platform fixtures of the connector tests (a fake VK API serving tests/fixtures).
from tests.integrations.connectors.conftest import documented_statuses, fixtures_dir, platform_api, vk

__all__ = ["documented_statuses", "fixtures_dir", "platform_api", "vk"]
