"""X5: each registry's bookings of today, and how many the counter has finished with."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shouhu.accounts.tests.factories import make_user
from shouhu.common import clock
from shouhu.common.today import Tally, registered_works
from shouhu.marriage import selectors, services
from shouhu.marriage.models import BookingStatus, MarriagePolicy
from shouhu.marriage.permissions import MarriagePerm
from shouhu.marriage.selectors import todays_bookings
from shouhu.marriage.tests.factories import MONDAY, book, first_slot, make_registry
from shouhu.screening.models import ScreeningPolicy

pytestmark = pytest.mark.django_db

# Afternoon slots: the fixed clock is 10:00, so today's can still be booked.
TODAY_SLOTS = ((14, 15, 1), (15, 16, 1))


@pytest.fixture
def registry_a(tree, plan_campaign):
    return make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4, slots=TODAY_SLOTS)


@pytest.fixture
def registry_b(tree, plan_campaign):
    return make_registry(tree.county_b, "漠河市婚姻登记处", quota=4, slots=TODAY_SLOTS)


@pytest.fixture
def clerk(registry_a):
    return make_user("institution_staff", registry_a)


def _today_slots(registry):
    return services.slots_make(unit=registry, day=clock.today())


def _count(within: str = "") -> list[Tally]:
    return list(todays_bookings(within=within, today=clock.today(), viewer_id=0))


def _tally(registry, *, done: int, due: int) -> Tally:
    return Tally(registry.pk, registry.path, done=done, due=due)


def _answers(party, *, bad: str = "") -> dict[str, bool]:
    from shouhu.campaigns.policy import current_policies

    questions = selectors.questions_for(party, *current_policies(MarriagePolicy, ScreeningPolicy))
    return {q.key: (not q.refuses_when) if q.key != bad else q.refuses_when for q in questions}


def _screen(clerk, booking, *, bad: str = "") -> None:
    """Screen both parties, or (`bad`) the first one, who is refused: that ends the booking."""
    for party in booking.parties.order_by("role")[: 1 if bad else 2]:
        services.counter_screen(
            actor=clerk, booking=booking, party=party, temperature="36.5", answers=_answers(party, bad=bad)
        )


@pytest.fixture
def day(registry_a, registry_b):
    """Today three couples at registry A (and one waiting), one at B; others on other days."""
    # A booking of yesterday nobody came for: no work of today, and the tick lets it lapse.
    yesterday = clock.today() - dt.timedelta(days=1)
    with clock.frozen(clock.start_of(yesterday - dt.timedelta(days=1)) + dt.timedelta(hours=8)):
        missed = book(registry_a, services.slots_make(unit=registry_a, day=yesterday)[0])
    assert (missed.date, missed.status) == (yesterday, BookingStatus.BOOKED)
    first, second = _today_slots(registry_a)
    bookings = [book(registry_a, first), book(registry_a, first), book(registry_a, second)]
    waiting = book(registry_a, first, waitlist=True)
    assert waiting.status == BookingStatus.WAITING
    book(registry_b, _today_slots(registry_b)[0])
    book(registry_a, first_slot(registry_a, MONDAY))
    return bookings


def test_x5_todays_bookings_per_registry(registry_a, registry_b, day):
    assert _count() == [_tally(registry_a, done=0, due=3), _tally(registry_b, done=0, due=1)]


def test_x5_the_counters_work_moves_bookings_to_done(registry_a, registry_b, day, clerk):
    registered, refused, left = day
    for booking in (registered, refused, left):
        services.counter_check_in(actor=clerk, booking=booking)
    # Checked in is half-way: screening and registration are still to do.
    assert _count() == [_tally(registry_a, done=0, due=3), _tally(registry_b, done=0, due=1)]
    _screen(clerk, registered)
    services.booking_register_done(actor=clerk, booking=registered)
    assert _count() == [_tally(registry_a, done=1, due=3), _tally(registry_b, done=0, due=1)]
    _screen(clerk, refused, bad="symptoms")
    refused.refresh_from_db()
    assert refused.status == BookingStatus.REFUSED
    assert _count() == [_tally(registry_a, done=2, due=3), _tally(registry_b, done=0, due=1)]
    # A couple that left after check-in: staff end it, and the counter no longer expects them.
    services.booking_cancel(booking=left, actor=clerk, reason="当事人离开")
    assert _count() == [_tally(registry_a, done=2, due=2), _tally(registry_b, done=0, due=1)]


def test_x5_a_registry_outside_within_is_not_counted(tree, registry_a, registry_b, day):
    assert _count(tree.county_b.path) == [_tally(registry_b, done=0, due=1)]
    assert _count(tree.county_a.path) == [_tally(registry_a, done=0, due=3)]
    assert _count(registry_a.path) == [_tally(registry_a, done=0, due=3)]
    assert _count(tree.township_a.path) == []
    assert _count(tree.region.path) == _count()


def test_x5_the_number_of_queries_is_the_same_for_few_and_many_registries(tree, registry_a, day):
    with CaptureQueriesContext(connection) as few:
        _count()
    more = [make_registry(unit, quota=4, slots=TODAY_SLOTS) for unit in (tree.township_a, tree.county_b)]
    for registry in more:
        for slot in _today_slots(registry):
            book(registry, slot)
            book(registry, slot)
    with CaptureQueriesContext(connection) as many:
        tallies = _count()
    assert len(many) == len(few) == 1
    assert len(tallies) == 4
    assert {tally.unit_id: tally.due for tally in tallies if tally.unit_id in {r.pk for r in more}} == {
        registry.pk: 4 for registry in more
    }


def test_x5_the_work_is_the_counters_and_links_to_the_registrys_day():
    (work,) = [w for w in registered_works() if w.key == "marriage.todays_bookings"]
    assert work.permission == MarriagePerm.COUNTER
    assert not work.per_viewer
    assert work.link(None) == reverse("marriage:counter")
    assert work.link(7) == reverse("marriage:day_view", kwargs={"registry_id": 7})
