"""Demo data: slot plans for the region's registries, the coming surge dates (the next 520, 521 and
七夕, and a drill surge date inside the booking window so the surge plan can be tried at once) and a
few bookings."""

import datetime as dt

from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.marriage import services
from shouhu.marriage.models import Booking, MarriagePolicy, Slot, SlotPlan, SlotTemplate, SurgeDate
from shouhu.marriage.selectors import public_registries
from shouhu.people.idcard import check_digit
from shouhu.people.models import IdType

# Morning and afternoon hours of a registry; on surge days the same hours in half-hour steps.
NORMAL_HOURS = [((9, 0), (10, 0)), ((10, 0), (11, 0)), ((13, 30), (14, 30)), ((14, 30), (15, 30))]
SURGE_HOURS = [((8, 30), (9, 0)), ((9, 0), (9, 30)), ((9, 30), (10, 0)), ((10, 0), (10, 30)),
               ((10, 30), (11, 0)), ((13, 30), (14, 0)), ((14, 0), (14, 30)), ((14, 30), (15, 0))]  # fmt: skip
ONE_DAY = dt.timedelta(1)  # not a policy threshold: the calendar's next day
DEMO_COUPLES = [("赵一", "钱二"), ("孙三", "李四"), ("周五", "吴六")]
DRILL_SURGE_AFTER = dt.timedelta(days=4)  # not a policy threshold: a demo surge date a few days ahead
DRILL_SURGE_QUOTA = 16  # demo only: two seats in each of the eight surge slots


def _demo_id(serial: int, *, female: bool) -> str:
    first17 = f"232701199{serial % 10}0{serial % 9 + 1}1{serial % 10}00{1 if not female else 2}"[:17]
    return first17 + check_digit(first17)


def _plan(unit_pk: int) -> None:
    unit = public_registries().get(pk=unit_pk)
    for plan, hours in ((SlotPlan.NORMAL, NORMAL_HOURS), (SlotPlan.SURGE, SURGE_HOURS)):
        for start, end in hours:
            services.slot_template_add(
                actor=None, unit=unit, starts_at=dt.time(*start), ends_at=dt.time(*end), share=1, plan=plan
            )


def _drill_surge(today: dt.date) -> None:
    """One surge date inside the booking window, open for booking now (520 may be months away)."""
    horizon = current_policy(MarriagePolicy, today).booking_horizon_days
    last = today + dt.timedelta(days=horizon)
    if SurgeDate.objects.filter(date__gte=today, date__lte=last).exists():
        return
    day = min(today + DRILL_SURGE_AFTER, last)
    try:
        services.surge_date_set(
            actor=None, date=day, name="演练高峰日", daily_quota=DRILL_SURGE_QUOTA, booking_opens_days=horizon
        )
    except DomainError:
        return  # the day already has bookings: no drill


def load_demo_marriage() -> dict[str, int]:
    """Idempotent: registries that already have a slot plan are left alone."""
    registries = list(public_registries())
    planned = 0
    for unit in registries:
        if not SlotTemplate.objects.filter(unit=unit).exists():
            _plan(unit.pk)
            planned += 1
    today = clock.today()
    services.surge_dates_sync_upcoming(actor=None)
    _drill_surge(today)
    bookings = 0
    if registries and not Booking.objects.exists():
        unit = registries[0]
        day = today + ONE_DAY
        for serial, (name_a, name_b) in enumerate(DEMO_COUPLES, start=1):
            slots: list[Slot] = []
            while not slots and day <= today + dt.timedelta(
                days=current_policy(MarriagePolicy).booking_horizon_days
            ):
                slots = [s for s in services.slots_make(unit=unit, day=day) if s.remaining]
                if not slots:
                    day += ONE_DAY
            if not slots:
                break
            try:
                services.booking_create(
                    unit=unit,
                    slot=slots[0],
                    party_a=services.PartyInput(
                        name_a, IdType.RESIDENT_ID, _demo_id(serial, female=False), f"1390000{serial:04d}"
                    ),
                    party_b=services.PartyInput(
                        name_b, IdType.RESIDENT_ID, _demo_id(serial, female=True), f"1380000{serial:04d}"
                    ),
                    disclose=services.disclose_everything,
                )
            except DomainError:
                continue
            bookings += 1
    return {"registries": planned, "bookings": bookings}
