"""Strategy: analysis (profile, audience, competitors, presence audit), the strategy document with
goals, key platforms, positioning and content pillars, plus trend notes and experiments.

Invariants that span rows (share sums, at most two key platforms, one approved strategy per
period, FKs within one organization) are enforced in `services.py`; the constraints here are the
database's second fence. Every child row carries `organization` on purpose (docs/ARCHITECTURE.md, Tenancy).
"""

from .analysis import (
    PERCENT_VALIDATORS,
    AudienceSegment,
    BusinessProfile,
    Competitor,
    CompetitorSnapshot,
    PresenceAudit,
    SnapshotSource,
)
from .experiments import Experiment, TrendNote
from .plan import ContentPillar, FunnelStage, Goal, PillarGoal, PlatformChoice, Strategy, StrategyCompetitor

__all__ = [
    "PERCENT_VALIDATORS",
    "AudienceSegment",
    "BusinessProfile",
    "Competitor",
    "CompetitorSnapshot",
    "ContentPillar",
    "Experiment",
    "FunnelStage",
    "Goal",
    "PillarGoal",
    "PlatformChoice",
    "PresenceAudit",
    "SnapshotSource",
    "Strategy",
    "StrategyCompetitor",
    "TrendNote",
]
