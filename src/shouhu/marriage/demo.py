"""Demo data: slot plans for the region's registries, this year's surge dates and a few bookings."""

import datetime as dt

from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.marriage import services
from shouhu.marriage.models import Booking, Slot, SlotPlan, SlotTemplate
from shouhu.marriage.selectors import public_registries
from shouhu.people.idcard import check_digit
from shouhu.people.models import IdType

# Morning and afternoon hours of a registry; on surge days the same hours in half-hour steps.
NORMAL_HOURS = [((9, 0), (10, 0)), ((10, 0), (11, 0)), ((13, 30), (14, 30)), ((14, 30), (15, 30))]
SURGE_HOURS = [((8, 30), (9, 0)), ((9, 0), (9, 30)), ((9, 30), (10, 0)), ((10, 0), (10, 30)),
               ((10, 30), (11, 0)), ((13, 30), (14, 0)), ((14, 0), (14, 30)), ((14, 30), (15, 0))]  # fmt: skip
ONE_DAY = dt.timedelta(1)  # not a policy threshold: the calendar's next day
DEMO_COUPLES = [("赵一", "钱二"), ("孙三", "李四"), ("周五", "吴六")]


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


def load_demo_marriage() -> dict[str, int]:
    """Idempotent: registries that already have a slot plan are left alone."""
    registries = list(public_registries())
    planned = 0
    for unit in registries:
        if not SlotTemplate.objects.filter(unit=unit).exists():
            _plan(unit.pk)
            planned += 1
    today = clock.today()
    services.surge_dates_sync(year=today.year)
    bookings = 0
    if registries and not Booking.objects.exists():
        unit = registries[0]
        day = today + ONE_DAY
        for serial, (name_a, name_b) in enumerate(DEMO_COUPLES, start=1):
            slots: list[Slot] = []
            while not slots and day <= today + dt.timedelta(
                days=current_policy().marriage_booking_horizon_days
            ):
                slots = [s for s in services.slots_for_day(unit=unit, day=day) if s.remaining]
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
                )
            except DomainError:
                continue
            bookings += 1
    return {"registries": planned, "bookings": bookings}
