"""Writes to the person register: one validation path for pages, API and imports."""

import copy
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import ForeignKey
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shouhu.accounts.models import User
from shouhu.accounts.scope import unit_in_scope
from shouhu.common import clock
from shouhu.common.audit import acting_as, audit_bulk
from shouhu.common.crypto import blind_index
from shouhu.common.errors import ConflictError, DomainError
from shouhu.orgs.models import OrgUnit
from shouhu.people.idcard import (
    InvalidIdNumber,
    InvalidPhone,
    document_key,
    is_resident_id,
    normalise_id_number,
    normalise_phone,
    parse_resident_id,
)
from shouhu.people.lifecycle import run_death_handlers
from shouhu.people.models import (
    Category,
    ConflictStatus,
    Gender,
    IdType,
    Person,
    PersonalDataReveal,
    PersonCategory,
    PersonMerge,
    RegistrationConflict,
    RevealedField,
)

P = ParamSpec("P")
R = TypeVar("R")
_DOCUMENT_PATTERN = re.compile(r"^[A-Z0-9]{5,20}$")
# Django builds a choice class's `.values` list anew on each access; every person checks three.
_ID_TYPES, _GENDERS, _CATEGORIES = (
    frozenset(IdType.values),
    frozenset(Gender.values),
    frozenset(Category.values),
)
# The permits' own formats: card (since 2013 / 2015) or the older booklet; the old Taiwan number's
# check letter is often written in brackets, e.g. 1234567890(B).
_PERMIT_PATTERNS = {
    IdType.HK_MACAO_PERMIT: (
        re.compile(r"^[HM][0-9]{8}([0-9]{2})?$"),
        gettext_noop("港澳居民来往内地通行证号码应为 H 或 M 加 8 位（旧版 10 位）数字"),
    ),
    IdType.TAIWAN_PERMIT: (
        re.compile(r"^[0-9]{8}$|^[0-9]{10}[A-Z]?$"),
        gettext_noop("台湾居民来往大陆通行证号码应为 8 位（旧版 10 位）数字"),
    ),
}


@dataclass
class PersonInput:
    """What a clerk typed, before validation."""

    name: str
    home_unit: OrgUnit
    id_type: str = IdType.RESIDENT_ID
    id_number: str = ""
    gender: str = ""
    birth_date: dt.date | None = None
    phone: str = ""
    address: str = ""
    household_registration: str = ""
    categories: list[str] = field(default_factory=list)


@dataclass
class CleanPerson:
    values: dict[str, Any]
    categories: list[str]
    warnings: list[str]


def clean_person(data: PersonInput) -> CleanPerson:
    """Validate everything at once; raise one DomainError naming every bad field."""
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    name = data.name.strip()
    if not name:
        errors["name"] = [_("请填写姓名")]
    if data.id_type not in _ID_TYPES:
        errors["id_type"] = [_("未知的证件类型")]
    gender = data.gender or Gender.UNKNOWN
    if gender not in _GENDERS:
        errors["gender"] = [_("性别只能是男、女或未知")]
    birth_date = data.birth_date
    today = clock.today()
    if birth_date and birth_date > today:
        errors["birth_date"] = [_("出生日期不能晚于今天")]
    id_number = normalise_id_number(data.id_number)
    if id_number and data.id_type == IdType.RESIDENT_ID:
        try:
            resident = parse_resident_id(id_number, today=today)
        except InvalidIdNumber as error:
            errors["id_number"] = [str(error)]
        else:
            id_number = resident.number
            warnings += resident.warnings
            if data.gender and data.gender != Gender.UNKNOWN and data.gender != resident.gender:
                shown = _("男") if resident.gender == Gender.MALE else _("女")
                errors["gender"] = [_("性别与身份证号不符（身份证号显示为%(gender)s）") % {"gender": shown}]
            if birth_date and birth_date != resident.birth_date:
                errors["birth_date"] = [
                    _("出生日期与身份证号不符（身份证号显示为 %(date)s）") % {"date": resident.birth_date}
                ]
            gender, birth_date = resident.gender, resident.birth_date
    elif id_number and data.id_type == IdType.PASSPORT and is_resident_id(id_number):
        # A resident ID typed as a passport would be another person to the register. (The new
        # foreign permanent residence card has 18 digits with the same check digit: not refused.)
        errors["id_number"] = [_("该号码是居民身份证号码，证件类型请选择“居民身份证”")]
    elif id_number and data.id_type in _PERMIT_PATTERNS:
        pattern, message = _PERMIT_PATTERNS[IdType(data.id_type)]
        if not pattern.match(id_number):
            errors["id_number"] = [_(message)]
    elif id_number and not _DOCUMENT_PATTERN.match(id_number):
        errors["id_number"] = [_("证件号码应为 5–20 位字母或数字")]
    phone = ""
    if data.phone.strip():
        try:
            phone = normalise_phone(data.phone)
        except InvalidPhone as error:
            errors["phone"] = [str(error)]
    unknown = [c for c in data.categories if c not in _CATEGORIES]
    if unknown:
        errors["categories"] = [_("未知的人员类别：") + "、".join(unknown)]
    if errors:
        summary = "；".join(message for messages in errors.values() for message in messages)
        raise DomainError(summary, code="invalid_person", field_errors=errors)
    return CleanPerson(
        values={
            "name": name,
            "gender": gender,
            "birth_date": birth_date,
            "id_type": data.id_type,
            "id_number": id_number,
            "id_index": document_key(id_number) if id_number else "",
            "phone": phone,
            # `phone` is already normalised: the key is its HMAC (phone_key would parse it again).
            "phone_index": blind_index("phone", phone) if phone else "",
            "address": data.address.strip(),
            "household_registration": data.household_registration.strip(),
            "home_unit": data.home_unit,
        },
        categories=sorted(set(data.categories)),
        warnings=warnings,
    )


