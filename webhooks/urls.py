from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.EndpointListView.as_view(), name="endpoints"),
    path("<int:pk>/", views.EndpointDetailView.as_view(), name="endpoint"),
    path("<int:pk>/toggle/", views.EndpointToggleView.as_view(), name="endpoint_toggle"),
    path("<int:pk>/rotate/", views.EndpointRotateView.as_view(), name="endpoint_rotate"),
    path("<int:pk>/ping/", views.EndpointPingView.as_view(), name="endpoint_ping"),
    path("<int:pk>/delete/", views.EndpointDeleteView.as_view(), name="endpoint_delete"),
    path("deliveries/<int:pk>/resend/", views.DeliveryResendView.as_view(), name="delivery_resend"),
]
