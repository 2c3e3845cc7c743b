"""Reads of the funerals app, scoped to what the viewer may see.

Reads use the funerals scope (a region department that coordinates funeral services reads every
county); writes — registering cases, recording steps, keeping stock — are limited to the viewer's
own subtree.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Length, Substr

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_scope
from shouhu.campaigns.models import ServiceSuspension, ServiceType, SuspensionMode
from shouhu.campaigns.policy import current_policy
from shouhu.campaigns.selectors import ServiceAvailability, service_availability
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.today import Tally
from shouhu.funerals.models import (
    REMAINS_ORDER,
    CeremonySuspensionNotice,
    CeremonyType,
    FuneralCase,
    FuneralPolicy,
    PPEItem,
    PPEMovement,
    PPEStock,
    RemainsStep,
    RemainsStepRecord,
)
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind
from shouhu.people.models import Person


def funeral_scope(viewer: User, *, field: str = "home") -> Q:
    return unit_scope(viewer, field=field, module=Module.FUNERALS)


def own_subtree(viewer: User, *, field: str) -> Q:
    """Where the viewer may write: their own unit's subtree, whatever they may read."""
    unit = viewer.unit if viewer.is_authenticated else None
    if unit is None:
        return Q(pk__in=[])
    return subtree(unit.path, field=field)


# --- Death, as other modules ask it ----------------------------------------------------------


def person_deceased_on(person: Person, on: dt.date) -> bool:
    """Whether `person` had died by `on`: the register's date, or a funeral case's."""
    if person.deceased_on is not None and person.deceased_on <= on:
        return True
    return FuneralCase.objects.filter(deceased=person, died_on__lte=on).exists()


def person_in_reach(person: Person, *, home: OrgUnit, viewer: User | None) -> bool:
    """Whether a clerk of `home` may link `person` from the register by ID number: a person of
    the home's county (the area it serves), or one the clerk may see anyway."""
    area = subtree(home.county_path() or home.path, field="home_unit")
    if viewer is not None and viewer.is_authenticated:
        area |= unit_scope(viewer, field="home_unit")
    return Person.objects.filter(area, pk=person.pk).exists()


# --- Funeral homes ---------------------------------------------------------------------------


def _homes() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind=UnitKind.INSTITUTION, institution_type=InstitutionType.FUNERAL_HOME)


def home_list(*, viewer: User) -> QuerySet[OrgUnit]:
    return _homes().filter(funeral_scope(viewer, field="")).order_by("path")


def home_writable(*, viewer: User) -> QuerySet[OrgUnit]:
    return _homes().filter(own_subtree(viewer, field="")).order_by("path")


def access_home(viewer: User, pk: object) -> OrgUnit:
    return get_in_scope(home_list(viewer=viewer), pk)


def access_home_for_recording(viewer: User, pk: object) -> OrgUnit:
    return get_in_scope(home_writable(viewer=viewer), pk)


# --- Funeral cases (F1, F2) ------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    search: str = ""
    home: int | None = None
    ceremony_type: str = ""
    covid_only: bool = False
    open_only: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def case_list(*, viewer: User, filters: CaseFilters | None = None) -> QuerySet[FuneralCase]:
    filters = filters or CaseFilters()
    cases = FuneralCase.objects.filter(funeral_scope(viewer))
    if filters.search:
        cases = cases.filter(deceased__name__icontains=filters.search.strip())
    if filters.home:
        cases = cases.filter(home_id=filters.home)
    if filters.ceremony_type:
        cases = cases.filter(ceremony_type=filters.ceremony_type)
    if filters.covid_only:
        cases = cases.filter(covid_remains=True)
    if filters.open_only:
        cases = cases.filter(covid_remains=True, remains_stage__lt=len(REMAINS_ORDER))
    if filters.date_from:
        cases = cases.filter(service_date__gte=filters.date_from)
    if filters.date_to:
        cases = cases.filter(service_date__lte=filters.date_to)
    return cases.select_related("home", "deceased").order_by("-service_date", "-pk")


def access_case(viewer: User, pk: object) -> FuneralCase:
    return get_in_scope(case_list(viewer=viewer), pk)


def access_case_for_recording(viewer: User, pk: object) -> FuneralCase:
    cases = FuneralCase.objects.filter(own_subtree(viewer, field="home"))
    return get_in_scope(cases.select_related("home", "deceased"), pk)


def steps_of(case: FuneralCase) -> QuerySet[RemainsStepRecord]:
    return RemainsStepRecord.objects.filter(case=case).select_related("recorded_by").order_by("sequence")


def next_step(case: FuneralCase) -> RemainsStep | None:
    """The one step that may be recorded next (None: not a COVID case, or all done)."""
    if not case.covid_remains or case.remains_stage >= len(REMAINS_ORDER):
        return None
    return RemainsStep(REMAINS_ORDER[case.remains_stage])


def cases_in_suspension(suspension: ServiceSuspension) -> QuerySet[FuneralCase]:
    """Ceremonies booked inside a suspension's window at its unit's homes (direct cremations hold
    no ceremony)."""
    return (
        FuneralCase.objects.filter(
            subtree(suspension.unit.path, field="home"),
            service_date__gte=suspension.starts_on,
            service_date__lte=suspension.ends_on,
        )
        .exclude(ceremony_type=CeremonyType.NONE)
        .select_related("home", "deceased")
        .order_by("service_date", "pk")
    )


def cases_affected_by(suspension: ServiceSuspension) -> list[str]:
    """Ceremonies already booked inside a new suspension's window (C4 lists them)."""
    return [
        f"{c.home.name} {c.service_date} {c.deceased.name} {c.get_ceremony_type_display()}"
        for c in cases_in_suspension(suspension)
    ]


