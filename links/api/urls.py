from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("links", views.TrackedLinkViewSet, basename="tracked-link")

urlpatterns = router.urls
