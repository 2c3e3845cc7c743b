"""At the counter (M3, M4, M6): check-in, screening of each party, registration, the hall log."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.campaigns.models import ServiceType
from shouhu.campaigns.policy import current_policies
from shouhu.campaigns.selectors import service_availability
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.validation import clean, refuse, require_temperature
from shouhu.marriage import selectors
from shouhu.marriage.models import (
    Booking,
    BookingParty,
    BookingStatus,
    CounterCheck,
    HallLog,
    HallTask,
    MarriagePolicy,
    PartyRole,
)
from shouhu.marriage.services.bookings import ROLE_LABELS, booking_audit
from shouhu.marriage.services.registry import require_registry
from shouhu.marriage.services.reports import report_raise
from shouhu.marriage.services.waiting import end, lock
from shouhu.orgs.models import OrgUnit
from shouhu.screening.models import ScreeningPolicy
from shouhu.screening.selectors import person_in_isolation_on

# The hall log records what was done, entered the same day or soon after.
HALL_LOG_LATE_ENTRY = dt.timedelta(days=7)  # not a policy threshold: a bound on late entries


def _refuse_other_day(booking: Booking) -> None:
    """The counter works on the booking's own day: registration follows that day's screening."""
    if booking.date != clock.today():
        raise refuse(
            _("该预约为 %(date)s，不是今天") % {"date": booking.date}, code="wrong_day", conflict=True
        )


@transaction.atomic
def counter_check_in(*, actor: User, booking: Booking) -> Booking:
    booking = lock(booking)
    if booking.status != BookingStatus.BOOKED:
        raise refuse(
            _("该预约%(status)s，不能签到") % {"status": booking.get_status_display()},
            code="not_booked",
            conflict=True,
        )
    _refuse_other_day(booking)
    availability = service_availability(
        service=ServiceType.MARRIAGE_REGISTRATION, unit=booking.unit, on=booking.date
    )
    if not availability.is_open:
        raise refuse(availability.reason, code="service_suspended", conflict=True)
    booking.status = BookingStatus.CHECKED_IN
    booking.save(update_fields=["status", "updated_at"])
    booking_audit(actor=actor, booking=booking, changes={"status": [BookingStatus.BOOKED, booking.status]})
    return booking


@transaction.atomic
def counter_screen(
    *, actor: User, booking: Booking, party: BookingParty, temperature: object, answers: dict[str, bool]
) -> CounterCheck:
    """Screen one party; an ineligible one ends the registration and is reported at once (M3, M4)."""
    booking = lock(booking)
    if party.booking_id != booking.pk:
        raise refuse(_("当事人不属于该预约"), code="invalid", field="party")
    if booking.status != BookingStatus.CHECKED_IN:
        raise refuse(_("请先签到再查验"), code="not_checked_in", conflict=True)
    _refuse_other_day(booking)
    policy, screening = current_policies(MarriagePolicy, ScreeningPolicy)
    value = require_temperature(temperature)
    questions = selectors.questions_for(party, policy, screening)
    missing = [q.label for q in questions if q.key not in answers]
    if missing:
        raise refuse(_("请回答全部问询：") + "；".join(missing), code="invalid", field="answers")
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
            end(booking, BookingStatus.REFUSED, f"{ROLE_LABELS[PartyRole(party.role)]}不符合防控要求")
            report_raise(actor=actor, booking=booking, check=check, party=party)
    if reasons:
        booking_audit(
            actor=actor, booking=booking, changes={"status": [BookingStatus.CHECKED_IN, booking.status]}
        )
    return check


@transaction.atomic
def booking_register_done(*, actor: User, booking: Booking) -> Booking:
    """Registration completed at the counter: both parties were screened eligible today."""
    booking = lock(booking)
    if booking.status != BookingStatus.CHECKED_IN:
        raise refuse(_("请先签到并完成查验"), code="not_checked_in", conflict=True)
    _refuse_other_day(booking)
    eligible = selectors.parties_screened_eligible(booking=booking, since=clock.start_of(clock.today()))
    if any(p.pk not in eligible for p in booking.parties.all()):
        raise refuse(_("双方当事人均须查验合格后才能办理"), code="not_screened", conflict=True)
    end(booking, BookingStatus.REGISTERED)
    booking_audit(
        actor=actor, booking=booking, changes={"status": [BookingStatus.CHECKED_IN, booking.status]}
    )
    return booking


@transaction.atomic
def hall_log_record(
    *, actor: User, unit: OrgUnit, task: str, done_at: dt.datetime, note: str = ""
) -> HallLog:
    require_registry(unit)
    if task not in HallTask.values:
        raise refuse(_("请选择通风或消毒"), code="invalid", field="task")
    if done_at > clock.now():
        raise refuse(_("时间不能晚于现在"), code="invalid", field="done_at")
    if done_at < clock.now() - HALL_LOG_LATE_ENTRY:
        raise refuse(
            _("只能补记 %(days)s 天以内的通风消毒") % {"days": HALL_LOG_LATE_ENTRY.days},
            code="invalid",
            field="done_at",
        )
    log = HallLog(unit=unit, task=task, done_at=done_at, note=note.strip(), recorded_by=actor)
    clean(log)
    with acting_as(actor):
        log.save()
    return log
