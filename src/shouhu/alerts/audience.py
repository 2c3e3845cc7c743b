"""Who receives an alert, said the way the plan says it, resolved to users when it is raised.

A raiser names units and roles ("the county bureau of this home", "the home's staff", "the
department coordinating marriage registration"), never user ids: accounts change, the duty
does not. `resolve` turns the targets into the active users holding them at that moment; each
gets an `AlertDelivery` of their own, so people who join later do not inherit old alerts.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from shouhu.accounts.models import User
from shouhu.accounts.roles import ROLE_PERMISSIONS, Role
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.orgs.models import OrgUnit, UnitKind


@dataclass(frozen=True)
class UnitRoles:
    """The users of one unit (its own accounts, not its subtree's) holding one of `roles`."""

    unit: OrgUnit
    roles: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.unit.name}（{'、'.join(str(Role(r).label) for r in self.roles)}）"

    def users(self) -> Q:
        return Q(unit=self.unit, role__in=self.roles)


@dataclass(frozen=True)
class ModuleCoordinators:
    """The coordinators of the region departments that coordinate a module (统筹推进)."""

    module: Module

    @property
    def label(self) -> str:
        return f"统筹“{self.module.label}”的科室"

    def users(self) -> Q:
        # coordinated_modules is a JSON list, and SQLite has no JSON "contains": the region has a
        # handful of departments, so they are read and filtered here.
        departments = OrgUnit.objects.filter(kind__in=(UnitKind.DEPARTMENT, UnitKind.AFFILIATED))
        units = [
            u.pk
            for u in departments.only("pk", "coordinated_modules")
            if self.module in u.coordinated_modules
        ]
        return Q(unit_id__in=units, role=Role.DEPARTMENT_COORDINATOR)


@dataclass(frozen=True)
class NamedUsers:
    """Particular people (the mobiliser of a person, the clerk who booked a slot)."""

    people: tuple[User, ...]

    @property
    def label(self) -> str:
        return "、".join(str(u) for u in self.people)

    def users(self) -> Q:
        return Q(pk__in=[u.pk for u in self.people])


Target = UnitRoles | ModuleCoordinators | NamedUsers
Audience = Sequence[Target]


def roles_with(code: str) -> tuple[str, ...]:
    """The roles whose permissions include `code`, in the order of `Role`."""
    return tuple(role.value for role in Role if code in ROLE_PERMISSIONS.get(role, frozenset()))


def unit_staff(unit: OrgUnit, *, roles: Sequence[str] = (), code: str = "") -> UnitRoles:
    """The users of `unit` with one of `roles`, or with any role whose permissions include `code`."""
    wanted = tuple(roles) or roles_with(code)
    if not wanted:
        raise DomainError("提醒的接收对象须指明角色或权限", code="invalid_audience")
    return UnitRoles(unit, wanted)


def county_bureau(unit: OrgUnit) -> UnitRoles:
    """The civil-affairs bureau staff of the county that `unit` lies in (or is)."""
    path = unit.county_path()
    county = unit if unit.kind == UnitKind.COUNTY else None
    if county is None and path is not None:
        county = OrgUnit.objects.filter(path=path, kind=UnitKind.COUNTY).first()
    if county is None:
        raise DomainError(f"“{unit.name}”不属于任何县（市、区）", code="invalid_audience")
    return UnitRoles(county, (Role.COUNTY_STAFF.value,))


def institution_staff(unit: OrgUnit) -> UnitRoles:
    """A service institution's own staff (the head of a nursing home, a registry's clerks)."""
    if not unit.is_institution:
        raise DomainError(f"“{unit.name}”不是服务机构", code="invalid_audience")
    return UnitRoles(unit, (Role.INSTITUTION_STAFF.value,))


def module_coordinators(module: Module | str) -> ModuleCoordinators:
    if module not in Module.values:
        raise DomainError(f"未知的任务模块“{module}”", code="invalid_audience")
    return ModuleCoordinators(Module(module))


def named_users(*people: User) -> NamedUsers:
    return NamedUsers(tuple(people))


def region_administrators() -> UnitRoles | None:
    root = OrgUnit.objects.filter(depth=1).order_by("path").first()
    return UnitRoles(root, (Role.REGION_ADMIN.value,)) if root else None


def resolve(audience: Audience) -> list[User]:
    """The active users the targets name right now, each once, in a stable order."""
    condition = Q(pk__in=[])
    for target in audience:
        condition |= target.users()
    return list(User.objects.filter(condition, is_active=True).distinct().order_by("pk"))


def describe(audience: Audience) -> str:
    return "；".join(target.label for target in audience)[:300]
