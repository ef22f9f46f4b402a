"""Platform key → connector class. Built-ins are imported lazily so importing the registry
does not pull every platform module (and so a module can register itself without cycles)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from core.vocabulary import Platform
from integrations.connectors.base import Connector

ConnectorFactory = Callable[..., Connector]

# "module:attribute" strings resolved on first use, keyed by the shared `Platform` values (each
# connector's ``platform`` attribute matches its key; a test checks). ``demo`` is provided by
# integrations/connectors/demo.py (class DemoConnector) — it only has to exist there.
_LAZY: dict[str, str] = {
    Platform.VK: "integrations.connectors.vk:VKConnector",
    Platform.VK_ADS: "integrations.connectors.vk_ads:VKAdsConnector",
    Platform.TELEGRAM: "integrations.connectors.telegram:TelegramConnector",
    Platform.INSTAGRAM: "integrations.connectors.instagram:InstagramConnector",
    Platform.FACEBOOK: "integrations.connectors.facebook:FacebookConnector",
    Platform.META_ADS: "integrations.connectors.meta_ads:MetaAdsConnector",
    Platform.DEMO: "integrations.connectors.demo:DemoConnector",
}
_FACTORIES: dict[str, ConnectorFactory] = {}


class UnknownPlatform(LookupError):
    pass


def register_connector(platform: str, factory: ConnectorFactory | str) -> None:
    """Register (or replace) the factory for ``platform``: a class/callable or "module:attr"."""
    if isinstance(factory, str):
        _LAZY[platform] = factory
        _FACTORIES.pop(platform, None)
    else:
        _FACTORIES[platform] = factory


def platforms() -> list[str]:
    return sorted(set(_LAZY) | set(_FACTORIES))


def get_connector_class(platform: str) -> ConnectorFactory:
    if platform in _FACTORIES:
        return _FACTORIES[platform]
    target = _LAZY.get(platform)
    if target is None:
        raise UnknownPlatform(f"no connector registered for platform {platform!r}")
    module_name, _, attr = target.partition(":")
    try:
        factory: ConnectorFactory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise UnknownPlatform(f"connector for {platform!r} is registered as {target} but cannot be loaded") from exc
    _FACTORIES[platform] = factory
    return factory


def get_connector(platform: str, **kwargs: Any) -> Connector:
    """Build a connector: ``get_connector("vk", access_token=..., external_id=..., base_url=...)``."""
    return get_connector_class(platform)(**kwargs)
