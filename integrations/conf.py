"""Integration settings read from the environment (documented in the README, "Configuration").

Read at call time (not import time) so tests can set them with ``monkeypatch.setenv``.
"""

from __future__ import annotations

import os

from django.conf import settings

GRAPH_API_VERSION = "v25.0"


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def vk_client_id() -> str:
    return env("VK_CLIENT_ID")


def vk_client_secret() -> str:
    return env("VK_CLIENT_SECRET")


def vk_service_token() -> str:
    """The VK app's service key: reads public data of other communities (competitor tracking)."""
    return env("VK_SERVICE_TOKEN")


def vk_id_base_url() -> str:
    """VK ID OAuth 2.1 host: /authorize (browser) and /oauth2/auth (token endpoint)."""
    return env("VK_ID_BASE_URL", "https://id.vk.com").rstrip("/")


def vk_scopes() -> str:
    return env("VK_SCOPES", "wall groups stats ads offline")


def meta_app_id() -> str:
    return env("META_APP_ID")


def meta_app_secret() -> str:
    return env("META_APP_SECRET")


def meta_dialog_base_url() -> str:
    return env("META_OAUTH_DIALOG_BASE_URL", "https://www.facebook.com").rstrip("/")


def meta_graph_base_url() -> str:
    """Graph API host used for the token exchange (connectors add the version themselves)."""
    return env("META_GRAPH_BASE_URL", "https://graph.facebook.com").rstrip("/")


def meta_scopes(platform: str) -> str:
    default = {
        "facebook": "pages_show_list,pages_read_engagement,pages_manage_posts,pages_read_user_content,"
        "pages_manage_engagement,read_insights",
        "instagram": "instagram_basic,instagram_manage_insights,instagram_manage_comments,"
        "instagram_content_publish,pages_show_list,pages_read_engagement",
        "meta_ads": "ads_read,ads_management",
    }[platform]
    return env(f"META_SCOPES_{platform.upper()}", default)


def telegram_base_url() -> str:
    return env("TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/")


def site_url() -> str:
    return env("SITE_URL", getattr(settings, "SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


# Per-platform API base URL overrides for the connectors (tests, proxies). Unset → the
# connector's documented default.
CONNECTOR_BASE_URL_ENV = {
    "vk": "VK_API_BASE_URL",
    "vk_ads": "VK_API_BASE_URL",
    "telegram": "TELEGRAM_API_BASE_URL",
    "instagram": "META_GRAPH_BASE_URL",
    "facebook": "META_GRAPH_BASE_URL",
    "meta_ads": "META_GRAPH_BASE_URL",
}


def connector_base_url(platform: str) -> str | None:
    name = CONNECTOR_BASE_URL_ENV.get(platform)
    return (env(name) or None) if name else None
