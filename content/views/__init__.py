from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from analytics.plan_results import outside_plan, post_results
from core.errors import DomainError, NotFound, PermissionDenied
from core.forms import apply_domain_error
from strategy.launch_gate import current_strategy
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from .. import services
from ..forms import PostForm, ScheduleForm
from ..models import Post
from ..selectors import access_post, post_list

OUTSIDE_PLAN_SHOWN = 20


class ContentHomeView(OrganizationViewMixin, ListView):
    """The content plan: posts with the goal and pillar they serve; create, schedule, unschedule."""

    template_name = "content/home.html"
    paginate_by = 50
    form = None
    model = Post

    def safely_get_queryset(self, queryset):
        # Tracked links (links app) by their reverse relation: shown and edited under each post.
        return (
            post_list(organization=self.organization)
            .prefetch_related("tracked_links")
            .order_by("scheduled_at", "-created_at", "-id")
        )

    def get_context_data(self, **kwargs):
        strategy = current_strategy(organization=self.organization)
        context = super().get_context_data(**kwargs)
        posts = context["object_list"] = list(context["object_list"])
        results = post_results(organization=self.organization, post_ids=[p.pk for p in posts])
        for post in posts:
            post.result = results.get(post.pk)
        return context | {
            "outside_plan": outside_plan(organization=self.organization)[:OUTSIDE_PLAN_SHOWN],
            "strategy": strategy,
            "form": self.form or PostForm(strategy=strategy, organization=self.organization),
            "schedule_form": ScheduleForm(),
            "can_write": self.access.can(Perm.WRITE),
        }

    def post(self, request, *args, **kwargs):
        self.access.require(Perm.WRITE)
        strategy = current_strategy(organization=self.organization)
        form = PostForm(request.POST, strategy=strategy, organization=self.organization)
        if form.is_valid():
            try:
                post = services.post_create(access=self.access, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Draft «%(title)s» added to the plan.") % {"title": post.title})
                return redirect("content:home", org_slug=self.organization.slug)
        self.form = form
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(), status=400)


class PostScheduleView(OrganizationViewMixin, View):
    required_permission = Perm.WRITE

    def post(self, request, org_slug, pk):
        access_post(self.access, pk)  # 404 before any validation: the id must be ours
        form = ScheduleForm(request.POST)
        try:
            if not form.is_valid():
                raise DomainError(_("Choose the date and time of publication."))
            post = services.post_schedule(access=self.access, post=pk, scheduled_at=form.cleaned_data["scheduled_at"])
        except (NotFound, PermissionDenied):
            raise  # a foreign or missing object is a 404, a refused permission a 403
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("«%(title)s» is scheduled.") % {"title": post.title})
        return redirect("content:home", org_slug=org_slug)


class PostUnscheduleView(OrganizationViewMixin, View):
    required_permission = Perm.WRITE

    def post(self, request, org_slug, pk):
        try:
            services.post_unschedule(access=self.access, post=pk)
        except (NotFound, PermissionDenied):
            raise  # a foreign or missing object is a 404, a refused permission a 403
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("content:home", org_slug=org_slug)
