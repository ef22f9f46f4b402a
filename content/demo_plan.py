"""Two months of plan for «Зерно»: about three posts a week across the strategy's pillars and
objectives — scheduled through the launch gate where the strategy covers the day, the rest drafts
and ideas on planned slots — and two news hooks. Idempotent by title."""

import datetime as dt

from core.errors import DomainError
from strategy.models import ContentPillar, Strategy
from tenancy.access import Access

from . import services
from .balance import POST_OBJECTIVE_OF
from .models import Post
from .plan_models import CalendarDate, DateKind
from .plan_services import date_add, plan_slot_set

WEEKS = 8
# weekday, local time, pillar, title, format, platform, objective (None: the pillar's)
SLOTS = [
    (0, dt.time(8, 0), "Утро с «Зерном»", "Первая выпечка понедельника", "reel", "vk", None),
    (2, dt.time(12, 30), "Предзаказ и кофе для офиса", "Кофе-брейк для офиса: заявка за минуту", "photo", "vk", None),
    (3, dt.time(19, 0), "Кофейная грамотность", "Разбор: как заварить зерно дома", "carousel", "telegram", None),
    (4, dt.time(9, 0), "Соседи и гости", "История гостя недели", "photo", "telegram", None),
    (
        5,
        dt.time(11, 0),
        "Предзаказ и кофе для офиса",
        "Набор зерна домой со скидкой выходного дня",
        "photo",
        "vk",
        "sales",
    ),
]
HOOKS = [
    (10, "Открытие летней веранды на Баумана", "Фото веранды и предзаказ столиков"),
    (38, "Новый урожай эфиопского зерна", "Дегустация для подписчиков Telegram"),
]


def seed_plan(*, access: Access, strategy: Strategy) -> None:
    organization = access.organization
    today = organization.today()
    monday = today - dt.timedelta(days=today.weekday())
    pillars = {p.name: p for p in ContentPillar.objects.filter(organization=organization, strategy=strategy)}
    goals = {
        p.pk: p.goals.order_by("pk").first()
        for p in ContentPillar.objects.filter(organization=organization, strategy=strategy).prefetch_related("goals")
    }
    existing = set(Post.objects.filter(organization=organization).values_list("title", flat=True))
    for week in range(WEEKS):
        for n, (weekday, at, pillar_name, title, fmt, platform, objective) in enumerate(SLOTS):
            day = monday + dt.timedelta(days=7 * week + weekday)
            full_title = f"{title} · {day:%d.%m}"
            pillar = pillars.get(pillar_name)
            if full_title in existing or pillar is None or day <= today:
                continue
            post = services.post_create(
                access=access,
                title=full_title,
                platform=platform,
                objective=objective or POST_OBJECTIVE_OF.get(pillar.objective, "engagement"),
                format=fmt,
                goal=goals.get(pillar.pk),
                pillar=pillar,
                text=f"{title}. Кофейня «Зерно», Казань.",
            )
            when = dt.datetime.combine(day, at, tzinfo=organization.tzinfo)
            # Every fourth post is still a draft on its planned day: the plan is work in progress.
            if (week * len(SLOTS) + n) % 4 != 3 and strategy.covers(day):
                try:
                    services.post_schedule(access=access, post=post, scheduled_at=when)
                    continue
                except DomainError:
                    pass  # no connected account of the platform (a partial demo): a draft on its day
            plan_slot_set(access=access, post=post, planned_at=when)
    for days, title, note in HOOKS:
        if not CalendarDate.objects.filter(organization=organization, title=title).exists():
            date_add(
                access=access, day=today + dt.timedelta(days=days), title=title, kind=DateKind.NEWS_HOOK, note=note
            )
