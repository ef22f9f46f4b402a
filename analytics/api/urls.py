from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("kpis", views.KpiViewSet, basename="kpi")

urlpatterns = router.urls
