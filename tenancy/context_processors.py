from .selectors import organizations_for_user


def current_organization(request) -> dict:
    """Navigation needs the current org and, for the switcher, the user's other orgs."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    access = getattr(request, "access", None)
    # An API token is not a person: it has no organizations to switch between.
    is_person = getattr(request.user, "pk", None) is not None
    return {
        "current_organization": getattr(request, "organization", None),
        "current_access": access,
        "user_organizations": _user_organizations(request) if is_person else [],
    }


def _user_organizations(request) -> list | object:
    # An organization page loaded them with its membership (one query); other pages ask here.
    found = getattr(request, "user_organizations", None)
    return found if found is not None else organizations_for_user(user=request.user)