def person_find_by_document(*, id_type: str, id_number: str) -> Person | None:
    index = document_key(id_number) if id_number.strip() else ""
    if not index:
        return None
    return Person.objects.filter(id_type=id_type, id_index=index, merged_into__isnull=True).first()


@dataclass
class Registration:
    person: Person
    created: bool
    changed: bool
    warnings: list[str]


class RegisteredElsewhere(ConflictError):
    """The document is registered under a unit the clerk cannot see. The clerk learns only that
    it cannot be registered here (X1); the region sees the attempt in its conflict list once the
    refusal is reported (`on_reported`, called after the refused write was rolled back)."""

    def __init__(self, *, person: Person, unit: OrgUnit, actor: User | None) -> None:
        message = _("此证件号码不能在本单位登记，请联系地区民政局核实处理")
        super().__init__(message, code="registered_elsewhere", field_errors={"id_number": [message]})
        self.person, self.unit, self.actor = person, unit, actor

    def on_reported(self) -> None:
        registration_conflict_record(person=self.person, unit=self.unit, actor=self.actor)


def _in_other_unit(existing: Person, unit: OrgUnit, actor: User | None) -> ConflictError:
    """Why a document registered at another unit cannot be registered at `unit` by `actor`."""
    if actor is not None and not unit_in_scope(actor, existing.home_unit.path):
        return RegisteredElsewhere(person=existing, unit=unit, actor=actor)
    return ConflictError(
        _("此人已登记在“%(unit)s”，不能同时属于两个单位；如需调整请先办理转出")
        % {"unit": existing.home_unit.name},
        code="person_in_other_unit",
        field_errors={"home_unit": [_("此人已登记在其他单位")]},
    )


def registration_conflict_record(
    *, person: Person, unit: OrgUnit, actor: User | None
) -> RegistrationConflict:
    """Count an attempt to register `person` at `unit` in the region's list of conflicts."""
    now = clock.now()
    with transaction.atomic():
        conflict = (
            RegistrationConflict.objects.select_for_update()
            .filter(person=person, requested_unit=unit, status=ConflictStatus.OPEN)
            .first()
        )
        if conflict is not None:
            conflict.attempts += 1
            conflict.last_attempt_at = now
            conflict.requested_by = actor
            conflict.save(update_fields=["attempts", "last_attempt_at", "requested_by", "updated_at"])
            return conflict
        try:
            with transaction.atomic():
                return RegistrationConflict.objects.create(
                    person=person, requested_unit=unit, requested_by=actor, last_attempt_at=now
                )
        except IntegrityError:  # a parallel attempt opened it first: count this one there
            return registration_conflict_record(person=person, unit=unit, actor=actor)


