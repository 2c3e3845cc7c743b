"""Which rows of the org tree a user may see.

A user sees the subtree of their own unit. The region administrator and leaders sit at the
region root, so their subtree is everything. A department coordinator sits in a department,
but coordinates its modules across every county (SPEC §1), so for those modules — and for the
org tree itself, which they need to find the counties — their scope is the whole region.
"""

from typing import TYPE_CHECKING

from django.db.models import Q

from shouhu.accounts.roles import Role
from shouhu.common.modules import Module

if TYPE_CHECKING:
    from shouhu.accounts.models import User

REGION_WIDE_ROLES = {Role.REGION_ADMIN, Role.LEADER}


def sees_whole_region(viewer: "User", module: Module | None = None) -> bool:
    if not viewer.is_authenticated or viewer.unit_id is None:
        return False
    if viewer.role in REGION_WIDE_ROLES:
        return True
    if viewer.role == Role.DEPARTMENT_COORDINATOR:
        if module is None:
            return True
        unit = viewer.unit  # not None: unit_id is set
        return unit is not None and module in unit.coordinated_modules
    return False


# A subtree is one range of tree paths, [path, next sibling's path), which both databases answer
# from the path index (a LIKE prefix is a full scan on SQLite). Paths use 0-9 then A-Z, an order
# every collation agrees on, so the bound is the path "plus one" in that alphabet.
PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _next_path(path: str) -> str | None:
    digits = list(path)
    for position in range(len(digits) - 1, -1, -1):
        index = PATH_ALPHABET.index(digits[position])
        if index + 1 < len(PATH_ALPHABET):
            digits[position] = PATH_ALPHABET[index + 1]
            return "".join(digits[: position + 1]) + PATH_ALPHABET[0] * (len(digits) - position - 1)
        digits[position] = PATH_ALPHABET[0]
    return None


def subtree_bounds(path: str) -> tuple[str, str | None]:
    """The range of paths [low, high) of the subtree at `path` (high None: to the end), for the
    rare statement written by hand."""
    return path, _next_path(path)


def subtree(path: str, *, field: str = "") -> Q:
    """Rows whose unit (`field`, or the unit itself for "") lies in the subtree at `path`."""
    column = f"{field}__path" if field else "path"
    upper = _next_path(path)
    condition = Q(**{f"{column}__gte": path})
    return condition & Q(**{f"{column}__lt": upper}) if upper else condition


def unit_scope(viewer: "User", *, field: str = "unit", module: Module | None = None) -> Q:
    """A filter on `<field>` (a ForeignKey to OrgUnit, or "" for OrgUnit itself)."""
    if not viewer.is_authenticated or viewer.unit_id is None:
        return Q(pk__in=[])
    if sees_whole_region(viewer, module):
        return Q()
    unit = viewer.unit  # not None: unit_id is set
    if unit is None:
        return Q(pk__in=[])
    return subtree(unit.path, field=field)


def unit_in_scope(viewer: "User", unit_path: str, *, module: Module | None = None) -> bool:
    """Whether the unit at `unit_path` lies in the viewer's part of the tree (`unit_scope` for
    one unit already at hand, answered without a query)."""
    if not viewer.is_authenticated or viewer.unit_id is None:
        return False
    if sees_whole_region(viewer, module):
        return True
    unit = viewer.unit
    return unit is not None and unit_path.startswith(unit.path)
