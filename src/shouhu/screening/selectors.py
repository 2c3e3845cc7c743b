"""Reads of the screening app, scoped to what the viewer may see.

Reads use the screening scope (a region department that coordinates screening reads every
county); writes — screening at an entrance, keeping the isolation register — are limited to
the viewer's own subtree. Risk areas are the whole country's list: every user reads them.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_scope
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.models import Person
from shouhu.screening.models import (
    DailyScreeningCount,
    IsolationRecord,
    RiskArea,
    Screening,
    VenueCode,
    Verdict,
)
from shouhu.screening.rules import person_in_isolation_on

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
    return get_in_scope(institution_writable(viewer=viewer), pk)


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


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(clock.local_zone()).date()


def _local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=clock.local_zone())
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


# --- Daily counts (kept after purging) --------------------------------------------------------


def counts_by_unit_and_day(screenings: QuerySet[Screening]) -> dict[tuple[int, dt.date], dict]:
    """Anonymous counts of some screenings per institution and local day, refusals by reason."""
    rows = (
        screenings.annotate(day=TruncDate("screened_at", tzinfo=clock.local_zone()))
        .values("unit_id", "day")
        .annotate(
            total=Count("pk"),
            admitted=Count("pk", filter=Q(verdict=Verdict.ADMITTED)),
            refused=Count("pk", filter=Q(verdict=Verdict.REFUSED)),
            pending=Count("pk", filter=Q(verdict=Verdict.PENDING)),
        )
        .order_by("unit_id", "day")
    )
    counts: dict[tuple[int, dt.date], dict] = {
        (row["unit_id"], row["day"]): {
            "screenings": row["total"],
            "admitted": row["admitted"],
            "refused": row["refused"],
            "pending": row["pending"],
            "refusals_by_reason": {},
        }
        for row in rows
    }
    refusals = (
        screenings.filter(verdict=Verdict.REFUSED)
        .annotate(day=TruncDate("screened_at", tzinfo=clock.local_zone()))
        .values_list("unit_id", "day", "reason_codes")
    )
    for unit_id, day, codes in refusals.iterator(chunk_size=2000):
        by_reason = counts[(unit_id, day)]["refusals_by_reason"]
        for code in codes or []:
            by_reason[code] = by_reason.get(code, 0) + 1
    return counts


def daily_count_list(*, viewer: User) -> QuerySet[DailyScreeningCount]:
    return (
        DailyScreeningCount.objects.filter(screening_scope(viewer))
        .select_related("unit")
        .order_by("-day", "unit__path")
    )
