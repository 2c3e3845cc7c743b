"""Bookings (M1–M3, M5, C4): book a slot for a couple, cancel, reschedule, end on a death, and
tell the holders of bookings inside a suspension."""

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.accounts.scope import unit_in_scope
from shouhu.campaigns.models import ServiceSuspension, ServiceType, SuspensionMode
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.audit import acting_as, audit_batch, audit_bulk, audit_record
from shouhu.common.errors import DomainError
from shouhu.common.validation import refuse
from shouhu.marriage import notices, selectors
from shouhu.marriage.calendar import is_registry
from shouhu.marriage.models import (
    ACTIVE_STATUSES,
    PUBLIC_CANCELLABLE,
    STAFF_CANCELLABLE,
    Booking,
    BookingParty,
    BookingStatus,
    MarriagePolicy,
    PartyRole,
    Slot,
    SuspensionNotice,
)
from shouhu.marriage.services.slots import release_seat, take_seat, take_seat_after_locking
from shouhu.marriage.services.waiting import end, lock, notify, offer_next
from shouhu.notifications.services import message_enqueue, messages_enqueue
from shouhu.orgs.models import OrgUnit
from shouhu.people.idcard import is_mobile
from shouhu.people.models import Gender, IdType, Person
from shouhu.people.services import PersonInput, clean_person
from shouhu.screening.selectors import person_in_isolation_on

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
CODE_LENGTH = 8
HMT_ID_TYPES = (IdType.HK_MACAO_PERMIT, IdType.TAIWAN_PERMIT)
# The law's, not the campaign's: 民法典第一千零四十七条 (结婚年龄，男不得早于二十二周岁，女不得早于二十周岁).
LEGAL_MARRIAGE_AGE = {Gender.MALE.value: 22, Gender.FEMALE.value: 20}
ROLE_LABELS = {PartyRole.A: "当事人甲", PartyRole.B: "当事人乙"}  # stored notes and alerts: Chinese


def new_booking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


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


def role_label(role: str) -> str:
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
        return refuse(message, code=code, conflict=True)
    # One answer for every reason, so that the refusal tells nothing about the person.
    return refuse(
        _(
            "%(party)s的信息须由婚姻登记机关现场核实，暂不能预约。"
            "请携带证件到婚姻登记机关办理，或致电登记机关咨询"
        )
        % {"party": role_label(role)},
        code="verify_in_person",
        conflict=True,
    )


def clean_parties(unit: OrgUnit, parties: dict[str, PartyInput]) -> list[CleanParty]:
    errors: dict[str, list[str]] = {}
    cleaned = []
    for role, party in parties.items():
        label = role_label(role)
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
        raise refuse(_("双方当事人不能是同一人，请核对证件号码"), code="same_person", field="b_id_number")
    return cleaned


def registered_parties(parties: list[CleanParty]) -> dict[str, Person]:
    """The parties already in the person register, by role: both looked up with one query.

    By the number alone, whatever type was chosen: the same number under another type is the
    same person to every check (isolation, death, an active booking), not a new one."""
    by_document = selectors.people_by_document([p.document_index for p in parties])
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
        made = Person.objects.bulk_create(
            [
                Person(**(p.values if with_phones else {**p.values, "phone": "", "phone_index": ""}))
                for p in parties
            ]
        )
    except IntegrityError as error:
        raise _RegisteredMeanwhile from error
    audit_bulk(actor=actor, created=made)
    return made


def check_slot(*, unit: OrgUnit, slot: Slot, policy: MarriagePolicy, priority: bool = False) -> None:
    if not is_registry(unit):
        raise refuse(_("请选择婚姻登记机关"), code="not_registry", field="unit")
    if slot.unit_id != unit.pk:
        raise refuse(_("所选时段不属于该登记机关，请重新选择"), code="wrong_registry", field="slot")
    refusal = selectors.day_refusal(unit=unit, day=slot.date, policy=policy, priority=priority)
    if refusal:
        raise refuse(refusal, code="day_closed", field="date", conflict=True)
    starts = dt.datetime.combine(slot.date, slot.starts_at, tzinfo=clock.local_zone())
    if starts <= clock.now():
        raise refuse(_("该时段已开始，请选择其他时段"), code="slot_past", field="slot", conflict=True)


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
            raise refuse(
                _("%(party)s在 %(day)s 未达法定婚龄（男年满 22 周岁、女年满 20 周岁），不能预约结婚登记")
                % {"party": role_label(role), "day": day},
                code="under_age",
                field=f"{role}_id_number",
            )


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
                    "party": role_label(role),
                    "day": day,
                    "kind": record.get_kind_display(),
                    "ends_on": record.ends_on,
                },
                code="in_isolation",
            )


