from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("inbox", views.InboxToneViewSet, basename="inbox-tone")

urlpatterns = router.urls
