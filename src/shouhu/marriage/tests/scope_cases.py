"""How the scope-leak test makes marriage objects inside a given county.

Registries are named without the county's marker on purpose: the public booking page lists every
registry of the region (全区通办), which is public information. The couples' names carry the
marker, and they must never show outside their county.
"""

import datetime as dt
from itertools import count

from shouhu.marriage import selectors, services
from shouhu.marriage.models import SlotTemplate
from shouhu.marriage.tests.factories import book, first_slot, make_registry, party, resident_id

_numbers = count(1)
# Not the campaigns maker's suspended window (2022-01-10 – 20), which closes registries of the county.
FRIDAY = dt.date(2022, 1, 7)


def make_registry_in(county, marker):
    return make_registry(county, f"婚姻登记处{next(_numbers)}")


def make_booking_in(county, marker):
    unit = make_registry_in(county, marker)
    return book(
        unit,
        first_slot(unit, FRIDAY),
        a=party(f"{marker}甲"),
        b=party(f"{marker}乙", id_number=resident_id(female=True)),
    )


def make_template_in(county, marker):
    return SlotTemplate.objects.filter(unit=make_registry_in(county, marker)).first()


def make_report_in(county, marker):
    from shouhu.accounts.tests.factories import make_user

    unit = make_registry(county, f"婚姻登记处{next(_numbers)}", slots=((14, 15, 1), (15, 16, 1)))
    clerk = make_user("institution_staff", unit)
    slot = services.slots_make(unit=unit, day=dt.date(2022, 1, 5))[-1]
    booking = book(
        unit, slot, a=party(f"{marker}甲"), b=party(f"{marker}乙", id_number=resident_id(female=True))
    )
    services.counter_check_in(actor=clerk, booking=booking)
    party_a = booking.parties.get(role="a")
    answers = {q.key: q.key == "health_code_green" for q in selectors.questions_for(party_a, *_policies())}
    check = services.counter_screen(
        actor=clerk, booking=booking, party=party_a, temperature="38.5", answers=answers
    )
    return check.report


def make_message_in(county, marker):
    from shouhu.notifications.services import message_enqueue

    return message_enqueue(
        unit=make_registry_in(county, marker), phone="13900000001", body=f"{marker}短信", kind="test"
    )


def _policies():
    from shouhu.campaigns.policy import current_policies
    from shouhu.marriage.models import MarriagePolicy
    from shouhu.screening.models import ScreeningPolicy

    return current_policies(MarriagePolicy, ScreeningPolicy)


SCOPED_OBJECTS = {
    "registry_id": make_registry_in,
    "booking_id": make_booking_in,
    "slot_template_id": make_template_in,
    "marriage_report_id": make_report_in,
    "outbox_message_id": make_message_in,
}

# Where non-compliance reports go is one list for the whole region (edited with the policy).
REGION_WIDE = {"report_recipient_id": "情况报告对象全区统一，随防控政策由地区维护"}
