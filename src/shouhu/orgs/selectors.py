"""Reads of the org tree, always scoped to the requesting user."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_in_scope, unit_scope
from shouhu.common.access import get_in_scope
from shouhu.orgs.models import OrgUnit


@dataclass(frozen=True)
class UnitFilters:
    search: str = ""
    kind: str = ""
    institution_type: str = ""
    status: str = ""
    county: int | None = None


def unit_visible(*, viewer: User) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(unit_scope(viewer, field=""))


def unit_list(*, viewer: User, filters: UnitFilters | None = None) -> QuerySet[OrgUnit]:
    filters = filters or UnitFilters()
    units = unit_visible(viewer=viewer)
    if filters.search:
        units = units.filter(Q(name__icontains=filters.search) | Q(code__icontains=filters.search))
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.institution_type:
        units = units.filter(institution_type=filters.institution_type)
    if filters.status:
        units = units.filter(status=filters.status)
    if filters.county:
        county = unit_visible(viewer=viewer).filter(pk=filters.county).first()
        units = units.filter(subtree(county.path)) if county else units.none()
    return units.order_by("path")


def units_by_code(*, viewer: User, codes: Collection[str]) -> dict[str, OrgUnit]:
    """The units of the viewer's part of the tree with these codes, by code (a code that is
    missing and one outside the scope are alike: absent).

    Looked up by the unique code alone and kept to the scope here, not by `unit_visible`'s path
    range in SQL: an import asks this for every chunk with the same number of codes, PostgreSQL
    then reuses a generic plan of the prepared statement, and for the range-and-codes query that
    plan took 350–450 ms for 491 codes where the first runs took 20–40 ms (a county's 14,200
    units, bench_person_import's tree); by code alone it stayed at 17–47 ms."""
    units = OrgUnit.objects.filter(code__in=set(codes))
    return {unit.code: unit for unit in units if unit_in_scope(viewer, unit.path)}


def access_unit(viewer: User, pk: object) -> OrgUnit:
    return get_in_scope(unit_visible(viewer=viewer), pk)


def unit_children(*, viewer: User, unit: OrgUnit) -> QuerySet[OrgUnit]:
    return unit_visible(viewer=viewer).filter(subtree(unit.path), depth=unit.depth + 1).order_by("path")


def unit_ancestors(*, viewer: User, unit: OrgUnit) -> QuerySet[OrgUnit]:
    """Breadcrumb: the ancestors the viewer may see (a county user sees no region root)."""
    paths = OrgUnit.path_and_ancestors(unit.path)[:-1]
    return unit_visible(viewer=viewer).filter(path__in=paths).order_by("depth")


def county_choices(*, viewer: User) -> QuerySet[OrgUnit]:
    return unit_visible(viewer=viewer).filter(kind="county").order_by("path")


def parent_ids(units: Sequence[OrgUnit]) -> dict[str, int]:
    """Each unit's parent id by the parent's path, in one query (a unit's `parent_id` in the API:
    an id, never the parent's row, so it is given even where the parent is out of scope)."""
    paths = {u.path[: -u.steplen] for u in units if u.depth > 1}
    return dict(OrgUnit.objects.filter(path__in=paths).values_list("path", "id"))
