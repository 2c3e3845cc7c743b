"""The viewer's own urgent alerts not yet read (X6; common/today.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shouhu.alerts.models import Severity
from shouhu.alerts.permissions import AlertPerm
from shouhu.alerts.selectors import urgent_unread
from shouhu.common.modules import SharedRegister
from shouhu.common.today import Work, register_work


def inbox_link(unit_id: int | None) -> str:
    """The viewer's inbox, showing the urgent alerts not read: the same for every unit."""
    return f"{reverse('alerts:inbox')}?state=unread&severity={Severity.URGENT}"


register_work(
    Work(
        key="alerts.urgent_unread",
        module=SharedRegister.ALERTS,
        title=_("紧急提醒未读"),
        deadline=_("收到后立即阅读"),
        permission=AlertPerm.INBOX,
        count=urgent_unread,
        link=inbox_link,
        per_viewer=True,
    )
)
