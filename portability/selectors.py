from django.db.models import QuerySet

from tenancy.models import Organization

from .models import OrganizationExport


def export_list(*, organization: Organization) -> QuerySet[OrganizationExport]:
    return OrganizationExport.objects.filter(organization=organization).select_related("requested_by")
