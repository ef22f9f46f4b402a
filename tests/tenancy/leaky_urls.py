"""A URLconf with one deliberately unscoped view, for the route-walk self-test."""

from .test_route_isolation import leaky_urlpatterns as urlpatterns

__all__ = ["urlpatterns"]
