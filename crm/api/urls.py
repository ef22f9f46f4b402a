from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("leads", views.LeadViewSet, basename="lead")
router.register("sales", views.SaleViewSet, basename="sale")

urlpatterns = router.urls
