"""Where a serializer or form lists its fields in its own order (read-only fields in between, a
plain Form), the fields it lets a client write are still exactly its service's input type."""

import pytest

from content.api.serializers import PostSerializer
from content.forms import PostForm
from content.services import POST_FIELDS
from strategy.api.serializers import ExperimentSerializer, GoalSerializer, StrategySerializer
from strategy.services import EXPERIMENT_PLAN_FIELDS, GOAL_FIELDS, STRATEGY_FIELDS, ExperimentData
from tenancy.api.serializers import OrganizationSerializer
from tenancy.services import ORGANIZATION_FIELDS


def _writable(serializer_class, org) -> set[str]:
    fields = serializer_class(context={"organization": org}).fields
    return {name for name, field in fields.items() if not field.read_only}


@pytest.mark.parametrize(
    ("serializer_class", "expected"),
    [
        (GoalSerializer, {"strategy", *GOAL_FIELDS}),  # the strategy is the goal_create argument
        (StrategySerializer, {*STRATEGY_FIELDS, "competitors"}),
        (ExperimentSerializer, set(ExperimentData.__annotations__)),
        (PostSerializer, set(POST_FIELDS)),
        (OrganizationSerializer, set(ORGANIZATION_FIELDS)),
    ],
)
def test_serializer_writes_what_the_service_takes(serializer_class, expected, org):
    assert _writable(serializer_class, org) == expected


def test_experiment_input_is_the_plan_and_the_interim_result():
    assert set(ExperimentData.__annotations__) == {*EXPERIMENT_PLAN_FIELDS, "result_value", "result_notes"}


def test_post_form_fields_are_the_post_input():
    assert set(PostForm().fields) == set(POST_FIELDS)
