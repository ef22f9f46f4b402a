from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("posts", views.PostViewSet, basename="post")
router.register("publications", views.PublicationViewSet, basename="publication")

urlpatterns = router.urls