def ceremony_availability(case: FuneralCase) -> ServiceAvailability | None:
    """The suspension or limit in force over the case's ceremony, if any (None: nothing to say)."""
    if case.ceremony_type == CeremonyType.NONE or case.service_date >= dt.date.max:
        return None
    availability = service_availability(
        service=ServiceType.FUNERAL_CEREMONY, unit=case.home, on=case.service_date
    )
    return availability if availability.suspension is not None else None


def suspension_notices_of(case: FuneralCase) -> QuerySet[CeremonySuspensionNotice]:
    return CeremonySuspensionNotice.objects.filter(case=case).select_related("suspension")


def against_policy(case: FuneralCase, *, policy: FuneralPolicy, today: dt.date) -> bool:
    """A farewell still to come that the policy now in force forbids (registered before the ban):
    the home should contact the family."""
    return (
        case.ceremony_type == CeremonyType.FAREWELL
        and case.service_date >= today
        and not policy.farewell_ceremonies_allowed
    )


def with_policy_flag(
    cases: QuerySet[FuneralCase], *, policy: FuneralPolicy, today: dt.date
) -> QuerySet[FuneralCase]:
    """`cases` with `against_policy` (see above) and `ceremony_suspended` (a C4 suspension at the
    home or above it closes the ceremony's day, as `ceremony_availability` finds one by one)
    computed by the database, for list pages."""
    suspended = ServiceSuspension.objects.filter(
        service=ServiceType.FUNERAL_CEREMONY,
        mode=SuspensionMode.SUSPENDED,
        starts_on__lte=OuterRef("service_date"),
        ends_on__gte=OuterRef("service_date"),
        # The suspension's unit is the home or one above it: its path starts the home's path.
        unit__path=Substr(OuterRef("home__path"), 1, Length("unit__path")),
    ).filter(Q(lifted_at__isnull=True) | Q(lifted_at__date__gt=OuterRef("service_date")))
    cases = cases.annotate(
        ceremony_suspended=Case(
            When(ceremony_type=CeremonyType.NONE, then=Value(False)),
            default=Exists(suspended),
            output_field=BooleanField(),
        )
    )
    if policy.farewell_ceremonies_allowed:
        return cases.annotate(against_policy=Value(False, output_field=BooleanField()))
    return cases.annotate(
        against_policy=Case(
            When(ceremony_type=CeremonyType.FAREWELL, service_date__gte=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


# --- Protective equipment (F3) ---------------------------------------------------------------


@dataclass(frozen=True)
class StockLine:
    item: PPEItem
    quantity: int
    low: bool
    stocked: bool


def stock_of(home: OrgUnit, *, threshold: int) -> list[StockLine]:
    """Every item at the home, with zero for items never received (`stocked` False: not "low",
    as in the region's list and the hourly reminder); `low` below the threshold."""
    held = dict(PPEStock.objects.filter(home=home).values_list("item", "quantity"))
    return [
        StockLine(
            item=item,
            quantity=held.get(item.value, 0),
            low=item.value in held and held[item.value] < threshold,
            stocked=item.value in held,
        )
        for item in PPEItem
    ]


def stock_list(*, viewer: User, home: int | None = None) -> QuerySet[PPEStock]:
    stock = PPEStock.objects.filter(funeral_scope(viewer))
    if home:
        stock = stock.filter(home_id=home)
    return stock.select_related("home").order_by("home__path", "item")


def low_stock(*, threshold: int) -> QuerySet[PPEStock]:
    """Rows under the threshold (items never received are not rows: a home that never stocked an
    item is not told about it every hour)."""
    return (
        PPEStock.objects.filter(quantity__lt=threshold).select_related("home").order_by("home__path", "item")
    )


def movements_of(home: OrgUnit) -> QuerySet[PPEMovement]:
    return (
        PPEMovement.objects.filter(home=home)
        .select_related("recorded_by", "step")
        .order_by("-happened_at", "-pk")
    )


# --- Today (X5, X6): the remains steps of the day, in a fixed number of queries ---------------
#
# Registered in `funerals/today.py`.

ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: one calendar day


def today_remains_steps(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """新冠患者遗体处置, per funeral home of the subtree at `within`, counted in COVID-19 cases:
    `overdue` = open cases whose current step has waited (since the last step, or registration)
    longer than the policy's `remains_step_stall_hours` (what the hourly reminder reports);
    `due` = the other open cases, each of which needs its next step within the limit, plus the
    cases that had a step recorded today; `done` = those cases with a step recorded today
    (moved on, or finished, today). Two queries: the policy, the cases."""
    hours = current_policy(FuneralPolicy, today).remains_step_stall_hours
    start = clock.start_of(today)
    as_of = min(clock.now(), clock.start_of(today + ONE_DAY))  # for a past day, its end
    cutoff = as_of - dt.timedelta(hours=hours)
    still_open = Q(remains_stage__lt=len(REMAINS_ORDER))
    stalled = still_open & Q(since__lte=cutoff)
    stepped = Q(last_step_at__gte=start)
    rows = (
        FuneralCase.objects.filter(subtree(within, field="home"), covid_remains=True)
        .filter(still_open | stepped)
        .alias(since=Coalesce("last_step_at", "registered_at"))
        .values("home_id", "home__path")
        .annotate(
            overdue=Count("pk", filter=stalled),
            done=Count("pk", filter=stepped & ~stalled),
            waiting=Count("pk", filter=still_open & ~stalled & ~stepped),
        )
        .order_by()
    )
    return [
        Tally(
            row["home_id"],
            row["home__path"],
            done=row["done"],
            due=row["done"] + row["waiting"],
            overdue=row["overdue"],
        )
        for row in rows
    ]
