from rest_framework.routers import SimpleRouter

from . import attribution, views

router = SimpleRouter()
router.register("leads", views.LeadViewSet, basename="lead")
router.register("sales", views.SaleViewSet, basename="sale")
router.register("attribution", attribution.AttributionViewSet, basename="attribution")

urlpatterns = router.urls
