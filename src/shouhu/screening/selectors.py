"""Reads of the screening app, scoped to what the viewer may see.

Reads use the screening scope (a region department that coordinates screening reads every
county); writes — screening at an entrance, keeping the isolation register — are limited to
the viewer's own subtree. Risk areas are the whole country's list: every user reads them.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_scope
from shouhu.campaigns.models import Holiday, HolidayKind, ServiceSuspension, ServiceType, SuspensionMode
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.today import Tally
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind, UnitStatus
from shouhu.people.idcard import InvalidPhone, document_key, phone_key
from shouhu.people.models import Person
from shouhu.screening.models import (
    DailyScreeningCount,
    IsolationRecord,
    RefusalReason,
    RiskArea,
    Screening,
    VenueCode,
    Verdict,
    visitor_name_key,
)
from shouhu.screening.rules import closure_checks_over, person_in_isolation_on

__all__ = ["person_in_isolation_on"]  # re-exported: the one question other modules ask


def screening_scope(viewer: User, *, field: str = "unit") -> Q:
    return unit_scope(viewer, field=field, module=Module.SCREENING)


def own_subtree(viewer: User, *, field: str) -> Q:
    """Where the viewer may write: their own unit's subtree, whatever they may read."""
    unit = viewer.unit if viewer.is_authenticated else None
    if unit is None:
        return Q(pk__in=[])
    return subtree(unit.path, field=field)


# --- Institutions (where screening happens) --------------------------------------------------


def institution_list(*, viewer: User) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(screening_scope(viewer, field=""), kind=UnitKind.INSTITUTION).order_by(
        "path"
    )


def institution_writable(*, viewer: User) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(own_subtree(viewer, field=""), kind=UnitKind.INSTITUTION).order_by("path")


def access_institution(viewer: User, pk: object) -> OrgUnit:
    return get_in_scope(institution_list(viewer=viewer), pk)


def access_institution_for_screening(viewer: User, pk: object) -> OrgUnit:
    """The institution `pk` when it lies in the viewer's own subtree (as `institution_writable`).

    Every screening asks this: the viewer's unit path is read inside the same statement rather
    than by loading `viewer.unit` first, which saves a round trip. No unit, no row (404).
    """
    unit_id = viewer.unit_id if viewer.is_authenticated else None
    if unit_id is None:
        return get_in_scope(OrgUnit.objects.none(), pk)
    own_path = OrgUnit.objects.filter(pk=unit_id).values("path")[:1]
    return get_in_scope(
        OrgUnit.objects.filter(kind=UnitKind.INSTITUTION, path__startswith=Subquery(own_path)), pk
    )


def venue_list(*, viewer: User) -> QuerySet[OrgUnit]:
    return institution_list(viewer=viewer).select_related("venue_code")


def venue_by_token(token: str) -> VenueCode | None:
    """The venue of a public page: by its random token only (an unknown token is None)."""
    if not token or len(token) > VenueCode._meta.get_field("token").max_length:  # type: ignore[operator]
        return None
    return VenueCode.objects.select_related("unit").filter(token=token).first()


# --- Risk areas --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskAreaFilters:
    search: str = ""
    level: str = ""
    active_on: dt.date | None = None
    include_history: bool = False


def risk_area_list(*, viewer: User, filters: RiskAreaFilters | None = None) -> QuerySet[RiskArea]:
    filters = filters or RiskAreaFilters()
    areas = RiskArea.objects.select_related("created_by")
    if filters.search:
        text = filters.search.strip()
        areas = areas.filter(
            Q(province__icontains=text)
            | Q(city__icontains=text)
            | Q(county__icontains=text)
            | Q(township__icontains=text)
            | Q(community__icontains=text)
            | Q(admin_code__startswith=text)
        )
    if filters.level:
        areas = areas.filter(level=filters.level)
    if filters.active_on:
        day = filters.active_on
        areas = areas.filter(effective_from__lte=day).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day)
        )
    elif not filters.include_history:
        areas = areas.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=clock.today()))
    return areas.order_by("-effective_from", "place_key", "pk")


