from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("exports", views.OrganizationExportViewSet, basename="organization-export")

urlpatterns = router.urls
