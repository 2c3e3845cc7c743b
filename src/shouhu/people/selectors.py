from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from shouhu.accounts.models import User
from shouhu.accounts.scope import sees_whole_region, unit_scope
from shouhu.common.access import get_in_scope
from shouhu.people.idcard import InvalidPhone, document_key, phone_key
from shouhu.people.models import Person, PersonalDataReveal, PersonCategory, RegistrationConflict


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
