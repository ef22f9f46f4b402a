from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("inbox/items", views.InboxItemViewSet, basename="inbox-item")
router.register("inbox/replies", views.InboxReplyViewSet, basename="inbox-reply")
router.register("inbox/keywords", views.BrandKeywordViewSet, basename="brand-keyword")
router.register("inbox/saved-replies", views.SavedReplyViewSet, basename="saved-reply")

level = views.ReplyServiceLevelViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update"})
router.register("inbox/items", views.InboxToneViewSet, basename="inbox-tone")  # POST inbox/items/{id}/tone/
urlpatterns = [path("inbox/service-level/", level, name="inbox-service-level"), *router.urls]
