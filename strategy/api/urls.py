from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("audience-segments", views.AudienceSegmentViewSet, basename="audience-segment")
router.register("competitors", views.CompetitorViewSet, basename="competitor")
router.register("competitor-snapshots", views.CompetitorSnapshotViewSet, basename="competitor-snapshot")
router.register("presence-audits", views.PresenceAuditViewSet, basename="presence-audit")
router.register("strategies", views.StrategyViewSet, basename="strategy")
router.register("goals", views.GoalViewSet, basename="goal")
router.register("platform-choices", views.PlatformChoiceViewSet, basename="platform-choice")
router.register("content-pillars", views.ContentPillarViewSet, basename="content-pillar")
router.register("trend-notes", views.TrendNoteViewSet, basename="trend-note")
router.register("experiments", views.ExperimentViewSet, basename="experiment")

profile = views.BusinessProfileViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update"})

urlpatterns = [path("business-profile/", profile, name="business-profile"), *router.urls]
