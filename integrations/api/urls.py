from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("integrations/accounts", views.SocialAccountViewSet, basename="social-account")
router.register("integrations/sync-runs", views.SyncRunViewSet, basename="sync-run")

urlpatterns = router.urls
