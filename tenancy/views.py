import copy

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError, NotFound, PermissionDenied
from core.forms import apply_domain_error

from . import selectors, services, signup
from .forms import ApiTokenForm, InvitationForm, OrganizationForm, SignUpConfirmForm, SignUpForm
from .models import AuditLog, Membership
from .roles import ROLE_PERMISSIONS, Perm, Role
from .views_base import SESSION_ORG_KEY, OrganizationViewMixin


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def home(request):
    """Sends a signed-in user to their last organization; others to the login page."""
    if not request.user.is_authenticated:
        return redirect("login")
    orgs = selectors.organizations_for_user(user=request.user)
    last = request.session.get(SESSION_ORG_KEY)
    org = orgs.filter(slug=last).first() if last else None
    org = org or orgs.first()
    if org is None:
        return redirect("organization_create")
    return redirect("dashboard", org_slug=org.slug)


class SignUpView(FormView):
    """Step 1: the same answer ("check your email") whether or not the email has an account."""

    template_name = "registration/signup.html"
    form_class = SignUpForm

    def form_valid(self, form):
        signup.sign_up_start(**form.cleaned_data)
        return redirect("signup_sent")


def sign_up_sent(request):
    return render(request, "registration/signup_sent.html")


class SignUpConfirmView(FormView):
    """Step 2, from the emailed link: choose the password; the account and organization are created."""

    template_name = "registration/signup_confirm.html"
    form_class = SignUpConfirmForm

    def dispatch(self, request, *args, **kwargs):
        self.sign_up = signup.sign_up_request_from_token(kwargs["token"])
        if self.sign_up is None or signup.email_is_registered(self.sign_up.email):
            return render(request, "registration/signup_link_invalid.html")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"organization_name": self.sign_up.organization_name}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"email": self.sign_up.email}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"email": self.sign_up.email}

    def form_valid(self, form):
        try:
            user, org = services.user_sign_up(email=self.sign_up.email, **form.cleaned_data)
        except DomainError:  # the account was created meanwhile (a second tab): the link is used up
            return render(self.request, "registration/signup_link_invalid.html")
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("Welcome! Start with your strategy: it is the base of all work."))
        return redirect("dashboard", org_slug=org.slug)


class OrganizationCreateView(LoginRequiredMixin, FormView):
    template_name = "tenancy/organization_create.html"
    form_class = OrganizationForm

    def form_valid(self, form):
        org = services.organization_create(
            owner=self.request.user,
            name=form.cleaned_data["name"],
            timezone_name=form.cleaned_data["timezone"],
            currency=form.cleaned_data["currency"],
            language=form.cleaned_data["language"],
        )
        return redirect("dashboard", org_slug=org.slug)


class InvitationAcceptView(View):
    template_name = "tenancy/invitation_accept.html"

    def get(self, request, token):
        invitation = services.invitation_get_by_token(token)
        return render(
            request, self.template_name, {"invitation": invitation, "usable": bool(invitation and invitation.is_usable)}
        )

    def post(self, request, token):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except (NotFound, PermissionDenied):
            raise  # a foreign or missing object is a 404, a refused permission a 403
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("invitation_accept", token=token)
        return redirect("dashboard", org_slug=membership.organization.slug)


class OrganizationSettingsView(OrganizationViewMixin, FormView):
    template_name = "tenancy/settings.html"
    form_class = OrganizationForm

    def get_form_kwargs(self):
        # A copy: ModelForm validation writes into its instance, and the service diffs against the original.
        return super().get_form_kwargs() | {"instance": copy.copy(self.organization)}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not self.access.can(Perm.MANAGE_ORGANIZATION):
            for field in form.fields.values():
                field.disabled = True  # shown, not editable: only owners and admins change settings
        return form

    def form_valid(self, form):
        self.access.require(Perm.MANAGE_ORGANIZATION)
        services.organization_update(access=self.access, **{k: form.cleaned_data[k] for k in form.changed_data})
        messages.success(self.request, _("Settings saved."))
        return redirect("tenancy:settings", org_slug=self.organization.slug)

    def post(self, request, *args, **kwargs):
        self.access.require(Perm.MANAGE_ORGANIZATION)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        matrix = [(Role(role).label, [perm in perms for perm in Perm]) for role, perms in ROLE_PERMISSIONS.items()]
        return super().get_context_data(**kwargs) | {"perm_labels": [p.label for p in Perm], "role_matrix": matrix}


