"""Walks every organization route of a URLconf and attacks it from another organization.

For each route with `<org_slug>` in its path and each HTTP method its view accepts, a member (owner)
of organization B calls it
  1. with A's slug and A's object ids (session, and B's API token for API routes),
  2. with B's own slug and A's object ids (routes that name objects),
  3. API writes on B's slug with a body whose related fields name A's rows,
and every answer must be 404/403 (400 for the body references) while A's rows stay byte-for-byte the
same. A route whose view, methods or path arguments cannot be exercised is reported, never skipped,
so a new route is covered automatically or fails loudly.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers as drf_serializers

from tenancy.models import TenantModel

ORG_KWARG = "org_slug"
# Path arguments that are not object ids: every value the view accepts is tried.
CHOICE_KWARGS = {
    "step": ["analysis", "goals", "platforms", "positioning", "pillars", "review"],
    "action": [
        "submit",
        "approve",
        "return",
        "new-version",
        "archive",
        "delete",
        "request-changes",
        "comment",
        "duplicate",
        "move",
    ],
    "provider": ["vk", "meta"],
    "kind": ["segment", "competitor", "audit", "goal", "platform", "pillar"],
}
# `obj_id` of the editor's remove route names the row of the chosen `kind`.
KIND_MODELS = {
    "segment": "strategy.AudienceSegment",
    "competitor": "strategy.Competitor",
    "audit": "strategy.PresenceAudit",
    "goal": "strategy.Goal",
    "platform": "strategy.PlatformChoice",
    "pillar": "strategy.ContentPillar",
}
# Page routes whose `pk` is not declared by the view class itself (views without `model`).
PAGE_PK_MODELS = {
    "strategy:experiment": "strategy.Experiment",
    "strategy:detail": "strategy.Strategy",
    "strategy:copy": "strategy.Strategy",
    "strategy:edit": "strategy.Strategy",
    "strategy:remove": "strategy.Strategy",
    "strategy:action": "strategy.Strategy",
    "content:post_schedule": "content.Post",
    "content:post_unschedule": "content.Post",
    "content:post_edit": "content.Post",
    "content:post_preview": "content.Post",
    "content:post_delete": "content.Post",
    "content:post_action": "content.Post",
    "content:post_media_add": "content.Post",
    "content:post_media_remove": "content.Post",
    "content:post_schedule_form": "content.Post",
    "content:notification_read": "content.Notification",
    "content:publication_retry": "content.Publication",
    "content:publication_reschedule": "content.Publication",
    "ads:campaign_launch": "ads.AdCampaign",
    "ads:campaign_pause": "ads.AdCampaign",
    "ads:campaign_budget": "ads.AdCampaign",
    "ads:campaign_plan": "ads.AdCampaign",
    "adrules:edit": "adrules.OptimizationRule",
    "adrules:delete": "adrules.OptimizationRule",
    "adrules:action_approve": "adrules.RuleAction",
    "adrules:action_reject": "adrules.RuleAction",
    "integrations:sync_now": "integrations.SocialAccount",
    "integrations:disconnect": "integrations.SocialAccount",
    "tenancy:member_role": "tenancy.Membership",
    "tenancy:member_remove": "tenancy.Membership",
    "tenancy:invitation_revoke": "tenancy.Invitation",
    "tenancy:token_revoke": "tenancy.ApiToken",
    "portability:export_download": "portability.OrganizationExport",
    "webhooks:endpoint": "webhooks.WebhookEndpoint",
    "webhooks:endpoint_toggle": "webhooks.WebhookEndpoint",
    "webhooks:endpoint_rotate": "webhooks.WebhookEndpoint",
    "webhooks:endpoint_ping": "webhooks.WebhookEndpoint",
    "webhooks:endpoint_delete": "webhooks.WebhookEndpoint",
    "webhooks:delivery_resend": "webhooks.WebhookDelivery",
}
# Other path arguments that name a row: the argument → its model.
ID_KWARGS = {"media_pk": "content.PostMedia", "media_id": "content.PostMedia"}
DENIED = {403, 404}


@dataclass
class Route:
    template: str  # e.g. "api/v1/orgs/<org_slug>/goals/<pk>/"
    name: str
    callback: object
    kwargs: list[str]
    methods: list[str] = field(default_factory=list)

    @property
    def is_api(self) -> bool:
        return hasattr(self.callback, "cls")


def _pattern_text(pattern) -> tuple[str, list[str]]:
    """A pattern (route or regex) as a template with `<name>` placeholders, and the names."""
    text = str(pattern)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", text)
    text = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", text)
    text = text.replace("^", "").replace("$", "").replace("\\", "")
    return text, re.findall(r"<(\w+)>", text)


def organization_routes(urlconf=None) -> list[Route]:
    routes = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            text, _names = _pattern_text(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry, prefix + text, namespace + (f"{entry.namespace}:" if entry.namespace else ""))
            elif isinstance(entry, URLPattern):
                template = prefix + text
                names = re.findall(r"<(\w+)>", template)
                if ORG_KWARG in names:
                    routes.append(Route(template, namespace + (entry.name or ""), entry.callback, names))

    walk(get_resolver(urlconf), "/", "")
    for route in routes:
        route.methods = view_methods(route.callback)
    return routes


def view_methods(callback) -> list[str]:
    if hasattr(callback, "actions"):  # DRF viewset route
        return sorted(m for m in callback.actions if m not in ("options", "head"))
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return []
    return sorted(m for m in view_class.http_method_names if m not in ("options", "head") and hasattr(view_class, m))


def pk_model(route: Route):
    view_class = getattr(route.callback, "cls", None) or getattr(route.callback, "view_class", None)
    queryset = getattr(view_class, "queryset", None)
    if getattr(route.callback, "cls", None) is not None and queryset is not None:
        return queryset.model
    if route.name in PAGE_PK_MODELS:
        return apps.get_model(PAGE_PK_MODELS[route.name])
    return getattr(view_class, "model", None)


def tenant_fingerprint(organization) -> dict[str, str]:
    """A digest of every tenant row of the organization, per model."""
    digests = {}
    for model in apps.get_models():
        if not issubclass(model, TenantModel):
            continue
        rows = list(model._default_manager.for_organization(organization).order_by("pk").values())
        digests[model._meta.label] = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
    return digests


def path_variants(route: Route, slug: str, ids_of) -> list[str]:
    """Every concrete path for `route` with `slug` and A's ids (one per choice of the choice kwargs)."""
    variants = [{}]
    for name in route.kwargs:
        if name == ORG_KWARG:
            continue
        if name in CHOICE_KWARGS:
            variants = [{**v, name: choice} for v in variants for choice in CHOICE_KWARGS[name]]
        elif name == "pk":
            model = pk_model(route)
            if model is None:
                raise LookupError(f"{route.name}: no model known for <pk>")
            variants = [{**v, "pk": ids_of(model)} for v in variants]
        elif name == "obj_id":
            variants = [{**v, "obj_id": ids_of(apps.get_model(KIND_MODELS[v["kind"]]))} for v in variants]
        elif name in ID_KWARGS:
            variants = [{**v, name: ids_of(apps.get_model(ID_KWARGS[name]))} for v in variants]
        else:
            raise LookupError(f"{route.name}: cannot fill path argument <{name}>")
    paths = []
    for values in variants:
        path = route.template.replace(f"<{ORG_KWARG}>", slug)
        for key, value in values.items():
            path = path.replace(f"<{key}>", str(value))
        paths.append(path)
    return paths


