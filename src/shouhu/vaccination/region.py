"""The region's view of vaccination (V4, V5): ranking by county (块) and by department (条),
reporting discipline, and the circular (通报) naming units that are behind.

Figures are computed live from the ledger as of a day, in one grouped query for every unit;
reporting discipline comes from the reports the units submitted against the schedule.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import QuerySet

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree
from shouhu.common import clock
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.models import Person
from shouhu.vaccination import selectors
from shouhu.vaccination.figures import Figures
from shouhu.vaccination.models import VaccinationReport
from shouhu.vaccination.schedule import Period, Schedule, report_schedule, thresholds


class RegionView(StrEnum):
    COUNTY = "county"
    DEPARTMENT = "department"


VIEW_LABELS = {RegionView.COUNTY: "按县（市、区）（块）", RegionView.DEPARTMENT: "按科室和直属单位（条）"}
VIEW_KINDS = {
    RegionView.COUNTY: (UnitKind.COUNTY,),
    RegionView.DEPARTMENT: (UnitKind.DEPARTMENT, UnitKind.AFFILIATED),
}


class RankBy(StrEnum):
    COMPLETION = "completion"
    COMPLETENESS = "completeness"
    ON_TIME = "on_time"


RANK_LABELS = {
    RankBy.COMPLETION: "全程接种率",
    RankBy.COMPLETENESS: "底数完整率",
    RankBy.ON_TIME: "按时报送率",
}


class PeriodState(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    OPEN = "open"


PERIOD_STATE_LABELS = {
    PeriodState.ON_TIME: "按时报送",
    PeriodState.LATE: "逾期报送",
    PeriodState.MISSING: "未报送",
    PeriodState.OPEN: "待报送",
}


@dataclass
class Reporting:
    """A unit's reporting discipline over the periods already due."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    missing_periods: list[Period] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return len(self.missing_periods)

    @property
    def on_time_rate(self) -> float | None:
        if not self.due:
            return None
        return round(self.on_time * 100 / self.due, 1)


def reporting_of(units: list[OrgUnit], schedule: Schedule | None, day: dt.date) -> dict[int, Reporting]:
    due = schedule.due_before(day) if schedule else []
    submitted: dict[int, dict[dt.date, bool]] = defaultdict(dict)
    if due and units:
        rows = VaccinationReport.objects.filter(
            unit__in=units, period_start__in=[p.starts_on for p in due]
        ).values_list("unit_id", "period_start", "is_late")
        for unit_id, period_start, is_late in rows:
            submitted[unit_id][period_start] = is_late
    result = {}
    for unit in units:
        reporting = Reporting(due=len(due))
        for period in due:
            if period.starts_on not in submitted[unit.pk]:
                reporting.missing_periods.append(period)
            elif submitted[unit.pk][period.starts_on]:
                reporting.late += 1
            else:
                reporting.on_time += 1
        result[unit.pk] = reporting
    return result


@dataclass
class PeriodStatus:
    period: Period
    report: VaccinationReport | None
    state: PeriodState

    @property
    def label(self) -> str:
        return PERIOD_STATE_LABELS[self.state]


def periods_of_unit(unit: OrgUnit, day: dt.date | None = None) -> list[PeriodStatus]:
    """Every period so far with the unit's report, newest first."""
    day = day or clock.today()
    schedule = report_schedule(day)
    if schedule is None:
        return []
    periods = schedule.periods_until(day)
    reports = {
        r.period_start: r
        for r in VaccinationReport.objects.filter(
            unit=unit, period_start__in=[p.starts_on for p in periods]
        ).select_related("submitted_by")
    }
    statuses = []
    for period in reversed(periods):
        report = reports.get(period.starts_on)
        if report is not None:
            state = PeriodState.LATE if report.is_late else PeriodState.ON_TIME
        else:
            state = PeriodState.MISSING if period.due_on < day else PeriodState.OPEN
        statuses.append(PeriodStatus(period, report, state))
    return statuses


@dataclass
class RankingRow:
    unit: OrgUnit
    figures: Figures
    reporting: Reporting
    unclear_baseline: bool
    behind: bool
    rank: int = 0

    @property
    def named(self) -> bool:
        return self.unclear_baseline or self.behind

    @property
    def reporting_reasons(self) -> list[str]:
        reasons = []
        if self.reporting.missing:
            reasons.append(f"{self.reporting.missing} 期未报送")
        if self.reporting.late:
            reasons.append(f"{self.reporting.late} 期逾期报送")
        return reasons

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.unclear_baseline:
            reasons.append("底数不清")
        if self.behind:
            reasons.append("接种进度滞后")
        return reasons + self.reporting_reasons


