from django import template

from shouhu.eldercare.permissions import EldercarePerm

register = template.Library()


@register.filter
def manages_checklist(user: object) -> bool:
    """Whether to show the checklist tab (the page itself checks the code again)."""
    has_code = getattr(user, "has_code", None)
    return bool(has_code and has_code(EldercarePerm.MANAGE_CHECKLIST))
