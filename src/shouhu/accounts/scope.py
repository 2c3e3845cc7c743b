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


def unit_scope(viewer: "User", *, field: str = "unit", module: Module | None = None) -> Q:
    """A filter on `<field>` (a ForeignKey to OrgUnit, or "" for OrgUnit itself)."""
    if not viewer.is_authenticated or viewer.unit_id is None:
        return Q(pk__in=[])
    if sees_whole_region(viewer, module):
        return Q()
    unit = viewer.unit  # not None: unit_id is set
    if unit is None:
        return Q(pk__in=[])
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    return Q(**{lookup: unit.path})
