"""Reads of the vaccination ledger, always scoped to what the viewer may see.

Reads use the vaccination scope: the region office (办公室), which coordinates vaccination,
reads every county like the region administrator and leaders do. Writes go through the
`*_for_recording` helpers, scoped to the viewer's own subtree only: a coordinating department
oversees the counties' ledgers, it does not keep them.

A person's status is computed in SQL from their doses and the schedule of their first dose's
product, as of a day, so lists, figures and reports agree and a product's schedule stays data.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr

from shouhu.accounts.models import User
from shouhu.accounts.scope import sees_whole_region, subtree, unit_scope
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.today import Tally
from shouhu.orgs.models import OrgUnit, UnitKind, UnitStatus
from shouhu.people.models import Person, PersonCategory
from shouhu.vaccination.figures import Figures
from shouhu.vaccination.models import (
    BASELINE_CATEGORIES,
    FULLY_VACCINATED,
    NOT_COMPLETED,
    Contraindication,
    Deferral,
    Mobilisation,
    MobilisationContact,
    VaccinationReport,
    VaccinationStatus,
    VaccineDose,
    VaccineProduct,
)
from shouhu.vaccination.schedule import report_schedule

# Units that report to the region office: counties (块) and the bureau's departments and
# affiliated units (条). All sit right under the region root.
REPORTING_KINDS = (UnitKind.COUNTY, UnitKind.DEPARTMENT, UnitKind.AFFILIATED)
REPORTING_DEPTH = 2


# --- Scope -------------------------------------------------------------------------------------


def vaccination_scope(viewer: User, *, field: str = "home_unit") -> Q:
    return unit_scope(viewer, field=field, module=Module.VACCINATION)


def person_visible(*, viewer: User) -> QuerySet[Person]:
    return Person.objects.filter(vaccination_scope(viewer), merged_into__isnull=True)


def own_subtree(viewer: User, *, field: str) -> Q:
    """Where the viewer may write: their own unit's subtree, whatever they may read."""
    unit = viewer.unit if viewer.is_authenticated else None
    if unit is None:
        return Q(pk__in=[])
    return subtree(unit.path, field=field)


def person_writable(*, viewer: User) -> QuerySet[Person]:
    return Person.objects.filter(own_subtree(viewer, field="home_unit"), merged_into__isnull=True)


def can_record_for(viewer: User, person: Person) -> bool:
    return person_writable(viewer=viewer).filter(pk=person.pk).exists()


# --- Status ------------------------------------------------------------------------------------


def _doses_until(as_of: dt.date) -> QuerySet[VaccineDose]:
    return VaccineDose.objects.filter(person=OuterRef("pk"), vaccinated_on__lte=as_of)


def active_contraindication(as_of: dt.date, *, person_ref: str = "pk") -> Exists:
    return Exists(
        Contraindication.objects.filter(person=OuterRef(person_ref), noted_on__lte=as_of).filter(
            Q(lifted_on__isnull=True) | Q(lifted_on__gt=as_of)
        )
    )


def active_deferral(as_of: dt.date, *, person_ref: str = "pk") -> Exists:
    return Exists(
        Deferral.objects.filter(person=OuterRef(person_ref), starts_on__lte=as_of, until__gte=as_of).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=as_of)
        )
    )


def with_status(people: QuerySet[Person], *, as_of: dt.date | None = None) -> QuerySet[Person]:
    """Annotate `doses_given`, `doses_required`, `vaccination_status` and the active exemptions.

    Doses are recorded in order (the service enforces it), so the highest dose number given by
    `as_of` is also the number of doses given by then.
    """
    as_of = as_of or clock.today()
    last_dose = Subquery(_doses_until(as_of).order_by("-dose_number").values("dose_number")[:1])
    required = Subquery(
        VaccineDose.objects.filter(person=OuterRef("pk"), dose_number=1).values(
            "product__doses_for_completion"
        )[:1]
    )
    return people.annotate(
        doses_given=Coalesce(last_dose, Value(0), output_field=IntegerField()),
        doses_required=required,
        vaccination_status=Case(
            When(doses_given=0, then=Value(VaccinationStatus.NOT_VACCINATED.value)),
            When(doses_given__gt=F("doses_required"), then=Value(VaccinationStatus.BOOSTER.value)),
            When(doses_given__gte=F("doses_required"), then=Value(VaccinationStatus.COMPLETED.value)),
            default=Value(VaccinationStatus.IN_PROGRESS.value),
        ),
        has_contraindication=active_contraindication(as_of),
        has_deferral=active_deferral(as_of),
    )


