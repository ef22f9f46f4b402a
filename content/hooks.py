"""Extension points that apps above content fill from their AppConfig.ready(): content may not
import them (docs/ARCHITECTURE.md, Layers), yet a post's call to action needs the tracked short
link the links app makes."""

from collections.abc import Callable

from .models import Post

CtaLinker = Callable[[Post], str]
_cta_linkers: list[CtaLinker] = []


def register_cta_linker(linker: CtaLinker) -> None:
    """`linker(post)` returns the short link (with UTM tags) that stands for `post.cta_url`."""
    if linker not in _cta_linkers:
        _cta_linkers.append(linker)


def refresh_cta_link(post: Post) -> None:
    """Sets `post.cta_short_url` for the post's current call to action (blank without one) and saves it."""
    short = ""
    if post.cta_url:
        for linker in _cta_linkers:
            short = linker(post) or short
    if short != post.cta_short_url:
        post.cta_short_url = short
        post.save(update_fields=["cta_short_url", "updated_at"])
