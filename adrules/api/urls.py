from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("ads/rules", views.RuleViewSet, basename="ad-rule")
router.register("ads/rule-templates", views.RuleTemplatesViewSet, basename="ad-rule-template")
router.register("ads/rule-evaluations", views.EvaluationViewSet, basename="ad-rule-evaluation")
router.register("ads/rule-actions", views.ActionViewSet, basename="ad-rule-action")

urlpatterns = router.urls
