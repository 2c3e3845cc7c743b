"""Staff reminders (R4 × X6), run by `manage.py run_reminders` (hourly in cron).

- An approved leave past its end plus the policy's grace days without 销假: the person's unit
  (whoever files requests there) and the unit above it (its approvers) are told, once per leave.
- A reported trip that meets a risk area and still awaits acknowledgement: the unit's approvers
  and the unit above are told, once per trip.

Each reminder asks again right before delivery, so a 销假 or an acknowledgement recorded in
between tells nobody. Listed under the rescue task (四), as on the Today page.
"""

import datetime as dt
from collections.abc import Callable, Iterator

from django.urls import reverse

from shouhu.alerts.audience import Target, unit_staff
from shouhu.alerts.models import Severity
from shouhu.alerts.registry import DueReminder, register_check, register_kind
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.modules import Module
from shouhu.orgs.models import OrgUnit
from shouhu.staffing import selectors
from shouhu.staffing.models import LeaveRequest, StaffingPolicy, TravelReport
from shouhu.staffing.permissions import StaffingPerm

RETURN_OVERDUE = "staffing.return_overdue"
RISK_TRIP = "staffing.risk_trip_unacknowledged"

register_kind(RETURN_OVERDUE, "工作人员逾期未销假")
register_kind(RISK_TRIP, "工作人员涉中高风险地区出行待确认")


def audience(unit: OrgUnit, code: str, parents: dict[int, OrgUnit | None]) -> list[Target]:
    """The unit's users holding `code`, and the approvers of the unit above it."""
    if unit.pk not in parents:
        above = unit.path[: -OrgUnit.steplen]
        parents[unit.pk] = OrgUnit.objects.filter(path=above).first() if above else None
    targets: list[Target] = [unit_staff(unit, code=code)]
    parent = parents[unit.pk]
    if parent is not None:
        targets.append(unit_staff(parent, code=StaffingPerm.APPROVE))
    return targets


def _still_overdue(leave_id: int) -> Callable[[], bool]:
    def still_due() -> bool:
        policy = current_policy(StaffingPolicy)
        return LeaveRequest.objects.filter(
            selectors.return_deadline_passed(clock.today(), policy), pk=leave_id
        ).exists()

    return still_due


def overdue_returns(today: dt.date) -> Iterator[DueReminder]:
    policy = current_policy(StaffingPolicy, today)
    leaves = (
        LeaveRequest.objects.filter(selectors.return_deadline_passed(today, policy))
        .select_related("person", "unit")
        .order_by("pk")
    )
    parents: dict[int, OrgUnit | None] = {}
    for leave in leaves:
        due = selectors.return_due_on(leave, policy)
        yield DueReminder(
            source=Module.RESCUE,
            kind=RETURN_OVERDUE,
            title=f"逾期未销假：{leave.unit.name} {leave.person.name}",
            body=(
                f"{leave.unit.name}{leave.person.name}请假（{leave.starts_on}至{leave.ends_on}）已结束，"
                f"应于 {due} 前销假，至今未销假。请核实本人是否返岗并登记销假；登记后本提醒即解除。"
            ),
            unit=leave.unit,
            audience=audience(leave.unit, StaffingPerm.REQUEST, parents),
            dedupe_key=f"{RETURN_OVERDUE}:{leave.pk}",
            still_due=_still_overdue(leave.pk),
            severity=Severity.WARNING,
            link=reverse("staffing:leave_detail", kwargs={"staff_leave_id": leave.pk}),
            target=leave,
        )


def _still_unacknowledged(report_id: int) -> Callable[[], bool]:
    def still_due() -> bool:
        return TravelReport.objects.filter(
            pk=report_id, acknowledgement_required=True, acknowledged_at__isnull=True
        ).exists()

    return still_due


def risk_trips(today: dt.date) -> Iterator[DueReminder]:
    reports = (
        TravelReport.objects.filter(acknowledgement_required=True, acknowledged_at__isnull=True)
        .select_related("person", "unit")
        .order_by("pk")
    )
    parents: dict[int, OrgUnit | None] = {}
    for report in reports:
        found = "涉及" if report.risk_hit else "可能涉及"
        areas = "；".join(report.risk_area_list or report.risk_possible_list)
        yield DueReminder(
            source=Module.RESCUE,
            kind=RISK_TRIP,
            title=f"出行{found}中高风险地区待确认：{report.unit.name} {report.person.name}",
            body=(
                f"{report.unit.name}{report.person.name}报备 {report.departs_on} 至 {report.returns_on} "
                f"前往{report.destination_label}，{found}中高风险地区：{areas}。请单位负责人确认。"
            ),
            unit=report.unit,
            audience=audience(report.unit, StaffingPerm.APPROVE, parents),
            dedupe_key=f"{RISK_TRIP}:{report.pk}",
            still_due=_still_unacknowledged(report.pk),
            severity=Severity.URGENT if report.risk_hit else Severity.WARNING,
            link=reverse("staffing:travel_detail", kwargs={"travel_report_id": report.pk}),
            target=report,
        )


register_check(RETURN_OVERDUE, overdue_returns)
register_check(RISK_TRIP, risk_trips)
