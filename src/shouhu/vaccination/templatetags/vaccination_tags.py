from django import template

from shouhu.vaccination.figures import percent_text

register = template.Library()


@register.filter
def has_code(user: object, code: str) -> bool:
    """`{% if user|has_code:"vaccination.record" %}`: whether the user's role grants a code."""
    check = getattr(user, "has_code", None)
    return bool(check and check(code))


@register.filter
def percent(value: float | None) -> str:
    return percent_text(value)


@register.filter
def figure(figures: object, name: str) -> object:
    return getattr(figures, name, "")
