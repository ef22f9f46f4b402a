"""Writes for organizations, members, invitations, API tokens and the audit log."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, TypedDict, Unpack

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import check_date_in_range
from core.errors import Conflict, DomainError
from core.services import fields_of, model_update

from . import rls
from .access import Access
from .models import ApiToken, AuditLog, Invitation, Membership, Organization
from .roles import Perm, Role, Scope
from .scoping import get_for_organization
from .slugs import first_free_slug, random_slug, slug_base

TOKEN_PREFIX = "smm"  # noqa: S105 - a public marker, not a secret


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def audit_log_record(
    *,
    access: Access | None = None,
    organization: Organization | None = None,
    actor: User | None = None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditLog:
    if organization is None:
        if access is None:
            raise ValueError("An audit entry needs the organization or the access it was made with")
        organization = access.organization
    actor = actor if actor is not None else (access.actor if access else None)
    label = access.actor_label if access else (getattr(actor, "email", "") or str(actor or ""))
    return AuditLog.objects.create(
        organization=organization,
        actor=actor,
        actor_label=label[:200],
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
    )


def _create_with_unique_slug(*, name: str, slug: str, timezone: str, currency: str, language: str) -> Organization:
    """Creates the organization under a free slug: one query for the taken slugs with this prefix,
    and the unique constraint as the arbiter under concurrent sign-ups (the loser retries inside a
    savepoint; after a few collisions a random suffix ends the race)."""
    base = slug or slug_base(name)
    for attempt in range(5):
        if slug:
            candidate = slug
        elif attempt < 3:
            taken = Organization.objects.filter(slug__startswith=base).values_list("slug", flat=True)
            candidate = first_free_slug(base, set(taken))
        else:
            candidate = random_slug(base)
        try:
            with transaction.atomic():
                return Organization.objects.create(
                    name=name, slug=candidate, timezone=timezone, currency=currency, language=language
                )
        except IntegrityError:
            if not Organization.objects.filter(slug=candidate).exists():
                raise  # another constraint failed: not ours to retry
            if slug:
                raise Conflict(_("This address is already taken."), field="slug") from None
    raise Conflict(_("This address is already taken."), field="slug")


@rls.unscoped_context("a new organization: its first rows, before anyone is its member")
def organization_create(
    *,
    owner: User,
    name: str,
    slug: str = "",
    timezone_name: str = "Europe/Moscow",
    currency: str = "RUB",
    language: str = "ru",
) -> Organization:
    if slug and Organization.objects.filter(slug=slug).exists():
        raise Conflict(_("This address is already taken."), field="slug")
    org = _create_with_unique_slug(name=name, slug=slug, timezone=timezone_name, currency=currency, language=language)
    Membership.objects.create(organization=org, user=owner, role=Role.OWNER)
    audit_log_record(organization=org, actor=owner, action="organization.create", obj=org)
    return org


class OrganizationData(TypedDict, total=False):
    """The settings an owner or admin changes (the slug is fixed: it is in every URL)."""

    name: str
    timezone: str
    currency: str
    language: str
    posts_require_approval: bool


ORGANIZATION_FIELDS: Final = fields_of(OrganizationData)


@transaction.atomic
def organization_update(*, access: Access, **data: Unpack[OrganizationData]) -> Organization:
    access.require(Perm.MANAGE_ORGANIZATION)
    org = access.organization
    changes = {k: [getattr(org, k), v] for k, v in data.items() if getattr(org, k) != v}
    model_update(instance=org, data=data, fields=ORGANIZATION_FIELDS)
    audit_log_record(access=access, action="organization.update", obj=org, changes=changes)
    return org


@transaction.atomic
def user_sign_up(*, email: str, password: str, organization_name: str) -> tuple[User, Organization]:
    """Self-service onboarding: a user and their first organization, which they own."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(username__iexact=email).exists():
        raise Conflict(_("An account with this email already exists."), field="email")
    user = User.objects.create_user(username=email, email=email, password=password)
    org = organization_create(owner=user, name=organization_name)
    return user, org


def _guard_owner_change(access: Access, *, old_role: str | None, new_role: str | None) -> None:
    if Role.OWNER in (old_role, new_role) and access.role != Role.OWNER:
        raise DomainError(_("Only an owner can grant or remove the owner role."), field="role")


def _ensure_not_last_owner(membership: Membership) -> None:
    if membership.role != Role.OWNER:
        return
    owners = Membership.objects.filter(organization_id=membership.organization_id, role=Role.OWNER).count()
    if owners <= 1:
        raise DomainError(_("An organization needs at least one owner."), field="role")


