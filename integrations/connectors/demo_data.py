"""The demo platform's parameters and texts (a coffee chain «Зерно», Kazan) and its seeded random helpers."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from integrations.connectors.base import PostFormat

EPOCH = date(2025, 1, 1)  # the simulated account's first day
BASE_FOLLOWERS = 3800
KAZAN_UTC_OFFSET = timedelta(hours=3)
COMMENTS_LOOKBACK_DAYS = 14

FORMATS: tuple[tuple[str, float], ...] = (
    (PostFormat.PHOTO, 0.34),
    (PostFormat.CAROUSEL, 0.2),
    (PostFormat.REEL, 0.2),
    (PostFormat.VIDEO, 0.08),
    (PostFormat.TEXT, 0.1),
    (PostFormat.POLL, 0.08),
)
FORMAT_REACH = {"photo": 1.0, "carousel": 1.15, "reel": 1.9, "video": 1.35, "text": 0.6, "poll": 0.9}
FORMAT_SAVES = {"photo": 1.0, "carousel": 2.4, "reel": 1.3, "video": 1.0, "text": 0.5, "poll": 0.3}
OBJECTIVES: tuple[tuple[str, float], ...] = (
    ("engagement", 0.35),
    ("leads", 0.25),
    ("sales", 0.2),
    ("loyalty", 0.2),
)
OBJECTIVE_CLICKS = {"engagement": 0.3, "leads": 3.0, "sales": 1.8, "loyalty": 0.4}
OBJECTIVE_COMMENTS = {"engagement": 2.2, "leads": 0.8, "sales": 0.7, "loyalty": 1.2}

POST_TEXTS: dict[str, tuple[str, ...]] = {
    "engagement": (
        "Капучино или флэт уайт? Пишите в комментариях, что заказываете по утрам ☕",
        "Угадайте страну происхождения зерна по описанию: ноты черники, жасмина и тёмного шоколада.",
        "Конкурс! Сфотографируйте свой кофе в «Зерне», отметьте нас — три победителя получат абонемент "
        "на месяц. Правила в закреплённом посте.",
        "Опрос: какой сироп добавить в осеннее меню — тыквенный, ореховый или медовый с корицей?",
        "Лайфхак бариста: как сварить вкусный кофе в турке дома за 5 минут.",
    ),
    "leads": (
        "Бесплатная дегустация нового эфиопского зерна в субботу. Запишитесь по ссылке — мест 20.",
        "Скачайте чек-лист «Как выбрать кофе для дома» — ссылка в описании.",
        "Вебинар с нашим обжарщиком: как устроена обжарка. Регистрация по ссылке.",
        "Кофе для офиса: оставьте заявку — привезём пробный набор бесплатно.",
    ),
    "sales": (
        "Только до воскресенья: второй раф за полцены во всех кофейнях «Зерна».",
        "Новинка — зерно Колумбия Уила в пачках по 250 г. Заказ с доставкой по Казани.",
        "Отзыв гостя: «Лучший флэт уайт в Казани». Приходите проверить на Баумана, 42.",
        "Как мы готовим наш фирменный раф «Зерно»: процесс в видео.",
    ),
    "loyalty": (
        "Спасибо, что вы с нами! Сегодня каждый гость с картой лояльности получает печенье в подарок.",
        "Разбор ошибок: почему кофе бывает кислым и как мы это исправили в новой обжарке.",
        "Знакомьтесь: Алина, старший бариста на Кремлёвской. Пять лет в «Зерне».",
        "Ответы на ваши вопросы: есть ли у нас растительное молоко, можно ли с собакой и где парковка.",
    ),
}

COMMENT_TEXTS: dict[str, tuple[tuple[str, str], ...]] = {
    # (text, tone)
    "ru": (
        ("Обожаю ваш раф, беру каждое утро!", "positive"),
        ("Лучший кофе в Казани, спасибо бариста на Баумана", "positive"),
        ("А во сколько вы открываетесь в выходные?", "neutral"),
        ("Есть ли у вас овсяное молоко?", "neutral"),
        ("Как записаться на дегустацию?", "neutral"),
        ("Вчера ждал заказ 20 минут, кофе был холодный. Очень расстроен.", "negative"),
        ("Цены опять подняли, уже не так выгодно", "negative"),
        ("Флэт уайт — огонь 🔥", "positive"),
        ("Сделайте, пожалуйста, кофейню в Приволжском районе", "neutral"),
        ("Приложение лояльности не начисляет баллы уже неделю", "negative"),
    ),
    "en": (
        ("Best flat white I had in Kazan, thank you!", "positive"),
        ("Do you have decaf?", "neutral"),
        ("Is there Wi-Fi for working?", "neutral"),
        ("The music was way too loud yesterday.", "negative"),
        ("Lovely place and friendly staff", "positive"),
    ),
}
MESSAGE_TEXTS: tuple[tuple[str, str], ...] = (
    ("Здравствуйте! Можно заказать кофе-брейк на 30 человек в офис?", "neutral"),
    ("Добрый день, потеряла в кофейне шарф, не находили?", "neutral"),
    ("Хочу пожаловаться на обслуживание в кофейне на Кремлёвской", "negative"),
    ("Спасибо за прекрасный вечер, ребята молодцы!", "positive"),
    ("Hello! Do you sell gift cards?", "neutral"),
)
REPLY_TEXTS = (
    "Спасибо за отзыв! Будем рады видеть вас снова ☕",
    "Здравствуйте! Ответили вам в личных сообщениях.",
    "Очень жаль, что так вышло. Напишите нам в личку номер заказа — разберёмся.",
    "Thank you! See you soon at Zerno.",
)
MENTION_TEXTS: tuple[tuple[str, str], ...] = (
    ("Зашли в «Зерно» на Баумана — кофе отличный, десерты так себе.", "neutral"),
    ("Моя любимая кофейня в Казани — «Зерно». Рекомендую раф!", "positive"),
    ("В «Зерне» опять очередь на полчаса, не успела до работы.", "negative"),
    ("Подборка кофеен Казани: «Зерно», «Кофейня №1» и ещё пять мест.", "neutral"),
    ("Coffee in Kazan: Zerno is a must-visit.", "positive"),
)
AUTHORS_RU = ("Анна К.", "Дмитрий Ш.", "Лейсан Г.", "Ильдар М.", "Мария П.", "Тимур Х.", "Елена В.", "Рустем З.")
AUTHORS_EN = ("John Smith", "Emma Brown", "Lucas Meyer")

# (external id, name, objective, daily budget RUB, CPM, CTR, click→lead, running from, paused from)
CampaignSpec = tuple[str, str, str, Decimal, float, float, float, date, date | None]
CAMPAIGNS: tuple[CampaignSpec, ...] = (
    (
        "demo-c1",
        "Лиды — дегустация эфиопского зерна",
        "OUTCOME_LEADS",
        Decimal("1500.00"),
        210.0,
        0.012,
        0.09,
        date(2025, 9, 1),
        None,
    ),
    (
        "demo-c2",
        "Охват — осеннее меню",
        "OUTCOME_AWARENESS",
        Decimal("900.00"),
        120.0,
        0.006,
        0.01,
        date(2025, 10, 1),
        None,
    ),
    (
        "demo-c3",
        "Трафик — доставка по Казани",
        "OUTCOME_TRAFFIC",
        Decimal("700.00"),
        170.0,
        0.014,
        0.02,
        date(2025, 9, 15),
        date(2026, 9, 1),
    ),
)
AVERAGE_ORDER = Decimal("1900")


def _rng(*parts: Any) -> random.Random:
    """An independent generator per item: same parts → same numbers, on any machine."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _weighted(rng: random.Random, choices: Sequence[tuple[str, float]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]