@transaction.atomic
def registration_conflict_resolve(
    *, actor: User, conflict: RegistrationConflict, transfer: bool, note: str
) -> RegistrationConflict:
    """The region moves the person to the unit that asked (`transfer`), or says why not."""
    if not note.strip():
        raise DomainError(_("请填写处理说明"), code="invalid", field_errors={"note": [_("请填写处理说明")]})
    conflict = RegistrationConflict.objects.select_for_update().select_related("person").get(pk=conflict.pk)
    if conflict.status != ConflictStatus.OPEN:
        raise ConflictError(_("该登记冲突已处理"), code="already_resolved")
    with acting_as(actor):
        if transfer:
            person = conflict.person
            person.home_unit = conflict.requested_unit
            person.save(update_fields=["home_unit", "updated_at"])
        conflict.status = ConflictStatus.TRANSFERRED if transfer else ConflictStatus.DISMISSED
        conflict.resolved_by, conflict.resolved_at, conflict.note = actor, clock.now(), note.strip()[:200]
        conflict.save(update_fields=["status", "resolved_by", "resolved_at", "note", "updated_at"])
    return conflict


def _add_categories(person: Person, categories: list[str]) -> bool:
    existing = set(person.categories.values_list("category", flat=True))
    new = [c for c in categories if c not in existing]
    for category in new:
        PersonCategory.objects.create(person=person, category=category)
    return bool(new)


