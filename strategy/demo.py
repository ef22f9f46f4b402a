"""Demo data for «Зерно» (a coffee chain in Kazan): analysis, a complete approved strategy covering
today, a draft for the next period, trend notes and three experiments (planned, running, concluded).

Idempotent: rows are found by natural keys; an existing strategy is left as it is (a person may
have edited or re-approved it since), so seeding twice changes nothing.
"""

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from core.errors import DomainError
from tenancy.access import Access
from tenancy.roles import Role, role_permissions

from . import services
from .demo_analysis import seed_analysis, seed_competitor_tracking
from .models import (
    Competitor,
    Experiment,
    Strategy,
    TrendNote,
)

CURRENT_TITLE = "Стратегия «Зерно»: соседская кофейня №1 в Казани"
NEXT_TITLE = "Стратегия «Зерно»: следующий период"


def _month_start(day: dt.date, months_back: int) -> dt.date:
    month = day.month - months_back
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1)


def _month_end(day: dt.date, months_ahead: int) -> dt.date:
    start = _month_start(day, -months_ahead)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def periods(today: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The current period (4 months back to 2 ahead, whole months) and the next six months."""
    current = (_month_start(today, 4), _month_end(today, 2))
    nxt = (current[1] + dt.timedelta(days=1), _month_end(current[1] + dt.timedelta(days=1), 5))
    return current, nxt


def seed(*, organization, users: dict) -> None:
    owner = users["owner"]
    marketer = users.get("marketer", owner)
    owner_access = Access(
        organization=organization, user=owner, role=Role.OWNER, permissions=role_permissions(Role.OWNER)
    )
    marketer_access = Access(
        organization=organization, user=marketer, role=Role.MARKETER, permissions=role_permissions(Role.MARKETER)
    )
    today = timezone.localtime(timezone.now(), organization.tzinfo).date()
    (start, end), (next_start, next_end) = periods(today)

    seed_analysis(organization, start)
    current = Strategy.objects.filter(organization=organization, title=CURRENT_TITLE).order_by("version").first()
    if current is None:
        current = _current_strategy(marketer_access, owner_access, start, end)
    if not Strategy.objects.filter(organization=organization, title=NEXT_TITLE).exists():
        _next_draft(marketer_access, current, next_start, next_end)
    _trends_and_experiments(organization, marketer, marketer_access, start, today)
    seed_competitor_tracking(organization, today)


GOALS = [
    # title, objective, kpi, baseline, target, platform
    # Calibrated against the demo connector's data so the cards show a mix of statuses.
    ("Заявки на корпоративный кофе и предзаказы из соцсетей", "leads", "leads", "80", "280", ""),
    ("Снизить стоимость заявки", "leads", "cpl", "600", "320", ""),
    ("Охват жителей Казани", "awareness", "reach", "45000", "120000", ""),
    ("Вовлечённость аудитории", "loyalty", "er", "2.4", "6.0", ""),
    ("Быстрые ответы гостям", "support_load", "first_response_time", "240", "30", ""),
]

PILLARS = [
    # name, description, objective, stage, share, formats, goal titles
    (
        "Утро с «Зерном»",
        "Короткие ролики и фото: бариста, первая выпечка, утренние гости района",
        "awareness",
        "awareness",
        30,
        ["reel", "photo"],
        ["Охват жителей Казани", "Вовлечённость аудитории"],
    ),
    (
        "Кофейная грамотность",
        "Карточки и разборы: обжарка, способы заваривания, как выбрать зерно домой",
        "loyalty",
        "consideration",
        20,
        ["carousel", "article"],
        ["Вовлечённость аудитории"],
    ),
    (
        "Предзаказ и кофе для офиса",
        "Офферы с призывом: предзаказ без очереди, кофе-брейки, лид-форма для офисов",
        "leads",
        "conversion",
        30,
        ["photo", "carousel"],
        ["Заявки на корпоративный кофе и предзаказы из соцсетей", "Снизить стоимость заявки"],
    ),
    (
        "Соседи и гости",
        "Истории гостей, ответы на вопросы, опросы о новых позициях, благодарности",
        "loyalty",
        "loyalty",
        20,
        ["photo", "story", "poll"],
        ["Вовлечённость аудитории", "Быстрые ответы гостям"],
    ),
]


def _current_strategy(marketer_access, owner_access, start, end) -> Strategy:
    competitors = list(
        Competitor.objects.filter(organization=marketer_access.organization, name__in=["Кофе Бум", "Cofix"])
    )
    strategy = services.strategy_create(
        access=marketer_access,
        title=CURRENT_TITLE,
        period_start=start,
        period_end=end,
        positioning_statement=(
            "Для жителей Казани, которые ценят хороший кофе рядом с домом, «Зерно» — соседская кофейня, "
            "где спешелти-кофе стоит как сетевой, выпечка своя, а бариста помнит ваш заказ. "
            "В отличие от «Кофе Бум» и Cofix, мы не конвейер скидок, а место, куда приятно заходить каждый день."
        ),
        differentiators=(
            "Своя пекарня и обжарка партнёра из Казани; кофейни в спальных районах, а не только в центре; "
            "предзаказ без очереди; корпоративный кофе для офисов рядом."
        ),
        tone_guidelines=(
            "Говорим на «вы», но тепло и по-соседски; коротко, с лёгким юмором; без канцелярита и давления. "
            "На негатив отвечаем в течение 30 минут, решаем вопрос, а не удаляем комментарий."
        ),
        words_to_use="сосед, свежая выпечка, обжарка, ваш заказ, утро, без очереди",
        words_to_avoid="дешёвый, уважаемые клиенты, в кратчайшие сроки, АКЦИЯ!!!, эксклюзивное предложение",
        competitors=[c.pk for c in competitors],
    )
    goals = {}
    for title, objective, kpi, baseline, target, platform in GOALS:
        goals[title] = services.goal_create(
            access=marketer_access,
            strategy=strategy,
            title=title,
            objective=objective,
            kpi=kpi,
            baseline=Decimal(baseline),
            target=Decimal(target),
            deadline=end,
            platform=platform,
        )
    services.platform_choice_create(
        access=marketer_access,
        strategy=strategy,
        platform="vk",
        role="key",
        rationale="Здесь 70 % нашей аудитории 25–45 в Казани; есть VK Ads с лид-формами для офисов.",
    )
    services.platform_choice_create(
        access=marketer_access,
        strategy=strategy,
        platform="telegram",
        role="key",
        rationale="Канал для постоянных гостей: меню дня, предзаказ, закрытые предложения; быстрые ответы.",
    )
    for name, description, objective, stage, share, formats, goal_titles in PILLARS:
        services.content_pillar_create(
            access=marketer_access,
            strategy=strategy,
            name=name,
            description=description,
            objective=objective,
            funnel_stage=stage,
            target_share=share,
            formats=formats,
            goals=[goals[t].pk for t in goal_titles],
        )
    services.strategy_submit(access=marketer_access, strategy=strategy)
    try:
        return services.strategy_approve(access=owner_access, strategy=strategy)
    except DomainError:
        # Another approved strategy already covers this period (edited by a person): keep it in review.
        strategy.refresh_from_db()
        return strategy


def _next_draft(marketer_access, current: Strategy, start, end) -> Strategy:
    draft = services.strategy_copy_for_period(
        access=marketer_access, strategy=current, title=NEXT_TITLE, period_start=start, period_end=end
    )
    raised = {
        "Заявки на корпоративный кофе и предзаказы из соцсетей": Decimal(400),
        "Охват жителей Казани": Decimal(150000),
    }
    for goal in draft.goals.all():
        if goal.title in raised:
            services.goal_update(access=marketer_access, goal=goal, baseline=goal.target, target=raised[goal.title])
    services.strategy_update(
        access=marketer_access,
        strategy=draft,
        differentiators=draft.differentiators + " Новое: доставка выпечки к завтраку в Ново-Савиновском районе.",
    )
    return draft


def _trends_and_experiments(organization, author, access, start: dt.date, today: dt.date) -> None:
    trends = {}
    for title, kind, platform, description, impact, expected, follow_up, days_ago in [
        (
            "VK продвигает клипы в умной ленте",
            TrendNote.Kind.ALGORITHM,
            "vk",
            "Короткие вертикальные видео получают заметно больший охват, чем фото-посты.",
            TrendNote.Impact.HIGH,
            "Фото напитков без видео будут терять охват.",
            "Эксперимент с рилсами «Бариста за 15 секунд».",
            100,
        ),
        (
            "Мини-приложения и боты в Telegram для заказов",
            TrendNote.Kind.FEATURE,
            "telegram",
            "Гости привыкают заказывать через ботов без установки приложений.",
            TrendNote.Impact.MEDIUM,
            "Может снять очереди по утрам и дать данные о повторных заказах.",
            "Пилот бота предзаказа в одной кофейне.",
            40,
        ),
        (
            "Рост спроса на альтернативное молоко",
            TrendNote.Kind.AUDIENCE,
            "",
            "В опросах гости всё чаще спрашивают овсяное и безлактозное молоко.",
            TrendNote.Impact.LOW,
            "Повод для контента в рубрике «Кофейная грамотность».",
            "Опрос в VK и Telegram.",
            20,
        ),
        (
            "VK Видео как отдельная площадка",
            TrendNote.Kind.NICHE,
            "vk",
            "Локальные кафе ведут каналы в VK Видео с длинными роликами о производстве.",
            TrendNote.Impact.MEDIUM,
            "Новый источник охвата для рубрики «Утро с «Зерном»».",
            "Запланировать дешёвый тест канала.",
            10,
        ),
    ]:
        trends[title], _ = TrendNote.objects.update_or_create(
            organization=organization,
            title=title,
            defaults={
                "kind": kind,
                "platform": platform,
                "description": description,
                "impact": impact,
                "expected_impact": expected,
                "follow_up": follow_up,
                "noted_on": today - dt.timedelta(days=days_ago),
                "source_url": "https://vk.com/press" if platform == "vk" else "",
                "created_by": author,
            },
        )

    # The fields of Experiment.objects.create, title first (popped to skip an experiment already seeded).
    experiments: list[dict[str, Any]] = [
        {
            "title": "Рилсы «Бариста за 15 секунд»",
            "hypothesis": "Короткие ролики о приготовлении напитков дадут в 1,5 раза больший охват, чем фото-посты.",
            "kind": Experiment.Kind.FORMAT,
            "platform": "vk",
            "trend": trends["VK продвигает клипы в умной ленте"],
            "budget_cap": Decimal("15000.00"),
            "start_date": start + dt.timedelta(days=14),
            "end_date": start + dt.timedelta(days=44),
            "success_metric": "Средний охват ролика",
            "success_threshold": Decimal("3000"),
            "status": Experiment.Status.CONCLUDED,
            "result_value": Decimal("4200"),
            "result_notes": "8 роликов, средний охват 4 200 против 1 800 у фото; ER 5,1 %; 2 заявки на кейтеринг.",
            "decision": Experiment.Decision.ADOPT,
            "recommendation": "Выпускать 2 ролика в неделю в рубрике «Утро с «Зерном»»; бюджет на продвижение "
            "лучших — 5 000 ₽ в месяц.",
            "concluded_at": timezone.now() - dt.timedelta(days=30),
        },
        {
            "title": "Бот предзаказа в Telegram",
            "hypothesis": "Бот предзаказа снимет утренние очереди и даст не менее 50 предзаказов в неделю.",
            "kind": Experiment.Kind.FEATURE,
            "platform": "telegram",
            "trend": trends["Мини-приложения и боты в Telegram для заказов"],
            "budget_cap": Decimal("25000.00"),
            "start_date": today - dt.timedelta(days=10),
            "end_date": today + dt.timedelta(days=20),
            "success_metric": "Предзаказы через бота в неделю",
            "success_threshold": Decimal("50"),
            "status": Experiment.Status.RUNNING,
        },
        {
            "title": "Канал в VK Видео",
            "hypothesis": "Длинные ролики о пекарне и обжарке соберут 300 подписчиков за два месяца без рекламы.",
            "kind": Experiment.Kind.PLATFORM,
            "platform": "vk",
            "trend": trends["VK Видео как отдельная площадка"],
            "budget_cap": Decimal("10000.00"),
            "start_date": today + dt.timedelta(days=15),
            "end_date": today + dt.timedelta(days=75),
            "success_metric": "Подписчики канала",
            "success_threshold": Decimal("300"),
            "status": Experiment.Status.PLANNED,
        },
    ]
    for data in experiments:
        title = data.pop("title")
        if Experiment.objects.filter(organization=organization, title=title).exists():
            continue
        Experiment.objects.create(
            organization=organization, title=title, currency=organization.currency, created_by=author, **data
        )
