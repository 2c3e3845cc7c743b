"""The public's bookings, made only once both parties have proved their phones (X2, M1–M3).

Typing someone's ID number on the public page must tell nothing about them, and must not book a
seat or add anyone to the register. So the public page first takes what the couple typed and
checks only what the typing itself shows (formats, legal age from the ID number, the day and the
slot), then sends each party a one-time code: to the phone the register keeps for their document
when it keeps one, otherwise to the phone typed. Only when both codes come back is the booking
made, through the same `booking_create` as every other booking. A refusal then says why only for
a party whose code went to the register's phone (`disclose_to_phone_holders`); for any other it
says only that the party must come in person.

Floods meet limits (the policy's): codes per phone and per client address
(`notifications.codes`), requests per document, wrong codes per code, and active bookings per
proven phone, so made-up couples cannot fill a day's seats or the register.
"""

import datetime as dt
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _

from shouhu.campaigns.policy import current_policies, current_policy
from shouhu.common import attempts, clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.marriage import services
from shouhu.marriage.models import Booking, BookingParty, BookingRequest, MarriagePolicy, PartyRole, Slot
from shouhu.notifications.codes import TooManyAttempts, phone_code_send, phone_code_usable, phone_code_verify
from shouhu.notifications.models import PhoneCode, PhoneCodePolicy
from shouhu.orgs.models import OrgUnit
from shouhu.people.idcard import InvalidIdNumber, is_mobile, parse_resident_id
from shouhu.people.models import IdType, Person

PURPOSE = "marriage.booking_code"
DAY_SECONDS = 86_400  # not a policy threshold: the window the per-document limit counts in
PARTY_FIELDS = ("name", "id_type", "id_number", "phone")


def _requests_per_document(policy: MarriagePolicy) -> attempts.Limit:
    return attempts.Limit(
        "marriage-request-document", policy.public_requests_per_document_per_day, DAY_SECONDS
    )


def _too_many() -> TooManyAttempts:
    # One message for every limit: which one was met would tell about the document or phone.
    return TooManyAttempts(_("申请过于频繁，请稍后再试，或到婚姻登记机关现场办理"), code="too_many_requests")


def _code_text(role: str, unit: OrgUnit, day: dt.date) -> Callable[[str, int], str]:
    label = services.ROLE_LABELS[PartyRole(role)]

    def text(code: str, minutes: int) -> str:
        # Stored and sent in Chinese, like every text of the outbox.
        return (
            f"【婚姻登记预约】{label}验证码 {code}，{minutes} 分钟内有效。"
            f"有人正在预约{unit.name} {day:%m月%d日}的婚姻登记，如非本人操作，请勿将验证码告诉他人。"
        )

    return text


def _destination(party: services.CleanParty, registered: dict[str, Person]) -> str:
    """Where the party's code goes: the register's phone for the document, or the typed one."""
    person = registered.get(party.role)
    if person is not None and person.phone and is_mobile(person.phone):
        return person.phone
    return party.phone


def _send(
    *, unit: OrgUnit, phone: str, role: str, day: dt.date, client_address: str, policy: PhoneCodePolicy
) -> PhoneCode:
    try:
        return phone_code_send(
            purpose=PURPOSE,
            unit=unit,
            phone=phone,
            text=_code_text(role, unit, day),
            client_address=client_address,
            policy=policy,
        )
    except TooManyAttempts:
        raise _too_many() from None


def booking_request_check(
    *,
    unit: OrgUnit | None,
    day: dt.date | None,
    slot: Slot | None,
    party_a: services.PartyInput,
    party_b: services.PartyInput,
    policy: MarriagePolicy,
) -> list[services.CleanParty] | None:
    """Every check of what the couple typed, all at once, so that the page shows every problem
    together: both parties' formats, the same person twice, each party's legal age on the day, and
    the registry, day and slot. Raises one error naming every problem (`field_errors`: beside each
    field; the message: all of them); a 409 when all are about the state of the day, not the typing.

    A piece the form already refused is None (`unit`, `day`, `slot`) or blank (a party's field):
    it is not checked again, and checks that need it wait. Returns the clean parties, or None when
    they could not all be checked. Reads nothing about the parties (the register is not asked)."""
    problems: list[DomainError] = []
    parties: list[services.CleanParty] | None = None
    try:
        # The registry is only the home unit of the parties' register entries, made at the booking
        # (with the registry then chosen): the typing is checked without one.
        parties = services.clean_parties(unit or OrgUnit(), {PartyRole.A: party_a, PartyRole.B: party_b})
    except DomainError as error:
        problems.append(error)
    on = slot.date if slot is not None else day
    if on is not None:
        # Each party on their own, whatever is wrong with the other: each one under age is named.
        for role, typed in ((PartyRole.A, party_a), (PartyRole.B, party_b)):
            birth = _birth_and_sex(typed)
            if birth is None:
                continue
            try:
                services.check_legal_age([(role, *birth)], on)
            except DomainError as error:
                problems.append(error)
    if unit is not None and slot is not None:
        try:
            if day is not None and slot.date != day:
                raise DomainError(
                    _("请重新选择时段"), code="invalid", field_errors={"slot": [_("请重新选择时段")]}
                )
            services.check_slot(unit=unit, slot=slot, policy=policy)
        except DomainError as error:
            problems.append(error)
    if not problems:
        return parties
    if len(problems) == 1:
        raise problems[0]
    field_errors: dict[str, list[str]] = {}
    for problem in problems:
        for name, messages in (problem.field_errors or {NON_FIELD_ERRORS: [problem.message]}).items():
            shown = field_errors.setdefault(name, [])
            shown += [message for message in messages if message not in shown]
    summary = "；".join(problem.message for problem in problems)
    error_type = ConflictError if all(isinstance(p, ConflictError) for p in problems) else DomainError
    raise error_type(summary, code="invalid_booking", field_errors=field_errors)