def access_risk_area(viewer: User, pk: object) -> RiskArea:
    return get_in_scope(RiskArea.objects.all(), pk)


def risk_area_history(area: RiskArea) -> QuerySet[RiskArea]:
    return RiskArea.objects.filter(place_key=area.place_key).order_by("-effective_from", "-pk")


# --- Isolation register ------------------------------------------------------------------------


@dataclass(frozen=True)
class IsolationFilters:
    search: str = ""
    kind: str = ""
    active_on: dt.date | None = None


def isolation_list(*, viewer: User, filters: IsolationFilters | None = None) -> QuerySet[IsolationRecord]:
    filters = filters or IsolationFilters()
    records = IsolationRecord.objects.filter(
        screening_scope(viewer, field="person__home_unit"), person__merged_into__isnull=True
    )
    if filters.search:
        records = records.filter(person__name__icontains=filters.search.strip())
    if filters.kind:
        records = records.filter(kind=filters.kind)
    if filters.active_on:
        day = filters.active_on
        records = records.filter(starts_on__lte=day).filter(
            Q(actual_end_on__isnull=True, planned_end_on__gt=day)
            | Q(actual_end_on__isnull=False, actual_end_on__gt=day)
        )
    return records.select_related("person", "person__home_unit", "recorded_by").order_by("-starts_on", "-pk")


def access_isolation(viewer: User, pk: object) -> IsolationRecord:
    return get_in_scope(isolation_list(viewer=viewer), pk)


def access_isolation_for_recording(viewer: User, pk: object) -> IsolationRecord:
    records = IsolationRecord.objects.filter(own_subtree(viewer, field="person__home_unit"))
    return get_in_scope(records.select_related("person", "person__home_unit"), pk)


def person_writable(*, viewer: User) -> QuerySet[Person]:
    return Person.objects.filter(own_subtree(viewer, field="home_unit"), merged_into__isnull=True)


def access_person_for_recording(viewer: User, pk: object) -> Person:
    return get_in_scope(person_writable(viewer=viewer).select_related("home_unit"), pk)


def isolations_of(person: Person) -> QuerySet[IsolationRecord]:
    return IsolationRecord.objects.filter(person=person).order_by("-starts_on", "-pk")


# --- Screenings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreeningFilters:
    unit: int | None = None
    verdict: str = ""
    day: dt.date | None = None
    needs_review: bool = False
    search: str = ""  # one person's visits: name, ID number or phone (`person_match`)


def person_match(text: str) -> Q:
    """The screenings of whoever `text` names, to trace one person's visits.

    A person picked from the register is found by part of their name, by ID number and by
    phone; a visitor by the exact name and the phone they gave. Numbers and visitors' names are
    encrypted: they are matched whole through their blind indexes, as `people.selectors` does.
    """
    text = " ".join(text.split())
    if not text:
        return Q()
    match = Q(person__name__icontains=text) | Q(visitor_name_index=visitor_name_key(text))
    if any(character.isdigit() for character in text):
        match |= Q(person__id_index=document_key(text))
        try:
            key = phone_key(text)
        except InvalidPhone:
            pass
        else:
            match |= Q(person__phone_index=key) | Q(visitor_phone_index=key)
    return match


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(clock.local_zone()).date()


def _local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = clock.start_of(day)
    return start, start + dt.timedelta(1)  # not a policy threshold: one calendar day


def screening_list(*, viewer: User, filters: ScreeningFilters | None = None) -> QuerySet[Screening]:
    filters = filters or ScreeningFilters()
    screenings = Screening.objects.filter(screening_scope(viewer))
    if filters.unit:
        screenings = screenings.filter(unit_id=filters.unit)
    if filters.verdict:
        screenings = screenings.filter(verdict=filters.verdict)
    if filters.day:
        start, end = _local_day_bounds(filters.day)
        screenings = screenings.filter(screened_at__gte=start, screened_at__lt=end)
    if filters.needs_review:
        screenings = screenings.filter(needs_review=True)
    if filters.search:
        screenings = screenings.filter(person_match(filters.search))
    return screenings.select_related("unit", "person", "screened_by").order_by("-screened_at", "-pk")


