"""Demo data for «Зерно»: the analysis step (business profile, audience, competitors, presence audits)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from .models import AudienceSegment, BusinessProfile, Competitor, CompetitorSnapshot, PresenceAudit, SnapshotSource


def seed_analysis(organization, start: dt.date) -> None:
    BusinessProfile.objects.update_or_create(
        organization=organization,
        defaults={
            "product": "Сеть из шести кофеен у дома в Казани: спешелти-кофе, выпечка собственной пекарни, "
            "зерно для дома и кофе для офисов.",
            "value_proposition": "Спешелти-кофе по цене сетевого в пяти минутах от дома; свежая выпечка к 7:30; "
            "бариста помнят ваш заказ.",
            "price_segment": BusinessProfile.PriceSegment.MIDDLE,
            "geography": "Казань: Вахитовский, Ново-Савиновский и Советский районы",
            "sales_channels": "Кофейни; предзаказ и самовывоз в приложении; доставка; зерно онлайн; "
            "корпоративный кофе и кейтеринг для офисов",
            "average_order_value": Decimal("420.00"),
            "gross_margin_percent": Decimal("68.00"),
            "support_contact_cost": Decimal("150.00"),
            "currency": organization.currency,
        },
    )
    segments = [
        {
            "name": "Офисные сотрудники 25–40",
            "demographics": "25–40 лет, работают в центре и в IT-парке, доход средний и выше",
            "needs": "Быстро взять хороший кофе по дороге на работу; кофе-брейки для команды",
            "pains": "Очереди по утрам, нестабильное качество в сетевых кофейнях",
            "objections": "«Дороже, чем кофе из автомата в офисе»",
            "platforms": ["vk", "telegram"],
            "buying_triggers": "Предзаказ без очереди, утренний комбо до 10:00, счёт для юрлица",
        },
        {
            "name": "Студенты КФУ и КАИ",
            "demographics": "18–23 года, живут и учатся рядом с кофейнями в центре",
            "needs": "Место для учёбы с розетками и Wi-Fi, недорогой вкусный кофе",
            "pains": "Ограниченный бюджет, нет мест в кофейнях в сессию",
            "objections": "«В сетевой кофейне дешевле по акции»",
            "platforms": ["vk", "telegram"],
            "buying_triggers": "Студенческая карта, розыгрыши, коллаборации со студсоветами",
        },
        {
            "name": "Молодые семьи района",
            "demographics": "28–38 лет, с детьми до 7 лет, живут в Ново-Савиновском районе",
            "needs": "Уютное место рядом с домом, выпечка к завтраку, детское меню",
            "pains": "Мало семейных мест в спальных районах",
            "objections": "«С ребёнком в кофейне неудобно»",
            "platforms": ["vk"],
            "buying_triggers": "Выпечка на завтрак с доставкой, семейные выходные, детский уголок",
        },
    ]
    for data in segments:
        AudienceSegment.objects.update_or_create(organization=organization, name=data.pop("name"), defaults=data)

    competitors = [
        (
            "Кофе Бум",
            {"vk": "https://vk.com/coffeeboom_kzn", "telegram": "https://t.me/coffeeboom_kzn"},
            "Федеральная сеть: скорость и скидки, кофе на бегу",
            "Много точек, сильная программа лояльности, агрессивные скидки",
            "Конвейер, нет соседского ощущения, среднее качество зерна",
            [("vk", 38500, "1.40"), ("telegram", 5200, "2.10")],
        ),
        (
            "Cofix",
            {"vk": "https://vk.com/cofix_kazan"},
            "Дискаунтер: всё по одной цене",
            "Низкая цена, узнаваемый бренд",
            "Качество и сервис, нет выпечки своего производства",
            [("vk", 21000, "0.90")],
        ),
        (
            "Кофейня «Бариста и кот»",
            {"vk": "https://vk.com/barista_i_kot"},
            "Независимая кофейня в центре с котом-талисманом",
            "Яркий контент, сильное комьюнити",
            "Одна точка, нет доставки и предзаказа",
            [("vk", 9600, "5.30")],
        ),
    ]
    for name, links, notes, strengths, weaknesses, snapshots in competitors:
        competitor, _ = Competitor.objects.update_or_create(
            organization=organization,
            name=name,
            defaults={"links": links, "positioning_notes": notes, "strengths": strengths, "weaknesses": weaknesses},
        )
        for platform, followers, er in snapshots:
            CompetitorSnapshot.objects.update_or_create(
                organization=organization,
                competitor=competitor,
                platform=platform,
                date=start,
                defaults={"followers": followers, "engagement_rate": Decimal(er)},
            )

    audits = [
        ("vk", 4200, 1800, "2.40", "3.0", 240, "Посты нерегулярно, в основном фото напитков без призыва к действию"),
        ("telegram", 900, 600, "4.10", "2.0", 180, "Канал ведёт управляющая, нет рубрик"),
    ]
    for platform, followers, reach, er, ppw, response, notes in audits:
        PresenceAudit.objects.update_or_create(
            organization=organization,
            platform=platform,
            date=start,
            defaults={
                "followers": followers,
                "average_reach": reach,
                "engagement_rate": Decimal(er),
                "posts_per_week": Decimal(ppw),
                "response_time_minutes": response,
                "notes": notes,
            },
        )


# Daily public VK figures of two competitors for the last DEMO_TRACKED_DAYS days, as the daily
# tracking stores them (docs/competitors.md); one more competitor shows a tracking error on the
# sync-health page. Deterministic, so seeding twice changes nothing.
DEMO_TRACKED_DAYS = 30
DEMO_TRACKED = [
    # name, followers 30 days ago, daily gain, posts per week, average reactions per post
    ("Кофе Бум", 38100, 14, "4.25", "512.00"),
    ("Cofix", 21200, -3, "2.50", "190.00"),
]


def seed_competitor_tracking(organization, today: dt.date) -> None:
    now = timezone.now()
    for name, base, gain, per_week, reactions in DEMO_TRACKED:
        competitor = Competitor.objects.filter(organization=organization, name=name).first()
        if competitor is None:
            continue
        for back in range(DEMO_TRACKED_DAYS):
            day = today - dt.timedelta(days=back)
            followers = base + gain * (DEMO_TRACKED_DAYS - back) + (back % 3) * 2
            average = Decimal(reactions) + Decimal(back % 5)
            existing = CompetitorSnapshot.objects.filter(
                organization=organization, competitor=competitor, platform="vk", date=day
            ).first()
            if existing is not None and existing.source == SnapshotSource.MANUAL:
                continue  # the analysis' typed-in snapshot of that day stays
            CompetitorSnapshot.objects.update_or_create(
                organization=organization,
                competitor=competitor,
                platform="vk",
                date=day,
                defaults={
                    "followers": followers,
                    "posts_per_week": Decimal(per_week),
                    "average_reactions": average,
                    "engagement_rate": (average * 100 / followers).quantize(Decimal("0.01")),
                    "source": SnapshotSource.VK_PUBLIC,
                },
            )
        Competitor.objects.filter(organization=organization, pk=competitor.pk).update(
            tracking_checked_at=now, tracked_at=now, tracking_error_kind="", tracking_error=""
        )
    Competitor.objects.filter(organization=organization, name="Кофейня «Бариста и кот»").update(
        tracking_checked_at=now,
        tracking_error_kind="permission",
        tracking_error="Access denied: this wall available only for community members",
    )
