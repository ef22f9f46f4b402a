"""`{% load access %}{% if access|can:"manage_tokens" %}`: templates ask `Access.can`, the one place
permissions are decided, instead of repeating the role matrix."""

from django import template

register = template.Library()


@register.filter
def can(access, perm: str) -> bool:
    return access is not None and hasattr(access, "can") and access.can(perm)