def access_screening(viewer: User, pk: object) -> Screening:
    return get_in_scope(screening_list(viewer=viewer), pk)


def access_screening_for_screening(viewer: User, pk: object) -> Screening:
    screenings = Screening.objects.filter(own_subtree(viewer, field="unit"))
    return get_in_scope(screenings.select_related("unit", "person", "screened_by"), pk)


def pending_declarations(*, viewer: User, unit: OrgUnit | None = None) -> QuerySet[Screening]:
    """Self-declarations waiting for staff to take the temperature, oldest first (today only)."""
    start, end = _local_day_bounds(clock.today())
    pending = Screening.objects.filter(
        own_subtree(viewer, field="unit"),
        verdict=Verdict.PENDING,
        screened_at__gte=start,
        screened_at__lt=end,
    )
    if unit is not None:
        pending = pending.filter(unit=unit)
    return pending.select_related("unit", "person").order_by("screened_at", "pk")


def screening_by_receipt(*, venue: VenueCode, receipt: str) -> Screening | None:
    if not receipt or len(receipt) > Screening._meta.get_field("receipt").max_length:  # type: ignore[operator]
        return None
    return Screening.objects.filter(unit_id=venue.unit_id, receipt=receipt).first()


def recent_desk_screenings(*, viewer: User, unit: OrgUnit, limit: int = 10) -> list[Screening]:
    today = ScreeningFilters(unit=unit.pk, day=clock.today())
    return list(screening_list(viewer=viewer, filters=today)[:limit])


# --- Daily figures and completeness (S5) --------------------------------------------------------
#
# The figures of a day come from the screening records while they are kept and from the anonymous
# DailyScreeningCount once `purge_visitor_records` has deleted them; the purge adds a day's counts
# and deletes its records in one transaction, so adding both sources never counts a visitor twice.


class LocalDate(TruncDate):
    """The local calendar day of a moment.

    On SQLite Django converts each row's zone in a Python function, which over a million rows
    takes seconds; a zone without daylight saving (Asia/Shanghai) has one offset, which SQLite's
    own date() applies. Zones with daylight saving keep Django's conversion.
    """

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:
        offset = fixed_utc_offset_minutes()
        if offset is None:
            return self.as_sql(compiler, connection, **extra_context)
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, %s)", (*params, f"{offset:+d} minutes")


def fixed_utc_offset_minutes() -> int | None:
    """The local zone's offset from UTC in minutes when it is the same all year, else None."""
    zone = clock.local_zone()
    year = clock.today().year
    offsets = {dt.datetime(year, month, 1, tzinfo=zone).utcoffset() for month in (1, 7)}  # winter and summer
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return int(offset.total_seconds()) // 60 if offset is not None else None


@dataclass
class DayFigures:
    """The anonymous figures of one institution's day."""

    screenings: int = 0
    admitted: int = 0
    refused: int = 0
    pending: int = 0
    refusals_by_reason: dict[str, int] = field(default_factory=dict)

    def add(self, other: "DayFigures") -> None:
        self.screenings += other.screenings
        self.admitted += other.admitted
        self.refused += other.refused
        self.pending += other.pending
        for code, number in other.refusals_by_reason.items():
            self.refusals_by_reason[code] = self.refusals_by_reason.get(code, 0) + number

    def refusals_for(self, code: str) -> int:
        return self.refusals_by_reason.get(code, 0)

    @property
    def refusal_breakdown(self) -> list[tuple[str, int]]:
        """(reason label, refusals) for every reason that refused someone, in the rule book's order."""
        return [
            (str(label), self.refusals_by_reason[code])
            for code, label in RefusalReason.choices
            if self.refusals_by_reason.get(code)
        ]


