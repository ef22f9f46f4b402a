"""Strategy pages (`pages.py`) and the guided editor (`editor.py`); `strategy/urls.py` and tests import
the views from here."""

from .competitors import CompetitorComparisonView
from .editor import (
    STEP_KEYS,
    STEPS,
    AnalysisStepView,
    EditorStepView,
    GoalsStepView,
    PillarsStepView,
    PlatformsStepView,
    PositioningStepView,
    ReviewStepView,
    StrategyChildDeleteView,
    StrategyEditorView,
)
from .pages import (
    ExperimentDetailView,
    ExperimentListView,
    KpiOptionsView,
    StrategyActionView,
    StrategyCopyView,
    StrategyCreateView,
    StrategyDetailView,
    StrategyHomeView,
    TrendListView,
)

__all__ = [
    "STEPS",
    "STEP_KEYS",
    "AnalysisStepView",
    "CompetitorComparisonView",
    "EditorStepView",
    "ExperimentDetailView",
    "ExperimentListView",
    "GoalsStepView",
    "KpiOptionsView",
    "PillarsStepView",
    "PlatformsStepView",
    "PositioningStepView",
    "ReviewStepView",
    "StrategyActionView",
    "StrategyChildDeleteView",
    "StrategyCopyView",
    "StrategyCreateView",
    "StrategyDetailView",
    "StrategyEditorView",
    "StrategyHomeView",
    "TrendListView",
]