def _check_no_active_booking(people: list[tuple[str, Person]], disclose: Disclosure) -> None:
    if not people:
        return
    holders = selectors.active_booking_holders([person.pk for _role, person in people])
    for role, person in people:
        if person.pk in holders:
            raise _refuse_party(
                role,
                person,
                disclose,
                _("%(party)s已有一个有效的婚姻登记预约（含候补），请先取消原预约")
                % {"party": role_label(role)},
                code="already_booked",
            )


def _check_alive(people: list[tuple[str, Person]], disclose: Disclosure) -> None:
    for role, person in people:
        if person.deceased_on is not None:
            raise _refuse_party(
                role,
                person,
                disclose,
                _("%(party)s的证件在人员登记中已登记死亡，不能预约；如有错误请到登记机关核实")
                % {"party": role_label(role)},
                code="party_deceased",
            )


def _check_people(people: list[tuple[str, Person]], day: dt.date, disclose: Disclosure) -> None:
    _check_alive(people, disclose)
    _check_isolation(people, day, disclose)
    _check_no_active_booking(people, disclose)


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
            if selectors.slot_exists(slot.pk):
                raise
            # At commit: the slot went while we booked it (its registry's rules changed meanwhile).
            raise refuse(
                _("所选时段刚刚调整，请重新选择时段"), code="slot_gone", field="slot", conflict=True
            ) from error
        except _RegisteredMeanwhile as error:
            if attempt == 2:
                raise refuse(
                    _("当事人的证件正在同时登记，请稍后再试"), code="registering", conflict=True
                ) from error
    raise AssertionError("unreachable")  # the loop returns or raises


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
    booking = Booking(
        code=new_booking_code(), unit=unit, slot=slot, date=slot.date, status=BookingStatus.BOOKED
    )
    try:
        # No savepoint: a refusal here rolls the whole booking transaction back.
        with transaction.atomic(savepoint=False):
            booking.save(force_insert=True)
            BookingParty.objects.bulk_create(
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
    if not take_seat(slot) and not take_seat_after_locking(slot):
        if not join_waitlist:
            raise refuse(
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
    return booking


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
    booking = lock(booking)
    if booking.status not in (STAFF_CANCELLABLE if actor is not None else PUBLIC_CANCELLABLE):
        raise refuse(
            _("该预约%(status)s，不能取消") % {"status": booking.get_status_display()},
            code="not_cancellable",
            conflict=True,
        )
    before = booking.status
    with acting_as(actor):
        end(booking, BookingStatus.CANCELLED, reason)
    booking_audit(
        actor=actor,
        booking=booking,
        changes={"status": [before, booking.status], "status_note": ["", booking.status_note]},
    )
    notify(booking, notices.cancelled_text(booking), kind="marriage.cancel")
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
            end(booking, BookingStatus.CANCELLED, "当事人已故")
        for phone in sorted(living_phones):
            message_enqueue(
                unit=booking.unit, phone=phone, body=notices.cancelled_text(booking), kind="marriage.cancel"
            )
    return len(bookings)


@transaction.atomic
def booking_reschedule(*, booking: Booking, slot: Slot, disclose: Disclosure) -> Booking:
    """Move a confirmed booking to another slot (any registry of the region): seat first, then release."""
    booking = lock(booking)
    if booking.status != BookingStatus.BOOKED:
        raise refuse(
            _("该预约%(status)s，不能改约") % {"status": booking.get_status_display()},
            code="not_reschedulable",
            conflict=True,
        )
    if slot.pk == booking.slot_id:
        raise refuse(_("新时段与原时段相同"), code="same_slot", field="slot")
    unit = slot.unit
    moved_by_suspension = selectors.displaced_by_suspension(booking)
    policy = current_policy(MarriagePolicy, slot.date)
    check_slot(unit=unit, slot=slot, policy=policy, priority=moved_by_suspension)
    people = [(p.role, p.person) for p in booking.parties.select_related("person")]
    check_legal_age([(role, person.birth_date, person.gender) for role, person in people], slot.date)
    _check_isolation(people, slot.date, disclose)
    old_slot = booking.slot
    if not take_seat(slot):
        raise refuse(_("新时段已约满，请选择其他时段"), code="slot_full", conflict=True)
    booking.slot, booking.unit, booking.date = slot, unit, slot.date
    booking.save(update_fields=["slot", "unit", "date", "updated_at"])
    release_seat(old_slot)
    offer_next(old_slot)
    notify(booking, notices.booked_text(booking, policy))
    return booking


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
    done = selectors.notified_bookings(suspension)
    for booking in selectors.affected_bookings(suspension):
        if booking.pk in done:
            continue
        SuspensionNotice.objects.create(booking=booking, suspension=suspension, notified_at=clock.now())
        notify(booking, notices.suspended_text(booking, suspension), kind="marriage.suspension")
        told += 1
    return told
