"""Requests past a deadline (A11 × X6): the handling unit's county bureau is told, once per
request and deadline, whatever the module; answering or closing it resolves the alert."""

import datetime as dt
from collections.abc import Callable, Iterator

from shouhu.alerts.audience import county_bureau, unit_staff
from shouhu.alerts.models import Severity
from shouhu.alerts.registry import DueReminder, register_check, register_kind
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.inquiries.models import Inquiry
from shouhu.inquiries.selectors import breached
from shouhu.orgs.models import UnitKind

INQUIRY_LATE = "inquiries.late"

register_kind(INQUIRY_LATE, "群众诉求超时未答复或未办结")


def _still_late(pk: int) -> Callable[[], bool]:
    def still_due() -> bool:
        return Inquiry.objects.filter(breached(clock.now()), pk=pk).exists()

    return still_due


def late_inquiries(today: dt.date) -> Iterator[DueReminder]:
    now = clock.now()
    for inquiry in Inquiry.objects.filter(breached(now)).select_related("unit").order_by("pk"):
        unanswered = inquiry.first_answer_at is None and inquiry.answer_due_at < now
        what = "未首次答复" if unanswered else "未办结"
        due = inquiry.answer_due_at if unanswered else inquiry.close_due_at
        try:
            audience = [county_bureau(inquiry.unit)]
        except DomainError:  # a unit above the counties: its own staff
            audience = [unit_staff(inquiry.unit, code="")] if inquiry.unit.kind != UnitKind.REGION else []
        if not audience:
            continue
        yield DueReminder(
            source=inquiry.module,
            kind=INQUIRY_LATE,
            title=f"{Module(inquiry.module).label}诉求{what}：{inquiry.unit.name}",
            body=(
                f"{inquiry.received_at.astimezone(clock.local_zone()):%Y-%m-%d %H:%M} 受理的"
                f"{inquiry.get_channel_display()}诉求已过{what}时限（{due.astimezone(clock.local_zone()):%Y-%m-%d %H:%M}），请尽快办理。"
            ),
            unit=inquiry.unit,
            audience=audience,
            dedupe_key=f"{INQUIRY_LATE}:{inquiry.pk}:{'answer' if unanswered else 'close'}",
            still_due=_still_late(inquiry.pk),
            severity=Severity.URGENT,
            target=inquiry,
        )


register_check("inquiries.late", late_inquiries)
