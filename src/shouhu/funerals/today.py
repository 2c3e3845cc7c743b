"""The funeral homes' work of the day on the Today page (X5, X6): moving the remains of COVID-19
patients through their steps in time. The counting is `selectors.today_remains_steps`'s."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shouhu.common.modules import Module
from shouhu.common.today import Work, register_work
from shouhu.funerals import selectors
from shouhu.funerals.permissions import FuneralPerm


def _open_cases_link(unit_id: int | None) -> str:
    """The cases still being handled, of one home or of every home the viewer sees."""
    query = "?covid=1&open=1" if unit_id is None else f"?covid=1&open=1&home={unit_id}"
    return reverse("funerals:case_list") + query


register_work(
    Work(
        key="funerals.stalled_steps",
        module=Module.FUNERALS,
        title=_("新冠患者遗体处置"),
        deadline=_("各环节超时前"),
        permission=FuneralPerm.VIEW,
        count=selectors.today_remains_steps,
        link=_open_cases_link,
    )
)
