"""UTM tags and target addresses: pure functions, no models (docs/links.md).

The tagged URL is the target URL with the link's UTM values merged into its query: the target's
own parameters are kept byte for byte, in order; a non-empty UTM value of the link replaces a
parameter of the same name (the organization edits the link, so its values win), an empty one
leaves the target's parameter, if any, as it is.
"""

from urllib.parse import quote_plus, unquote_plus, urlsplit, urlunsplit

from django.utils.text import slugify

from core.vocabulary import network_of
from tenancy.slugs import transliterate

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
UTM_MAX_LENGTH = 100
SAFE_SCHEMES = ("http", "https")
MEDIUM_POST = "social"
MEDIUM_CAMPAIGN = "paid_social"


def is_safe_target(url) -> bool:
    """An absolute http(s) URL with a host, and nothing a browser would read differently:
    whitespace and control characters are dropped by browsers inside a scheme (`java\\tscript:`),
    and a backslash is read as a slash (`https:\\\\evil`)."""
    if not url or not isinstance(url, str):
        return False
    if any(ord(char) < 33 or ord(char) == 127 for char in url) or "\\" in url:
        return False
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # an invalid port or IPv6 literal
        return False
    return parts.scheme.lower() in SAFE_SCHEMES and bool(hostname)


def _query_key(pair: str) -> str:
    return unquote_plus(pair.split("=", 1)[0])


def query_params(url: str) -> dict[str, str]:
    """The URL's query as name → first value (blank values kept)."""
    params: dict[str, str] = {}
    for pair in urlsplit(url).query.split("&"):
        if pair:
            key, _sep, value = pair.partition("=")
            params.setdefault(unquote_plus(key), unquote_plus(value))
    return params


def tagged_url(target_url: str, utm: dict[str, str]) -> str:
    """`target_url` with the non-empty values of `utm` set in its query (see the module docstring)."""
    try:
        parts = urlsplit(target_url)
    except ValueError:  # not a URL at all: left as it is, and refused by `is_safe_target`
        return target_url
    overrides = {name: value for name, value in utm.items() if name in UTM_FIELDS and value}
    kept, placed = [], set()
    for pair in parts.query.split("&") if parts.query else []:
        key = _query_key(pair)
        if key in overrides:
            if key not in placed:  # the first occurrence takes the value, repeats are dropped
                kept.append(f"{quote_plus(key)}={quote_plus(overrides[key])}")
                placed.add(key)
            continue
        kept.append(pair)
    kept += [f"{name}={quote_plus(overrides[name])}" for name in UTM_FIELDS if name in overrides and name not in placed]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), parts.fragment))


def slug_of(text: str) -> str:
    """A readable ASCII slug of a name in any of our languages ("Кофе для офиса" → "kofe-dlya-ofisa")."""
    return slugify(transliterate(text or ""))[:UTM_MAX_LENGTH].strip("-")


def source_of(platform: str) -> str:
    return network_of(platform)


def default_utm(*, code: str, post=None, campaign=None, target_url: str = "") -> dict[str, str]:
    """The tags a new link gets. A parameter the target URL already carries is the organization's
    choice and becomes the default for that field, so the tagged URL keeps it."""
    values = dict.fromkeys(UTM_FIELDS, "")
    if post is not None:
        values["utm_source"] = source_of(post.platform)
        values["utm_medium"] = MEDIUM_POST
        goal = post.goal
        if goal is not None:
            values["utm_campaign"] = slug_of(goal.title) or goal.kpi
    elif campaign is not None:
        values["utm_source"] = source_of(campaign.account.platform)
        values["utm_medium"] = MEDIUM_CAMPAIGN
        values["utm_campaign"] = slug_of(campaign.name) or slug_of(campaign.external_id)
    values["utm_content"] = code
    present = query_params(target_url) if target_url else {}
    for name in UTM_FIELDS:
        if present.get(name):
            values[name] = present[name][:UTM_MAX_LENGTH]
    return values