def baseline_people(*, as_of: dt.date | None = None) -> QuerySet[Person]:
    """Everyone counted in a baseline (底数): living, not merged away, in a baseline category."""
    as_of = as_of or clock.today()
    in_category = PersonCategory.objects.filter(person=OuterRef("pk"), category__in=BASELINE_CATEGORIES)
    return Person.objects.filter(
        Exists(in_category),
        Q(deceased_on__isnull=True) | Q(deceased_on__gt=as_of),
        merged_into__isnull=True,
    )


def status_label(person: Person) -> str:
    value = getattr(person, "vaccination_status", "")
    return VaccinationStatus(value).label if value in VaccinationStatus.values else ""


# --- Figures -----------------------------------------------------------------------------------


def _aggregates() -> dict[str, Count]:
    not_completed = Q(vaccination_status__in=NOT_COMPLETED)
    return {
        "baseline": Count("pk"),
        "completed": Count("pk", filter=Q(vaccination_status__in=FULLY_VACCINATED)),
        "booster": Count("pk", filter=Q(vaccination_status=VaccinationStatus.BOOSTER)),
        "in_progress": Count("pk", filter=Q(vaccination_status=VaccinationStatus.IN_PROGRESS)),
        "not_vaccinated": Count("pk", filter=Q(vaccination_status=VaccinationStatus.NOT_VACCINATED)),
        "contraindicated": Count("pk", filter=not_completed & Q(has_contraindication=True)),
        "deferred": Count("pk", filter=not_completed & Q(has_contraindication=False) & Q(has_deferral=True)),
        "unclear": Count("pk", filter=Q(id_index="")),
    }


def figures_of(people: QuerySet[Person], *, as_of: dt.date | None = None) -> Figures:
    return Figures.from_values(with_status(people, as_of=as_of).aggregate(**_aggregates()))


def figures_for_unit(*, unit: OrgUnit, as_of: dt.date | None = None) -> Figures:
    """The system's figures for a unit and its whole subtree (what a report submits)."""
    people = baseline_people(as_of=as_of).filter(subtree(unit.path, field="home_unit"))
    return figures_of(people, as_of=as_of)


def figures_for_viewer(*, viewer: User, as_of: dt.date | None = None) -> Figures:
    people = baseline_people(as_of=as_of).filter(vaccination_scope(viewer))
    return figures_of(people, as_of=as_of)


def figures_by_path(
    people: QuerySet[Person], *, path_length: int, as_of: dt.date | None = None
) -> dict[str, Figures]:
    """Figures per subtree at one depth, in one query (keyed by the subtree root's path)."""
    rows = (
        with_status(people, as_of=as_of)
        .values(group=Substr("home_unit__path", 1, path_length))
        .annotate(**_aggregates())
        .order_by("group")
    )
    return {row["group"]: Figures.from_values(row) for row in rows}


@dataclass(frozen=True)
class UnitFigures:
    unit: OrgUnit
    figures: Figures


def figures_by_child(*, viewer: User, unit: OrgUnit, as_of: dt.date | None = None) -> list[UnitFigures]:
    """A unit's figures broken down by its visible children (a county by township and institution)."""
    children = list(
        OrgUnit.objects.filter(unit_scope(viewer, field="", module=Module.VACCINATION))
        .filter(subtree(unit.path), depth=unit.depth + 1)
        .order_by("path")
    )
    people = baseline_people(as_of=as_of).filter(
        vaccination_scope(viewer), subtree(unit.path, field="home_unit")
    )
    length = len(unit.path) + unit.steplen
    by_path = figures_by_path(people.exclude(home_unit=unit), path_length=length, as_of=as_of)
    rows = [UnitFigures(child, by_path.get(child.path, Figures())) for child in children]
    own = figures_of(people.filter(home_unit=unit), as_of=as_of)
    if own.baseline:
        rows.insert(0, UnitFigures(unit, own))
    return rows


