"""Reads of the funerals app, scoped to what the viewer may see.

Reads use the funerals scope (a region department that coordinates funeral services reads every
county); writes — registering cases, recording steps, keeping stock — are limited to the viewer's
own subtree.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_scope
from shouhu.campaigns.models import ServiceSuspension
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.funerals.models import (
    REMAINS_ORDER,
    CeremonyType,
    FuneralCase,
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


def cases_affected_by(suspension: ServiceSuspension) -> list[str]:
    """Ceremonies already booked inside a new suspension's window (C4 lists them)."""
    cases = (
        FuneralCase.objects.filter(
            subtree(suspension.unit.path, field="home"),
            service_date__gte=suspension.starts_on,
            service_date__lte=suspension.ends_on,
        )
        .exclude(ceremony_type=CeremonyType.NONE)
        .select_related("home", "deceased")
        .order_by("service_date", "pk")
    )
    return [
        f"{c.home.name} {c.service_date} {c.deceased.name} {c.get_ceremony_type_display()}" for c in cases
    ]


# --- Protective equipment (F3) ---------------------------------------------------------------


@dataclass(frozen=True)
class StockLine:
    item: PPEItem
    quantity: int
    low: bool


def stock_of(home: OrgUnit, *, threshold: int) -> list[StockLine]:
    """Every item at the home, with zero for items never received; `low` below the threshold."""
    held = dict(PPEStock.objects.filter(home=home).values_list("item", "quantity"))
    return [
        StockLine(item=item, quantity=held.get(item.value, 0), low=held.get(item.value, 0) < threshold)
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
