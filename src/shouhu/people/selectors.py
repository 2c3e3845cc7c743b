import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Substr

from shouhu.accounts.models import User
from shouhu.accounts.scope import sees_whole_region, subtree, unit_scope
from shouhu.common.access import get_in_scope
from shouhu.common.today import Tally
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.idcard import InvalidPhone, document_key, phone_key
from shouhu.people.models import (
    ConflictStatus,
    Person,
    PersonalDataReveal,
    PersonCategory,
    RegistrationConflict,
)


@dataclass(frozen=True)
class PersonFilters:
    search: str = ""
    id_number: str = ""
    phone: str = ""
    category: str = ""
    unit: int | None = None
    id_key: str = ""
    phone_key: str = ""


def person_visible(*, viewer: User) -> QuerySet[Person]:
    return Person.objects.filter(unit_scope(viewer, field="home_unit"), merged_into__isnull=True)


def person_list(*, viewer: User, filters: PersonFilters | None = None) -> QuerySet[Person]:
    filters = filters or PersonFilters()
    people = person_visible(viewer=viewer)
    if filters.search:
        people = people.filter(name__icontains=filters.search.strip())
    if filters.id_number:
        number = filters.id_number.strip().replace(" ", "").upper()
        people = people.filter(id_index=document_key(number))
    if filters.phone:
        try:
            people = people.filter(phone_index=phone_key(filters.phone))
        except InvalidPhone:
            people = people.none()
    if filters.id_key:
        people = people.filter(id_index=filters.id_key)
    if filters.phone_key:
        people = people.filter(phone_index=filters.phone_key)
    if filters.category:
        people = people.filter(categories__category=filters.category)
    if filters.unit:
        people = people.filter(home_unit_id=filters.unit)
    return (
        people.select_related("home_unit")
        .prefetch_related(Prefetch("categories", queryset=PersonCategory.objects.order_by("category")))
        .order_by("home_unit__path", "name", "pk")
    )


def search_keys(*, id_number: str = "", phone: str = "") -> dict[str, str]:
    """Blind-index keys for an exact search; an unparseable phone matches nobody."""
    keys = {}
    number = id_number.strip().replace(" ", "").upper()
    if number:
        keys["id_key"] = document_key(number)
    if phone.strip():
        try:
            keys["phone_key"] = phone_key(phone)
        except InvalidPhone:
            keys["phone_key"] = "0" * 64  # no stored key is all zeros: finds nobody
    return keys


def access_person(viewer: User, pk: object) -> Person:
    return get_in_scope(person_visible(viewer=viewer).select_related("home_unit"), pk)


def reveal_list(*, viewer: User) -> QuerySet[PersonalDataReveal]:
    reveals = PersonalDataReveal.objects.select_related("viewer", "person", "viewer__unit")
    if not sees_whole_region(viewer):
        reveals = reveals.filter(unit_scope(viewer, field="viewer__unit"))
    return reveals.order_by("-revealed_at")


def registration_conflict_list(*, viewer: User, status: str = "") -> QuerySet[RegistrationConflict]:
    """Conflicts a viewer may resolve: both the person's unit and the unit that asked in scope (the
    region's, in practice: a clerk never sees the other side of a conflict)."""
    conflicts = RegistrationConflict.objects.filter(
        unit_scope(viewer, field="requested_unit"), unit_scope(viewer, field="person__home_unit")
    ).select_related("person", "person__home_unit", "requested_unit", "requested_by", "resolved_by")
    if status:
        conflicts = conflicts.filter(status=status)
    return conflicts.order_by("status", "-last_attempt_at", "-pk")


def access_registration_conflict(viewer: User, pk: object) -> RegistrationConflict:
    return get_in_scope(registration_conflict_list(viewer=viewer), pk)


# --- Today (X5) ------------------------------------------------------------------------------------


def registration_conflicts_open(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """Open registration conflicts per unit that must resolve them, among the units of the subtree
    at `within` ("": the region). The rule is the reminders' (people/reminders.py): whoever sees
    both sides — the county bureau when the person's unit and the unit that asked lie in one
    county, the region otherwise. Conflicts have no deadline of their own, so none is overdue, and
    one resolved leaves the list (nothing counts as done). Two queries, whatever the number.
    """
    # The unit that owns a conflict lies in `within` only when both sides do (a county when both
    # are in it, the region when `within` is the region): the same test the conflict list applies.
    sides = (
        Q(subtree(within, field="requested_unit")) & Q(subtree(within, field="person__home_unit"))
        if within
        else Q()
    )
    county_length = 2 * OrgUnit.steplen
    same_county = (
        Q(person__home_unit__depth__gte=2)
        & Q(requested_unit__depth__gte=2)
        & Q(home_county=Substr("requested_unit__path", 1, county_length))
    )
    rows = (
        RegistrationConflict.objects.filter(sides, status=ConflictStatus.OPEN)
        .annotate(home_county=Substr("person__home_unit__path", 1, county_length))
        .annotate(
            # The path of the county that owns it, "" for the region's.
            owner=Case(When(same_county, then=F("home_county")), default=Value(""), output_field=CharField())
        )
        .values("owner")
        .annotate(due=Count("pk"))
        .order_by("owner")
    )
    open_by_owner = {row["owner"]: row["due"] for row in rows}
    if not open_by_owner:
        return []
    counties = {path for path in open_by_owner if path}
    region: tuple[int, str] | None = None
    county_units: dict[str, tuple[int, str]] = {}
    units = OrgUnit.objects.filter(Q(depth=1) | Q(path__in=counties, kind=UnitKind.COUNTY)).order_by("path")
    for unit_id, path, depth in units.values_list("pk", "path", "depth"):
        if depth > 1:
            county_units[path] = (unit_id, path)
        elif region is None:  # the first root, as `region_administrators` takes it
            region = (unit_id, path)
    by_unit: dict[tuple[int, str], int] = {}
    for owner_path, due in open_by_owner.items():
        # Beside the counties (a department's subtree) no bureau sees both sides: the region does.
        owner = county_units.get(owner_path, region)
        if owner is not None and owner[1].startswith(within):
            by_unit[owner] = by_unit.get(owner, 0) + due
    return [
        Tally(unit_id=unit_id, unit_path=path, done=0, due=due)
        for (unit_id, path), due in sorted(by_unit.items(), key=lambda item: item[0][1])
    ]