def _reporting_conflicts(service: Callable[P, R]) -> Callable[P, R]:
    """A write refused as `RegisteredElsewhere` leaves its conflict for the region once the
    write's own transaction has rolled back (inside it, the conflict would roll back too)."""

    @functools.wraps(service)
    def reporting(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except RegisteredElsewhere as conflict:
            conflict.on_reported()
            raise

    return reporting


@_reporting_conflicts
@transaction.atomic
def person_register(*, actor: User | None, data: PersonInput, update_existing: bool = False) -> Registration:
    """Register a person, or find the one already registered with the same document.

    A second registration never makes a second record. With `update_existing` (imports), the
    typed details replace the stored ones; a person is never silently moved to another unit.
    """
    clean = clean_person(data)
    values = clean.values
    existing = None
    if values["id_index"]:
        existing = (
            Person.objects.select_for_update()
            .filter(id_type=values["id_type"], id_index=values["id_index"], merged_into__isnull=True)
            .first()
        )
    with acting_as(actor):
        if existing is None:
            person = Person(**values)
            try:
                with transaction.atomic():
                    person.save()
            except IntegrityError as error:
                raise ConflictError("该证件号码已登记", code="duplicate_person") from error
            _add_categories(person, clean.categories)
            return Registration(person, created=True, changed=True, warnings=clean.warnings)
        if existing.home_unit_id != values["home_unit"].pk:
            raise _in_other_unit(existing, values["home_unit"], actor)
        changed = _add_categories(existing, clean.categories)
        if update_existing:
            changes = [
                f
                for f, v in values.items()
                if f not in {"id_index", "home_unit"} and getattr(existing, f) != v
            ]
            for name in changes:
                setattr(existing, name, values[name])
            if changes:
                existing.phone_index = values["phone_index"]
                existing.save(update_fields=[*changes, "phone_index", "updated_at"])
                changed = True
        return Registration(existing, created=False, changed=changed, warnings=clean.warnings)


@transaction.atomic
def person_register_many(*, actor: User | None, rows: list[PersonInput]) -> list[Registration | DomainError]:
    """`person_register(update_existing=True)` for many rows at once (large imports).

    The same validation and the same outcome per row, but set-based: the people already
    registered are read with one query, the new ones written with bulk inserts, the changed
    ones with bulk updates, and the audit entries written in bulk (`audit_bulk`), as save()
    would have logged them. A refused row is returned as its DomainError, the others are
    written. A second row for a person already met in `rows` is registered after the others,
    one by one, so it sees the first.
    """
    results: list[Registration | DomainError | None] = [None] * len(rows)
    cleaned: dict[int, CleanPerson] = {}
    first_of: dict[tuple[str, str], int] = {}
    later: list[int] = []
    for position, data in enumerate(rows):
        try:
            clean = clean_person(data)
        except DomainError as error:
            results[position] = error
            continue
        key = (clean.values["id_type"], clean.values["id_index"])
        if key[1] and key in first_of:
            later.append(position)
            continue
        if key[1]:
            first_of[key] = position
        cleaned[position] = clean

    existing: dict[tuple[str, str], Person] = {}
    if first_of:
        found = (
            Person.objects.select_for_update(of=("self",))
            .select_related("home_unit")  # a conflict names or scopes the unit
            .filter(id_index__in={index for _id_type, index in first_of}, merged_into__isnull=True)
        )
        existing = {(p.id_type, p.id_index): p for p in found}
    held: dict[int, set[str]] = {}
    if existing:
        pairs = PersonCategory.objects.filter(person__in=[p.pk for p in existing.values()])
        for person_id, category in pairs.values_list("person_id", "category"):
            held.setdefault(person_id, set()).add(category)

    new_people: list[tuple[int, Person]] = []
    new_categories: list[PersonCategory] = []
    updated: list[tuple[Person, Person, list[str]]] = []
    now = timezone.now()  # what save()'s auto_now stamps; bulk_update does not apply it
    for position, clean in cleaned.items():
        values = clean.values
        person = existing.get((values["id_type"], values["id_index"])) if values["id_index"] else None
        if person is None:
            new_people.append((position, Person(**values)))
            continue
        if person.home_unit_id != values["home_unit"].pk:
            # Reported by the import (which records a conflict only when its rows are written).
            results[position] = _in_other_unit(person, values["home_unit"], actor)
            continue
        missing = [c for c in clean.categories if c not in held.get(person.pk, set())]
        new_categories += [PersonCategory(person=person, category=c) for c in missing]
        changes = [
            f for f, v in values.items() if f not in {"id_index", "home_unit"} and getattr(person, f) != v
        ]
        if changes:
            before = copy.copy(person)
            for name in changes:
                setattr(person, name, values[name])
            person.phone_index = values["phone_index"]
            person.updated_at = now
            updated.append((before, person, [*changes, "phone_index"]))
        results[position] = Registration(
            person, created=False, changed=bool(missing or changes), warnings=clean.warnings
        )

    created = Person.objects.bulk_create([person for _position, person in new_people])
    for (position, _person), made in zip(new_people, created, strict=True):
        clean = cleaned[position]
        new_categories += [PersonCategory(person=made, category=c) for c in clean.categories]
        results[position] = Registration(made, created=True, changed=True, warnings=clean.warnings)
    for fields in {tuple(fields) for _before, _after, fields in updated}:
        changed = [person for _before, person, f in updated if tuple(f) == fields]
        Person.objects.bulk_update(changed, [*fields, "updated_at"])
    categories = PersonCategory.objects.bulk_create(new_categories)
    audit_bulk(actor=actor, created=[*created, *categories], updated=updated)

    for position in later:
        try:
            with transaction.atomic():
                results[position] = person_register(actor=actor, data=rows[position], update_existing=True)
        except DomainError as error:
            results[position] = error
    done = [r for r in results if r is not None]
    if len(done) != len(rows):
        raise RuntimeError("person_register_many left rows without an outcome")
    return done


@_reporting_conflicts
@transaction.atomic
def person_update(*, actor: User, person: Person, data: PersonInput) -> Person:
    clean = clean_person(data)
    values = clean.values
    if values["id_index"] and values["id_index"] != person.id_index:
        other = person_find_by_document(id_type=values["id_type"], id_number=values["id_number"])
        if other is not None and other.pk != person.pk:
            if not unit_in_scope(actor, other.home_unit.path):
                raise RegisteredElsewhere(person=other, unit=values["home_unit"], actor=actor)
            raise ConflictError(
                _("该证件号码已属于另一条人员记录；如为同一人，请使用“合并”"),
                code="duplicate_person",
                field_errors={"id_number": [_("该证件号码已登记")]},
            )
    changes = []
    for name, value in values.items():
        current = person.home_unit_id if name == "home_unit" else getattr(person, name)
        wanted = value.pk if name == "home_unit" else value
        if current != wanted:
            changes.append(name)
    for name in changes:
        setattr(person, name, values[name])
    with acting_as(actor):
        if changes:
            person.save(update_fields=[*changes, "updated_at"])
        person.categories.exclude(category__in=clean.categories).delete()
        _add_categories(person, clean.categories)
    return person


@transaction.atomic
def person_record_death(*, actor: User | None, person: Person, died_on: dt.date) -> Person:
    """Record a death once; every module's death handler ends what the person still held."""
    if died_on > clock.today():
        raise DomainError(
            "死亡日期不能晚于今天", code="invalid", field_errors={"died_on": ["死亡日期不能晚于今天"]}
        )
    if person.birth_date and died_on < person.birth_date:
        raise DomainError(
            "死亡日期不能早于出生日期", code="invalid", field_errors={"died_on": ["死亡日期不能早于出生日期"]}
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.deceased_on == died_on:
        return person
    person.deceased_on = died_on
    with acting_as(actor):
        person.save(update_fields=["deceased_on", "updated_at"])
    run_death_handlers(actor=actor, person=person, died_on=died_on)
    return person


@transaction.atomic
def person_merge(*, actor: User, survivor: Person, duplicate: Person, reason: str) -> PersonMerge:
    """Fold `duplicate` into `survivor`, moving every record that points at the duplicate."""
    if not reason.strip():
        raise DomainError("请填写合并原因", code="invalid", field_errors={"reason": ["请填写合并原因"]})
    if survivor.pk == duplicate.pk:
        raise DomainError("不能把一条记录与自身合并", code="invalid")
    if duplicate.merged_into_id or survivor.merged_into_id:
        raise ConflictError("该记录已被合并过", code="already_merged")
    moved: dict[str, int] = {}
    with acting_as(actor):
        for relation in Person._meta.related_objects:
            if not isinstance(relation.field, ForeignKey) or relation.related_model in (Person, PersonMerge):
                continue
            if relation.related_model is PersonCategory:
                continue
            model = relation.related_model
            if isinstance(model, str):  # unresolved lazy reference: nothing registered yet
                continue
            try:
                with transaction.atomic():
                    count = model._default_manager.filter(**{relation.field.name: duplicate}).update(
                        **{relation.field.name: survivor}
                    )
            except IntegrityError as error:
                # Both records hold the same thing (the same dose, a mobiliser each, …).
                raise ConflictError(
                    f"两条记录的“{model._meta.verbose_name}”有重复或冲突，请先核对并删除重复的一条，再合并",
                    code="merge_conflict",
                ) from error
            if count:
                moved[model._meta.label] = count
        categories = list(duplicate.categories.values_list("category", flat=True))
        _add_categories(survivor, categories)
        duplicate.merged_into = survivor
        duplicate.save(update_fields=["merged_into", "updated_at"])
        taken = []
        if duplicate.id_index and not survivor.id_index:
            taken += ["id_type", "id_number", "id_index", "gender", "birth_date"]
        if duplicate.phone_index and not survivor.phone_index:
            taken += ["phone", "phone_index"]
        if taken:
            for name in taken:
                setattr(survivor, name, getattr(duplicate, name))
            survivor.save(update_fields=[*taken, "updated_at"])
        return PersonMerge.objects.create(
            survivor=survivor,
            duplicate=duplicate,
            reason=reason.strip(),
            merged_by=actor,
            merged_at=clock.now(),
            moved_links=moved,
        )


def person_reveal(
    *, actor: User, person: Person, field_name: str, reason: str, remote_addr: str | None
) -> str:
    """The unmasked value, for a user allowed to see it, logged with the reason."""
    if field_name not in (RevealedField.ID_NUMBER, RevealedField.PHONE):
        raise DomainError("只能查看证件号码或手机号", code="invalid")
    if not reason.strip():
        raise DomainError("请填写查看事由", code="invalid", field_errors={"reason": ["请填写查看事由"]})
    PersonalDataReveal.objects.create(
        viewer=actor,
        person=person,
        field=field_name,
        reason=reason.strip(),
        revealed_at=clock.now(),
        remote_addr=remote_addr or None,
    )
    return str(getattr(person, field_name))


def unmasked_export_record(*, actor: User, reason: str, detail: str, remote_addr: str | None) -> None:
    if not reason.strip():
        raise DomainError("导出未脱敏名单须填写事由", code="invalid", field_errors={"reason": ["请填写事由"]})
    PersonalDataReveal.objects.create(
        viewer=actor,
        field=RevealedField.EXPORT,
        reason=reason.strip(),
        detail=detail[:200],
        revealed_at=clock.now(),
        remote_addr=remote_addr or None,
    )