# --- Ledger and to-do list --------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilters:
    search: str = ""
    status: str = ""
    category: str = ""
    unit: int | None = None
    unclear: bool = False


def _in_unit(people: QuerySet[Person], viewer: User, unit_id: int | None) -> QuerySet[Person]:
    if not unit_id:
        return people
    unit = OrgUnit.objects.filter(unit_scope(viewer, field="", module=Module.VACCINATION), pk=unit_id).first()
    return people.filter(subtree(unit.path, field="home_unit")) if unit else people.none()


def ledger_list(*, viewer: User, filters: LedgerFilters | None = None) -> QuerySet[Person]:
    """The baseline (底数台账) of the viewer's units, with every person's status."""
    filters = filters or LedgerFilters()
    people = with_status(baseline_people().filter(vaccination_scope(viewer)))
    people = _in_unit(people, viewer, filters.unit)
    if filters.search:
        people = people.filter(name__icontains=filters.search.strip())
    if filters.status:
        people = people.filter(Q(vaccination_status=filters.status))
    if filters.category:
        people = people.filter(categories__category=filters.category)
    if filters.unclear:
        people = people.filter(id_index="")
    return (
        people.select_related("home_unit")
        .prefetch_related(Prefetch("categories", queryset=PersonCategory.objects.order_by("category")))
        .order_by("home_unit__path", "name", "pk")
    )


@dataclass(frozen=True)
class TodoFilters:
    search: str = ""
    unit: int | None = None
    mobiliser: str = ""  # "", "assigned", "unassigned", "mine"
    status: str = ""


def todo_list(*, viewer: User, filters: TodoFilters | None = None) -> QuerySet[Person]:
    """Dynamic elimination (动态消号): who still has to be vaccinated today.

    Not completed, and neither contraindicated nor deferred today: a dose, a contraindication or
    a deferral takes a person off the list; the end of a deferral brings them back by itself.
    """
    filters = filters or TodoFilters()
    # Q objects: the filters name annotations, which the type checker cannot see on Person.
    people = with_status(baseline_people().filter(vaccination_scope(viewer))).filter(
        Q(vaccination_status__in=NOT_COMPLETED) & Q(has_contraindication=False) & Q(has_deferral=False)
    )
    people = _in_unit(people, viewer, filters.unit)
    if filters.search:
        people = people.filter(name__icontains=filters.search.strip())
    if filters.status in NOT_COMPLETED:
        people = people.filter(Q(vaccination_status=filters.status))
    if filters.mobiliser == "assigned":
        people = people.filter(vaccination_mobilisation__isnull=False)
    elif filters.mobiliser == "unassigned":
        people = people.filter(vaccination_mobilisation__isnull=True)
    elif filters.mobiliser == "mine":
        people = people.filter(vaccination_mobilisation__mobiliser_user=viewer)
    last_contact = MobilisationContact.objects.filter(person=OuterRef("pk")).order_by("-contacted_on", "-pk")
    return (
        people.annotate(
            last_contact_on=Subquery(last_contact.values("contacted_on")[:1]),
            last_outcome=Subquery(last_contact.values("outcome")[:1]),
            next_contact_on=Subquery(last_contact.values("next_contact_on")[:1]),
        )
        .select_related("home_unit", "vaccination_mobilisation__mobiliser_user")
        .order_by("home_unit__path", "name", "pk")
    )


def mobilisation_of(person: Person) -> Mobilisation | None:
    """The person's mobiliser, if any; loaded with the person by `todo_list`, else fetched.

    A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    """
    return getattr(person, "vaccination_mobilisation", None)


# --- Records -------------------------------------------------------------------------------------


