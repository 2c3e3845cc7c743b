"""Reads of requests from the public, for the module that handles them.

Scope is the module's: a module's pages pass its `Module`, and a viewer sees the requests of the
units in their scope for it (`unit_scope(..., module=...)`)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_scope
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.today import Counter, Tally
from shouhu.inquiries.models import Inquiry

ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: the calendar's next or previous day


def breached(now: dt.datetime) -> Q:
    """Open requests past a deadline: no first answer by its time, or not closed by its time."""
    return Q(closed_at__isnull=True) & (
        Q(first_answer_at__isnull=True, answer_due_at__lt=now) | Q(close_due_at__lt=now)
    )


@dataclass(frozen=True)
class InquiryFilters:
    open_only: bool = False
    breached_only: bool = False
    channel: str = ""
    search: str = ""


def inquiry_list(*, viewer: User, module: Module, filters: InquiryFilters | None = None) -> QuerySet[Inquiry]:
    filters = filters or InquiryFilters()
    inquiries = Inquiry.objects.filter(
        unit_scope(viewer, field="unit", module=module), module=module
    ).select_related("unit", "assigned_to", "person")
    if filters.open_only:
        inquiries = inquiries.filter(closed_at__isnull=True)
    if filters.breached_only:
        inquiries = inquiries.filter(breached(clock.now()))
    if filters.channel:
        inquiries = inquiries.filter(channel=filters.channel)
    if filters.search:
        inquiries = inquiries.filter(summary__icontains=filters.search.strip())
    return inquiries.order_by("-received_at", "-pk")


def access_inquiry(viewer: User, pk: object, *, module: Module) -> Inquiry:
    return get_in_scope(inquiry_list(viewer=viewer, module=module), pk)


def access_inquiry_for_recording(viewer: User, pk: object, *, module: Module) -> Inquiry:
    unit = viewer.unit if viewer.is_authenticated else None
    mine = subtree(unit.path, field="unit") if unit is not None else Q(pk__in=[])
    return get_in_scope(Inquiry.objects.filter(mine, module=module).select_related("unit"), pk)


def today_counter(module: Module) -> Counter:
    """A module's Today work over its requests: per handling unit, `overdue` = open ones past a
    deadline, `due` = the other open ones and those closed today, `done` = closed today."""

    def count(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
        now = min(clock.now(), clock.start_of(today + ONE_DAY))
        late = breached(now)
        is_open = Q(closed_at__isnull=True)
        closed_today = Q(closed_at__gte=clock.start_of(today), closed_at__lt=clock.start_of(today + ONE_DAY))
        rows = (
            Inquiry.objects.filter(subtree(within, field="unit"), module=module)
            .filter(is_open | closed_today)
            .values("unit_id", "unit__path")
            .annotate(
                overdue=Count("pk", filter=late),
                done=Count("pk", filter=closed_today),
                waiting=Count("pk", filter=is_open & ~late),
            )
            .order_by()
        )
        return [
            Tally(
                row["unit_id"],
                row["unit__path"],
                done=row["done"],
                due=row["done"] + row["waiting"],
                overdue=row["overdue"],
            )
            for row in rows
        ]

    return count
