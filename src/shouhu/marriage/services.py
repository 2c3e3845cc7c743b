"""Writes of marriage registration: booking, waiting list, cancel and reschedule, the counter.

Every function is keyword-only and atomic. The seat count of a slot is changed only by
`_take_seat` and `_release_seat`: one UPDATE guarded by `booked < capacity` (and the CHECK
constraint behind it). The UPDATE takes the row lock itself, and a concurrent one waits for it and
re-checks the guard on the row it then sees, so two couples can never both get the last seat,
whatever the interleaving (M7).
"""

import datetime as dt
import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shouhu.accounts.models import User
from shouhu.accounts.scope import unit_in_scope
from shouhu.alerts import audience as audiences
from shouhu.alerts.models import Severity
from shouhu.alerts.services import alert_raise, alert_resolve
from shouhu.campaigns.models import ServiceSuspension, ServiceType, SuspensionMode
from shouhu.campaigns.policy import current_policies, current_policy
from shouhu.campaigns.selectors import service_availability
from shouhu.common import clock
from shouhu.common.audit import acting_as, audit_batch, audit_bulk, audit_record
from shouhu.common.errors import ConflictError, DomainError, domain_error_from_validation
from shouhu.common.modules import Module
from shouhu.common.rows import columns, insert_returning, select_rows
from shouhu.marriage import notices
from shouhu.marriage.calendar import booking_opens_on, computed_surge_dates, day_plan, is_registry
from shouhu.marriage.models import (
    ACTIVE_STATUSES,
    PUBLIC_CANCELLABLE,
    STAFF_CANCELLABLE,
    Booking,
    BookingParty,
    BookingStatus,
    CounterCheck,
    DateOverride,
    HallLog,
    HallTask,
    MarriagePolicy,
    NonComplianceReport,
    PartyRole,
    RecipientKind,
    RegistrySettings,
    ReportRecipient,
    ReportStatus,
    Slot,
    SlotPlan,
    SlotTemplate,
    SurgeDate,
    SuspensionNotice,
)
from shouhu.marriage.selectors import affected_bookings, can_receive_reports, displaced_by_suspension
from shouhu.notifications.services import message_enqueue, messages_enqueue
from shouhu.orgs.models import OrgUnit
from shouhu.people.idcard import InvalidPhone, is_mobile, normalise_phone
from shouhu.people.models import Gender, IdType, Person
from shouhu.people.services import PersonInput, clean_person
from shouhu.screening.models import ScreeningPolicy
from shouhu.screening.selectors import person_in_isolation_on

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
CODE_LENGTH = 8
HMT_ID_TYPES = (IdType.HK_MACAO_PERMIT, IdType.TAIWAN_PERMIT)
# The law's, not the campaign's: 民法典第一千零四十七条 (结婚年龄，男不得早于二十二周岁，女不得早于二十周岁).
EXTRA_NOTICE_MAX_LENGTH = 300  # not a policy threshold: the text goes into every advance notice
LEGAL_MARRIAGE_AGE = {Gender.MALE.value: 22, Gender.FEMALE.value: 20}
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")
# The hall log records what was done, entered the same day or soon after.
HALL_LOG_LATE_ENTRY = dt.timedelta(days=7)  # not a policy threshold: a bound on late entries
NON_COMPLIANCE_ALERT = "marriage.non_compliance"  # its label is registered in apps.py


def _clean(instance: Model, *, validate_unique: bool = True, validate_constraints: bool = True) -> None:
    try:
        instance.full_clean(validate_unique=validate_unique, validate_constraints=validate_constraints)
    except ValidationError as error:
        raise domain_error_from_validation(error) from error


def _refuse(message: str, *, code: str, field: str = "", conflict: bool = False) -> DomainError:
    error_type = ConflictError if conflict else DomainError
    return error_type(message, code=code, field_errors={field: [message]} if field else None)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


# --- Slots -------------------------------------------------------------------------------------


def slots_for_day(*, unit: OrgUnit, day: dt.date, policy: MarriagePolicy | None = None) -> list[Slot]:
    """The capacity rows of a day, made from the day's plan the first time anyone asks.

    Only days that can be booked get rows: a staff page opened at any date must not fill the
    table with empty slots of past days or of days years ahead.
    """
    policy = policy or current_policy(MarriagePolicy, day)
    plan = day_plan(unit, day, policy=policy)
    today = clock.today()
    bookable = today <= day <= today + dt.timedelta(days=policy.booking_horizon_days)
    if not plan.is_open or not bookable:
        return list(Slot.objects.filter(unit=unit, date=day).order_by("starts_at"))
    existing = {s.starts_at: s for s in Slot.objects.filter(unit=unit, date=day)}
    missing = [
        Slot(unit=unit, date=day, starts_at=p.starts_at, ends_at=p.ends_at, capacity=p.capacity)
        for p in plan.slots
        if p.starts_at not in existing
    ]
    if missing:
        Slot.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {s.starts_at: s for s in Slot.objects.filter(unit=unit, date=day)}
    return sorted(existing.values(), key=lambda s: s.starts_at)


# Bookings whose slot keeps its hours through a change of plan: live appointments and the
# counter's records (a registration, a refusal and its report).
HOURS_KEEPING_STATUSES = (*ACTIVE_STATUSES, BookingStatus.REGISTERED, BookingStatus.REFUSED)


