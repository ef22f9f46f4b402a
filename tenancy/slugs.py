"""Readable, unique organization addresses (`/o/<slug>/`) from names in any of our languages."""

import re
import secrets

from django.utils.text import slugify

# Russian, plus the Ukrainian and Belarusian letters, in the common readable (Yandex-like) style:
# "Зерно кофе" -> "zerno-kofe", "Щука" -> "shchuka". Kept here rather than a GPL library.
_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў"
_LATIN = "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya i yi ye g u"  # "-": dropped
_CYRILLIC = {char: ("" if latin == "-" else latin) for char, latin in zip(_LETTERS, _LATIN.split(), strict=True)}
BASE_MAX_LENGTH = 50  # the field holds 60: room for "-<n>" or a random suffix


def transliterate(text: str) -> str:
    return "".join(
        _CYRILLIC[char.lower()].capitalize() if char.isupper() and char.lower() in _CYRILLIC
        else _CYRILLIC.get(char, char)
        for char in text
    )  # fmt: skip


def slug_base(name: str) -> str:
    base = slugify(transliterate(name))[:BASE_MAX_LENGTH].strip("-")
    return base or "org"


def first_free_slug(base: str, taken: set[str]) -> str:
    """`base`, else `base-2`, `base-3`, ... — the first one not in `taken`."""
    if base not in taken:
        return base
    pattern = re.compile(rf"^{re.escape(base)}-(\d+)$")
    used = {int(m.group(1)) for slug in taken if (m := pattern.match(slug))}
    n = 2
    while n in used:
        n += 1
    return f"{base}-{n}"


def random_slug(base: str) -> str:
    return f"{base}-{secrets.token_hex(3)}"