def _sort_key(rank_by: RankBy) -> Callable[[RankingRow], tuple[bool, float, str]]:
    def key(row: RankingRow) -> tuple[bool, float, str]:
        value = {
            RankBy.COMPLETION: row.figures.completion_rate,
            RankBy.COMPLETENESS: row.figures.completeness_rate,
            RankBy.ON_TIME: row.reporting.on_time_rate,
        }[rank_by]
        return (value is None, -(value or 0), row.unit.path)

    return key


def _ranked(
    units: list[OrgUnit], people: QuerySet[Person], *, as_of: dt.date, rank_by: RankBy
) -> list[RankingRow]:
    policy = thresholds(as_of)
    length = selectors.REPORTING_DEPTH * OrgUnit.steplen
    by_path = selectors.figures_by_path(people, path_length=length, as_of=as_of) if units else {}
    reporting = reporting_of(units, report_schedule(as_of), as_of)
    rows = []
    for unit in units:
        figures = by_path.get(unit.path, Figures())
        rows.append(
            RankingRow(
                unit=unit,
                figures=figures,
                reporting=reporting[unit.pk],
                unclear_baseline=figures.completeness_below(policy.baseline_completeness_percent),
                behind=figures.completion_below(policy.circular_threshold_percent),
            )
        )
    rows.sort(key=_sort_key(rank_by))
    for position, row in enumerate(rows, start=1):
        row.rank = position
    return rows


def region_ranking(
    *,
    viewer: User,
    view: RegionView = RegionView.COUNTY,
    rank_by: RankBy = RankBy.COMPLETION,
    as_of: dt.date | None = None,
) -> list[RankingRow]:
    """The visible reporting units of one view, ranked; units in the circular are flagged."""
    as_of = as_of or clock.today()
    units = list(selectors.reporting_units(viewer=viewer).filter(kind__in=VIEW_KINDS[view]))
    people = selectors.baseline_people(as_of=as_of).filter(selectors.vaccination_scope(viewer))
    return _ranked(units, people, as_of=as_of, rank_by=rank_by)


@dataclass(frozen=True)
class OwnPlace:
    """A reporting unit's place among the units of its kind, with the region's figures."""

    row: RankingRow
    out_of: int
    region: Figures


def own_place(
    *, viewer: User, rank_by: RankBy = RankBy.COMPLETION, as_of: dt.date | None = None
) -> OwnPlace | None:
    """The place of the viewer's county (or department) among the region's units of its kind.

    Ranked over the whole region, as the region's ranking is, but what it returns is the viewer's
    own row, its rank, how many units were ranked and the region's totals: never another unit's
    row (a county sees where it stands, not the other counties' figures)."""
    unit = viewer.unit if viewer.is_authenticated else None
    if unit is None or unit.depth < selectors.REPORTING_DEPTH:
        return None
    as_of = as_of or clock.today()
    reporting_unit = selectors.reporting_unit_above(unit)
    if reporting_unit is None:
        return None
    view = RegionView.COUNTY if reporting_unit.kind == UnitKind.COUNTY else RegionView.DEPARTMENT
    region_path = unit.path[: unit.steplen]
    units = list(selectors.reporting_units_of_region(region_path).filter(kind__in=VIEW_KINDS[view]))
    people = selectors.baseline_people(as_of=as_of).filter(subtree(region_path, field="home_unit"))
    rows = _ranked(units, people, as_of=as_of, rank_by=rank_by)
    own = next((row for row in rows if row.unit.pk == reporting_unit.pk), None)
    if own is None:
        return None
    region = Figures()
    for row in rows:
        region = region + row.figures
    return OwnPlace(row=own, out_of=len(rows), region=region)


@dataclass
class Circular:
    """The region office's circular (通报) on vaccination progress, as of a day."""

    as_of: dt.date
    threshold_percent: int
    completeness_percent: int
    counties: list[RankingRow]
    departments: list[RankingRow]

    @property
    def rows(self) -> list[RankingRow]:
        return [*self.counties, *self.departments]

    @property
    def totals(self) -> Figures:
        total = Figures()
        for row in self.rows:
            total = total + row.figures
        return total

    @property
    def unclear(self) -> list[RankingRow]:
        return [r for r in self.rows if r.unclear_baseline]

    @property
    def behind(self) -> list[RankingRow]:
        return [r for r in self.rows if r.behind]

    @property
    def not_reporting(self) -> list[RankingRow]:
        return [r for r in self.rows if r.reporting.missing or r.reporting.late]


def circular(*, viewer: User, as_of: dt.date | None = None) -> Circular:
    as_of = as_of or clock.today()
    policy = thresholds(as_of)
    return Circular(
        as_of=as_of,
        threshold_percent=policy.circular_threshold_percent,
        completeness_percent=policy.baseline_completeness_percent,
        counties=region_ranking(viewer=viewer, view=RegionView.COUNTY, as_of=as_of),
        departments=region_ranking(viewer=viewer, view=RegionView.DEPARTMENT, as_of=as_of),
    )