def _replan_slots(*, unit: OrgUnit, days: list[dt.date]) -> None:
    """Bring the slot rows of `days` in line with the unit's plan after its rules changed.

    A slot of the new plan gets the plan's capacity, never less than the seats already held, and
    offers new seats to the waiting list; a slot the plan no longer has takes no more bookings
    (capacity = seats held) and goes when no booking points at it. Capacities change with one
    guarded UPDATE each, so a booking taking a seat meanwhile is never lost and the CHECK
    constraint still holds. The plan is the registry's own rules: a C4 suspension closes a day
    for bookings but does not reshape it, so the day is whole again once the suspension is lifted.
    A slot that a live appointment or a counter record points at (active, registered or refused
    bookings) keeps its hours: they are the couple's appointment and its record. When the new plan
    has other hours at that start, the row takes nobody new, like a slot dropped from the plan.
    Cancelled and lapsed bookings do not hold hours: otherwise one cancellation would keep the
    new plan's slot at that start (one row per start) from ever being made.
    """
    if not days:
        return
    rows: dict[dt.date, list[Slot]] = {}
    for slot in Slot.objects.filter(unit=unit, date__in=days):
        rows.setdefault(slot.date, []).append(slot)
    with_bookings = set(
        Booking.objects.filter(unit=unit, date__in=list(rows), status__in=HOURS_KEEPING_STATUSES).values_list(
            "slot_id", flat=True
        )
    )
    held = set(
        Booking.objects.filter(unit=unit, date__in=list(rows), status__in=ACTIVE_STATUSES).values_list(
            "date", flat=True
        )
    )
    closed_with_bookings = []
    for day, slots in sorted(rows.items()):
        plan = day_plan(unit, day, policy=current_policy(MarriagePolicy, day), with_suspensions=False)
        was_open = any(slot.capacity > 0 for slot in slots)
        if not plan.is_open and was_open and day in held:
            closed_with_bookings.append(day)
            continue
        planned = {p.starts_at: p for p in plan.slots} if plan.is_open else {}
        grown = []
        for slot in slots:
            wanted = planned.get(slot.starts_at)
            if wanted is not None and wanted.ends_at != slot.ends_at and slot.pk in with_bookings:
                wanted = None  # its hours are a booking's record: it keeps them and takes nobody new
            capacity = wanted.capacity if wanted is not None else 0
            ends_at = wanted.ends_at if wanted is not None else slot.ends_at
            Slot.objects.filter(pk=slot.pk).update(
                capacity=Greatest(F("booked"), Value(capacity)), ends_at=ends_at
            )
            if capacity > slot.capacity:
                grown.append(slot)
        if (
            grown
            and service_availability(service=ServiceType.MARRIAGE_REGISTRATION, unit=unit, on=day).is_open
        ):
            for slot in grown:
                _offer_next(slot)
        Slot.objects.filter(unit=unit, date=day, booked=0, bookings__isnull=True).exclude(
            starts_at__in=list(planned)
        ).delete()
    if closed_with_bookings:
        # The caller's transaction rolls the change of rules back with this refusal.
        dates = "、".join(str(day) for day in closed_with_bookings[:10])
        more = (
            _("等 %(count)s 天") % {"count": len(closed_with_bookings)}
            if len(closed_with_bookings) > 10
            else ""
        )
        raise _refuse(
            _(
                "这样修改会关闭已有预约的日期（%(dates)s%(more)s）；请先登记服务暂停（通知已预约的当事人），"
                "或只修改以后的日期"
            )
            % {"dates": dates, "more": more},
            code="has_bookings",
            conflict=True,
        )


def _replan_future_slots(unit: OrgUnit) -> None:
    days = Slot.objects.filter(unit=unit, date__gte=clock.today()).values_list("date", flat=True).distinct()
    _replan_slots(unit=unit, days=sorted(set(days)))


@functools.cache
def _take_seat_sql() -> str:
    # Every booking runs it: written once, not built by the ORM each time.
    table = connection.ops.quote_name(Slot._meta.db_table)
    return f"UPDATE {table} SET booked = booked + 1 WHERE id = %s AND booked < capacity"  # noqa: S608


def _take_seat(slot: Slot) -> bool:
    """One seat of the slot, or False when it is full. The row stays locked until the caller's
    transaction ends: PostgreSQL re-evaluates the guard of a waiting UPDATE on the committed row,
    and SQLite has one writer at a time."""
    with connection.cursor() as cursor:
        cursor.execute(_take_seat_sql(), [slot.pk])
        return cursor.rowcount == 1


def _take_seat_after_locking(slot: Slot) -> bool:
    """The second try of a full slot, holding its row: an UPDATE whose guard fails locks nothing,
    so a cancellation committing meanwhile could free a seat without seeing the couple about to
    wait for it. With the row held, it either committed before this try (the seat is taken here)
    or its offer runs after this transaction commits (and finds the couple waiting)."""
    Slot.objects.select_for_update().filter(pk=slot.pk).values_list("pk", flat=True).get()
    return _take_seat(slot)


def _release_seat(slot: Slot) -> None:
    Slot.objects.filter(pk=slot.pk, booked__gt=0).update(booked=F("booked") - 1)


# --- Booking (M1–M3, M5) -------------------------------------------------------------------------


@dataclass
class PartyInput:
    name: str
    id_type: str
    id_number: str
    phone: str


@dataclass
class CleanParty:
    role: str
    data: PersonInput
    document_index: str
    phone: str
    values: dict[str, Any]


ROLE_LABELS = {PartyRole.A: "当事人甲", PartyRole.B: "当事人乙"}  # stored notes and alerts: Chinese


def _role_label(role: str) -> str:
    """The party's label in the request's language, for refusals shown to the couple."""
    return _("当事人甲") if PartyRole(role) == PartyRole.A else _("当事人乙")


# Who may be told why a registered party cannot book (isolated, deceased, already booked): given
# the party's role and their register record, may the refusal say why? Every caller decides.
Disclosure = Callable[[str, Person], bool]


def disclose_everything(role: str, person: Person) -> bool:
    """Jobs and tests that act for nobody outside: every reason may be given."""
    return True


def disclose_to_staff(actor: User) -> Disclosure:
    """A clerk is told why about the people of their own part of the tree, about others only that
    the party must come in person (X1: a clerk learns nothing about people outside their scope)."""

    def discloses(role: str, person: Person) -> bool:
        return unit_in_scope(actor, person.home_unit.path)

    return discloses


def disclose_to_phone_holders(proven: dict[str, str]) -> Disclosure:
    """The public is told why only about a party who proved, by a code sent to it, to hold the
    phone the register keeps for their document (`proven`: role → that phone's search key)."""

    def discloses(role: str, person: Person) -> bool:
        return bool(person.phone_index) and proven.get(role) == person.phone_index

    return discloses


def _refuse_party(role: str, person: Person, disclose: Disclosure, message: str, *, code: str) -> DomainError:
    if disclose(role, person):
        return _refuse(message, code=code, conflict=True)
    # One answer for every reason, so that the refusal tells nothing about the person.
    return _refuse(
        _(
            "%(party)s的信息须由婚姻登记机关现场核实，暂不能预约。"
            "请携带证件到婚姻登记机关办理，或致电登记机关咨询"
        )
        % {"party": _role_label(role)},
        code="verify_in_person",
        conflict=True,
    )


def clean_parties(unit: OrgUnit, parties: dict[str, PartyInput]) -> list[CleanParty]:
    errors: dict[str, list[str]] = {}
    cleaned = []
    for role, party in parties.items():
        label = _role_label(role)
        data = PersonInput(
            name=party.name,
            home_unit=unit,
            id_type=party.id_type,
            id_number=party.id_number,
            phone=party.phone,
        )
        field_errors: dict[str, list[str]] = {}
        if not party.id_number.strip():
            field_errors["id_number"] = [_("请填写证件号码")]
        if not party.phone.strip():
            field_errors["phone"] = [_("请填写手机号")]
        try:
            clean = clean_person(data)
        except DomainError as error:
            field_errors = {**error.field_errors, **field_errors}
        if field_errors:
            for name, messages in field_errors.items():
                errors[f"{role}_{name}"] = [
                    _("%(party)s：%(message)s") % {"party": label, "message": m} for m in messages
                ]
            continue
        values = clean.values
        if not is_mobile(values["phone"]):
            errors[f"{role}_phone"] = [_("%(party)s：请填写手机号，预约短信发送到该号码") % {"party": label}]
            continue
        data.id_number, data.phone = values["id_number"], values["phone"]
        cleaned.append(CleanParty(role, data, values["id_index"], values["phone"], values))
    if errors:
        summary = "；".join(m for ms in errors.values() for m in ms)
        raise DomainError(summary, code="invalid_party", field_errors=errors)
    first, second = cleaned
    if first.data.id_type == second.data.id_type and first.document_index == second.document_index:
        raise _refuse(_("双方当事人不能是同一人，请核对证件号码"), code="same_person", field="b_id_number")
    return cleaned


