"""Today's work of the screening app (X5, X6): every open institution screens at its entrance.

Imported at start-up by the site app; the counting is `selectors.venues_to_screen`.
"""

import datetime as dt

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from shouhu.common import clock
from shouhu.common.modules import Module
from shouhu.common.today import Work, register_work
from shouhu.screening import selectors
from shouhu.screening.permissions import ScreeningPerm


def screening_link(unit_id: int | None) -> str:
    """One institution's desk; for every institution, the figures of yesterday and today (零漏管)."""
    if unit_id is not None:
        return reverse("screening:desk", kwargs={"institution_id": unit_id})
    today = clock.today()
    yesterday = today - dt.timedelta(1)  # not a policy threshold: the last finished day
    span = {"start": yesterday.isoformat(), "end": today.isoformat()}
    return f"{reverse('screening:daily_counts')}?{urlencode(span)}"


register_work(
    Work(
        key="screening.venues_screened",
        module=Module.SCREENING,
        title=gettext_lazy("开放机构入口查验"),
        deadline=gettext_lazy("开放当日至少一条查验记录"),
        permission=ScreeningPerm.VIEW,
        count=selectors.venues_to_screen,
        link=screening_link,
    )
)
