from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("ads/campaigns", views.AdCampaignViewSet, basename="ad-campaign")
router.register("ads/ad-sets", views.AdSetViewSet, basename="ad-set")
router.register("ads/creatives", views.AdCreativeViewSet, basename="ad-creative")
router.register("ads/budgets", views.AdBudgetViewSet, basename="ad-budget")
router.register("ads/stats/import", views.AdStatImportViewSet, basename="ad-stat-import")
router.register("ads/stats", views.AdStatDailyViewSet, basename="ad-stat")

urlpatterns = router.urls