@functools.cache
def _registered_sql(documents: int) -> str:
    # Every booking asks: written once, not built by the ORM each time.
    return "SELECT {} FROM {} p WHERE p.id_index IN ({}) AND p.merged_into_id IS NULL".format(  # noqa: S608
        columns(Person, "p"), connection.ops.quote_name(Person._meta.db_table), ", ".join(["%s"] * documents)
    )


def registered_parties(parties: list[CleanParty]) -> dict[str, Person]:
    """The parties already in the person register, by role: both looked up with one query."""
    indexes = sorted({p.document_index for p in parties})
    found = [person for (person,) in select_rows(_registered_sql(len(indexes)), indexes, (Person, "p"))]
    # By the number alone, whatever type was chosen: the same number under another type is the
    # same person to every check (isolation, death, an active booking), not a new one.
    by_document = {p.id_index: p for p in found}
    return {p.role: by_document[p.document_index] for p in parties if p.document_index in by_document}


class _RegisteredMeanwhile(Exception):
    """Someone registered a party's document between our look-up and our insert."""


def _register_new(parties: list[CleanParty], *, actor: User | None, with_phones: bool) -> list[Person]:
    """Insert the parties not found before the transaction, audited as `person_register` logs, in
    the name of the clerk who books for a couple (`actor`; None for the public's own bookings).
    `with_phones`: whether the phones typed become the register's (not the public's: see below).

    No savepoint: when someone registered the same document in between, the unique index refuses
    the insert, the whole booking transaction is rolled back and `booking_create` starts again,
    finding them registered (and checking them like any registered party).
    """
    if not parties:
        return []
    try:
        made = insert_returning(
            [
                Person(**(p.values if with_phones else {**p.values, "phone": "", "phone_index": ""}))
                for p in parties
            ]
        )
    except IntegrityError as error:
        raise _RegisteredMeanwhile from error
    audit_bulk(actor=actor, created=made)
    return made


def day_refusal(*, unit: OrgUnit, day: dt.date, policy: MarriagePolicy, priority: bool = False) -> str | None:
    """Why `day` cannot be booked at `unit` now, or None. `priority`: a holder moved by a suspension."""
    today = clock.today()
    if day < today:
        return _("不能预约已过去的日期")
    if day > today + dt.timedelta(days=policy.booking_horizon_days):
        return _("只能预约 %(days)s 天以内的日期") % {"days": policy.booking_horizon_days}
    plan = day_plan(unit, day, policy=policy, with_slots=False)
    if not plan.is_open:
        return plan.reason
    if plan.surge is not None and not priority:
        opens = booking_opens_on(plan.surge, policy)
        if today < opens:
            return _("%(surge)s（%(day)s）的预约将于 %(opens)s 开放") % {
                "surge": plan.surge.name,
                "day": day,
                "opens": opens,
            }
    return None


def check_slot(*, unit: OrgUnit, slot: Slot, policy: MarriagePolicy, priority: bool = False) -> None:
    if not is_registry(unit):
        raise _refuse(_("请选择婚姻登记机关"), code="not_registry", field="unit")
    if slot.unit_id != unit.pk:
        raise _refuse(_("所选时段不属于该登记机关，请重新选择"), code="wrong_registry", field="slot")
    refusal = day_refusal(unit=unit, day=slot.date, policy=policy, priority=priority)
    if refusal:
        raise _refuse(refusal, code="day_closed", field="date", conflict=True)
    starts = dt.datetime.combine(slot.date, slot.starts_at, tzinfo=clock.local_zone())
    if starts <= clock.now():
        raise _refuse(_("该时段已开始，请选择其他时段"), code="slot_past", field="slot", conflict=True)


def _check_isolation(people: list[tuple[str, Person]], day: dt.date, disclose: Disclosure) -> None:
    for role, person in people:
        record = person_in_isolation_on(person, day)
        if record is not None:
            raise _refuse_party(
                role,
                person,
                disclose,
                _(
                    "%(party)s在 %(day)s 尚处于%(kind)s期（%(ends_on)s 解除），"
                    "隔离期未满不能预约和办理婚姻登记"
                )
                % {
                    "party": _role_label(role),
                    "day": day,
                    "kind": record.get_kind_display(),
                    "ends_on": record.ends_on,
                },
                code="in_isolation",
            )


def _check_no_active_booking(
    people: list[tuple[str, Person]], disclose: Disclosure, *, except_booking: Booking | None = None
) -> None:
    if not people:
        return
    active = BookingParty.objects.filter(person__in=[person.pk for _role, person in people], is_active=True)
    if except_booking is not None:
        active = active.exclude(booking=except_booking)
    holders = set(active.values_list("person_id", flat=True))
    for role, person in people:
        if person.pk in holders:
            raise _refuse_party(
                role,
                person,
                disclose,
                _("%(party)s已有一个有效的婚姻登记预约（含候补），请先取消原预约")
                % {"party": _role_label(role)},
                code="already_booked",
            )


