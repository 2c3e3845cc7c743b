"""Writes to the org tree: atomic, validated in one place, audited with the actor."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shouhu.accounts.models import User
from shouhu.common.audit import acting_as
from shouhu.common.errors import DomainError, domain_error_from_validation
from shouhu.common.modules import Module
from shouhu.orgs.models import ALLOWED_CHILD_KINDS, OrgUnit, UnitKind

EDITABLE_FIELDS = (
    "name",
    "code",
    "institution_type",
    "coordinated_modules",
    "address",
    "contact_person",
    "contact_phone",
    "status",
)


def _check_placement(*, parent: OrgUnit | None, kind: str) -> None:
    if parent is None:
        if kind != UnitKind.REGION:
            raise DomainError(
                "只有地区可以作为根单位", code="invalid_parent", field_errors={"parent": ["请选择上级单位"]}
            )
        if OrgUnit.objects.get_root_nodes().exists():
            raise DomainError("系统中已有地区根单位", code="duplicate_root")
        return
    if kind not in ALLOWED_CHILD_KINDS[parent.kind]:
        raise DomainError(
            f"“{UnitKind(kind).label}”不能设在“{parent.kind_label}”{parent.name}之下",
            code="invalid_parent",
            field_errors={"kind": ["该层级类型不能放在所选上级单位之下"]},
        )


def _check_modules(modules: list[str]) -> None:
    unknown = [m for m in modules if m not in Module.values]
    if unknown:
        raise DomainError(
            "未知的重点任务：" + "、".join(unknown),
            code="invalid",
            field_errors={"coordinated_modules": ["包含未知的重点任务"]},
        )


def _validate(unit: OrgUnit, *, exclude: list[str] | None = None) -> None:
    try:
        unit.full_clean(exclude=exclude)
    except ValidationError as error:
        raise domain_error_from_validation(error) from error


@transaction.atomic
def unit_create(
    *,
    actor: User | None,
    parent: OrgUnit | None,
    name: str,
    code: str,
    kind: str,
    institution_type: str = "",
    coordinated_modules: list[str] | None = None,
    address: str = "",
    contact_person: str = "",
    contact_phone: str = "",
    is_demo: bool = False,
) -> OrgUnit:
    if kind not in UnitKind.values:
        raise DomainError("未知的层级类型", code="invalid", field_errors={"kind": ["未知的层级类型"]})
    _check_placement(parent=parent, kind=kind)
    _check_modules(coordinated_modules or [])
    unit = OrgUnit(
        name=name.strip(),
        code=code.strip(),
        kind=kind,
        institution_type=institution_type,
        coordinated_modules=coordinated_modules or [],
        address=address.strip(),
        contact_person=contact_person.strip(),
        contact_phone=contact_phone.strip(),
        is_demo=is_demo,
    )
    _validate(unit, exclude=["path", "depth", "numchild"])
    with acting_as(actor):
        try:
            if parent is None:
                return OrgUnit.objects.add_root(instance=unit)
            # Reload so a parent modified earlier in this transaction has its current numchild.
            parent.refresh_from_db(fields=["numchild", "path", "depth"])
            return OrgUnit.objects.add_child(parent, instance=unit)
        except IntegrityError as error:
            raise DomainError(
                "编码已被其他单位使用", code="duplicate_code", field_errors={"code": ["编码已存在"]}
            ) from error


@transaction.atomic
def unit_update(*, actor: User | None, unit: OrgUnit, **changes: Any) -> OrgUnit:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError("不能修改的字段：" + "、".join(sorted(unknown)), code="invalid")
    if "coordinated_modules" in changes:
        _check_modules(changes["coordinated_modules"])
    for field, value in changes.items():
        setattr(unit, field, value.strip() if isinstance(value, str) else value)
    _validate(unit)
    with acting_as(actor):
        unit.save(update_fields=[*changes, "updated_at"])
    return unit
