"""Demo seeders: how each app adds its part of the demo organization without tenancy naming it.

An app that ships demo data registers ``seed(*, organization, users)`` from its
``AppConfig.ready()``. ``demo_seeders()`` returns them in ``INSTALLED_APPS`` order, which is the
data order (integrations → strategy → content → …: each seeder may use what an earlier one made),
whatever order the registrations happened in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

Seeder = Callable[..., Any]

_SEEDERS: dict[str, Seeder] = {}


def register_demo_seeder(app_label: str, seed: Seeder) -> None:
    if _SEEDERS.get(app_label, seed) is not seed:
        raise ImproperlyConfigured(f"A demo seeder for {app_label!r} is already registered.")
    _SEEDERS[app_label] = seed


def demo_seeders() -> list[tuple[str, Seeder]]:
    """(app label, seed) in data order (``INSTALLED_APPS``)."""
    return [(config.label, _SEEDERS[config.label]) for config in apps.get_app_configs() if config.label in _SEEDERS]
