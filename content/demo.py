"""A few demo posts for «Зерно» tied to the approved strategy's goals and pillars (two scheduled through
the launch gate, one draft). Idempotent by title."""

import datetime as dt

from django.utils import timezone

from strategy.launch_gate import current_strategy
from strategy.models import ContentPillar, Goal
from tenancy.access import Access
from tenancy.roles import Role, role_permissions

from . import services
from .demo_plan import seed_plan
from .models import Post

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