def access_person(viewer: User, pk: object) -> Person:
    """A person's vaccination record, with status; anyone registered in scope, baseline or not."""
    return get_in_scope(with_status(person_visible(viewer=viewer)).select_related("home_unit"), pk)


def access_person_for_recording(viewer: User, pk: object) -> Person:
    return get_in_scope(with_status(person_writable(viewer=viewer)).select_related("home_unit"), pk)


def doses_of(person: Person) -> QuerySet[VaccineDose]:
    doses = VaccineDose.objects.filter(person=person)
    return doses.select_related("product", "recorded_by").order_by("dose_number")


def contraindications_of(person: Person) -> QuerySet[Contraindication]:
    items = Contraindication.objects.filter(person=person)
    return items.select_related("recorded_by").order_by("-noted_on", "-pk")


def deferrals_of(person: Person) -> QuerySet[Deferral]:
    items = Deferral.objects.filter(person=person)
    return items.select_related("recorded_by").order_by("-starts_on", "-pk")


def contacts_of(person: Person) -> QuerySet[MobilisationContact]:
    items = MobilisationContact.objects.filter(person=person)
    return items.select_related("recorded_by").order_by("-contacted_on", "-pk")


@dataclass(frozen=True)
class NextDose:
    number: int
    schedule: VaccineProduct | None
    earliest_on: dt.date | None
    is_booster: bool

    def __str__(self) -> str:
        name = "加强针" if self.is_booster else f"第{self.number}剂"
        if self.earliest_on is None:
            return f"下一剂：{name}"
        return f"下一剂：{name}，按“{self.schedule}”的程序最早可于 {self.earliest_on} 接种"


def next_dose(doses: list[VaccineDose]) -> NextDose | None:
    """What the schedule of the series allows next; None once the series and its booster are done."""
    if not doses:
        return NextDose(1, None, None, is_booster=False)
    schedule, last, number = doses[0].product, doses[-1], len(doses) + 1
    if number <= schedule.doses_for_completion:
        gap = dt.timedelta(days=schedule.min_interval_days)
        return NextDose(number, schedule, last.vaccinated_on + gap, is_booster=False)
    if number == schedule.doses_for_completion + 1 and schedule.booster_after_days is not None:
        gap = dt.timedelta(days=schedule.booster_after_days)
        return NextDose(number, schedule, last.vaccinated_on + gap, is_booster=True)
    return None


def product_list() -> QuerySet[VaccineProduct]:
    return VaccineProduct.objects.order_by("short_name")


@dataclass(frozen=True)
class DoseFilters:
    search: str = ""
    product: int | None = None
    unit: int | None = None
    person: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def dose_list(*, viewer: User, filters: DoseFilters | None = None) -> QuerySet[VaccineDose]:
    filters = filters or DoseFilters()
    doses = VaccineDose.objects.filter(vaccination_scope(viewer, field="person__home_unit"))
    if filters.search:
        doses = doses.filter(person__name__icontains=filters.search.strip())
    if filters.product:
        doses = doses.filter(product_id=filters.product)
    if filters.person:
        doses = doses.filter(person_id=filters.person)
    if filters.unit:
        unit = OrgUnit.objects.filter(
            unit_scope(viewer, field="", module=Module.VACCINATION), pk=filters.unit
        ).first()
        doses = doses.filter(subtree(unit.path, field="person__home_unit")) if unit else doses.none()
    if filters.date_from:
        doses = doses.filter(vaccinated_on__gte=filters.date_from)
    if filters.date_to:
        doses = doses.filter(vaccinated_on__lte=filters.date_to)
    return doses.select_related("person", "person__home_unit", "product", "recorded_by").order_by(
        "-vaccinated_on", "-pk"
    )


def access_dose(viewer: User, pk: object) -> VaccineDose:
    return get_in_scope(dose_list(viewer=viewer), pk)


def access_dose_for_recording(viewer: User, pk: object) -> VaccineDose:
    doses = VaccineDose.objects.filter(own_subtree(viewer, field="person__home_unit"))
    return get_in_scope(doses.select_related("person", "product"), pk)


