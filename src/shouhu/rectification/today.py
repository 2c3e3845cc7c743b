"""Findings the unit must rectify, on the Today page (G1, Q3): per responsible unit, the open
ones past their deadline are overdue (listed first), the others due; a rectification reported
today is done."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shouhu.common.modules import Module
from shouhu.common.today import Work, register_work
from shouhu.rectification import selectors
from shouhu.rectification.permissions import RectificationPerm


def _link(unit_id: int | None) -> str:
    url = reverse("rectification:finding_list")
    return f"{url}?status=open" + (f"&unit={unit_id}" if unit_id is not None else "")


register_work(
    Work(
        key="rectification.open_findings",
        # Findings come from every module's visits and checks; their Today line sits with the
        # supervision work (督导检查), where the plan asks that problems found be rectified.
        module=Module.SUPERVISION,
        title=_("待整改问题"),
        deadline=_("整改期限内报送"),
        permission=RectificationPerm.RECTIFY,
        count=selectors.today_all_findings,
        link=_link,
    )
)
