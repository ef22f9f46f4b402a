"""The post's own pages: edit with a live preview per platform, review actions, duplicate, move,
delete with confirmation. Writes go through content.services / content.review."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from analytics.best_time import best_time
from core.errors import DomainError, NotFound, PermissionDenied
from core.forms import apply_domain_error
from core.vocabulary import SocialPlatform
from strategy.launch_gate import current_strategy
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from .. import review, rules, services
from ..forms import CommentForm, MediaUploadForm, PostForm, PostScheduleForm, ScheduleForm
from ..models import Post
from ..selectors import access_post

_FORM_FIELDS = list(PostForm.base_fields)


def _initial(post: Post) -> dict[str, Any]:
    return {name: getattr(post, f"{name}_id" if name in ("goal", "pillar") else name) for name in _FORM_FIELDS}


def preview_of(post: Post, form: PostForm) -> dict[str, Any]:
    """An unsaved copy of the post with the form's values: each platform's text as published and
    what the rules say about it (nothing is saved)."""
    draft = Post(organization_id=post.organization_id, status=post.status, cta_short_url=post.cta_short_url)
    values = form.cleaned_data if form.is_valid() else {}
    for name in _FORM_FIELDS:
        setattr(draft, name, values[name] if name in values else getattr(post, name))
    if draft.cta_url != post.cta_url:
        draft.cta_short_url = ""  # a new link gets its short link when saved
    media = rules.stored_media(post) if post.pk else []
    return {
        "platforms": [
            {"code": p, "label": SocialPlatform(p).label, "text": rules.published_text(draft, p)}
            for p in rules.post_platforms(draft)
        ],
        "issues": rules.ready_errors(draft, media),
        "media": post.media.all() if post.pk else [],
    }


class PostEditView(OrganizationViewMixin, View):
    """GET: the form, the preview, the history and the review actions. POST: save (or, with
    `_preview`, only show the preview: the same page works without JavaScript)."""

    def _render(
        self,
        request: HttpRequest,
        post: Post,
        form: PostForm,
        status: int = 200,
        schedule_form: PostScheduleForm | None = None,
        media_form: MediaUploadForm | None = None,
    ) -> HttpResponse:
        editable = post.status in services.EDITABLE
        context = {
            "organization": self.organization,
            "post": post,
            "form": form,
            "preview": preview_of(post, form),
            "events": post.events.select_related("user"),
            "comment_form": CommentForm(),
            "schedule_form": schedule_form
            or PostScheduleForm(organization=self.organization, initial={"accounts": post.target_accounts}),
            "media_form": media_form or MediaUploadForm(),
            "publications": post.publications.select_related("account"),
            # When to publish and in which format, from this organization's own history (the
            # post's objective); shown where the post is scheduled.
            "advice": best_time(organization=self.organization, objective=post.objective) if editable else None,
            "can_write": self.access.can(Perm.WRITE),
            "can_approve": self.access.can(Perm.APPROVE),
            "editable": editable,
        }
        return render(request, "content/post_edit.html", context, status=status)

    def render_with(self, request: HttpRequest, post: Post, *, status: int = 400, **forms: Any) -> HttpResponse:
        """The page again with a bound schedule or upload form showing its errors."""
        return self._render(request, post, self._form(post=post), status=status, **forms)

    def _form(self, data: Any = None, post: Post | None = None) -> PostForm:
        strategy = current_strategy(organization=self.organization)
        initial = _initial(post) if post is not None else None
        return PostForm(data, initial=initial, strategy=strategy, organization=self.organization)

    def get(self, request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
        post = access_post(self.access, pk)
        return self._render(request, post, self._form(post=post))

    def post(self, request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
        post = access_post(self.access, pk)
        form = self._form(request.POST, post)
        if "_preview" in request.POST:
            return self._render(request, post, form)
        self.access.require(Perm.WRITE)
        if form.is_valid():
            try:
                services.post_update(access=self.access, post=post, **form.cleaned_data)
            except (NotFound, PermissionDenied):
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Post saved."))
                return redirect("content:post_edit", org_slug=org_slug, pk=pk)
        return self._render(request, post, form, status=400)


class PostPreviewView(OrganizationViewMixin, View):
    """The preview partial, refreshed by htmx as the author types."""

    def post(self, request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
        post = access_post(self.access, pk)
        strategy = current_strategy(organization=self.organization)
        form = PostForm(request.POST, strategy=strategy, organization=self.organization)
        return render(request, "content/_preview.html", {"preview": preview_of(post, form), "post": post})


class PostActionView(OrganizationViewMixin, View):
    """submit / approve / request-changes / comment / duplicate / move: one POST each."""

    def post(self, request: HttpRequest, org_slug: str, pk: int, action: str) -> HttpResponse:
        access_post(self.access, pk)  # 404 first: the id must be ours
        comment = request.POST.get("comment", "")
        target = redirect("content:post_edit", org_slug=org_slug, pk=pk)
        try:
            if action == "submit":
                review.post_submit(access=self.access, post=pk, comment=comment)
                messages.success(request, _("Submitted for review."))
            elif action == "approve":
                review.post_approve(access=self.access, post=pk, comment=comment)
                messages.success(request, _("Post approved."))
            elif action == "request-changes":
                review.post_request_changes(access=self.access, post=pk, comment=comment)
                messages.success(request, _("Returned to the author with your comment."))
            elif action == "comment":
                review.post_comment(access=self.access, post=pk, comment=comment)
            elif action == "duplicate":
                copy = review.post_duplicate(access=self.access, post=pk)
                messages.success(request, _("Copy created."))
                target = redirect("content:post_edit", org_slug=org_slug, pk=copy.pk)
            elif action == "move":
                form = ScheduleForm(request.POST)
                if not form.is_valid():
                    raise DomainError(_("Choose the new date and time."))
                review.post_move(access=self.access, post=pk, scheduled_at=form.cleaned_data["scheduled_at"])
                messages.success(request, _("Post moved."))
            else:
                raise NotFound(_("Unknown action."))
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            details = "; ".join(m for msgs in exc.fields.values() for m in msgs)
            messages.error(request, f"{exc.message} {details}".strip())
        return target


class PostScheduleFormView(PostEditView):
    """The post page's schedule form: time and accounts; a refusal (no connected account of the
    platform, the launch gate, approval) is shown on the form itself."""

    required_permission = Perm.WRITE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
        post = access_post(self.access, pk)  # 404 before any validation: the id must be ours
        form = PostScheduleForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                post = services.post_schedule(
                    access=self.access,
                    post=post,
                    scheduled_at=form.cleaned_data["scheduled_at"],
                    accounts=form.cleaned_data["accounts"],
                )
            except (NotFound, PermissionDenied):
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("«%(title)s» is scheduled.") % {"title": post.title})
                return redirect("content:post_edit", org_slug=org_slug, pk=pk)
        return self.render_with(request, post, schedule_form=form)


class PostMediaAddView(PostEditView):
    """Uploads a photo or video (checked against every platform of the post)."""

    required_permission = Perm.WRITE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
        post = access_post(self.access, pk)
        form = MediaUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                review.post_media_add(access=self.access, post=post, file=form.cleaned_data["file"])
            except (NotFound, PermissionDenied):
                raise
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("File added."))
                return redirect("content:post_edit", org_slug=org_slug, pk=pk)
        return self.render_with(request, post, media_form=form)


class PostMediaRemoveView(OrganizationViewMixin, View):
    """Removes one file of a post not yet scheduled (POST only; the rules run again)."""

    required_permission = Perm.WRITE

    def post(self, request: HttpRequest, org_slug: str, pk: int, media_pk: int) -> HttpResponse:
        access_post(self.access, pk)  # 404 first: the id must be ours
        try:
            review.post_media_remove(access=self.access, post=pk, media=media_pk)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            details = "; ".join(m for msgs in exc.fields.values() for m in msgs)
            messages.error(request, f"{exc.message} {details}".strip())
        else:
            messages.success(request, _("File removed."))
        return redirect("content:post_edit", org_slug=org_slug, pk=pk)


class PostDeleteView(OrganizationViewMixin, View):
    """GET asks for confirmation; POST deletes."""

    required_permission = Perm.WRITE

    def get(self, request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
        post = access_post(self.access, pk)
        return render(request, "content/post_delete.html", {"organization": self.organization, "post": post})

    def post(self, request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
        try:
            services.post_delete(access=self.access, post=pk)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("content:post_edit", org_slug=org_slug, pk=pk)
        messages.success(request, _("Post deleted."))
        return redirect("content:home", org_slug=org_slug)