def access_contraindication_for_recording(viewer: User, pk: object) -> Contraindication:
    items = Contraindication.objects.filter(own_subtree(viewer, field="person__home_unit"))
    return get_in_scope(items.select_related("person"), pk)


def access_deferral_for_recording(viewer: User, pk: object) -> Deferral:
    items = Deferral.objects.filter(own_subtree(viewer, field="person__home_unit"))
    return get_in_scope(items.select_related("person"), pk)


def mobiliser_candidates(*, viewer: User) -> QuerySet[User]:
    """Staff who may be named mobiliser: active users with a role in the viewer's own subtree."""
    return (
        User.objects.filter(own_subtree(viewer, field="unit"), is_active=True)
        .exclude(role="")
        .select_related("unit")
        .order_by("unit__path", "display_name", "username")
    )


def access_mobiliser_candidate(viewer: User, pk: object) -> User:
    return get_in_scope(mobiliser_candidates(viewer=viewer), pk)


# --- Reports ------------------------------------------------------------------------------------


def reporting_units(*, viewer: User) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(
        unit_scope(viewer, field="", module=Module.VACCINATION),
        depth=REPORTING_DEPTH,
        kind__in=REPORTING_KINDS,
    ).order_by("path")


def reporting_units_of_region(region_path: str) -> QuerySet[OrgUnit]:
    """Every reporting unit of the region at `region_path`, whoever asks: for a county's place
    among them (`region.own_place`), which shows none of the others' rows."""
    return OrgUnit.objects.filter(
        subtree(region_path), depth=REPORTING_DEPTH, kind__in=REPORTING_KINDS
    ).order_by("path")


def reporting_unit_above(unit: OrgUnit) -> OrgUnit | None:
    """The county, department or affiliated unit whose figures include `unit` (itself at that depth)."""
    path = unit.path[: REPORTING_DEPTH * unit.steplen]
    return OrgUnit.objects.filter(path=path, kind__in=REPORTING_KINDS).first()


FILTER_UNIT_DEPTH = 3  # region, counties and departments, townships and county institutions


def filter_units(*, viewer: User) -> QuerySet[OrgUnit]:
    """The units a list can be narrowed to: the top of the viewer's tree, and their own unit."""
    own = viewer.unit
    depth = max(FILTER_UNIT_DEPTH, own.depth + 1 if own else 0)  # a village user still sees their village
    return OrgUnit.objects.filter(
        unit_scope(viewer, field="", module=Module.VACCINATION), depth__lte=depth
    ).order_by("path")


def breakdown_root(*, viewer: User) -> OrgUnit | None:
    """Where the viewer's breakdown starts: the region for those who see it all, else their unit."""
    unit = viewer.unit
    if unit is None:
        return None
    if sees_whole_region(viewer, Module.VACCINATION) and unit.depth > 1:
        return OrgUnit.objects.filter(path=unit.path[: unit.steplen]).first()
    return unit


def reporting_unit_of(user: User) -> OrgUnit | None:
    """The unit a user reports for: only the head of a county, department or affiliated unit."""
    unit = user.unit
    if unit is None or unit.depth != REPORTING_DEPTH or unit.kind not in REPORTING_KINDS:
        return None
    return unit


@dataclass(frozen=True)
class ReportFilters:
    unit: int | None = None
    late: bool = False


def report_list(*, viewer: User, filters: ReportFilters | None = None) -> QuerySet[VaccinationReport]:
    filters = filters or ReportFilters()
    reports = VaccinationReport.objects.filter(vaccination_scope(viewer, field="unit"))
    if filters.unit:
        reports = reports.filter(unit_id=filters.unit)
    if filters.late:
        reports = reports.filter(is_late=True)
    return reports.select_related("unit", "submitted_by").order_by("-period_start", "unit__path")


def report_of(*, unit: OrgUnit, period_start: dt.date) -> VaccinationReport | None:
    """The report a unit sent for a period, if any (the unit is the viewer's own reporting unit)."""
    return VaccinationReport.objects.filter(unit=unit, period_start=period_start).first()