class MemberListView(OrganizationViewMixin, ListView):
    template_name = "tenancy/members.html"
    paginate_by = 50
    model = Membership

    def safely_get_queryset(self, queryset):
        return selectors.membership_list(organization=self.organization)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_manage = self.access.can(Perm.MANAGE_MEMBERS)
        context.update(
            can_manage=can_manage,
            invite_form=InvitationForm(),
            role_choices=Role.choices,
            invitations=selectors.invitation_list(organization=self.organization)[:50] if can_manage else [],
        )
        return context


class _ManageMembersMixin(OrganizationViewMixin):
    required_permission = Perm.MANAGE_MEMBERS

    def done(self):
        return redirect("tenancy:members", org_slug=self.organization.slug)


class InvitationCreateView(_ManageMembersMixin, View):
    def post(self, request, org_slug):
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                created = services.invitation_create(access=self.access, **form.cleaned_data)
            except (NotFound, PermissionDenied):
                raise  # a foreign or missing object is a 404, a refused permission a 403
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": created.invitation.email})
        else:
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
        return self.done()


class InvitationRevokeView(_ManageMembersMixin, View):
    def post(self, request, org_slug, pk):
        services.invitation_revoke(access=self.access, invitation_id=pk)
        messages.success(request, _("Invitation revoked."))
        return self.done()


class MemberRoleView(_ManageMembersMixin, View):
    def post(self, request, org_slug, pk):
        try:
            # The service finds the member first (404 for a foreign id), then checks the role.
            services.membership_update_role(access=self.access, membership_id=pk, role=request.POST.get("role", ""))
            messages.success(request, _("Role updated."))
        except (NotFound, PermissionDenied):
            raise  # a foreign or missing object is a 404, a refused permission a 403
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return self.done()


class MemberRemoveView(_ManageMembersMixin, View):
    def post(self, request, org_slug, pk):
        try:
            services.membership_remove(access=self.access, membership_id=pk)
            messages.success(request, _("Member removed."))
        except (NotFound, PermissionDenied):
            raise  # a foreign or missing object is a 404, a refused permission a 403
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return self.done()


class ApiTokenListView(OrganizationViewMixin, FormView):
    template_name = "tenancy/tokens.html"
    form_class = ApiTokenForm
    required_permission = Perm.MANAGE_TOKENS

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "tokens": selectors.api_token_list(organization=self.organization)[:100],
            "new_secret": self.request.session.pop("new_token_secret", None),
        }

    def form_valid(self, form):
        try:
            created = services.api_token_create(access=self.access, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        # Shown once on the next page render, then gone.
        self.request.session["new_token_secret"] = created.secret
        return redirect("tenancy:tokens", org_slug=self.organization.slug)


class ApiTokenRevokeView(OrganizationViewMixin, View):
    required_permission = Perm.MANAGE_TOKENS

    def post(self, request, org_slug, pk):
        services.api_token_revoke(access=self.access, token_id=pk)
        messages.success(request, _("Token revoked."))
        return redirect("tenancy:tokens", org_slug=org_slug)


class AuditLogView(OrganizationViewMixin, ListView):
    template_name = "tenancy/audit_log.html"
    required_permission = Perm.MANAGE_MEMBERS
    paginate_by = 50
    model = AuditLog

    def safely_get_queryset(self, queryset):
        return selectors.audit_log_list(organization=self.organization)


class _MeOrganization(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(allow_null=True)


class _Me(serializers.Serializer):
    email = serializers.CharField()
    organizations = _MeOrganization(many=True)


class MeApiView(APIView):
    """Who is calling and which organizations they can reach."""

    @extend_schema(responses=_Me)
    def get(self, request):
        token = getattr(request, "auth", None)
        if token is not None and hasattr(token, "organization"):
            orgs = [{"slug": token.organization.slug, "name": token.organization.name, "role": None}]
            return Response({"email": "", "organizations": orgs})
        memberships = request.user.memberships.select_related("organization").order_by("organization__name")
        orgs = [{"slug": m.organization.slug, "name": m.organization.name, "role": m.role} for m in memberships]
        return Response({"email": request.user.email, "organizations": orgs})
