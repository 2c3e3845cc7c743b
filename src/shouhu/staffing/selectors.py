"""Reads of staff leave and travel reports (R4) and staff education (R5), scoped to the viewer.

A unit sees its own staff and its subtree's, reads and writes alike (`staff_scope`). It is the
viewer's own subtree even for a department coordinator: leave and trips are personal matters of
each unit's people, not a key task a department coordinates across the counties. The region's
administrators and leaders sit at the root, whose subtree is everything.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.today import Tally
from shouhu.orgs.models import OrgUnit
from shouhu.people.models import Category, Person, PersonCategory
from shouhu.screening.models import RiskLevel, ScreeningPolicy, record_label
from shouhu.screening.rules import TravelEntry, travel_check
from shouhu.screening.selectors import person_in_isolation_on
from shouhu.staffing.models import (
    OPEN_LEAVE,
    LeaveRequest,
    LeaveStatus,
    StaffAccount,
    StaffingPolicy,
    TravelReport,
)
from shouhu.staffing.permissions import StaffingPerm
from shouhu.training.models import Audience
from shouhu.training.selectors import attended

ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: one calendar day


def staff_scope(viewer: User, *, field: str = "unit") -> Q:
    """The viewer's own unit's subtree (see the module's docstring)."""
    unit = viewer.unit if viewer.is_authenticated and viewer.unit_id is not None else None
    if unit is None:
        return Q(pk__in=[])
    return subtree(unit.path, field=field)


# --- Staff --------------------------------------------------------------------------------------


def _is_staff() -> Exists:
    return Exists(PersonCategory.objects.filter(person_id=OuterRef("pk"), category=Category.STAFF))


def staff_people(*, viewer: User) -> QuerySet[Person]:
    """Staff persons (category 工作人员) whose unit lies in the viewer's subtree."""
    return (
        Person.objects.filter(staff_scope(viewer, field="home_unit"), _is_staff(), merged_into__isnull=True)
        .filter(deceased_on__isnull=True)
        .select_related("home_unit")
        .order_by("home_unit__path", "name", "pk")
    )


def access_staff_person(viewer: User, pk: object) -> Person:
    return get_in_scope(staff_people(viewer=viewer), pk)


def own_person(viewer: User) -> Person | None:
    """The staff person the viewer's account belongs to, if linked."""
    if not viewer.is_authenticated:
        return None
    link = StaffAccount.objects.filter(user_id=viewer.pk).select_related("person__home_unit").first()
    return link.person if link is not None else None


def is_staff_person(person: Person) -> bool:
    return PersonCategory.objects.filter(person_id=person.pk, category=Category.STAFF).exists()


def holds_account_of(user: User, person: Person) -> bool:
    """Whether `user`'s account is linked to `person` (nobody approves their own leave)."""
    return StaffAccount.objects.filter(user_id=user.pk, person_id=person.pk).exists()


def can_decide(viewer: User, *, unit: OrgUnit, filed_by_id: int, person: Person) -> str | None:
    """Why the viewer may not approve a request of `person` at `unit` (None: they may).

    The approver is the head of the person's own unit or of a unit above it: a user holding
    `staffing.approve` whose own subtree holds the unit, who neither filed the request nor is
    the person it is for (their linked account)."""
    if not viewer.is_authenticated or not viewer.has_code(StaffingPerm.APPROVE):
        return _("没有审批权限")
    own = viewer.unit
    if own is None or not unit.path.startswith(own.path):
        return _("只有本单位或上级单位负责人可以审批")
    if viewer.pk == filed_by_id:
        return _("审批人不能是申请提交人")
    if holds_account_of(viewer, person):
        return _("不能审批本人的申请")
    return None


# --- Leave requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaveFilters:
    search: str = ""
    unit: int | None = None
    status: str = ""
    kind: str = ""
    overdue_only: bool = False
    mine: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def return_deadline_passed(today: dt.date, policy: StaffingPolicy) -> Q:
    """Approved leaves whose 销假 is overdue: ended more than the policy's grace days ago."""
    return Q(status=LeaveStatus.APPROVED, ends_on__lt=today - dt.timedelta(days=policy.return_grace_days))


def leave_list(*, viewer: User, filters: LeaveFilters | None = None) -> QuerySet[LeaveRequest]:
    filters = filters or LeaveFilters()
    leaves = LeaveRequest.objects.filter(staff_scope(viewer))
    if filters.search:
        leaves = leaves.filter(person__name__icontains=filters.search.strip())
    if filters.unit:
        leaves = leaves.filter(unit_id=filters.unit)
    if filters.status:
        leaves = leaves.filter(status=filters.status)
    if filters.kind:
        leaves = leaves.filter(kind=filters.kind)
    if filters.overdue_only:
        leaves = leaves.filter(return_deadline_passed(_today(), current_policy(StaffingPolicy)))
    if filters.mine:
        leaves = leaves.filter(person__staff_account__user_id=viewer.pk)
    if filters.date_from:
        leaves = leaves.filter(ends_on__gte=filters.date_from)
    if filters.date_to:
        leaves = leaves.filter(starts_on__lte=filters.date_to)
    return leaves.select_related("person", "unit", "filed_by", "decided_by").order_by("-starts_on", "-pk")


def _today() -> dt.date:
    return clock.today()


def access_leave(viewer: User, pk: object) -> LeaveRequest:
    return get_in_scope(leave_list(viewer=viewer), pk)


def overlapping_leaves(person: Person, starts_on: dt.date, ends_on: dt.date) -> QuerySet[LeaveRequest]:
    """The person's open leaves (pending, or approved and not yet closed) that share a day with the span."""
    return LeaveRequest.objects.filter(
        person_id=person.pk, status__in=OPEN_LEAVE, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).order_by("starts_on")


def leave_is_overdue(leave: LeaveRequest, *, today: dt.date, policy: StaffingPolicy) -> bool:
    return leave.status == LeaveStatus.APPROVED and leave.ends_on < today - dt.timedelta(
        days=policy.return_grace_days
    )


def return_due_on(leave: LeaveRequest, policy: StaffingPolicy) -> dt.date:
    """The last day on which 销假 is on time."""
    return leave.ends_on + dt.timedelta(days=policy.return_grace_days)


# --- Travel reports and the risk check ----------------------------------------------------------


@dataclass(frozen=True)
class RiskResult:
    """What a destination met among the risk areas (screening's rule book and look-back)."""

    checked_on: dt.date
    lookback_days: int
    hit: bool = False
    level: str = ""
    areas: list[str] = field(default_factory=list)
    possible: list[str] = field(default_factory=list)
    unknown: bool = False

    @property
    def needs_acknowledgement(self) -> bool:
        return self.hit or bool(self.possible)


LEVEL_ORDER: list[str] = [RiskLevel.MEDIUM.value, RiskLevel.HIGH.value]


def destination_risk(
    *, province: str, place: str, code: str, departs_on: dt.date, returns_on: dt.date, on: dt.date
) -> RiskResult:
    """The destination against the risk areas in force, as the entrance checks a travel history.

    The trip is one place of a travel history (`screening.rules.travel_check`), seen from its
    last day: an area at risk on any day of the trip within the policy's look-back before the
    return is met. Before departure that means the areas in force now (still open, or declared
    for those days); on return the same question is asked again with the real dates."""
    policy = current_policy(ScreeningPolicy, on)
    entry = TravelEntry(place=place, province=province, code=code, arrived_on=departs_on, left_on=returns_on)
    check = travel_check([entry], on=returns_on, policy=policy)
    levels = [m.area.level for m in check.matches]
    level = max(levels, key=LEVEL_ORDER.index) if levels else ""
    areas = list(
        dict.fromkeys(
            f"{m.area.place_label}（{m.area.level_text}，{m.area.effective_from}起"
            + (f"至{m.area.effective_to}" if m.area.effective_to else "")
            + "）"
            for m in check.matches
        )
    )
    possible = (
        list(dict.fromkeys(f"{m.area.place_label}（{m.area.level_text}）" for m in check.possible))
        if not check.matches
        else []
    )
    return RiskResult(
        checked_on=on,
        lookback_days=policy.risk_lookback_days,
        hit=bool(check.matches),
        level=level,
        areas=areas,
        possible=possible,
        unknown=bool(check.unknown),
    )


def level_text(level: str) -> str:
    return record_label(RiskLevel(level)) if level else ""


@dataclass(frozen=True)
class TravelFilters:
    search: str = ""
    unit: int | None = None
    risk_only: bool = False
    awaiting_only: bool = False
    away_only: bool = False
    mine: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def travel_list(*, viewer: User, filters: TravelFilters | None = None) -> QuerySet[TravelReport]:
    filters = filters or TravelFilters()
    reports = TravelReport.objects.filter(staff_scope(viewer))
    if filters.search:
        reports = reports.filter(person__name__icontains=filters.search.strip())
    if filters.unit:
        reports = reports.filter(unit_id=filters.unit)
    if filters.risk_only:
        reports = reports.filter(acknowledgement_required=True)
    if filters.awaiting_only:
        reports = reports.filter(acknowledgement_required=True, acknowledged_at__isnull=True)
    if filters.away_only:
        reports = reports.filter(returned_on__isnull=True, departs_on__lte=_today())
    if filters.mine:
        reports = reports.filter(person__staff_account__user_id=viewer.pk)
    if filters.date_from:
        reports = reports.filter(returns_on__gte=filters.date_from)
    if filters.date_to:
        reports = reports.filter(departs_on__lte=filters.date_to)
    return reports.select_related("person", "unit", "filed_by", "acknowledged_by").order_by(
        "-departs_on", "-pk"
    )


def access_travel(viewer: User, pk: object) -> TravelReport:
    return get_in_scope(travel_list(viewer=viewer), pk)


def leaves_for_travel(person: Person) -> QuerySet[LeaveRequest]:
    """The person's leaves a trip may belong to (not refused)."""
    return (
        LeaveRequest.objects.filter(person_id=person.pk)
        .exclude(status=LeaveStatus.REFUSED)
        .order_by("-starts_on")
    )


@dataclass(frozen=True)
class AfterReturn:
    """What screening's policy asks of someone back from a risk area (nothing invented here)."""

    lookback_days: int
    refused_until: dt.date
    isolation: str
    isolation_days: dict[str, int]


def after_return(report: TravelReport, *, today: dt.date) -> AfterReturn | None:
    """For a trip that met a risk area: entrances refuse a stay in a risk area within the look-back
    days (`screening.rules.assess`), so the person is refused until the last day of the trip plus
    those days; and the isolation register's state of the person today, if any."""
    if not report.risk_hit:
        return None
    policy = current_policy(ScreeningPolicy, today)
    last_day = report.returned_on or report.returns_on
    isolation = person_in_isolation_on(report.person, today)
    return AfterReturn(
        lookback_days=policy.risk_lookback_days,
        refused_until=last_day + dt.timedelta(days=policy.risk_lookback_days),
        isolation=(
            f"{isolation.kind_text}（{isolation.starts_on}起，{isolation.ends_on}解除）" if isolation else ""
        ),
        isolation_days={
            "centralised": policy.centralised_isolation_days,
            "home": policy.home_isolation_days,
            "health_monitoring": policy.health_monitoring_days,
        },
    )


# --- Units overview -----------------------------------------------------------------------------


@dataclass
class UnitLine:
    unit: OrgUnit
    staff: int = 0
    on_leave: int = 0
    pending: int = 0
    overdue_returns: int = 0
    away: int = 0
    awaiting_acknowledgement: int = 0


def unit_overview(*, viewer: User, today: dt.date) -> list[UnitLine]:
    """Per unit of the viewer's subtree that has staff or records: staff, on leave today, requests
    waiting, overdue 销假, staff away on a reported trip, risk trips awaiting acknowledgement.
    Five queries (the policy, staff, leaves, trips, units), whatever the number of units."""
    policy = current_policy(StaffingPolicy, today)
    staff = dict(
        Person.objects.filter(staff_scope(viewer, field="home_unit"), _is_staff(), merged_into__isnull=True)
        .filter(deceased_on__isnull=True)
        .values("home_unit_id")
        .annotate(n=Count("pk"))
        .values_list("home_unit_id", "n")
    )
    overdue = return_deadline_passed(today, policy)
    leave_rows = (
        LeaveRequest.objects.filter(staff_scope(viewer), status__in=OPEN_LEAVE)
        .values("unit_id")
        .annotate(
            on_leave=Count(
                "pk", filter=Q(status=LeaveStatus.APPROVED, starts_on__lte=today, ends_on__gte=today)
            ),
            pending=Count("pk", filter=Q(status=LeaveStatus.PENDING)),
            overdue=Count("pk", filter=overdue),
        )
        .order_by()
    )
    travel_rows = (
        TravelReport.objects.filter(staff_scope(viewer))
        .filter(
            Q(returned_on__isnull=True, departs_on__lte=today)
            | Q(acknowledgement_required=True, acknowledged_at__isnull=True)
        )
        .values("unit_id")
        .annotate(
            away=Count("pk", filter=Q(returned_on__isnull=True, departs_on__lte=today)),
            awaiting=Count("pk", filter=Q(acknowledgement_required=True, acknowledged_at__isnull=True)),
        )
        .order_by()
    )
    lines: dict[int, UnitLine] = defaultdict(lambda: UnitLine(unit=None))  # type: ignore[arg-type]
    for unit_id, n in staff.items():
        lines[unit_id].staff = n
    for row in leave_rows:
        line = lines[row["unit_id"]]
        line.on_leave, line.pending, line.overdue_returns = row["on_leave"], row["pending"], row["overdue"]
    for row in travel_rows:
        line = lines[row["unit_id"]]
        line.away, line.awaiting_acknowledgement = row["away"], row["awaiting"]
    units = OrgUnit.objects.in_bulk(list(lines))
    result = []
    for unit_id, line in lines.items():
        line.unit = units[unit_id]
        result.append(line)
    return sorted(result, key=lambda line: line.unit.path)


# --- Staff education (R5) -----------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageLine:
    unit: OrgUnit
    staff: int
    trained: int

    @property
    def percent(self) -> int:
        return round(100 * self.trained / self.staff) if self.staff else 0


def education_coverage(*, viewer: User, since: dt.date | None = None) -> list[CoverageLine]:
    """Per unit of the viewer's subtree with staff: staff who attended a prevention session of the
    rescue task (audience 工作人员, through `training.selectors.attended`) ÷ staff, lowest share
    first. Two queries: the grouped staff, the units."""
    trained = attended(person_ref="pk", module=Module.RESCUE, roles=[Audience.STAFF], since=since)
    rows = (
        Person.objects.filter(staff_scope(viewer, field="home_unit"), _is_staff(), merged_into__isnull=True)
        .filter(deceased_on__isnull=True)
        .alias(was_trained=trained)
        .values("home_unit_id")
        .annotate(staff=Count("pk"), trained=Count("pk", filter=Q(was_trained=True)))
        .order_by()
    )
    counts = {row["home_unit_id"]: (row["staff"], row["trained"]) for row in rows}
    units = OrgUnit.objects.in_bulk(list(counts))
    lines = [CoverageLine(unit=units[pk], staff=s, trained=t) for pk, (s, t) in counts.items()]
    return sorted(lines, key=lambda line: (line.trained / line.staff, line.unit.path))


# --- Today (X5, X6) -----------------------------------------------------------------------------
#
# Registered in `staffing/today.py`. Each counts per unit of the record, two queries at most.


def today_leave_decisions(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """请假待审批: `due` = requests waiting that start after today, plus those decided today
    (`done`); `overdue` = requests still waiting on or after their first day."""
    start = clock.start_of(today)
    end = clock.start_of(today + ONE_DAY)
    decided_today = Q(decided_at__gte=start, decided_at__lt=end)
    waiting = Q(status=LeaveStatus.PENDING)
    rows = (
        LeaveRequest.objects.filter(subtree(within, field="unit"))
        .filter(waiting | decided_today)
        .values("unit_id", "unit__path")
        .annotate(
            done=Count("pk", filter=decided_today & ~waiting),
            waiting=Count("pk", filter=waiting & Q(starts_on__gt=today)),
            overdue=Count("pk", filter=waiting & Q(starts_on__lte=today)),
        )
        .order_by()
    )
    return [
        Tally(
            r["unit_id"], r["unit__path"], done=r["done"], due=r["done"] + r["waiting"], overdue=r["overdue"]
        )
        for r in rows
    ]


def today_returns(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """销假: `due` = approved leaves whose last day for 销假 is today, plus those returned today
    (`done`); `overdue` = approved leaves past that day without 销假. Two queries."""
    policy = current_policy(StaffingPolicy, today)
    grace = dt.timedelta(days=policy.return_grace_days)
    returned_today = Q(status=LeaveStatus.RETURNED, returned_on=today)
    due_today = Q(status=LeaveStatus.APPROVED, ends_on=today - grace)
    overdue = Q(status=LeaveStatus.APPROVED, ends_on__lt=today - grace)
    rows = (
        LeaveRequest.objects.filter(subtree(within, field="unit"))
        .filter(returned_today | due_today | overdue)
        .values("unit_id", "unit__path")
        .annotate(
            done=Count("pk", filter=returned_today),
            waiting=Count("pk", filter=due_today),
            overdue=Count("pk", filter=overdue),
        )
        .order_by()
    )
    return [
        Tally(
            r["unit_id"], r["unit__path"], done=r["done"], due=r["done"] + r["waiting"], overdue=r["overdue"]
        )
        for r in rows
    ]


def today_risk_trips(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """涉中高风险地区出行待确认: `due` = trips awaiting the unit head's acknowledgement that leave
    after today, plus those acknowledged today (`done`); `overdue` = those still unacknowledged on
    or after the day of departure. One query."""
    start = clock.start_of(today)
    end = clock.start_of(today + ONE_DAY)
    waiting = Q(acknowledgement_required=True, acknowledged_at__isnull=True)
    acknowledged_today = Q(acknowledged_at__gte=start, acknowledged_at__lt=end)
    rows = (
        TravelReport.objects.filter(subtree(within, field="unit"))
        .filter(waiting | acknowledged_today)
        .values("unit_id", "unit__path")
        .annotate(
            done=Count("pk", filter=acknowledged_today),
            waiting=Count("pk", filter=waiting & Q(departs_on__gt=today)),
            overdue=Count("pk", filter=waiting & Q(departs_on__lte=today)),
        )
        .order_by()
    )
    return [
        Tally(
            r["unit_id"], r["unit__path"], done=r["done"], due=r["done"] + r["waiting"], overdue=r["overdue"]
        )
        for r in rows
    ]


def staff_units(*, viewer: User) -> QuerySet[OrgUnit]:
    """Units of the viewer's subtree that have staff (the filters' choices)."""
    has_staff = Exists(
        Person.objects.filter(home_unit_id=OuterRef("pk"), merged_into__isnull=True).filter(_is_staff())
    )
    return OrgUnit.objects.filter(staff_scope(viewer, field=""), has_staff).order_by("path")