@transaction.atomic
def membership_update_role(*, access: Access, membership_id: int, role: str) -> Membership:
    access.require(Perm.MANAGE_MEMBERS)
    membership = _membership_get(access, membership_id)
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field="role")
    _guard_owner_change(access, old_role=membership.role, new_role=role)
    if role != Role.OWNER:
        _ensure_not_last_owner(membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_log_record(access=access, action="membership.role_change", obj=membership, changes={"role": [old, role]})
    return membership


@transaction.atomic
def membership_remove(*, access: Access, membership_id: int) -> None:
    access.require(Perm.MANAGE_MEMBERS)
    membership = _membership_get(access, membership_id)
    _guard_owner_change(access, old_role=membership.role, new_role=None)
    _ensure_not_last_owner(membership)
    audit_log_record(
        access=access,
        action="membership.remove",
        obj=membership,
        changes={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()


def _membership_get(access: Access, membership_id: int) -> Membership:
    queryset = Membership.objects.for_organization(access.organization).select_related("user")
    return get_for_organization(queryset, access.organization, membership_id, message=_("Member not found."))


@dataclass(frozen=True)
class CreatedInvitation:
    invitation: Invitation
    token: str
    accept_url: str


@transaction.atomic
def invitation_create(*, access: Access, email: str, role: str) -> CreatedInvitation:
    access.require(Perm.MANAGE_MEMBERS)
    email = User.objects.normalize_email(email).lower()
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field="role")
    _guard_owner_change(access, old_role=None, new_role=role)
    if Membership.objects.filter(organization=access.organization, user__email__iexact=email).exists():
        raise Conflict(_("This person is already a member."), field="email")
    Invitation.objects.filter(organization=access.organization, email=email, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.REVOKED
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=access.organization,
        email=email,
        role=role,
        token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
        invited_by=access.user,
    )
    accept_url = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", kwargs={"token": token})
    audit_log_record(access=access, action="invitation.create", obj=invitation, changes={"role": role})
    org_name = access.organization.name
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Invitation to %(org)s on SMM Platform") % {"org": org_name},
            message=_("You have been invited to %(org)s. Accept the invitation: %(url)s")
            % {"org": org_name, "url": accept_url},
            from_email=None,
            recipient_list=[email],
        )
    )
    return CreatedInvitation(invitation=invitation, token=token, accept_url=accept_url)


@rls.unscoped_context("invitation lookup: the secret token names the organization")
def invitation_get_by_token(token: str) -> Invitation | None:
    return Invitation.objects.unscoped().select_related("organization").filter(token_hash=_hash(token)).first()


@rls.unscoped_context("invitation accept: the secret token names the organization")
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = Invitation.objects.unscoped().select_for_update().filter(token_hash=_hash(token)).first()
    if invitation is None or not invitation.is_usable:
        raise DomainError(_("This invitation is invalid or has expired. Ask for a new one."))
    if user.email.lower() != invitation.email.lower():
        raise DomainError(_("This invitation was sent to another email address."))
    membership, created = Membership.objects.get_or_create(
        organization_id=invitation.organization_id, user=user, defaults={"role": invitation.role}
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_by"])
    audit_log_record(
        organization=invitation.organization,
        actor=user,
        action="invitation.accept",
        obj=invitation,
        changes={"created": created},
    )
    return membership


@transaction.atomic
def invitation_revoke(*, access: Access, invitation_id: int) -> Invitation:
    access.require(Perm.MANAGE_MEMBERS)
    invitation = get_for_organization(
        Invitation, access.organization, invitation_id, message=_("Invitation not found.")
    )
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    audit_log_record(access=access, action="invitation.revoke", obj=invitation)
    return invitation


@rls.unscoped_context("invitation expiry: a maintenance task over every organization")
def invitations_expire(*, now: datetime | None = None) -> int:
    """Marks overdue pending invitations expired (all organizations: a maintenance task)."""
    now = now or timezone.now()
    return (
        Invitation.objects.unscoped()
        .filter(status=Invitation.Status.PENDING, expires_at__lte=now)
        .update(status=Invitation.Status.EXPIRED)
    )


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # shown once; never stored


@transaction.atomic
def api_token_create(
    *, access: Access, name: str, scopes: list[str], expires_at: datetime | None = None
) -> CreatedToken:
    access.require(Perm.MANAGE_TOKENS)
    if not name.strip():
        raise DomainError(_("Give the token a name."), field="name")
    scopes = sorted(set(scopes))
    if not scopes or any(s not in Scope.values for s in scopes):
        raise DomainError(_("Choose scopes from: read, write."), field="scopes")
    if expires_at is not None:
        # 9999-12-31T23:59:59Z shown in the organization's timezone overflows the calendar.
        check_date_in_range(expires_at, field="expires_at")
        if expires_at <= timezone.now():
            raise DomainError(_("The expiry must be in the future."), field="expires_at")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        organization=access.organization,
        name=name.strip(),
        prefix=prefix,
        token_hash=_hash(secret),
        scopes=scopes,
        expires_at=expires_at,
        created_by=access.user,
    )
    audit_log_record(access=access, action="api_token.create", obj=token, changes={"scopes": scopes})
    return CreatedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, access: Access, token_id: int) -> ApiToken:
    access.require(Perm.MANAGE_TOKENS)
    token = get_for_organization(ApiToken, access.organization, token_id, message=_("Token not found."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log_record(access=access, action="api_token.revoke", obj=token)
    return token


@rls.unscoped_context("API token lookup by prefix: the token names the organization")
def api_token_authenticate(secret: str) -> ApiToken | None:
    """The active token for this secret, or None. Touches `last_used_at` at most once a minute."""
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.unscoped().select_related("organization").filter(prefix=parts[1]).first()
    if token is None or not secrets.compare_digest(token.token_hash, _hash(secret)) or not token.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.for_organization(token.organization_id).filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