def access_report(viewer: User, pk: object) -> VaccinationReport:
    return get_in_scope(report_list(viewer=viewer), pk)


# --- Today (X5, X6): the to-do list and the reports due -----------------------------------------


def _within(path: str, *, field: str) -> Q:
    """The subtree at `path` ("" is the whole region: no filter)."""
    return subtree(path, field=field) if path else Q()


def todo_today(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """The to-do list (动态消号) per home unit of the subtree at `within`, in one grouped query.

    done: people of the baseline given a dose of their primary series today (off the list once it
    completes it, or still on it for the next dose); due: done plus the people on today's to-do
    list (`todo_list`) whose mobiliser's next contact is not past; overdue: people on the list
    whose last contact set a next contact day before today (the to-do page shows it in red), with
    neither a contact since nor a dose today.

    Grouped by each person's facts (status, exemptions, a dose today, a late contact) and summed
    here: counting each case with its own filtered COUNT repeated every per-person subquery in
    each filter (26 subqueries a person against 9; bench_today).
    """
    last_contact = MobilisationContact.objects.filter(person=OuterRef("pk")).order_by("-contacted_on", "-pk")
    people = with_status(baseline_people(as_of=today).filter(_within(within, field="home_unit")), as_of=today)
    people = people.alias(next_contact_on=Subquery(last_contact.values("next_contact_on")[:1])).annotate(
        dosed_today=Exists(VaccineDose.objects.filter(person=OuterRef("pk"), vaccinated_on=today)),
        contact_late=Case(
            When(Q(next_contact_on__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
    rows = (
        people.order_by()
        .values_list(
            "home_unit_id",
            "home_unit__path",
            "vaccination_status",
            "has_contraindication",
            "has_deferral",
            "dosed_today",
            "contact_late",
        )
        .annotate(people=Count("pk"))
    )
    primary = {VaccinationStatus.IN_PROGRESS, VaccinationStatus.COMPLETED}
    counts: dict[tuple[int, str], list[int]] = {}
    for unit_id, path, status, contraindicated, deferred, dosed_today, late, number in rows:
        done_waiting_overdue = counts.setdefault((unit_id, path), [0, 0, 0])
        if dosed_today and status in primary:
            done_waiting_overdue[0] += number
        on_list = status in NOT_COMPLETED and not contraindicated and not deferred and not dosed_today
        if on_list:
            done_waiting_overdue[2 if late else 1] += number
    return [
        Tally(unit_id, path, done=done, due=done + waiting, overdue=overdue)
        for (unit_id, path), (done, waiting, overdue) in counts.items()
        if done or waiting or overdue
    ]


def reports_today(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """The progress report (V4) of each reporting unit of the subtree at `within`, in three queries.

    due 1 when a period's report is due today (`Period.due_on`), done once it is submitted;
    overdue: the earlier periods still without a report — the region's «未报送» (`reporting_of`),
    which the unit can still submit late.
    """
    schedule = report_schedule(today)
    if schedule is None:
        return []
    period = schedule.period_on(today)
    due_today = period if period is not None and period.due_on == today else None
    missed = schedule.due_before(today)
    if due_today is None and not missed:
        return []
    units = list(
        OrgUnit.objects.filter(_within(within, field=""), depth=REPORTING_DEPTH, kind__in=REPORTING_KINDS)
        .exclude(status=UnitStatus.INACTIVE)
        .order_by("path")
        .values_list("pk", "path")
    )
    starts = [p.starts_on for p in missed] + ([due_today.starts_on] if due_today else [])
    submitted = set(
        VaccinationReport.objects.filter(
            unit__in=[pk for pk, _ in units], period_start__in=starts
        ).values_list("unit_id", "period_start")
    )
    tallies = []
    for pk, path in units:
        done = due_today is not None and (pk, due_today.starts_on) in submitted
        overdue = sum(1 for p in missed if (pk, p.starts_on) not in submitted)
        if due_today is not None or overdue:
            tallies.append(Tally(pk, path, done=int(done), due=int(due_today is not None), overdue=overdue))
    return tallies