def _birth_and_sex(party: services.PartyInput) -> tuple[dt.date, str] | None:
    """What a resident ID number tells of its holder (as `clean_person` reads it); None for other
    documents (checked at the counter) and for a number the format check refuses."""
    if party.id_type != IdType.RESIDENT_ID or not party.id_number.strip():
        return None
    try:
        resident = parse_resident_id(party.id_number, today=clock.today())
    except InvalidIdNumber:
        return None
    return resident.birth_date, resident.gender


@transaction.atomic
def booking_request_start(
    *,
    unit: OrgUnit,
    slot: Slot,
    party_a: services.PartyInput,
    party_b: services.PartyInput,
    join_waitlist: bool,
    client_address: str,
    day: dt.date | None = None,
) -> BookingRequest:
    """Check what the couple typed and send each party a code; nothing is booked yet. `day`: the
    date the form names, which must be the slot's (a slot picked before the day was changed).

    One transaction: if the second code cannot be sent (a limit), the first is not sent either."""
    policy, code_policy = current_policies(MarriagePolicy, PhoneCodePolicy, day=slot.date)
    parties = booking_request_check(
        unit=unit, day=day or slot.date, slot=slot, party_a=party_a, party_b=party_b, policy=policy
    )
    assert parties is not None  # every piece was given: a problem would have been raised
    per_document = _requests_per_document(policy)
    # By the number alone, as the register matches it, whatever document type was chosen.
    if not attempts.attempt_take([(per_document, p.document_index) for p in parties]):
        raise _too_many()
    registered = services.registered_parties(parties)
    codes: dict[str, PhoneCode] = {}
    for party in parties:
        codes[party.role] = _send(
            unit=unit,
            phone=_destination(party, registered),
            role=party.role,
            day=slot.date,
            client_address=client_address,
            policy=code_policy,
        )
    typed = {
        p.role: {
            "name": p.values["name"],
            "id_type": p.data.id_type,
            "id_number": p.values["id_number"],
            "phone": p.phone,
        }
        for p in parties
    }
    return BookingRequest.objects.create(
        token=secrets.token_urlsafe(32),
        unit=unit,
        slot=slot,
        details=json.dumps({"parties": typed, "join_waitlist": join_waitlist}, ensure_ascii=False),
        code_a=codes[PartyRole.A],
        code_b=codes[PartyRole.B],
        expires_at=clock.now() + dt.timedelta(minutes=code_policy.code_valid_minutes),
    )


@dataclass(frozen=True)
class RequestDetails:
    """What the couple typed, for the page that asks for the codes and for typing it again."""

    parties: dict[str, dict[str, str]]
    join_waitlist: bool

    def initial(self) -> dict[str, str | bool]:
        values: dict[str, str | bool] = {"join_waitlist": self.join_waitlist}
        for role, party in self.parties.items():
            values.update({f"{role}_{name}": party[name] for name in PARTY_FIELDS})
        return values


def booking_request_details(request: BookingRequest) -> RequestDetails:
    stored = json.loads(request.details)
    return RequestDetails(parties=stored["parties"], join_waitlist=bool(stored["join_waitlist"]))


def booking_request_open(token: object) -> BookingRequest | None:
    """The request a session holds, while it can still be confirmed."""
    if not isinstance(token, str) or not token:
        return None
    request = (
        BookingRequest.objects.select_related("unit", "slot", "code_a", "code_b", "booking")
        .filter(token=token)
        .first()
    )
    if request is None or (request.booking_id is None and request.expires_at <= clock.now()):
        return None
    return request


