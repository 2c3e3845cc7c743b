"""The counter's day (X5): the couples booked at each registry today (common/today.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shouhu.common.modules import Module
from shouhu.common.today import Work, register_work
from shouhu.marriage.permissions import MarriagePerm
from shouhu.marriage.selectors import todays_bookings


def counter_link(unit_id: int | None) -> str:
    """One registry's day (its bookings of today, by slot), else the counter, which lists today's
    bookings of every registry the viewer sees."""
    if unit_id is None:
        return reverse("marriage:counter")
    return reverse("marriage:day_view", kwargs={"registry_id": unit_id})


register_work(
    Work(
        key="marriage.todays_bookings",
        module=Module.MARRIAGE,
        title=_("今日婚姻登记预约"),
        deadline=_("预约时段内办理"),
        permission=MarriagePerm.COUNTER,
        count=todays_bookings,
        link=counter_link,
    )
)
