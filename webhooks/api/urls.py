from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
# Deliveries first: "webhooks/deliveries/" must not be read as the endpoint with id "deliveries".
router.register("webhooks/deliveries", views.WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("webhooks", views.WebhookEndpointViewSet, basename="webhook")

urlpatterns = router.urls
