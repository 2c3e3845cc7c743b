"""The rescue stations' work of the day on the Today page (X5, X6): returns home still waiting for
the receiving side's confirmation (overdue past the policy's days), incidents still open (overdue
when the follow-up report is late) and, when the policy asks for it, the day's street patrol."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shouhu.common.modules import Module
from shouhu.common.today import Work, register_work
from shouhu.rescue import selectors
from shouhu.rescue.permissions import RescuePerm


def _station_link(unit_id: int | None) -> str:
    if unit_id is None:
        return reverse("rescue:home")
    return reverse("rescue:station", kwargs={"rescue_station_id": unit_id})


def _returns_link(unit_id: int | None) -> str:
    query = "?status=departed" if unit_id is None else f"?status=departed&station={unit_id}"
    return reverse("rescue:return_list") + query


def _incidents_link(unit_id: int | None) -> str:
    query = "?open=1" if unit_id is None else f"?open=1&station={unit_id}"
    return reverse("rescue:incident_list") + query


register_work(
    Work(
        key="rescue.returns_arrival",
        module=Module.RESCUE,
        title=_("返乡到达确认"),
        deadline=_("出发后按政策天数内确认到达"),
        permission=RescuePerm.VIEW,
        count=selectors.today_returns,
        link=_returns_link,
    )
)
register_work(
    Work(
        key="rescue.open_incidents",
        module=Module.RESCUE,
        title=_("安全事件续报与结案"),
        deadline=_("按政策时限续报"),
        permission=RescuePerm.VIEW,
        count=selectors.today_incidents,
        link=_incidents_link,
    )
)
register_work(
    Work(
        key="rescue.daily_patrol",
        module=Module.RESCUE,
        title=_("街面巡查"),
        deadline=_("当日登记"),
        permission=RescuePerm.VIEW,
        count=selectors.today_patrols,
        link=_station_link,
    )
)