FigureKey = tuple[int, dt.date]


def counts_by_unit_and_day(screenings: QuerySet[Screening]) -> dict[FigureKey, DayFigures]:
    """Anonymous figures of some screenings per institution and local day, refusals by reason.

    Two grouped queries: the counts by institution and day, and the refusals by institution,
    day and list of reason codes — a refusal's codes are one of a few combinations, so the
    groups stay few however many rows there are.
    """
    local = LocalDate("screened_at", tzinfo=clock.local_zone())
    by_day = (
        screenings.order_by()
        .annotate(day=local)
        .values_list("unit_id", "day")
        .annotate(
            total=Count("pk"),
            admitted=Count("pk", filter=Q(verdict=Verdict.ADMITTED)),
            refused=Count("pk", filter=Q(verdict=Verdict.REFUSED)),
            pending=Count("pk", filter=Q(verdict=Verdict.PENDING)),
        )
    )
    figures: dict[FigureKey, DayFigures] = {
        (unit_id, day): DayFigures(total, admitted, refused, pending)
        for unit_id, day, total, admitted, refused, pending in by_day
    }
    refusals = (
        screenings.filter(verdict=Verdict.REFUSED)
        .order_by()
        .annotate(day=local)
        .values_list("unit_id", "day", "reason_codes")
        .annotate(number=Count("*"))
    )
    for unit_id, day, codes, number in refusals:
        by_reason = figures[(unit_id, day)].refusals_by_reason
        for code in codes or []:
            by_reason[code] = by_reason.get(code, 0) + number
    return figures


def figures_between(*, scope: Q, start: dt.date, end: dt.date) -> dict[FigureKey, DayFigures]:
    """Figures per institution and day from `start` to `end` (inclusive), records and kept counts alike.

    `scope` filters on the institution (`unit`); two queries whatever the span.
    """
    first, _ = _local_day_bounds(start)
    _, after_last = _local_day_bounds(end)
    figures = counts_by_unit_and_day(
        Screening.objects.filter(scope, screened_at__gte=first, screened_at__lt=after_last)
    )
    kept = DailyScreeningCount.objects.filter(scope, day__gte=start, day__lte=end).values_list(
        "unit_id", "day", "screenings", "admitted", "refused", "pending", "refusals_by_reason"
    )
    for unit_id, day, screenings, admitted, refused, pending, by_reason in kept:
        figures.setdefault((unit_id, day), DayFigures()).add(
            DayFigures(screenings, admitted, refused, pending, dict(by_reason or {}))
        )
    return figures


def daily_figures(*, viewer: User, start: dt.date, end: dt.date) -> dict[FigureKey, DayFigures]:
    return figures_between(scope=screening_scope(viewer), start=start, end=end)


# Institutions that keep office hours (closed at weekends and on statutory holidays, open on
# 调休 workdays); the others — homes, funeral homes, rescue stations, lottery outlets — are
# open every day unless closed by status, a suspension of visits or a registered closure check.
OFFICE_HOURS_TYPES = frozenset({InstitutionType.MARRIAGE_REGISTRY, InstitutionType.BUREAU_OFFICE})
SATURDAY = 5  # date.weekday()


