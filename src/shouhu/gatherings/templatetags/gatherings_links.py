"""What other modules' pages show of gatherings: a funeral case's ceremony as a gathering.

`{% load gatherings_links %}{% funeral_gathering case %}` on the funeral case page — the one line
the funerals template needs; the reading stays here, through this app's selectors."""

from typing import Any

from django import template

from shouhu.gatherings import selectors
from shouhu.gatherings.permissions import GatheringPerm

register = template.Library()


@register.inclusion_tag("gatherings/_funeral_link.html", takes_context=True)
def funeral_gathering(context: dict[str, Any], case: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_code(GatheringPerm.VIEW):
        return {"shown": False}
    gathering = selectors.gathering_for_funeral_case(case)
    rules = selectors.policy()
    return {
        "shown": True,
        "case": case,
        "gathering": gathering,
        "crosses": case.attendance >= rules.approval_headcount,
        "limit": rules.approval_headcount,
        "can_record": user.has_code(GatheringPerm.RECORD),
    }
