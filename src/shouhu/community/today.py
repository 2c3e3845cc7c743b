"""Villages' work of the day on the Today page (X5, X6): the closure plan's duties during an
emergency state, a filled roster of the prevention organisation, and the field-visit findings
still to fix. The counting is `selectors.today_duties` / `today_rosters`'s and the
rectification app's."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shouhu.common.modules import Module
from shouhu.common.today import Work, register_work
from shouhu.community import selectors
from shouhu.community.permissions import CommunityPerm
from shouhu.rectification.permissions import RectificationPerm
from shouhu.rectification.selectors import today_counter


def _village_link(unit_id: int | None) -> str:
    if unit_id is None:
        return reverse("community:overview") + "?all=1&emergency=on"
    return reverse("community:village_home", kwargs={"village_id": unit_id}) + "#duties"


def _roster_link(unit_id: int | None) -> str:
    if unit_id is None:
        return reverse("community:overview") + "?all=1&gaps=on"
    return reverse("community:village_home", kwargs={"village_id": unit_id}) + "#roster"


register_work(
    Work(
        key="community.emergency_duties",
        module=Module.COMMUNITY,
        title=_("应急状态值守到岗"),
        deadline=_("当日"),
        permission=CommunityPerm.VIEW,
        count=selectors.today_duties,
        link=_village_link,
    )
)

register_work(
    Work(
        key="community.roster",
        module=Module.COMMUNITY,
        title=_("防控组织名单填报"),
        deadline=_("行动开始后限期内"),
        permission=CommunityPerm.VIEW,
        count=selectors.today_rosters,
        link=_roster_link,
    )
)


def _findings_link(unit_id: int | None) -> str:
    url = reverse("rectification:finding_list") + "?module=community&status=open"
    return url + (f"&unit={unit_id}" if unit_id is not None else "")


# Field-visit findings (G1), counted by the rectification app per responsible unit.
register_work(
    Work(
        key="community.findings",
        module=Module.COMMUNITY,
        title=_("督导检查发现问题整改"),
        deadline=_("整改期限内"),
        permission=RectificationPerm.VIEW,
        count=today_counter(Module.COMMUNITY),
        link=_findings_link,
    )
)
