"""Today's work of the vaccination app (X5, X6): the to-do list, and the progress report when due.

Imported at start-up by the site app; the counting is `selectors.todo_today` and
`selectors.reports_today`.
"""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from shouhu.common.modules import Module
from shouhu.common.today import Work, register_work
from shouhu.vaccination import selectors
from shouhu.vaccination.permissions import VaccinationPerm


def todo_link(unit_id: int | None) -> str:
    """The to-do list, narrowed to one unit."""
    url = reverse("vaccination:todo")
    return url if unit_id is None else f"{url}?{urlencode({'unit': unit_id})}"


def report_link(unit_id: int | None) -> str:
    """The reports page: a reporting unit's periods, each missing one with its «确认并报送»."""
    return reverse("vaccination:report_list")


register_work(
    Work(
        key="vaccination.todo",
        module=Module.VACCINATION,
        title=gettext_lazy("待接种人员动员接种"),
        deadline=gettext_lazy("按动员计划的下次联系日期"),
        permission=VaccinationPerm.VIEW,
        count=selectors.todo_today,
        link=todo_link,
    )
)

register_work(
    Work(
        key="vaccination.report",
        module=Module.VACCINATION,
        title=gettext_lazy("报送接种进度"),
        deadline=gettext_lazy("每期最后一天"),
        permission=VaccinationPerm.VIEW,
        count=selectors.reports_today,
        link=report_link,
    )
)
