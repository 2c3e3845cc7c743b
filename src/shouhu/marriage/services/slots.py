"""Slot rows and their seats (M1, M7).

A slot row is made by a write that means to make it, never by a page that shows the day: when a
registry's rules are saved (`registry`, for every day of the booking window) and by
`marriage_tick` for a day that has just entered the window or whose rules changed elsewhere (a
holiday, the policy). A page shows the rows there are.

The seat count of a slot changes only through `take_seat` and `release_seat`: one UPDATE guarded
by `booked < capacity` (and the CHECK constraint behind it). The UPDATE takes the row lock itself,
and a concurrent one waits for it and re-checks the guard on the row it then sees, so two couples
can never both get the last seat, whatever the interleaving (M7).
"""

import datetime as dt

from django.db import transaction
from django.db.models import F

from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.marriage.calendar import DayPlan, day_plan, slot_templates
from shouhu.marriage.models import MarriagePolicy, Slot
from shouhu.marriage.selectors import public_registries, slot_list
from shouhu.orgs.models import OrgUnit


def take_seat(slot: Slot) -> bool:
    """One seat of the slot, or False when it is full. The row stays locked until the caller's
    transaction ends: PostgreSQL re-evaluates the guard of a waiting UPDATE on the committed row,
    and SQLite has one writer at a time."""
    return Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1) == 1


def take_seat_after_locking(slot: Slot) -> bool:
    """The second try of a full slot, holding its row: an UPDATE whose guard fails locks nothing,
    so a cancellation committing meanwhile could free a seat without seeing the couple about to
    wait for it. With the row held, it either committed before this try (the seat is taken here)
    or its offer runs after this transaction commits (and finds the couple waiting)."""
    Slot.objects.select_for_update().filter(pk=slot.pk).values_list("pk", flat=True).get()
    return take_seat(slot)


def release_seat(slot: Slot) -> None:
    Slot.objects.filter(pk=slot.pk, booked__gt=0).update(booked=F("booked") - 1)


def is_bookable_day(day: dt.date, policy: MarriagePolicy) -> bool:
    """Only days that can be booked get rows: not past days, nor days years ahead."""
    today = clock.today()
    return today <= day <= today + dt.timedelta(days=policy.booking_horizon_days)


def booking_window() -> list[dt.date]:
    today = clock.today()
    horizon = current_policy(MarriagePolicy, today).booking_horizon_days
    return [today + dt.timedelta(days=offset) for offset in range(horizon + 1)]


def missing_rows(plan: DayPlan, existing: list[Slot]) -> list[Slot]:
    """The rows of the day's plan that the day has not got yet (one row per start time)."""
    if not plan.is_open:
        return []
    held = {slot.starts_at for slot in existing}
    return [
        Slot(unit=plan.unit, date=plan.day, starts_at=p.starts_at, ends_at=p.ends_at, capacity=p.capacity)
        for p in plan.slots
        if p.starts_at not in held
    ]


def create_rows(rows: list[Slot]) -> None:
    # Another request making the same day's rows at the same moment made the same rows.
    Slot.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def slots_make(*, unit: OrgUnit, day: dt.date, policy: MarriagePolicy | None = None) -> list[Slot]:
    """Make the rows `day`'s plan has and the day has not got yet, when it can be booked, and
    return the day's rows. The plan is the registry's own rules: a C4 suspension closes the day
    for bookings (`selectors.day_refusal`) without reshaping it."""
    policy = policy or current_policy(MarriagePolicy, day)
    if not is_bookable_day(day, policy):
        return slot_list(unit=unit, day=day)
    existing = slot_list(unit=unit, day=day)
    missing = missing_rows(day_plan(unit, day, policy=policy, with_suspensions=False), existing)
    if not missing:
        return existing
    create_rows(missing)
    return slot_list(unit=unit, day=day)


@transaction.atomic
def slots_make_upcoming() -> int:
    """For `marriage_tick`: the rows of every day of the booking window that has none yet, at
    every open registry (the day that entered the window at midnight, a day a new holiday rule or
    policy opened). Returns the number of rows made."""
    window = booking_window()
    registries = list(public_registries())
    with_rows = set(
        Slot.objects.filter(unit__in=registries, date__in=window).values_list("unit_id", "date").distinct()
    )
    made: list[Slot] = []
    for unit in registries:
        days = [day for day in window if (unit.pk, day) not in with_rows]
        if not days:
            continue
        templates = slot_templates(unit)
        for day in days:
            plan = day_plan(
                unit,
                day,
                policy=current_policy(MarriagePolicy, day),
                with_suspensions=False,
                templates=templates,
            )
            made += missing_rows(plan, [])
    create_rows(made)
    return len(made)