def booking_create(
    *,
    unit: OrgUnit,
    slot: Slot,
    party_a: PartyInput,
    party_b: PartyInput,
    disclose: Disclosure,
    join_waitlist: bool = False,
    actor: User | None = None,
    register_phones: bool = True,
) -> Booking:
    """Book a slot for a couple, or put them on its waiting list when it is full and they ask.
    `actor`: the clerk booking for a couple who telephoned, named in the audit log (X3).
    `disclose`: whether a refusal may say why a registered party cannot book (X2).
    `register_phones`: whether a party new to the register is registered with the phone given.
    Not so for the public's bookings: a phone someone proved only by receiving a code must not
    become the register's, which would make them the person's proven holder from then on."""
    # Everything that only reads is done before the transaction, which on SQLite holds the one
    # write lock from its first statement (BEGIN IMMEDIATE) and on PostgreSQL the slot's row lock
    # until commit. The seat itself is decided inside it (M7); a party's second booking is refused
    # by the database's partial unique index whatever happens in between.
    parties = clean_parties(unit, {PartyRole.A: party_a, PartyRole.B: party_b})
    check_legal_age(
        [(p.role, p.values.get("birth_date"), p.values.get("gender") or "") for p in parties], slot.date
    )
    policy = current_policy(MarriagePolicy, slot.date)
    check_slot(unit=unit, slot=slot, policy=policy)
    for attempt in (1, 2):
        found = registered_parties(parties)
        known = [(p.role, found[p.role]) for p in parties if p.role in found]
        _check_people(known, slot.date, disclose)
        try:
            with transaction.atomic(), audit_batch():  # foreign keys are checked at commit
                booking = _booking_create(
                    actor=actor,
                    unit=unit,
                    slot=slot,
                    parties=parties,
                    found=found,
                    policy=policy,
                    join_waitlist=join_waitlist,
                    disclose=disclose,
                    register_phones=register_phones,
                )
                # Inside the transaction and the batch: the entry costs no statement of its own.
                booking_audit(
                    actor=actor,
                    booking=booking,
                    changes={
                        "status": [None, booking.status],
                        "unit": [None, unit.name],
                        "date": [None, booking.date],
                        "slot": [None, f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"],
                    },
                )
                return booking
        except IntegrityError as error:
            if Slot.objects.filter(pk=slot.pk).exists():
                raise
            # At commit: the slot went while we booked it (its registry's rules changed meanwhile).
            raise _refuse(
                _("所选时段刚刚调整，请重新选择时段"), code="slot_gone", field="slot", conflict=True
            ) from error
        except _RegisteredMeanwhile as error:
            if attempt == 2:
                raise _refuse(
                    _("当事人的证件正在同时登记，请稍后再试"), code="registering", conflict=True
                ) from error
    raise AssertionError("unreachable")  # the loop returns or raises


def check_legal_age(parties: list[tuple[str, dt.date | None, str]], day: dt.date) -> None:
    """Both parties (role, birth date, sex) of age on the day, where the document tells birth date
    and sex; permits and passports are checked at the counter."""
    for role, birth, gender in parties:
        minimum = LEGAL_MARRIAGE_AGE.get(gender)
        if birth is None or minimum is None:
            continue
        try:
            of_age_on = birth.replace(year=birth.year + minimum)
        except ValueError:  # born on 29 February, and that year has none
            of_age_on = dt.date(birth.year + minimum, 3, 1)
        if day < of_age_on:
            raise _refuse(
                _("%(party)s在 %(day)s 未达法定婚龄（男年满 22 周岁、女年满 20 周岁），不能预约结婚登记")
                % {"party": _role_label(role), "day": day},
                code="under_age",
                field=f"{role}_id_number",
            )


def _check_people(people: list[tuple[str, Person]], day: dt.date, disclose: Disclosure) -> None:
    _check_alive(people, disclose)
    _check_isolation(people, day, disclose)
    _check_no_active_booking(people, disclose)


def _check_alive(people: list[tuple[str, Person]], disclose: Disclosure) -> None:
    for role, person in people:
        if person.deceased_on is not None:
            raise _refuse_party(
                role,
                person,
                disclose,
                _("%(party)s的证件在人员登记中已登记死亡，不能预约；如有错误请到登记机关核实")
                % {"party": _role_label(role)},
                code="party_deceased",
            )


def _booking_create(
    *,
    actor: User | None,
    unit: OrgUnit,
    slot: Slot,
    parties: list[CleanParty],
    found: dict[str, Person],
    policy: MarriagePolicy,
    join_waitlist: bool,
    disclose: Disclosure,
    register_phones: bool,
) -> Booking:
    missing = [p for p in parties if p.role not in found]
    # A person registered just now has no isolation record and no booking yet: nothing to check.
    made = _register_new(missing, actor=actor, with_phones=register_phones)
    found = {**found, **{p.role: person for p, person in zip(missing, made, strict=True)}}
    people = [(p.role, found[p.role]) for p in parties]
    booking = Booking(code=_new_code(), unit=unit, slot=slot, date=slot.date, status=BookingStatus.BOOKED)
    try:
        # No savepoint: a refusal here rolls the whole booking transaction back.
        with transaction.atomic(savepoint=False):
            insert_returning([booking])
            written = insert_returning(
                [
                    BookingParty(
                        booking=booking,
                        person=person,
                        role=role,
                        name=party.values["name"],
                        phone=party.phone,
                        phone_index=party.values["phone_index"],
                        is_hmt=party.data.id_type in HMT_ID_TYPES,
                    )
                    for (role, person), party in zip(people, parties, strict=True)
                ]
            )
    except IntegrityError as error:
        # The same person booked in another request between our look and our insert.
        booked = [(role, person) for role, person in people if not disclose(role, person)]
        raise _refuse_party(
            *(booked[0] if booked else people[0]),
            disclose,
            _("当事人已有一个有效的婚姻登记预约（含候补），请先取消原预约"),
            code="already_booked",
        ) from error
    # The seat is taken last: the slot's row stays locked until commit, so the less work after
    # it, the less the couples booking the same slot wait for each other.
    if not _take_seat(slot) and not _take_seat_after_locking(slot):
        if not join_waitlist:
            raise _refuse(
                _("该时段已约满，可以登记候补，有人取消时按顺序递补"), code="slot_full", conflict=True
            )
        booking.status = BookingStatus.WAITING
        booking.save(update_fields=["status", "updated_at"])
    body = (
        notices.booked_text(booking, policy)
        if booking.status == BookingStatus.BOOKED
        else notices.waiting_text(booking)
    )
    messages_enqueue(
        actor=actor, unit=booking.unit, phones=[p.phone for p in parties], body=body, kind="marriage.booking"
    )
    # The parties just written are all of the booking's: whoever shows them need not read them back.
    shown = booking.parties.all()
    shown._result_cache, shown._prefetch_done = written, True  # type: ignore[attr-defined]
    booking._prefetched_objects_cache = {"parties": shown}  # type: ignore[attr-defined]
    return booking


def _notify(booking: Booking, body: str, *, kind: str = "marriage.booking") -> None:
    phones = {p.phone for p in booking.parties.all()}
    for phone in sorted(phones):
        message_enqueue(unit=booking.unit, phone=phone, body=body, kind=kind)


def _end(booking: Booking, status: str, note: str = "") -> None:
    # A past day's numbers are history: its seats are neither released nor offered again.
    held_seat = booking.holds_seat and booking.date >= clock.today()
    booking.status = status
    booking.status_note = note[:200]
    booking.offer_expires_at = None if status != BookingStatus.OFFERED else booking.offer_expires_at
    booking.save(update_fields=["status", "status_note", "offer_expires_at", "updated_at"])
    BookingParty.objects.filter(booking=booking).update(is_active=False)
    if held_seat and status in (BookingStatus.CANCELLED, BookingStatus.EXPIRED):
        _release_seat(booking.slot)
        _offer_next(booking.slot)


def _offer_next(slot: Slot) -> list[Booking]:
    """Free seats go to the waiting couples in the order they joined; each must confirm in time."""
    offered: list[Booking] = []
    if slot.date < clock.today():
        return offered  # nobody can come on a day that has passed
    policy = current_policy(MarriagePolicy, slot.date)
    while True:
        waiting = (
            Booking.objects.select_for_update()
            .filter(slot=slot, status=BookingStatus.WAITING)
            .order_by("created_at", "pk")
            .first()
        )
        if waiting is None or not _take_seat(slot):
            return offered
        waiting.status = BookingStatus.OFFERED
        waiting.offer_expires_at = clock.now() + dt.timedelta(hours=policy.waitlist_confirm_hours)
        waiting.save(update_fields=["status", "offer_expires_at", "updated_at"])
        _notify(waiting, notices.offered_text(waiting), kind="marriage.offer")
        offered.append(waiting)


def _lock(booking: Booking) -> Booking:
    # of=self: FOR UPDATE on the joined slot and unit rows too would deadlock with a booking of
    # the same slot, which holds the slot row (seat) and checks its foreign keys at commit.
    return Booking.objects.select_for_update(of=("self",)).select_related("slot", "unit").get(pk=booking.pk)


def booking_audit(*, actor: User | None, booking: Booking, changes: dict[str, list[Any]]) -> None:
    """Name the staff member who changed a booking (X3), in the caller's transaction.

    Bookings are not registered with auditlog: the public makes and changes them by the thousand
    on surge days, and their rows record their state. What staff do to one (book it through the
    API, check it in, cancel it, register it) is logged here, with the actor and the request's
    address. `changes`: field -> [before, after]. Nothing is logged without an actor."""
    if actor is None:
        return
    from auditlog.models import LogEntry

    audit_record(
        actor=actor,
        obj=booking,
        action=LogEntry.Action.CREATE if changes.get("status", [None])[0] is None else LogEntry.Action.UPDATE,
        changes={field: [_audit_text(v) for v in values] for field, values in changes.items()},
        object_repr=f"婚姻登记预约 {booking.pk}",  # not the code: it is the couple's secret
    )


def _audit_text(value: object) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def booking_cancel(*, booking: Booking, actor: User | None = None, reason: str = "本人取消") -> Booking:
    """Cancel a booking or a waiting place. Staff (an actor) may also end a check-in that led to
    no registration (the couple left, a document was missing), so the parties can book again."""
    booking = _lock(booking)
    if booking.status not in (STAFF_CANCELLABLE if actor is not None else PUBLIC_CANCELLABLE):
        raise _refuse(
            _("该预约%(status)s，不能取消") % {"status": booking.get_status_display()},
            code="not_cancellable",
            conflict=True,
        )
    before = booking.status
    with acting_as(actor):
        _end(booking, BookingStatus.CANCELLED, reason)
    booking_audit(
        actor=actor,
        booking=booking,
        changes={"status": [before, booking.status], "status_note": ["", booking.status_note]},
    )
    _notify(booking, notices.cancelled_text(booking), kind="marriage.cancel")
    return booking


def bookings_end_on_death(*, actor: User | None, person: Person, died_on: dt.date) -> int:
    """A death ends the person's active bookings from that day on; the other party is told.

    Called by `people.services.person_record_death` inside its transaction (people.lifecycle).
    """
    held = BookingParty.objects.filter(
        person=person,
        is_active=True,
        booking__slot__date__gte=died_on,
        booking__status__in=ACTIVE_STATUSES,
    ).values("booking_id")
    # PostgreSQL refuses FOR UPDATE with DISTINCT (a join through the parties would need it).
    bookings = list(
        Booking.objects.select_for_update(of=("self",))
        .select_related("slot", "unit")
        .filter(pk__in=held)
        .order_by("pk")
    )
    for booking in bookings:
        living_phones = {p.phone for p in booking.parties.all() if p.person_id != person.pk}
        with acting_as(actor):
            _end(booking, BookingStatus.CANCELLED, "当事人已故")
        for phone in sorted(living_phones):
            message_enqueue(
                unit=booking.unit, phone=phone, body=notices.cancelled_text(booking), kind="marriage.cancel"
            )
    return len(bookings)


@transaction.atomic
def booking_confirm_offer(*, booking: Booking) -> Booking:
    """The waiting couple takes the seat offered to them."""
    booking = _lock(booking)
    if booking.status != BookingStatus.OFFERED:
        raise _refuse(_("该预约没有待确认的递补名额"), code="no_offer", conflict=True)
    if booking.offer_expires_at is not None and booking.offer_expires_at < clock.now():
        raise _refuse(_("递补确认已超时，名额已顺延"), code="offer_expired", conflict=True)
    booking.status = BookingStatus.BOOKED
    booking.offer_expires_at = None
    booking.save(update_fields=["status", "offer_expires_at", "updated_at"])
    _notify(booking, notices.booked_text(booking, current_policy(MarriagePolicy, booking.date)))
    return booking


@transaction.atomic
def booking_reschedule(*, booking: Booking, slot: Slot, disclose: Disclosure) -> Booking:
    """Move a confirmed booking to another slot (any registry of the region): seat first, then release."""
    booking = _lock(booking)
    if booking.status != BookingStatus.BOOKED:
        raise _refuse(
            _("该预约%(status)s，不能改约") % {"status": booking.get_status_display()},
            code="not_reschedulable",
            conflict=True,
        )
    if slot.pk == booking.slot_id:
        raise _refuse(_("新时段与原时段相同"), code="same_slot", field="slot")
    unit = slot.unit
    moved_by_suspension = displaced_by_suspension(booking)
    policy = current_policy(MarriagePolicy, slot.date)
    check_slot(unit=unit, slot=slot, policy=policy, priority=moved_by_suspension)
    people = [(p.role, p.person) for p in booking.parties.select_related("person")]
    check_legal_age([(role, person.birth_date, person.gender) for role, person in people], slot.date)
    _check_isolation(people, slot.date, disclose)
    old_slot = booking.slot
    if not _take_seat(slot):
        raise _refuse(_("新时段已约满，请选择其他时段"), code="slot_full", conflict=True)
    booking.slot, booking.unit, booking.date = slot, unit, slot.date
    booking.save(update_fields=["slot", "unit", "date", "updated_at"])
    _release_seat(old_slot)
    _offer_next(old_slot)
    _notify(booking, notices.booked_text(booking, policy))
    return booking


@transaction.atomic
def offers_expire() -> int:
    """Lapsed offers pass on to the next couple; waiting places of past days lapse (cron)."""
    now = clock.now()
    count = 0
    for booking in Booking.objects.select_for_update().filter(
        status=BookingStatus.OFFERED, offer_expires_at__lt=now
    ):
        _end(booking, BookingStatus.EXPIRED, "递补未在时限内确认")
        _notify(booking, notices.offer_expired_text(booking), kind="marriage.offer")
        count += 1
    for booking in Booking.objects.select_for_update().filter(
        status=BookingStatus.WAITING, date__lt=clock.today()
    ):
        _end(booking, BookingStatus.EXPIRED, "候补未递补")
        count += 1
    return count + _stale_bookings_expire()


# Stored notes: Chinese, like every status note.
STALE_NOTES = {BookingStatus.BOOKED: "预约日未到场办理", BookingStatus.CHECKED_IN: "已签到，当日未办理"}
SUSPENDED_DAY_NOTE = "预约日暂停办理，预约已失效，可重新预约"


def _stale_bookings_expire() -> int:
    """Bookings and check-ins of past days that led to no registration lapse, so that their
    parties may book again. Their seats stay counted: the day is over and its numbers are history.

    A booking whose day a suspension closed did not miss its appointment: while the suspension
    stands it keeps the priority rebooking its holders were promised (C4); once lifted, it lapses
    with a note saying the registry was closed, not that nobody came."""
    by_note: dict[str, list[int]] = {}
    for status, note in STALE_NOTES.items():
        stale = (
            Booking.objects.select_for_update(of=("self",))
            .filter(status=status, date__lt=clock.today())
            .select_related("unit")
        )
        for booking in stale:
            if displaced_by_suspension(booking):
                continue
            closed = not service_availability(
                service=ServiceType.MARRIAGE_REGISTRATION, unit=booking.unit, on=booking.date
            ).is_open
            by_note.setdefault(SUSPENDED_DAY_NOTE if closed else note, []).append(booking.pk)
    for note, pks in by_note.items():
        Booking.objects.filter(pk__in=pks).update(
            status=BookingStatus.EXPIRED, status_note=note, updated_at=clock.now()
        )
        BookingParty.objects.filter(booking_id__in=pks, is_active=True).update(is_active=False)
    return sum(len(pks) for pks in by_note.values())


# --- Suspensions (C4, M6) ----------------------------------------------------------------------


@transaction.atomic
def suspension_notify(*, suspension: ServiceSuspension) -> int:
    """Tell every holder of a booking inside the suspended window, once, that they may rebook first.

    Runs when the suspension is created (campaigns' suspension handler) and again from
    `marriage_tick` for bookings made or moved into the window later. A limit (限流) keeps the day
    open: its holders are not told to rebook."""
    if (
        suspension.service != ServiceType.MARRIAGE_REGISTRATION
        or suspension.mode != SuspensionMode.SUSPENDED
        or suspension.lifted_at is not None
    ):
        return 0
    told = 0
    done = set(SuspensionNotice.objects.filter(suspension=suspension).values_list("booking_id", flat=True))
    for booking in affected_bookings(suspension):
        if booking.pk in done:
            continue
        SuspensionNotice.objects.create(booking=booking, suspension=suspension, notified_at=clock.now())
        _notify(booking, notices.suspended_text(booking, suspension), kind="marriage.suspension")
        told += 1
    return told


# --- Registry settings (M1, M5) ------------------------------------------------------------------


def _registry(unit: OrgUnit) -> None:
    if not is_registry(unit):
        raise _refuse(_("该单位不是婚姻登记机关"), code="not_registry", field="unit")


def _lock_registries(units: list[OrgUnit]) -> None:
    """Changes of a registry's rules run one at a time (two administrators at once): each takes
    the registry's row first, and the second then sees what the first committed (its overlap
    check, its settings row). NO KEY UPDATE: a booking's foreign key to the unit (checked at
    commit, FOR KEY SHARE) is not blocked, so a couple holding a seat never waits on this lock
    while this change waits on their seat. In pk order, so that two changes never deadlock."""
    pks = sorted({unit.pk for unit in units})
    if pks:
        list(
            OrgUnit.objects.select_for_update(no_key=True).filter(pk__in=pks).order_by("pk").values_list("pk")
        )


def _save_rule(instance: Model, *, actor: User | None, message: str, field: str) -> None:
    """Save a rule row; another administrator's row for the same key committed first is a
    conflict to retry, not a server error."""
    try:
        with transaction.atomic(), acting_as(actor):
            instance.save()
    except IntegrityError as error:
        raise _refuse(message, code="changed_meanwhile", field=field, conflict=True) from error


@transaction.atomic
def registry_settings_update(
    *, actor: User, unit: OrgUnit, daily_quota: int | None, open_weekdays: str, extra_notice: str = ""
) -> RegistrySettings:
    _registry(unit)
    _lock_registries([unit])
    weekdays = "".join(sorted(set(open_weekdays.strip())))
    if not weekdays or any(c not in "1234567" for c in weekdays):
        raise _refuse(_("每周办理日应为 1–7 的数字，如 12345"), code="invalid", field="open_weekdays")
    settings = RegistrySettings.objects.filter(unit=unit).first() or RegistrySettings(unit=unit)
    if len(extra_notice.strip()) > EXTRA_NOTICE_MAX_LENGTH:
        raise _refuse(
            _("补充告知事项不能超过 %(limit)s 字（会写入每份提前告知）") % {"limit": EXTRA_NOTICE_MAX_LENGTH},
            code="invalid",
            field="extra_notice",
        )
    settings.daily_quota = daily_quota
    settings.open_weekdays = weekdays
    settings.extra_notice = extra_notice.strip()
    _clean(settings, validate_unique=False)
    _save_rule(settings, actor=actor, message=_("设置刚刚被他人修改，请刷新后重试"), field="daily_quota")
    _replan_future_slots(unit)
    return settings


@transaction.atomic
def slot_template_add(
    *,
    actor: User | None,
    unit: OrgUnit,
    starts_at: dt.time,
    ends_at: dt.time,
    share: int,
    plan: str = SlotPlan.NORMAL,
) -> SlotTemplate:
    _registry(unit)
    _lock_registries([unit])
    template = SlotTemplate(unit=unit, plan=plan, starts_at=starts_at, ends_at=ends_at, share=share)
    _clean(template)
    overlapping = SlotTemplate.objects.filter(
        unit=unit, plan=plan, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).first()
    if overlapping is not None:
        raise _refuse(
            _("与已有时段 %(slot)s 重叠，请调整开始或结束时间") % {"slot": overlapping},
            code="overlap",
            field="starts_at",
        )
    _save_rule(template, actor=actor, message=_("该时段刚刚被他人添加，请刷新后查看"), field="starts_at")
    _replan_future_slots(unit)
    return template


@transaction.atomic
def slot_template_remove(*, actor: User, template: SlotTemplate) -> None:
    unit = template.unit
    _lock_registries([unit])
    with acting_as(actor):
        template.delete()
    _replan_future_slots(unit)


@transaction.atomic
def date_override_set(
    *,
    actor: User,
    unit: OrgUnit,
    date: dt.date,
    is_open: bool | None,
    daily_quota: int | None,
    note: str = "",
) -> DateOverride:
    _registry(unit)
    _lock_registries([unit])
    if date < clock.today():
        raise _refuse(_("不能调整已过去的日期"), code="invalid", field="date")
    # A smaller quota keeps the seats already held (see _replan_slots); closing a day with
    # bookings goes through a suspension, which tells the holders.
    if is_open is False and Slot.objects.filter(unit=unit, date=date, booked__gt=0).exists():
        raise _refuse(
            _("该日已有预约，请先通过服务暂停（C4）通知已预约的当事人"), code="has_bookings", conflict=True
        )
    override = DateOverride.objects.filter(unit=unit, date=date).first() or DateOverride(unit=unit, date=date)
    override.is_open, override.daily_quota, override.note = is_open, daily_quota, note.strip()
    _clean(override, validate_unique=False)
    _save_rule(override, actor=actor, message=_("该日的调整刚刚被他人修改，请刷新后重试"), field="date")
    _replan_slots(unit=unit, days=[date])
    return override


@transaction.atomic
def surge_date_set(
    *,
    actor: User | None,
    date: dt.date,
    name: str,
    daily_quota: int | None = None,
    booking_opens_days: int | None = None,
    is_computed: bool = False,
) -> SurgeDate:
    if date < clock.today():
        raise _refuse(_("不能把已过去的日期设为高峰日"), code="invalid", field="date")
    surge = SurgeDate.objects.filter(date=date).first() or SurgeDate(date=date)
    if surge.pk is None and _date_has_bookings(date):
        raise _refuse(
            _("%(date)s 已有婚姻登记预约，不能再设为高峰日；高峰日应在开放预约之前设置") % {"date": date},
            code="has_bookings",
            field="date",
            conflict=True,
        )
    surge.name = name.strip()
    surge.daily_quota = daily_quota
    surge.booking_opens_days = booking_opens_days
    surge.is_computed = is_computed
    _clean(surge, validate_unique=False)
    units = list(OrgUnit.objects.filter(pk__in=Slot.objects.filter(date=date).values("unit_id")))
    _lock_registries(units)
    _save_rule(surge, actor=actor, message=_("该日刚刚被他人设为高峰日，请刷新后查看"), field="date")
    for unit in units:
        _replan_slots(unit=unit, days=[date])
    return surge


def _date_has_bookings(day: dt.date) -> bool:
    return Booking.objects.filter(date=day, status__in=ACTIVE_STATUSES).exists()


def _computed_surge_add(*, actor: User | None, day: dt.date, name: str) -> bool:
    if day < clock.today() or _date_has_bookings(day):
        return False  # too late for a surge plan: the day is booked under the normal one
    if SurgeDate.objects.filter(date=day).exists():
        return False  # staff set it already
    try:
        surge_date_set(actor=actor, date=day, name=name, is_computed=True)
    except ConflictError as error:
        if error.code != "changed_meanwhile":
            raise
        return False  # another administrator's sync set it a moment ago (its savepoint is undone)
    return True


@transaction.atomic
def surge_dates_sync_upcoming(*, actor: User | None) -> list[dt.date]:
    """The next 520, 521 and 七夕 each: this year's while still ahead, else next year's (late in
    the year this year's are past). Returns the dates made; the ones already set are left alone."""
    today = clock.today()
    made = []
    for (day, name), (next_year, _name) in zip(
        computed_surge_dates(today.year), computed_surge_dates(today.year + 1), strict=True
    ):
        upcoming = day if day >= today else next_year
        if _computed_surge_add(actor=actor, day=upcoming, name=name):
            made.append(upcoming)
    return made


# --- At the counter (M3, M4) ---------------------------------------------------------------------


@transaction.atomic
def counter_check_in(*, actor: User, booking: Booking) -> Booking:
    booking = _lock(booking)
    if booking.status != BookingStatus.BOOKED:
        raise _refuse(
            _("该预约%(status)s，不能签到") % {"status": booking.get_status_display()},
            code="not_booked",
            conflict=True,
        )
    _refuse_other_day(booking)
    availability = service_availability(
        service=ServiceType.MARRIAGE_REGISTRATION, unit=booking.unit, on=booking.date
    )
    if not availability.is_open:
        raise _refuse(availability.reason, code="service_suspended", conflict=True)
    booking.status = BookingStatus.CHECKED_IN
    booking.save(update_fields=["status", "updated_at"])
    booking_audit(actor=actor, booking=booking, changes={"status": [BookingStatus.BOOKED, booking.status]})
    return booking


def _refuse_other_day(booking: Booking) -> None:
    """The counter works on the booking's own day: registration follows that day's screening."""
    if booking.date != clock.today():
        raise _refuse(
            _("该预约为 %(date)s，不是今天") % {"date": booking.date}, code="wrong_day", conflict=True
        )


@dataclass(frozen=True)
class Question:
    key: str
    text: str  # Chinese: a refusal's reasons are stored with it (reports, alerts)
    refuses_when: bool
    label: str = ""  # the text in the reader's language, for the form and its messages


def _question(key: str, template: str, refuses_when: bool, **values: object) -> Question:
    return Question(key, template % values, refuses_when, label=_(template) % values)


def questions_for(party: BookingParty, policy: MarriagePolicy, screening: ScreeningPolicy) -> list[Question]:
    """The inquiry of M3: for everyone, and more for key epidemic areas and HMT parties."""
    days = screening.risk_lookback_days
    base = [
        _question("symptoms", gettext_noop("近期是否有发热、干咳、乏力、咽痛等症状"), True),
        _question(
            "risk_area", gettext_noop("近 %(days)s 天内是否到过中高风险地区或重点疫区"), True, days=days
        ),
        _question(
            "contact", gettext_noop("近 %(days)s 天内是否接触过确诊、疑似病例或无症状感染者"), True, days=days
        ),
        _question("health_code_green", gettext_noop("健康码是否为绿码"), False),
    ]
    if party.is_hmt:
        base += [
            _question(
                "arrived_recently", gettext_noop("是否为近 %(days)s 天内从港澳台或境外入境"), False, days=days
            ),
            _question(
                "isolation_done",
                gettext_noop("如为近期入境，是否已按规定完成入境隔离和健康监测（未近期入境选“是”）"),
                False,
            ),
            _question(
                "test_negative",
                gettext_noop("是否持有 %(hours)s 小时内核酸检测阴性证明"),
                False,
                hours=policy.test_validity_hours,
            ),
        ]
    return base


def _parse_temperature(raw: object) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise _refuse(_("体温应为数字，如 36.5"), code="invalid", field="temperature") from None
    if not value.is_finite() or not TEMPERATURE_MIN <= value <= TEMPERATURE_MAX:
        raise _refuse(
            _("体温应在 %(min)s–%(max)s℃ 之间") % {"min": TEMPERATURE_MIN, "max": TEMPERATURE_MAX},
            code="invalid",
            field="temperature",
        )
    return value.quantize(Decimal("0.1"))


@transaction.atomic
def counter_screen(
    *, actor: User, booking: Booking, party: BookingParty, temperature: object, answers: dict[str, bool]
) -> CounterCheck:
    """Screen one party; an ineligible one ends the registration and is reported at once (M3, M4)."""
    booking = _lock(booking)
    if party.booking_id != booking.pk:
        raise _refuse(_("当事人不属于该预约"), code="invalid", field="party")
    if booking.status != BookingStatus.CHECKED_IN:
        raise _refuse(_("请先签到再查验"), code="not_checked_in", conflict=True)
    _refuse_other_day(booking)
    policy, screening = current_policies(MarriagePolicy, ScreeningPolicy)
    value = _parse_temperature(temperature)
    questions = questions_for(party, policy, screening)
    missing = [q.label for q in questions if q.key not in answers]
    if missing:
        raise _refuse(_("请回答全部问询：") + "；".join(missing), code="invalid", field="answers")
    reasons = []
    if value >= screening.temperature_limit:
        reasons.append(f"体温 {value}℃，达到或超过 {screening.temperature_limit}℃")
    for question in questions:
        if bool(answers[question.key]) == question.refuses_when:
            reasons.append(f"{question.text}：{'是' if answers[question.key] else '否'}")
    record = person_in_isolation_on(party.person, clock.today())
    if record is not None:
        reasons.append(f"尚处于{record.kind_text}期（{record.ends_on} 解除）")
    check = CounterCheck(
        booking=booking,
        party=party,
        temperature=value,
        answers={q.key: bool(answers[q.key]) for q in questions},
        is_eligible=not reasons,
        reasons="；".join(reasons),
        checked_by=actor,
        checked_at=clock.now(),
    )
    with acting_as(actor):
        check.save()
        if reasons:
            _end(booking, BookingStatus.REFUSED, f"{ROLE_LABELS[PartyRole(party.role)]}不符合防控要求")
            _report(actor=actor, booking=booking, check=check, party=party)
    if reasons:
        booking_audit(
            actor=actor, booking=booking, changes={"status": [BookingStatus.CHECKED_IN, booking.status]}
        )
    return check


@transaction.atomic
def report_recipient_add(*, actor: User, kind: str, unit: OrgUnit | None = None) -> ReportRecipient:
    """Add where non-compliance reports go. The first one replaces the defaults (the registry's
    county bureau and the department coordinating marriage), so name them too if they should stay."""
    if kind not in RecipientKind.values:
        raise _refuse(_("请选择报告对象"), code="invalid", field="kind")
    if kind != RecipientKind.UNIT:
        unit = None
    elif unit is None:
        raise _refuse(_("指定单位时须选择单位"), code="invalid", field="unit")
    elif not can_receive_reports(unit):
        raise _refuse(
            _("报告对象须能查看全区的婚姻登记情况：地区民政局，或统筹婚姻登记工作的科室、事业单位"),
            code="invalid",
            field="unit",
        )
    if ReportRecipient.objects.filter(kind=kind, unit=unit).exists():
        raise _refuse(
            _("该报告对象已在名单中"), code="duplicate", field="unit" if unit else "kind", conflict=True
        )
    recipient = ReportRecipient(kind=kind, unit=unit)
    _clean(recipient)
    try:
        with transaction.atomic(), acting_as(actor):
            recipient.save()
    except IntegrityError as error:  # added by someone else since the check above
        raise _refuse(
            _("该报告对象已在名单中"), code="duplicate", field="unit" if unit else "kind", conflict=True
        ) from error
    return recipient


@transaction.atomic
def report_recipient_remove(*, actor: User, recipient: ReportRecipient) -> None:
    with acting_as(actor):
        recipient.delete()


def _recipients(unit: OrgUnit) -> list[audiences.Target]:
    configured = list(ReportRecipient.objects.select_related("unit"))
    targets: list[audiences.Target] = []
    kinds = [r.kind for r in configured] or [RecipientKind.COUNTY_BUREAU, RecipientKind.COORDINATORS]
    for kind in kinds:
        if kind == RecipientKind.COUNTY_BUREAU and unit.county_path():
            targets.append(audiences.county_bureau(unit))
        elif kind == RecipientKind.COORDINATORS:
            targets.append(audiences.module_coordinators(Module.MARRIAGE))
    for recipient in configured:
        if recipient.kind == RecipientKind.UNIT and recipient.unit is not None:
            targets.append(
                audiences.UnitRoles(recipient.unit, audiences.roles_with("marriage.manage_reports"))
            )
    return targets or [audiences.module_coordinators(Module.MARRIAGE)]


def _report(
    *, actor: User, booking: Booking, check: CounterCheck, party: BookingParty
) -> NonComplianceReport:
    targets = _recipients(booking.unit)
    report = NonComplianceReport(
        unit=booking.unit,
        booking=booking,
        counter_check=check,
        reasons=check.reasons,
        recipients=audiences.describe(targets),
    )
    report.save()
    name = party.name
    raised = alert_raise(
        source="marriage",
        kind=NON_COMPLIANCE_ALERT,
        title=f"{booking.unit.name}：婚姻登记当事人不符合防控要求",
        body=f"{name[:1]}某（{ROLE_LABELS[PartyRole(party.role)]}）{check.reasons}。已不予办理，请跟进处置。",
        unit=booking.unit,
        audience=targets,
        severity=Severity.URGENT,
        dedupe_key=f"marriage.report.{report.pk}",
        link=reverse("marriage:report_detail", kwargs={"marriage_report_id": report.pk}),
        target=report,
        actor=actor,
    )
    report.alert = raised.alert
    report.save(update_fields=["alert", "updated_at"])
    return report


@transaction.atomic
def report_close(*, actor: User, report: NonComplianceReport, outcome: str) -> NonComplianceReport:
    report = NonComplianceReport.objects.select_for_update().get(pk=report.pk)
    if report.status == ReportStatus.CLOSED:
        raise _refuse(_("该报告已办结"), code="already_closed", conflict=True)
    if not outcome.strip():
        raise _refuse(_("请填写处理结果"), code="invalid", field="outcome")
    report.status = ReportStatus.CLOSED
    report.closed_at = clock.now()
    report.closed_by = actor
    report.outcome = outcome.strip()[:300]
    _clean(report)
    with acting_as(actor):
        report.save(update_fields=["status", "closed_at", "closed_by", "outcome", "updated_at"])
    if report.alert is not None:
        alert_resolve(actor=actor, alert=report.alert, note=report.outcome)
    return report


@transaction.atomic
def booking_register_done(*, actor: User, booking: Booking) -> Booking:
    """Registration completed at the counter: both parties were screened eligible today."""
    booking = _lock(booking)
    if booking.status != BookingStatus.CHECKED_IN:
        raise _refuse(_("请先签到并完成查验"), code="not_checked_in", conflict=True)
    _refuse_other_day(booking)
    eligible = set(
        CounterCheck.objects.filter(
            booking=booking, is_eligible=True, checked_at__gte=clock.start_of(clock.today())
        ).values_list("party_id", flat=True)
    )
    if any(p.pk not in eligible for p in booking.parties.all()):
        raise _refuse(_("双方当事人均须查验合格后才能办理"), code="not_screened", conflict=True)
    _end(booking, BookingStatus.REGISTERED)
    booking_audit(
        actor=actor, booking=booking, changes={"status": [BookingStatus.CHECKED_IN, booking.status]}
    )
    return booking


# --- Hall log (M6) ---------------------------------------------------------------------------------


@transaction.atomic
def hall_log_record(
    *, actor: User, unit: OrgUnit, task: str, done_at: dt.datetime, note: str = ""
) -> HallLog:
    _registry(unit)
    if task not in HallTask.values:
        raise _refuse(_("请选择通风或消毒"), code="invalid", field="task")
    if done_at > clock.now():
        raise _refuse(_("时间不能晚于现在"), code="invalid", field="done_at")
    if done_at < clock.now() - HALL_LOG_LATE_ENTRY:
        raise _refuse(
            _("只能补记 %(days)s 天以内的通风消毒") % {"days": HALL_LOG_LATE_ENTRY.days},
            code="invalid",
            field="done_at",
        )
    log = HallLog(unit=unit, task=task, done_at=done_at, note=note.strip(), recorded_by=actor)
    _clean(log)
    with acting_as(actor):
        log.save()
    return log


def normalised_phone(raw: str) -> str:
    try:
        return normalise_phone(raw)
    except InvalidPhone:
        return ""
