from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from shouhu.accounts.models import User
from shouhu.accounts.scope import sees_whole_region, unit_scope
from shouhu.common.access import get_in_scope
from shouhu.common.crypto import blind_index
from shouhu.people.idcard import InvalidPhone, normalise_phone
from shouhu.people.models import IdType, Person, PersonalDataReveal, PersonCategory


@dataclass(frozen=True)
class PersonFilters:
    search: str = ""
    id_number: str = ""
    phone: str = ""
    category: str = ""
    unit: int | None = None


def person_visible(*, viewer: User) -> QuerySet[Person]:
    return Person.objects.filter(unit_scope(viewer, field="home_unit"), merged_into__isnull=True)


def person_list(*, viewer: User, filters: PersonFilters | None = None) -> QuerySet[Person]:
    filters = filters or PersonFilters()
    people = person_visible(viewer=viewer)
    if filters.search:
        people = people.filter(name__icontains=filters.search.strip())
    if filters.id_number:
        number = filters.id_number.strip().replace(" ", "").upper()
        people = people.filter(id_index__in=[blind_index(id_type, number) for id_type in IdType.values])
    if filters.phone:
        try:
            people = people.filter(phone_index=blind_index("phone", normalise_phone(filters.phone)))
        except InvalidPhone:
            people = people.none()
    if filters.category:
        people = people.filter(categories__category=filters.category)
    if filters.unit:
        people = people.filter(home_unit_id=filters.unit)
    return (
        people.select_related("home_unit")
        .prefetch_related(Prefetch("categories", queryset=PersonCategory.objects.order_by("category")))
        .order_by("home_unit__path", "name", "pk")
    )


def access_person(viewer: User, pk: object) -> Person:
    return get_in_scope(person_visible(viewer=viewer).select_related("home_unit"), pk)


def reveal_list(*, viewer: User) -> QuerySet[PersonalDataReveal]:
    reveals = PersonalDataReveal.objects.select_related("viewer", "person", "viewer__unit")
    if not sees_whole_region(viewer):
        reveals = reveals.filter(unit_scope(viewer, field="viewer__unit"))
    return reveals.order_by("-revealed_at")
