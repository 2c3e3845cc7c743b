"""The gatherings' work of the day on the Today page (X5, X6): applications waiting for the
township's decision (overdue when the start is near or past), and the lists of gatherings soon to
start whose participants still need a valid test (the village's). The counting is the selectors'."""

from collections.abc import Callable

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from shouhu.common.modules import Module
from shouhu.common.today import Work, register_work
from shouhu.gatherings import selectors
from shouhu.gatherings.permissions import GatheringPerm


def _gatherings(**query: str) -> Callable[[int | None], str]:
    """The gathering list filtered as the work needs, for one village or every one in scope."""

    def link(unit_id: int | None) -> str:
        params: dict[str, str | int] = dict(query)
        if unit_id is not None:
            params["village"] = unit_id
        return f"{reverse('gatherings:gathering_list')}?{urlencode(params)}"

    return link


register_work(
    Work(
        key="gatherings.approvals",
        module=Module.COMMUNITY,
        title=_("聚集性活动审批"),
        deadline=_("活动开始前"),
        permission=GatheringPerm.DECIDE,
        count=selectors.today_approvals,
        link=_gatherings(status="applied"),
    )
)

register_work(
    Work(
        key="gatherings.tests",
        module=Module.COMMUNITY,
        title=_("聚集性活动参加人员核酸检测"),
        deadline=_("活动开始前"),
        permission=GatheringPerm.RECORD,
        count=selectors.today_tests,
        link=_gatherings(needs_test="on"),
    )
)
