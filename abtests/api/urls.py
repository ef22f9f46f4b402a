from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("abtests", views.ABTestViewSet, basename="abtest")

urlpatterns = router.urls
