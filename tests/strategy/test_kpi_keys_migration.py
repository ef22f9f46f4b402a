"""strategy migration 0006: stored goal KPIs move to the API names, and back."""

import importlib

import pytest
from django.apps import apps

from core.kpis import RENAMED_KEYS, kpi_get
from strategy.models import Goal
from tests.strategy.factories import GoalFactory, StrategyFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("strategy.migrations.0006_kpi_keys_are_api_names")


def test_stored_goal_kpis_are_renamed_and_back(org):
    strategy = StrategyFactory(organization=org)
    goals = {old: GoalFactory(strategy=strategy, kpi=old) for old in [*RENAMED_KEYS, "reach"]}

    migration.forwards(apps, None)
    assert {old: Goal.objects.get(pk=g.pk).kpi for old, g in goals.items()} == {**RENAMED_KEYS, "reach": "reach"}
    assert all(kpi_get(Goal.objects.get(pk=g.pk).kpi) is not None for g in goals.values())

    migration.backwards(apps, None)
    assert [Goal.objects.get(pk=g.pk).kpi for g in goals.values()] == [*RENAMED_KEYS, "reach"]


def test_the_migration_names_the_catalog_renames():
    assert migration.OLD_TO_NEW == RENAMED_KEYS
