"""Counting a click of `/l/<code>`: bot filtering, de-duplication per visitor and hour, the atomic
write (docs/links.md). Nothing here stores an IP address or a User-Agent."""

import datetime as dt
import logging

from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tenancy import rls

from .models import TrackedLink

logger = logging.getLogger(__name__)

# Lower-case substrings of a User-Agent that is not a person: crawlers, the link-preview fetchers
# of messengers and social networks (they fetch every link posted, before anyone clicks), and
# command-line tools and HTTP libraries (scripts, uptime checks). Such a request is redirected
# like any other but not counted. An empty User-Agent counts as a bot too.
BOT_MARKERS = (
    "bot",  # Googlebot, YandexBot, bingbot, TelegramBot, Twitterbot, Slackbot, Discordbot, ...
    "crawl",
    "spider",
    "slurp",
    "preview",  # SkypeUriPreview, Google Web Preview, ...
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "vkshare",  # VK's link preview
    "whatsapp",  # WhatsApp's preview fetcher; its users open links in their own browser
    "slack-imgproxy",
    "embedly",
    "headless",  # HeadlessChrome and other automated browsers
    "lighthouse",
    "curl",
    "wget",
    "python-",  # python-requests, python-urllib, python-httpx
    "go-http-client",
    "okhttp",
    "java/",
    "libwww",
    "httpclient",
    "axios",
    "node-fetch",
    "scrapy",
)
# Phone models whose names contain a marker (Cubot phones send "CUBOT" in their User-Agent).
NOT_BOTS = ("cubot",)
DEDUP_SECONDS = 3600
DEDUP_KEY = "links:seen:{code}:{hour:%Y%m%d%H}:{visitor}"


def is_bot(user_agent: str) -> bool:
    agent = (user_agent or "").lower()
    for name in NOT_BOTS:
        agent = agent.replace(name, "")
    return not agent.strip() or any(marker in agent for marker in BOT_MARKERS)


def visitor_key(ip: str, user_agent: str) -> str:
    """A pseudonymous visitor: an HMAC (keyed with SECRET_KEY) of the IP address and User-Agent.
    Kept only in the cache, for the de-duplication hour."""
    return salted_hmac("links.visitor", f"{ip}\n{user_agent}", algorithm="sha256").hexdigest()[:32]


def hour_of(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def first_visit(*, code: str, visitor: str, hour: dt.datetime) -> bool:
    """True the first time this visitor follows this link in this hour (Redis `SET NX EX`).
    If the cache is down the click is counted: a few repeats are better than losing clicks."""
    key = DEDUP_KEY.format(code=code, hour=hour, visitor=visitor)
    try:
        return bool(cache.add(key, 1, timeout=DEDUP_SECONDS))
    except Exception:
        logger.warning("Link de-duplication cache unavailable; click counted", exc_info=True)
        return True


# One statement, no read-modify-write: concurrent clicks of the same hour add up exactly.
_ROLLUP_SQL = (
    'INSERT INTO "links_linkclickhourly" (organization_id, link_id, hour, clicks) VALUES (%s, %s, %s, 1)'
    ' ON CONFLICT (organization_id, link_id, hour) DO UPDATE SET clicks = "links_linkclickhourly".clicks + 1'
)


def count_click(*, organization_id: int, link_id: int, hour: dt.datetime) -> None:
    """One click: the link's counter and its hour, both incremented in the database (no
    read-modify-write, so concurrent clicks are never lost), in the link's organization scope."""
    with rls.organization_context(organization_id):
        TrackedLink.objects.for_organization(organization_id).filter(pk=link_id).update(clicks=F("clicks") + 1)
        with connection.cursor() as cursor:
            cursor.execute(_ROLLUP_SQL, [organization_id, link_id, hour])


def record_click(*, link: TrackedLink, ip: str, user_agent: str, now: dt.datetime | None = None) -> bool:
    """Counts the click unless it comes from a bot or repeats this visitor's click within the hour."""
    if is_bot(user_agent):
        return False
    hour = hour_of(now or timezone.now())
    if not first_visit(code=link.code, visitor=visitor_key(ip, user_agent), hour=hour):
        return False
    count_click(organization_id=link.organization_id, link_id=link.pk, hour=hour)
    return True
