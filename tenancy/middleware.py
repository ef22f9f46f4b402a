"""Per-request state that must never outlive its request."""

from django.utils import timezone


def activate_organization_timezone(organization) -> None:
    """Makes the organization's timezone current for this request (display of datetimes and
    interpretation of naive input). Only valid under OrganizationTimezoneMiddleware, which resets it."""
    timezone.activate(organization.tzinfo)


class OrganizationTimezoneMiddleware:
    """Resets the current timezone around every request: `timezone.activate()` is thread-local, so
    without the reset a worker thread would serve the next tenant in the previous tenant's timezone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
