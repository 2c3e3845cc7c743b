from django import template

from shouhu.common.templatetags.shouhu import has_code
from shouhu.vaccination.figures import percent_text

register = template.Library()


register.filter("has_code", has_code)  # the vaccination templates load it from here


@register.filter
def percent(value: float | None) -> str:
    return percent_text(value)


@register.filter
def figure(figures: object, name: str) -> object:
    return getattr(figures, name, "")