class Closures:
    """Why institutions were closed to visitors on days of a span, read in a fixed number of queries.

    The same answer as `rules.closure_reason` at the entrance (unit status, a suspension of
    visits at the unit or above, the checks other modules register), plus office hours.
    """

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.holidays = dict(
            Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
        )
        self.suspensions = list(
            ServiceSuspension.objects.filter(
                service=ServiceType.VISITS,
                mode=SuspensionMode.SUSPENDED,
                starts_on__lte=end,
                ends_on__gte=start,
            )
            .select_related("unit")
            .order_by("starts_on", "pk")
        )
        self.checks = closure_checks_over(start, end)

    def working_day(self, day: dt.date) -> bool:
        kind = self.holidays.get(day)
        if kind is not None:
            return kind == HolidayKind.WORKDAY
        return day.weekday() < SATURDAY

    def reason(self, unit: OrgUnit, day: dt.date) -> str:
        """Why `unit` was closed to visitors on `day`, or "" when it was open."""
        if unit.status != UnitStatus.ACTIVE:
            return f"{unit.get_status_display()}"
        if unit.institution_type in OFFICE_HOURS_TYPES and not self.working_day(day):
            return "节假日或休息日不办公"
        after_day = _local_day_bounds(day)[1]
        for suspension in self.suspensions:
            if (
                unit.path.startswith(suspension.unit.path)
                and suspension.starts_on <= day <= suspension.ends_on
                and (suspension.lifted_at is None or suspension.lifted_at >= after_day)
            ):
                return f"{suspension.unit.name}暂停探视来访：{suspension.reason}"  # stored: Chinese
        for check in self.checks:
            reason = check(unit, day)
            if reason:
                return reason
        return ""


@dataclass(frozen=True)
class InstitutionDay:
    """One institution on one day: its figures and, when it recorded none, whether it was open."""

    unit: OrgUnit
    day: dt.date
    figures: DayFigures
    closed: str  # why it was closed to visitors; only asked for days without screenings
    finished: bool  # the day is over: a day still running is not yet a gap

    @property
    def unscreened(self) -> bool:
        """A gap (漏管, what the plan's 零漏管 wants none of): open all day, and not one screening recorded."""
        return self.finished and not self.closed and self.figures.screenings == 0


def institution_days(
    *, units: QuerySet[OrgUnit], start: dt.date, end: dt.date, today: dt.date | None = None
) -> list[InstitutionDay]:
    """Every institution of `units` on every day of the span, latest day first.

    Four queries, plus the checks other modules register, which are asked only about days
    without a screening.
    """
    today = today or clock.today()
    institutions = list(units.filter(kind=UnitKind.INSTITUTION).order_by("path"))
    scope = Q(unit__in=[u.pk for u in institutions])
    figures = figures_between(scope=scope, start=start, end=end)
    closures = Closures(start, end)
    days: list[InstitutionDay] = []
    day = end
    while day >= start:
        for unit in institutions:
            day_figures = figures.get((unit.pk, day)) or DayFigures()
            closed = closures.reason(unit, day) if day_figures.screenings == 0 else ""
            days.append(InstitutionDay(unit, day, day_figures, closed, finished=day < today))
        day -= dt.timedelta(1)  # not a policy threshold: the day before
    return days


def completeness(*, viewer: User, start: dt.date, end: dt.date) -> list[InstitutionDay]:
    return institution_days(units=institution_list(viewer=viewer), start=start, end=end)


def unscreened_open_institutions(day: dt.date) -> list[InstitutionDay]:
    """Institutions of the whole region that were open on `day` and recorded no screening (for reminders)."""
    units = OrgUnit.objects.filter(kind=UnitKind.INSTITUTION).exclude(status=UnitStatus.INACTIVE)
    return [d for d in institution_days(units=units, start=day, end=day) if d.unscreened]


def unscreened_on(unit_id: int, day: dt.date) -> bool:
    """Whether one institution still has no screening for `day` and was open (asked before alerting)."""
    units = OrgUnit.objects.filter(pk=unit_id)
    return any(d.unscreened for d in institution_days(units=units, start=day, end=day))


# --- Today (X5, X6): each open institution screens at its entrance --------------------------------


def screened_days(*, scope: Q, start: dt.date, end: dt.date) -> set[FigureKey]:
    """(institution, day) pairs with at least one screening from `start` to `end`, records and kept
    counts alike (as `figures_between`), in two grouped queries over the (unit, time) index."""
    first, _ = _local_day_bounds(start)
    _, after_last = _local_day_bounds(end)
    local = LocalDate("screened_at", tzinfo=clock.local_zone())
    recorded = (
        Screening.objects.filter(scope, screened_at__gte=first, screened_at__lt=after_last)
        .order_by()
        .annotate(day=local)
        .values_list("unit_id", "day")
        .annotate(number=Count("pk"))
    )
    kept = DailyScreeningCount.objects.filter(scope, day__gte=start, day__lte=end, screenings__gt=0)
    return {(unit_id, day) for unit_id, day, _ in recorded} | set(kept.values_list("unit_id", "day"))


