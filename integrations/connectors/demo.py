"""A deterministic simulated platform for the demo organization and the embedded default.

It goes through exactly the same sync path as the real connectors (same protocol, same
dataclasses). Every number is a pure function of ``(seed, date/post id)`` — a seeded
``random.Random`` per item — so asking twice, or on another machine, gives the same data for
the same day, and a re-sync changes nothing. Only "which items exist yet" depends on the
clock (posts are not published before their time, lifetime counters grow with age).

What it simulates (a coffee chain «Зерно», Kazan):
* daily account metrics with weekly seasonality (weekends busier) and steady follower growth;
* about five posts a week; reach/engagement depend on format (reels reach further, carousels
  get saved), publishing hour (morning and evening peaks) and objective (lead posts get
  link clicks, engagement posts get comments);
* comments and private messages in Russian and English with a mix of tone, some answered by
  the brand; brand mentions elsewhere;
* three ad campaigns (leads, awareness, traffic) with daily spend, clicks, leads and sales.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from core.numbers import money
from integrations.connectors.base import (
    AccountDay,
    AccountProfile,
    AdStatDay,
    BaseConnector,
    CampaignStatus,
    Capability,
    CommentKind,
    PostFormat,
    PostMetrics,
    PublishResult,
    RemoteCampaign,
    RemoteComment,
    RemoteMention,
    RemotePost,
    ReplyResult,
)

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
CAMPAIGNS: tuple[tuple[str, str, str, Decimal, float, float, float, date, date | None], ...] = (
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


class DemoConnector(BaseConnector):
    platform: ClassVar[str] = "demo"
    capabilities: ClassVar[frozenset[str]] = frozenset(
        {
            Capability.PROFILE,
            Capability.ACCOUNT_METRICS,
            Capability.POSTS,
            Capability.POST_METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.HIDE_COMMENTS,
            Capability.DELETE_COMMENTS,
            Capability.PUBLISH,
            Capability.MENTIONS,
            Capability.CAMPAIGNS,
            Capability.AD_STATS,
            Capability.CAMPAIGN_CONTROL,
        }
    )
    default_base_url: ClassVar[str] = "https://demo.invalid"

    def __init__(
        self,
        access_token: str = "demo",  # noqa: S107 - the simulated platform needs no secret
        external_id: str = "zerno-demo",
        *,
        seed: int = 20260601,
        campaign_overrides: Mapping[str, Mapping[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(access_token or "demo", external_id, **kwargs)
        self.seed = seed
        # Local state the product changed (launch/pause/budget), stored on the account.
        self.campaign_overrides = {k: dict(v) for k, v in (campaign_overrides or {}).items()}

    # ------------------------------------------------------------------ account

    def _day_index(self, day: date) -> int:
        return (day - EPOCH).days

    def followers_on(self, day: date) -> int:
        n = max(0, self._day_index(day))
        return int(BASE_FOLLOWERS + 7.5 * n + 60 * math.sin(n / 11))

    def fetch_profile(self) -> AccountProfile:
        today = self.now().date()
        return AccountProfile(
            external_id=self.external_id,
            name="Зерно · кофейни Казани (демо)",
            username="zerno_coffee_kzn",
            followers=self.followers_on(today),
            url="https://zerno-coffee.example",
            extra={"simulated": True},
        )

    def _account_day(self, day: date) -> AccountDay:
        rng = _rng(self.seed, self.external_id, "day", day.isoformat())
        weekday = day.weekday()
        season = 1.25 if weekday >= 5 else (1.05 if weekday == 4 else 1.0)
        followers = self.followers_on(day)
        boost = sum(FORMAT_REACH[p["format"]] for p in self._posts_on(day)) * 0.12
        reach = int(followers * 0.16 * season * (1 + boost) * rng.uniform(0.85, 1.15))
        likes = int(reach * rng.uniform(0.035, 0.055))
        comments = int(reach * rng.uniform(0.004, 0.008))
        shares = int(reach * rng.uniform(0.002, 0.005))
        saves = int(reach * rng.uniform(0.004, 0.009))
        interactions = likes + comments + shares + saves
        lost = rng.randint(2, 9)
        gained = max(0, followers - self.followers_on(day - timedelta(days=1))) + lost
        return AccountDay(
            day=day,
            followers=followers,
            followers_gained=gained,
            followers_lost=lost,
            reach=reach,
            views=int(reach * rng.uniform(1.4, 1.9)),
            engaged=int(interactions * rng.uniform(0.7, 0.85)),
            interactions=interactions,
            likes=likes,
            comments=comments,
            shares=shares,
            saves=saves,
            link_clicks=int(reach * rng.uniform(0.005, 0.011)),
            profile_visits=int(reach * rng.uniform(0.02, 0.04)),
        )

    def fetch_account_metrics(self, since: date, until: date) -> list[AccountDay]:
        today = self.now().date()
        first = max(since, EPOCH)
        last = min(until, today)
        return [self._account_day(first + timedelta(days=i)) for i in range((last - first).days + 1)]

    # ------------------------------------------------------------------ posts

    def _posts_on(self, day: date) -> list[dict[str, Any]]:
        """0 or 1 post a day (about five a week), fully determined by the date."""
        rng = _rng(self.seed, self.external_id, "post", day.isoformat())
        if day < EPOCH or rng.random() > 0.72:
            return []
        hour = rng.choice((8, 9, 9, 10, 12, 13, 15, 18, 19, 19, 20, 21))
        local = datetime.combine(day, time(hour, rng.choice((0, 15, 30, 45))))
        published = (local - KAZAN_UTC_OFFSET).replace(tzinfo=UTC)
        fmt = _weighted(rng, FORMATS)
        objective = _weighted(rng, OBJECTIVES)
        text = rng.choice(POST_TEXTS[objective])
        return [
            {
                "id": f"p{day:%Y%m%d}",
                "day": day,
                "hour": hour,
                "published_at": published,
                "format": fmt,
                "objective": objective,
                "text": text,
            }
        ]

    def _posts_between(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        first = max(since.date() - timedelta(days=1), EPOCH)
        posts: list[dict[str, Any]] = []
        for i in range((until.date() - first).days + 1):
            posts.extend(p for p in self._posts_on(first + timedelta(days=i)) if since <= p["published_at"] <= until)
        return posts

    def _post_by_id(self, external_id: str) -> dict[str, Any] | None:
        try:
            day = datetime.strptime(external_id.removeprefix("p"), "%Y%m%d").replace(tzinfo=UTC).date()
        except ValueError:
            return None
        posts = self._posts_on(day)
        return posts[0] if posts and posts[0]["id"] == external_id else None

    def _lifetime(self, post: dict[str, Any]) -> PostMetrics:
        """Totals now: final values scaled by a saturation curve of the post's age."""
        rng = _rng(self.seed, self.external_id, "metrics", post["id"])
        age_hours = max(0.0, (self.now() - post["published_at"]).total_seconds() / 3600)
        grown = 1 - math.exp(-age_hours / 20)
        hour_factor = 1.25 if post["hour"] in (8, 9, 18, 19, 20) else (0.85 if post["hour"] >= 21 else 1.0)
        fmt, objective = post["format"], post["objective"]
        followers = self.followers_on(post["day"])
        reach = followers * 0.32 * FORMAT_REACH[fmt] * hour_factor * rng.uniform(0.75, 1.3)
        likes = reach * rng.uniform(0.05, 0.08)
        comments = reach * 0.006 * OBJECTIVE_COMMENTS[objective] * (2.0 if fmt == PostFormat.POLL else 1.0)
        shares = reach * rng.uniform(0.004, 0.01) * (1.6 if fmt == PostFormat.REEL else 1.0)
        saves = reach * 0.008 * FORMAT_SAVES[fmt]
        clicks = reach * 0.006 * OBJECTIVE_CLICKS[objective]
        video = fmt in (PostFormat.REEL, PostFormat.VIDEO)

        def g(value: float) -> int:
            return int(value * grown)

        return PostMetrics(
            external_id=post["id"],
            reach=g(reach),
            views=g(reach * rng.uniform(1.3, 1.8)),
            likes=g(likes),
            comments=g(comments),
            shares=g(shares),
            saves=g(saves),
            link_clicks=g(clicks),
            video_views=g(reach * rng.uniform(0.9, 1.4)) if video else None,
            followers_gained=g(reach * rng.uniform(0.001, 0.003)),
            extra={"objective": objective},
        )

    def fetch_posts(self, since: datetime) -> list[RemotePost]:
        posts = []
        for post in self._posts_between(since, self.now()):
            metrics = self._lifetime(post)
            posts.append(
                RemotePost(
                    external_id=post["id"],
                    published_at=post["published_at"],
                    text=post["text"],
                    format=post["format"],
                    permalink=f"https://demo.zerno-coffee.example/posts/{post['id']}",
                    likes=metrics.likes,
                    comments=metrics.comments,
                    shares=metrics.shares,
                    views=metrics.views,
                    extra={"objective": post["objective"], "simulated": True},
                )
            )
        return posts

    def fetch_post_metrics(self, posts: Sequence[str]) -> list[PostMetrics]:
        result = []
        for external_id in posts:
            post = self._post_by_id(external_id)
            if post is not None:
                result.append(self._lifetime(post))
        return result

    # ------------------------------------------------------------------ comments, messages, mentions

    def _comments_for(self, post: dict[str, Any]) -> list[RemoteComment]:
        rng = _rng(self.seed, self.external_id, "comments", post["id"])
        count = min(8, max(1, self._lifetime_final_comments(post)))
        comments = []
        for i in range(count):
            lang = "en" if rng.random() < 0.15 else "ru"
            text, _tone = rng.choice(COMMENT_TEXTS[lang])
            author = rng.choice(AUTHORS_EN if lang == "en" else AUTHORS_RU)
            created = post["published_at"] + timedelta(minutes=rng.randint(5, 60 * 30))
            cid = f"{post['id']}-c{i + 1}"
            comments.append(
                RemoteComment(
                    external_id=cid,
                    post_external_id=post["id"],
                    parent_external_id=None,
                    author_name=author,
                    author_external_id=f"user-{author[:3]}-{i}",
                    text=text,
                    created_at=created,
                    like_count=rng.randint(0, 12),
                )
            )
            if rng.random() < 0.55:  # the brand answers about half, after a while
                comments.append(
                    RemoteComment(
                        external_id=f"{cid}-r",
                        post_external_id=post["id"],
                        parent_external_id=cid,
                        author_name="Зерно",
                        author_external_id=self.external_id,
                        text=REPLY_TEXTS[3] if lang == "en" else rng.choice(REPLY_TEXTS[:3]),
                        created_at=created + timedelta(minutes=rng.randint(4, 240)),
                        like_count=rng.randint(0, 3),
                        is_from_account=True,
                    )
                )
        return comments

    def _lifetime_final_comments(self, post: dict[str, Any]) -> int:
        rng = _rng(self.seed, self.external_id, "ncomments", post["id"])
        return int(OBJECTIVE_COMMENTS[post["objective"]] * rng.uniform(1.5, 3.5))

    def _messages_on(self, day: date) -> list[RemoteComment]:
        rng = _rng(self.seed, self.external_id, "messages", day.isoformat())
        messages = []
        for i in range(rng.choice((0, 0, 1, 1, 2))):
            text, _tone = rng.choice(MESSAGE_TEXTS)
            lang_en = text.startswith("Hello")
            author = rng.choice(AUTHORS_EN if lang_en else AUTHORS_RU)
            created = datetime.combine(day, time(rng.randint(6, 19), rng.randint(0, 59)), tzinfo=UTC)
            messages.append(
                RemoteComment(
                    external_id=f"m{day:%Y%m%d}-{i + 1}",
                    post_external_id=None,
                    parent_external_id=None,
                    author_name=author,
                    author_external_id=f"user-{author[:3]}-m{i}",
                    text=text,
                    created_at=created,
                    kind=CommentKind.MESSAGE,
                )
            )
        return messages

    def fetch_comments(self, since: datetime) -> list[RemoteComment]:
        now = self.now()
        posts_since = min(since, now - timedelta(days=COMMENTS_LOOKBACK_DAYS))
        result: list[RemoteComment] = []
        for post in self._posts_between(posts_since, now):
            result.extend(c for c in self._comments_for(post) if since <= c.created_at <= now)
        first = max(since.date(), EPOCH)
        for i in range((now.date() - first).days + 1):
            day = first + timedelta(days=i)
            result.extend(m for m in self._messages_on(day) if since <= m.created_at <= now)
        return result

    def search_mentions(self, query: str, since: datetime) -> list[RemoteMention]:
        now = self.now()
        result = []
        first = max(since.date(), EPOCH)
        for i in range((now.date() - first).days + 1):
            day = first + timedelta(days=i)
            rng = _rng(self.seed, self.external_id, "mention", day.isoformat())
            if rng.random() > 0.45:
                continue
            text, _tone = rng.choice(MENTION_TEXTS)
            created = datetime.combine(day, time(rng.randint(7, 21), rng.randint(0, 59)), tzinfo=UTC)
            if not since <= created <= now:
                continue
            author = rng.choice(AUTHORS_RU)
            result.append(
                RemoteMention(
                    external_id=f"mention-{day:%Y%m%d}",
                    url=f"https://demo-social.example/wall/{day:%Y%m%d}",
                    author_name=author,
                    author_external_id=f"ext-{author[:3]}",
                    text=text,
                    created_at=created,
                    likes=rng.randint(0, 80),
                    comments=rng.randint(0, 10),
                    shares=rng.randint(0, 5),
                )
            )
        return result

    def reply(self, comment_external_id: str | None, text: str, *, post_external_id: str | None = None) -> ReplyResult:
        digest = hashlib.sha256(f"{comment_external_id}:{text}".encode()).hexdigest()[:10]
        return ReplyResult(external_id=f"reply-{digest}", parent_external_id=comment_external_id)

    def hide_comment(self, comment_external_id: str, *, hidden: bool = True) -> None:
        return None

    def delete_comment(self, comment_external_id: str, *, post_external_id: str | None = None) -> None:
        return None

    def publish(self, text: str, *, media_urls: Sequence[str] = (), link: str | None = None) -> PublishResult:
        digest = hashlib.sha256(f"{text}|{'|'.join(media_urls)}|{link}".encode()).hexdigest()[:12]
        return PublishResult(external_id=f"pub-{digest}", permalink=f"https://demo.zerno-coffee.example/posts/{digest}")

    # ------------------------------------------------------------------ ads

    def _campaign_state(self, spec) -> tuple[str, Decimal]:
        ext, _name, _obj, budget, *_rest, paused_from = spec
        status = CampaignStatus.PAUSED if paused_from and self.now().date() >= paused_from else CampaignStatus.ACTIVE
        override = self.campaign_overrides.get(ext, {})
        status = override.get("status", status)
        budget = Decimal(str(override.get("daily_budget", budget)))
        return status, budget

    def fetch_campaigns(self) -> list[RemoteCampaign]:
        result = []
        for spec in CAMPAIGNS:
            ext, name, objective, _budget, _cpm, _ctr, _cr, start, _paused = spec
            status, budget = self._campaign_state(spec)
            result.append(
                RemoteCampaign(
                    external_id=ext,
                    name=name,
                    status=status,
                    objective=objective,
                    daily_budget=budget,
                    currency="RUB",
                    start=datetime.combine(start, time(0), tzinfo=UTC),
                    effective_status="ACTIVE" if status == CampaignStatus.ACTIVE else "CAMPAIGN_PAUSED",
                )
            )
        return result

    def fetch_ad_stats(self, since: date, until: date) -> list[AdStatDay]:
        today = self.now().date()
        rows = []
        for spec in CAMPAIGNS:
            ext, _name, objective, budget, cpm, ctr, lead_rate, start, paused_from = spec
            first = max(since, start)
            last = min(until, today)
            relaunched = self.campaign_overrides.get(ext, {}).get("status") == CampaignStatus.ACTIVE
            if paused_from is not None and not relaunched:
                last = min(last, paused_from - timedelta(days=1))
            for i in range((last - first).days + 1):
                day = first + timedelta(days=i)
                rng = _rng(self.seed, self.external_id, "ads", ext, day.isoformat())
                spend = money(float(budget) * rng.uniform(0.82, 1.0))
                impressions = int(float(spend) / (cpm * rng.uniform(0.85, 1.2)) * 1000)
                clicks = int(impressions * ctr * rng.uniform(0.8, 1.2))
                leads = sum(1 for _ in range(clicks) if rng.random() < lead_rate)
                conversions = sum(1 for _ in range(leads) if rng.random() < 0.3)
                revenue = money(conversions * AVERAGE_ORDER * Decimal(str(round(rng.uniform(0.8, 1.3), 2))))
                rows.append(
                    AdStatDay(
                        campaign_external_id=ext,
                        day=day,
                        spend=spend,
                        impressions=impressions,
                        clicks=clicks,
                        leads=leads,
                        conversions=conversions,
                        revenue=revenue,
                        currency="RUB",
                        reach=int(impressions * rng.uniform(0.6, 0.8)),
                        extra={"objective": objective},
                    )
                )
        return rows

    def set_campaign_status(self, campaign_external_id: str, status: str) -> None:
        self.campaign_overrides.setdefault(campaign_external_id, {})["status"] = status

    def set_campaign_budget(self, campaign_external_id: str, daily_budget: Decimal) -> None:
        self.campaign_overrides.setdefault(campaign_external_id, {})["daily_budget"] = str(daily_budget)
