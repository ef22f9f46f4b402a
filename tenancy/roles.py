"""The role/permission matrix, enforced in one place (`Access.can`).

| permission          | owner | admin | marketer | analyst | client |
|---------------------|:-----:|:-----:|:--------:|:-------:|:------:|
| read                |   x   |   x   |    x     |    x    |   x    |
| write               |   x   |   x   |    x     |         |        |
| approve             |   x   |   x   |          |         |   x    |
| manage_members      |   x   |   x   |          |         |        |
| manage_tokens       |   x   |   x   |          |         |        |
| manage_organization |   x   |   x   |          |         |        |

`approve` is the business owner's decision on a strategy submitted for review: approve it, or return
it to draft with a comment. The client role is that business owner in an agency setup, so it
approves but edits nothing (no `write`). Archiving an approved strategy needs `approve` and `write`
(it stops scheduling and launches), so a client cannot archive.

Only an owner may grant or revoke the owner role. API tokens carry scopes instead of a role:
`read` grants read, `write` grants read and write; a token never approves or manages.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    MARKETER = "marketer", _("Marketer")
    ANALYST = "analyst", _("Analyst")
    CLIENT = "client", _("Client")


class Perm(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    APPROVE = "approve", _("Approve")
    MANAGE_MEMBERS = "manage_members", _("Manage members")
    MANAGE_TOKENS = "manage_tokens", _("Manage API tokens")
    MANAGE_ORGANIZATION = "manage_organization", _("Manage organization")


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


_ALL = frozenset(Perm)
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: _ALL,
    Role.ADMIN: _ALL,
    Role.MARKETER: frozenset({Perm.READ, Perm.WRITE}),
    Role.ANALYST: frozenset({Perm.READ}),
    Role.CLIENT: frozenset({Perm.READ, Perm.APPROVE}),
}
SCOPE_PERMISSIONS: dict[str, frozenset[str]] = {
    Scope.READ: frozenset({Perm.READ}),
    Scope.WRITE: frozenset({Perm.READ, Perm.WRITE}),
}


def role_permissions(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def scope_permissions(scopes: list[str]) -> frozenset[str]:
    granted: set[str] = set()
    for scope in scopes:
        granted |= SCOPE_PERMISSIONS.get(scope, frozenset())
    return frozenset(granted)