def booking_request_resend(*, request: BookingRequest, client_address: str) -> BookingRequest:
    """New codes for a request whose codes were lost, expired or mistyped too often (limited)."""
    policy = current_policy(PhoneCodePolicy, request.slot.date)
    with transaction.atomic():
        request = BookingRequest.objects.select_for_update().select_related("unit", "slot").get(pk=request.pk)
        if request.booking_id is not None:
            raise ConflictError(_("该预约已提交"), code="already_confirmed")
        for role in (PartyRole.A, PartyRole.B):
            old: PhoneCode = getattr(request, f"code_{role}")
            if old.verified_at is not None:
                continue
            new = _send(
                unit=request.unit,
                phone=old.phone,
                role=role,
                day=request.slot.date,
                client_address=client_address,
                policy=policy,
            )
            setattr(request, f"code_{role}", new)
        request.expires_at = clock.now() + dt.timedelta(minutes=policy.code_valid_minutes)
        request.save(update_fields=["code_a", "code_b", "expires_at", "updated_at"])
    return request


def _verify_codes(request: BookingRequest, typed: dict[str, str], policy: PhoneCodePolicy) -> None:
    """Each code in its own committed transaction, so a wrong code counts even though we refuse."""
    errors: dict[str, list[str]] = {}
    for role in (PartyRole.A, PartyRole.B):
        sent: PhoneCode = getattr(request, f"code_{role}")
        label = services.ROLE_LABELS[PartyRole(role)]
        if phone_code_verify(sent=sent, code=typed.get(role, ""), policy=policy):
            continue
        if not phone_code_usable(sent, policy):
            errors[f"code_{role}"] = [_("%(party)s的验证码已失效，请重新获取") % {"party": label}]
        else:
            errors[f"code_{role}"] = [_("%(party)s的验证码不正确") % {"party": label}]
    if errors:
        raise DomainError(
            "；".join(m for ms in errors.values() for m in ms), code="wrong_code", field_errors=errors
        )


def _check_phones_free(phone_indexes: set[str], policy: MarriagePolicy) -> None:
    held = BookingParty.objects.filter(phone_index__in=phone_indexes, is_active=True)
    if held.values("booking").distinct().count() >= policy.active_bookings_per_phone:
        # Told only to whoever just proved to hold the phone.
        raise ConflictError(
            _("该手机号已有有效的婚姻登记预约（含候补），请先取消原预约"), code="phone_has_booking"
        )


def booking_request_confirm(
    *, request: BookingRequest, code_a: str, code_b: str, join_waitlist: bool | None = None
) -> Booking:
    """Book, once both parties' codes are right. `join_waitlist` answers the offer made when the
    slot was full (the codes stay proven until the request expires)."""
    policy, code_policy = current_policies(MarriagePolicy, PhoneCodePolicy, day=request.slot.date)
    if request.booking_id is None and request.expires_at <= clock.now():
        raise ConflictError(_("验证已超时，请重新填写预约"), code="request_expired")
    _verify_codes(request, {PartyRole.A: code_a, PartyRole.B: code_b}, code_policy)
    details = booking_request_details(request)
    with transaction.atomic():
        # One confirmation per request, however many times the button is pressed.
        locked = BookingRequest.objects.select_for_update().get(pk=request.pk)
        if locked.booking_id is not None:
            return Booking.objects.select_related("unit", "slot").get(pk=locked.booking_id)
        proven = {PartyRole.A: request.code_a, PartyRole.B: request.code_b}
        phones = {code.phone_index for code in proven.values()}
        # Held until commit, so two requests proving the same phone book one after the other.
        attempts.lock_keys("marriage-proven-phone", phones)
        _check_phones_free(phones, policy)
        booking = services.booking_create(
            unit=request.unit,
            slot=request.slot,
            party_a=_party_input(details, PartyRole.A, proven[PartyRole.A]),
            party_b=_party_input(details, PartyRole.B, proven[PartyRole.B]),
            join_waitlist=details.join_waitlist if join_waitlist is None else join_waitlist,
            disclose=services.disclose_to_phone_holders(
                {role: code.phone_index for role, code in proven.items()}
            ),
            register_phones=False,
        )
        locked.booking = booking
        locked.save(update_fields=["booking", "updated_at"])
    request.booking = booking
    return booking


def _party_input(details: RequestDetails, role: str, proven: PhoneCode) -> services.PartyInput:
    typed = details.parties[role]
    # The booking's texts go to the phone the party proved, which is not always the one typed.
    return services.PartyInput(typed["name"], typed["id_type"], typed["id_number"], proven.phone)


def booking_requests_purge() -> int:
    """Delete requests no longer usable (periodic cleanup): what was typed is not kept longer."""
    deleted, _rows = BookingRequest.objects.filter(expires_at__lt=clock.now()).delete()
    return deleted


def reschedule_allowed(booking: Booking) -> None:
    """Count one public reschedule of `booking`; refused past the policy's requests per day.

    Each try is an online request like a new booking: without a limit, trying one date after
    another would map when a party cannot book (an isolation's end) however little it says."""
    policy = current_policy(MarriagePolicy)
    limit = attempts.Limit("marriage-reschedule", policy.public_requests_per_document_per_day, DAY_SECONDS)
    if not attempts.attempt_take([(limit, str(booking.pk))]):
        raise _too_many()
