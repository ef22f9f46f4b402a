"""A few demo posts for «Зерно» tied to the approved strategy's goals and pillars (two scheduled through
the launch gate, one draft). Idempotent by title."""

import datetime as dt
import uuid

from django.utils import timezone

from integrations.credentials import connector_for
from integrations.models import AccountStatus, Platform, SocialAccount
from strategy.launch_gate import current_strategy
from strategy.models import ContentPillar, Goal
from tenancy.access import Access
from tenancy.roles import Role, role_permissions

from . import services
from .demo_plan import seed_plan
from .models import Post, Publication
from .publishing import CLAIM_LEASE, publish_one

POSTS = [
    # title, text, pillar, goal, objective, format, platform, days ahead (None = draft)
    (
        "Кофе для вашего офиса — без очереди",
        "Привезём кофе-брейк на 10–50 человек к 9:00. Оставьте заявку в форме — перезвоним за 15 минут.",
        "Предзаказ и кофе для офиса",
        "Заявки на корпоративный кофе и предзаказы из соцсетей",
        "lead_generation",
        "photo",
        "vk",
        2,
    ),
    (
        "Бариста за 15 секунд: флэт уайт",
        "Как мы готовим флэт уайт в 7:30 утра в кофейне на Баумана.",
        "Утро с «Зерном»",
        "Охват жителей Казани",
        "engagement",
        "reel",
        "vk",
        3,
    ),
    (
        "Как выбрать зерно для турки",
        "Пять вопросов, которые стоит задать бариста, прежде чем купить зерно домой.",
        "Кофейная грамотность",
        "Вовлечённость аудитории",
        "loyalty",
        "carousel",
        "telegram",
        None,
    ),
]


# A lead generation post needs its call to action (published as a tracked short link).
CTA = {"Кофе для вашего офиса — без очереди": ("sign_up", "https://zerno-coffee.ru/office?from=social")}


def seed(*, organization, users: dict) -> None:
    marketer = users.get("marketer") or users["owner"]
    access = Access(
        organization=organization, user=marketer, role=Role.MARKETER, permissions=role_permissions(Role.MARKETER)
    )
    strategy = current_strategy(organization=organization)
    if strategy is None:
        return
    for title, text, pillar_name, goal_title, objective, fmt, platform, days in POSTS:
        if Post.objects.filter(organization=organization, title=title).exists():
            continue
        goal = Goal.objects.filter(organization=organization, strategy=strategy, title=goal_title).first()
        pillar = ContentPillar.objects.filter(organization=organization, strategy=strategy, name=pillar_name).first()
        post = services.post_create(
            access=access,
            title=title,
            text=text,
            platform=platform,
            objective=objective,
            format=fmt,
            goal=goal,
            pillar=pillar,
            cta_type=CTA.get(title, ("", ""))[0],
            cta_url=CTA.get(title, ("", ""))[1],
        )
        if days is not None and goal is not None and pillar is not None:
            when = timezone.now().replace(hour=6, minute=30, second=0, microsecond=0) + dt.timedelta(days=days)
            if strategy.covers(timezone.localtime(when, organization.tzinfo).date()):
                services.post_schedule(access=access, post=post, scheduled_at=when)
    seed_plan(access=access, strategy=strategy)
    seed_failed_publication(access=access, strategy=strategy)
    seed_published_by_hand(access=access, strategy=strategy)


FAILED_TITLE = "Акция выходного дня: второй капучино в подарок"
FAILED_TEXT = "В субботу и воскресенье второй капучино — в подарок. Покажите этот пост бариста."


def seed_failed_publication(*, access: Access, strategy) -> None:
    """One publication that failed, through the real publisher: the demo account answers as a
    platform would when the connected user may not post (VK error 15). The reason in plain words
    shows on the post and in its author's notifications."""
    organization = access.organization
    if Post.objects.filter(organization=organization, title=FAILED_TITLE).exists():
        return
    account = (
        SocialAccount.objects.for_organization(organization)
        .filter(platform=Platform.DEMO, status=AccountStatus.ACTIVE)
        .first()
    )
    goal = Goal.objects.filter(organization=organization, strategy=strategy, title="Охват жителей Казани").first()
    pillar = ContentPillar.objects.filter(organization=organization, strategy=strategy, name="Утро с «Зерном»").first()
    if account is None or goal is None or pillar is None or not strategy.covers(organization.today()):
        return
    post = services.post_create(
        access=access,
        title=FAILED_TITLE,
        text=FAILED_TEXT,
        platform="vk",
        objective="engagement",
        format="text",
        goal=goal,
        pillar=pillar,
    )
    services.post_schedule(
        access=access, post=post, scheduled_at=timezone.now() + dt.timedelta(minutes=1), accounts=[account]
    )
    publication = post.publications.get()
    # Claimed as the publisher claims a due one (this one only), then published through the
    # account's connector told to refuse.
    token = uuid.uuid4()
    Publication.objects.filter(
        organization=organization, pk=publication.pk, status=Publication.Status.SCHEDULED
    ).update(status=Publication.Status.PUBLISHING, claim_token=token, claimed_until=timezone.now() + CLAIM_LEASE)
    publish_one(
        publication.pk,
        str(token),
        connector_factory=lambda acc: connector_for(acc, publish_failure="permission_denied"),
    )


# Posts of the plan that went out by hand on the demo platform: planned posts with the text and time
# of the simulated account's recent posts (its connector says what it published), so the sync's
# link to the plan (by account, time and text) finds them, their tracked links carry the CRM demo's
# leads and the analytics pages show leads and revenue per published post.
PUBLISHED_BY_HAND = (("leads", "lead_generation", 2), ("sales", "sales", 1))  # demo objective, plan's, how many
PUBLISHED_BY_HAND_PILLAR = "Предзаказ и кофе для офиса"
PUBLISHED_BY_HAND_DAYS = (3, 45)  # published this many days ago at least / at most


def seed_published_by_hand(*, access: Access, strategy) -> None:
    organization = access.organization
    account = (
        SocialAccount.objects.for_organization(organization)
        .filter(platform=Platform.DEMO, status=AccountStatus.ACTIVE)
        .first()
    )
    pillar = ContentPillar.objects.filter(
        organization=organization, strategy=strategy, name=PUBLISHED_BY_HAND_PILLAR
    ).first()
    goal = pillar.goals.order_by("pk").first() if pillar is not None else None
    if account is None or pillar is None or goal is None:
        return
    now = timezone.now()
    newest, oldest = (now - dt.timedelta(days=d) for d in PUBLISHED_BY_HAND_DAYS)
    remote = sorted(
        (p for p in connector_for(account).fetch_posts(oldest) if p.published_at <= newest),
        key=lambda p: p.published_at,
        reverse=True,
    )
    for demo_objective, objective, count in PUBLISHED_BY_HAND:
        for item in [p for p in remote if p.extra.get("objective") == demo_objective][:count]:
            title = f"{item.text[:60]} · {timezone.localtime(item.published_at, organization.tzinfo):%d.%m}"
            if Post.objects.filter(organization=organization, title=title).exists():
                continue
            post = services.post_create(
                access=access,
                title=title,
                text=item.text,
                platform="vk",
                objective=objective,
                format=item.format,
                goal=goal,
                pillar=pillar,
            )
            # Published by hand at that time (no publication of ours): the plan's record of it.
            Post.objects.filter(organization=organization, pk=post.pk).update(
                scheduled_at=item.published_at, status=Post.Status.PUBLISHED
            )
