"""`{{ url|safe_url }}`: a link from outside (platforms, connectors, user-typed sources) made
harmless for `href`. Registered as a template builtin (settings.TEMPLATES), so no `{% load %}`."""

from urllib.parse import urlsplit

from django import template

register = template.Library()

SAFE_SCHEMES = ("http", "https")


@register.filter
def safe_url(value) -> str:
    """The URL if it is an absolute http(s) URL, else "" (templates then render no link).
    Whitespace and control characters are refused outright: browsers drop them inside a scheme,
    so `java\\tscript:` would still run."""
    if not value:
        return ""
    url = str(value).strip()
    if any(ord(char) < 33 or ord(char) == 127 for char in url):
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.netloc:
        return ""
    return url
