"""The waiting list (M5): a freed seat goes to the first waiting couple, who must confirm it in
time; lapsed offers, waiting places and bookings of past days expire (`marriage_tick`)."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from shouhu.campaigns.models import ServiceType
from shouhu.campaigns.policy import current_policy
from shouhu.campaigns.selectors import service_availability
from shouhu.common import clock
from shouhu.common.validation import refuse
from shouhu.marriage import notices
from shouhu.marriage.models import Booking, BookingParty, BookingStatus, MarriagePolicy, Slot
from shouhu.marriage.selectors import displaced_by_suspension
from shouhu.marriage.services.slots import release_seat, take_seat
from shouhu.notifications.services import message_enqueue

# Stored notes: Chinese, like every status note.
STALE_NOTES = {BookingStatus.BOOKED: "预约日未到场办理", BookingStatus.CHECKED_IN: "已签到，当日未办理"}
SUSPENDED_DAY_NOTE = "预约日暂停办理，预约已失效，可重新预约"


def notify(booking: Booking, body: str, *, kind: str = "marriage.booking") -> None:
    phones = {p.phone for p in booking.parties.all()}
    for phone in sorted(phones):
        message_enqueue(unit=booking.unit, phone=phone, body=body, kind=kind)


def lock(booking: Booking) -> Booking:
    # of=self: FOR UPDATE on the joined slot and unit rows too would deadlock with a booking of
    # the same slot, which holds the slot row (seat) and checks its foreign keys at commit.
    return Booking.objects.select_for_update(of=("self",)).select_related("slot", "unit").get(pk=booking.pk)


def end(booking: Booking, status: str, note: str = "") -> None:
    # A past day's numbers are history: its seats are neither released nor offered again.
    held_seat = booking.holds_seat and booking.date >= clock.today()
    booking.status = status
    booking.status_note = note[:200]
    booking.offer_expires_at = None if status != BookingStatus.OFFERED else booking.offer_expires_at
    booking.save(update_fields=["status", "status_note", "offer_expires_at", "updated_at"])
    BookingParty.objects.filter(booking=booking).update(is_active=False)
    if held_seat and status in (BookingStatus.CANCELLED, BookingStatus.EXPIRED):
        release_seat(booking.slot)
        offer_next(booking.slot)


def offer_next(slot: Slot) -> list[Booking]:
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
        if waiting is None or not take_seat(slot):
            return offered
        waiting.status = BookingStatus.OFFERED
        waiting.offer_expires_at = clock.now() + dt.timedelta(hours=policy.waitlist_confirm_hours)
        waiting.save(update_fields=["status", "offer_expires_at", "updated_at"])
        notify(waiting, notices.offered_text(waiting), kind="marriage.offer")
        offered.append(waiting)


@transaction.atomic
def booking_confirm_offer(*, booking: Booking) -> Booking:
    """The waiting couple takes the seat offered to them."""
    booking = lock(booking)
    if booking.status != BookingStatus.OFFERED:
        raise refuse(_("该预约没有待确认的递补名额"), code="no_offer", conflict=True)
    if booking.offer_expires_at is not None and booking.offer_expires_at < clock.now():
        raise refuse(_("递补确认已超时，名额已顺延"), code="offer_expired", conflict=True)
    booking.status = BookingStatus.BOOKED
    booking.offer_expires_at = None
    booking.save(update_fields=["status", "offer_expires_at", "updated_at"])
    notify(booking, notices.booked_text(booking, current_policy(MarriagePolicy, booking.date)))
    return booking


@transaction.atomic
def offers_expire() -> int:
    """Lapsed offers pass on to the next couple; waiting places of past days lapse (cron)."""
    now = clock.now()
    count = 0
    for booking in Booking.objects.select_for_update().filter(
        status=BookingStatus.OFFERED, offer_expires_at__lt=now
    ):
        end(booking, BookingStatus.EXPIRED, "递补未在时限内确认")
        notify(booking, notices.offer_expired_text(booking), kind="marriage.offer")
        count += 1
    for booking in Booking.objects.select_for_update().filter(
        status=BookingStatus.WAITING, date__lt=clock.today()
    ):
        end(booking, BookingStatus.EXPIRED, "候补未递补")
        count += 1
    return count + _stale_bookings_expire()


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
