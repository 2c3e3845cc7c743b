"""Staff leave and travel on the Today page (X5, X6): requests awaiting a decision, overdue 销假,
trips to a risk area awaiting the unit head's acknowledgement. Listed under the rescue task (四),
where the plan asks for 请销假 and 出行报备, though every civil-affairs unit's staff are counted."""

from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shouhu.common.modules import Module
from shouhu.common.today import Work, register_work
from shouhu.staffing import selectors
from shouhu.staffing.permissions import StaffingPerm


def _leaves(query: str) -> Callable[[int | None], str]:
    def link(unit_id: int | None) -> str:
        unit = f"&unit={unit_id}" if unit_id is not None else ""
        return reverse("staffing:leave_list") + f"?{query}{unit}"

    return link


def _risk_trips(unit_id: int | None) -> str:
    unit = f"&unit={unit_id}" if unit_id is not None else ""
    return reverse("staffing:travel_list") + f"?awaiting=1{unit}"


register_work(
    Work(
        key="staffing.leave_decisions",
        module=Module.RESCUE,
        title=_("请假待审批"),
        deadline=_("假期开始前"),
        permission=StaffingPerm.APPROVE,
        count=selectors.today_leave_decisions,
        link=_leaves("status=pending"),
    )
)
register_work(
    Work(
        key="staffing.returns",
        module=Module.RESCUE,
        title=_("销假"),
        deadline=_("假期结束后按政策天数内"),
        permission=StaffingPerm.REQUEST,
        count=selectors.today_returns,
        link=_leaves("overdue=1"),
    )
)
register_work(
    Work(
        key="staffing.risk_trips",
        module=Module.RESCUE,
        title=_("涉中高风险地区出行待确认"),
        deadline=_("出发前"),
        permission=StaffingPerm.APPROVE,
        count=selectors.today_risk_trips,
        link=_risk_trips,
    )
)
