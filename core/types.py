"""Type aliases shared by the apps. They exist for the type checker; at run time they are plain
classes, so annotations that use them still evaluate (dataclasses read them)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
else:
    StrOrPromise = str  # a user-facing text: a string or a lazy translation

__all__ = ["StrOrPromise"]