def foreign_body(route: Route, ids_of) -> dict | None:
    """A body for an API write whose related fields name A's rows; None if the serializer has none."""
    view_class = getattr(route.callback, "cls", None)
    serializer_class = getattr(view_class, "serializer_class", None)
    if serializer_class is None:
        return None
    body = {}
    for name, fld in serializer_class().fields.items():
        if fld.read_only:
            continue
        if isinstance(fld, drf_serializers.ManyRelatedField):
            body[name] = [ids_of(fld.child_relation.queryset.model)]
        elif isinstance(fld, drf_serializers.RelatedField) and fld.queryset is not None:
            body[name] = ids_of(fld.queryset.model)
    return body or None


def attack(*, routes, org_a, session_b, token_b, ids_of, slug_b) -> tuple[list[str], int]:
    """Runs the attacks; returns the failures and the number of requests made."""
    failures, requests = [], 0
    before = tenant_fingerprint(org_a)

    def call(client, method, path, data=None, *, expect):
        nonlocal requests
        requests += 1
        response = getattr(client, method)(path) if data is None else getattr(client, method)(path, data, format="json")
        if response.status_code not in expect:
            failures.append(f"{method.upper()} {path}: {response.status_code}, expected {sorted(expect)}")
        elif data is not None and response.status_code == 400:
            # The refusal must be about the foreign references, not only about other missing fields.
            rejected = set(response.json()["error"]["fields"])
            if not set(data) <= rejected:
                failures.append(f"{method.upper()} {path}: accepted foreign ids in {sorted(set(data) - rejected)}")

    for route in routes:
        if not route.methods:
            failures.append(f"{route.name} ({route.template}): no HTTP method can be determined")
            continue
        try:
            paths_a = path_variants(route, org_a.slug, ids_of)
            names_objects = any(name not in CHOICE_KWARGS and name != ORG_KWARG for name in route.kwargs)
            paths_b = path_variants(route, slug_b, ids_of) if names_objects else []
        except LookupError as exc:
            failures.append(str(exc))
            continue
        for method in route.methods:
            for path in paths_a:
                call(session_b, method, path, expect=DENIED)
                if route.is_api:
                    call(token_b, method, path, expect=DENIED)
            for path in paths_b:
                call(session_b, method, path, expect=DENIED)
                if route.is_api:
                    call(token_b, method, path, expect=DENIED)
            if route.is_api and method in ("post", "put", "patch") and not names_objects:
                body = foreign_body(route, ids_of)
                if body is not None:
                    call(token_b, method, route.template.replace(f"<{ORG_KWARG}>", slug_b), body, expect={400, 404})
    after = tenant_fingerprint(org_a)
    changed = sorted(label for label in before if before[label] != after[label])
    if changed:
        failures.append(f"organization A's rows changed in: {', '.join(changed)}")
    return failures, requests
