"""Registration conflicts waiting for whoever sees both sides (X1 × X5; common/today.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shouhu.common.modules import SharedRegister
from shouhu.common.today import Work, register_work
from shouhu.people.models import ConflictStatus
from shouhu.people.permissions import PeoplePerm
from shouhu.people.selectors import registration_conflicts_open


def conflicts_link(unit_id: int | None) -> str:
    """The open conflicts: the list shows a county its own, the region every one."""
    return f"{reverse('people:conflict_list')}?status={ConflictStatus.OPEN}"


register_work(
    Work(
        key="people.registration_conflicts",
        module=SharedRegister.PEOPLE,
        title=_("人员登记冲突待处理"),
        deadline=_("及时核实处理"),
        permission=PeoplePerm.RESOLVE_CONFLICTS,
        count=registration_conflicts_open,
        link=conflicts_link,
    )
)
