from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("kpis", views.KpiViewSet, basename="kpi")
router.register("metrics/posts", views.PostMetricFactViewSet, basename="post-metric")
router.register("metrics/accounts", views.AccountMetricFactViewSet, basename="account-metric")

urlpatterns = router.urls