def venues_to_screen(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """Today's entrance screening, one tally per active institution of the subtree at `within`.

    due 1 when the institution is open today (or screened today all the same), done 1 once it
    recorded a screening today; overdue 1 when it was open yesterday and recorded none — the
    零漏管 gap of the figures page and of the reminder (`unscreened_open_institutions`). A closed
    institution (status, suspension of visits, office hours, a registered closure check) has
    nothing to do. A fixed number of queries whatever the rows and institutions (the closure
    checks other modules register are read for the two days at once).
    """
    yesterday = today - dt.timedelta(1)  # not a policy threshold: the last finished day
    inside = subtree(within) if within else Q()
    institutions = list(
        OrgUnit.objects.filter(inside, kind=UnitKind.INSTITUTION, status=UnitStatus.ACTIVE).order_by("path")
    )
    if not institutions:
        return []
    scope = subtree(within, field="unit") if within else Q()
    screened = screened_days(scope=scope, start=yesterday, end=today)
    closures = Closures(yesterday, today)
    tallies = []
    for unit in institutions:
        done = (unit.pk, today) in screened
        due = done or not closures.reason(unit, today)
        missed = (unit.pk, yesterday) not in screened and not closures.reason(unit, yesterday)
        if due or missed:
            tallies.append(Tally(unit.pk, unit.path, done=int(done), due=int(due), overdue=int(missed)))
    return tallies


# --- The dashboard chart: screenings and refusals per county and day --------------------------

REGION_LEVEL_LABEL = "地区直属"
CHART_DAYS = 14  # not a policy threshold: how many days the figures page draws


def chart_by_county(*, viewer: User, start: dt.date, end: dt.date) -> dict[str, Any] | None:
    """Screenings and refusals per county and day for an ECharts chart, or None without any figure.

    A county user sees their county only (the screening scope); institutions outside any
    county (region-level) are one series of their own.
    """
    figures = daily_figures(viewer=viewer, start=start, end=end)
    if not any(f.screenings for f in figures.values()):
        return None
    units = OrgUnit.objects.in_bulk({unit_id for unit_id, _ in figures})
    county_paths = {unit_id: unit.county_path() for unit_id, unit in units.items()}
    counties = dict(
        OrgUnit.objects.filter(
            path__in={p for p in county_paths.values() if p}, kind=UnitKind.COUNTY
        ).values_list("path", "name")
    )
    days = [start + dt.timedelta(offset) for offset in range((end - start).days + 1)]
    index = {day: i for i, day in enumerate(days)}
    series: dict[str, dict[str, list[int]]] = {}
    for (unit_id, day), day_figures in figures.items():
        path = county_paths[unit_id]
        name = counties.get(path, REGION_LEVEL_LABEL) if path else REGION_LEVEL_LABEL
        row = series.setdefault(name, {"screenings": [0] * len(days), "refused": [0] * len(days)})
        row["screenings"][index[day]] += day_figures.screenings
        row["refused"][index[day]] += day_figures.refused
    return {
        "days": [day.isoformat() for day in days],
        "counties": [{"name": name, **series[name]} for name in sorted(series)],
    }


def daily_count_list(*, viewer: User) -> QuerySet[DailyScreeningCount]:
    return (
        DailyScreeningCount.objects.filter(screening_scope(viewer))
        .select_related("unit")
        .order_by("-day", "unit__path")
    )


def screening_chart(*, viewer: User, today: dt.date | None = None) -> dict[str, Any] | None:
    """The figures page's chart: the last CHART_DAYS days up to today."""
    end = today or clock.today()
    return chart_by_county(viewer=viewer, start=end - dt.timedelta(days=CHART_DAYS - 1), end=end)
