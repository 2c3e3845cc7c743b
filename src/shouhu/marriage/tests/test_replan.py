"""Changing a registry's rules reshapes the slots already made for coming days (M1, M5)."""

import datetime as dt

import pytest

from shouhu.campaigns.policy import current_policy
from shouhu.common.errors import ConflictError, DomainError
from shouhu.marriage import selectors, services
from shouhu.marriage.models import Booking, BookingStatus, MarriagePolicy, Slot, SlotTemplate
from shouhu.marriage.tests.factories import MONDAY, book, make_registry, suspend
from shouhu.orgs.models import OrgUnit

TUESDAY = MONDAY + dt.timedelta(days=1)


@pytest.fixture
def registry(tree, plan_campaign):
    return make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4)  # two slots of 2


def _capacities(unit, day=MONDAY):
    return [(s.starts_at.hour, s.capacity, s.booked) for s in services.slots_make(unit=unit, day=day)]


def test_m1_a_new_daily_quota_resizes_the_slots_of_coming_days(registry):
    book(registry)
    book(registry)
    services.slots_make(unit=registry, day=TUESDAY)
    assert _capacities(registry) == [(9, 2, 2), (10, 2, 0)]

    services.registry_settings_update(actor=None, unit=registry, daily_quota=10, open_weekdays="12345")
    assert _capacities(registry) == [(9, 5, 2), (10, 5, 0)]
    assert _capacities(registry, TUESDAY) == [(9, 5, 0), (10, 5, 0)]

    services.registry_settings_update(actor=None, unit=registry, daily_quota=2, open_weekdays="12345")
    assert _capacities(registry) == [(9, 2, 2), (10, 1, 0)]  # the two seats held are kept
    assert sum(capacity for _, capacity, _ in _capacities(registry, TUESDAY)) == 2


def test_m1_a_removed_slot_takes_no_more_bookings_but_keeps_its_couples(registry):
    booking = book(registry)
    nine = SlotTemplate.objects.get(unit=registry, starts_at=dt.time(9))
    services.slot_template_remove(actor=None, template=nine)
    slots = {s.starts_at.hour: s for s in Slot.objects.filter(unit=registry, date=MONDAY)}
    assert (slots[9].capacity, slots[9].booked) == (1, 1)  # full: nobody else gets in
    assert slots[10].capacity == 4  # the whole quota now goes to the remaining slot
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_m1_a_slot_left_with_only_cancelled_bookings_is_replanned_not_a_server_error(registry):
    booking = book(registry)
    services.booking_cancel(booking=booking)
    services.date_override_set(actor=None, unit=registry, date=MONDAY, is_open=None, daily_quota=6)
    assert _capacities(registry) == [(9, 3, 0), (10, 3, 0)]
    nine = SlotTemplate.objects.get(unit=registry, starts_at=dt.time(9))
    services.slot_template_remove(actor=None, template=nine)
    # The 9 o'clock row stays for its cancelled booking's history but offers no seat, and the
    # public page does not list it.
    assert Slot.objects.get(unit=registry, date=MONDAY, starts_at=dt.time(9)).capacity == 0
    assert Booking.objects.filter(pk=booking.pk).exists()
    from django.test import Client

    listed = Client().get(f"/marriage/book/slots/?unit={registry.pk}&date={MONDAY}").content.decode()
    assert "10:00" in listed
    assert "09:00" not in listed


def test_m1_a_smaller_quota_for_a_day_with_bookings_keeps_the_seats_held(registry):
    book(registry)
    book(registry)
    services.date_override_set(actor=None, unit=registry, date=MONDAY, is_open=None, daily_quota=1)
    assert _capacities(registry) == [(9, 2, 2)]  # the empty 10 o'clock slot is gone
    with pytest.raises(ConflictError):
        services.date_override_set(actor=None, unit=registry, date=MONDAY, is_open=False, daily_quota=None)


def test_m5_a_surge_date_set_later_replans_the_registries_of_that_day(registry):
    services.slots_make(unit=registry, day=TUESDAY)
    services.slot_template_add(
        actor=None, unit=registry, starts_at=dt.time(8), ends_at=dt.time(12), share=1, plan="surge"
    )
    services.surge_date_set(
        actor=None, date=TUESDAY, name="测试高峰日", daily_quota=30, booking_opens_days=30
    )
    assert _capacities(registry, TUESDAY) == [(8, 30, 0)]


def test_m1_rules_that_would_close_a_booked_day_are_refused_and_nothing_changes(registry):
    from shouhu.marriage.models import RegistrySettings

    book(registry)  # Monday
    with pytest.raises(ConflictError) as caught:
        services.registry_settings_update(actor=None, unit=registry, daily_quota=4, open_weekdays="2345")
    assert caught.value.code == "has_bookings"
    assert str(MONDAY) in caught.value.message
    assert RegistrySettings.objects.get(unit=registry).open_weekdays == "12345"

    for template in SlotTemplate.objects.filter(unit=registry).order_by("starts_at")[:1]:
        services.slot_template_remove(actor=None, template=template)  # one slot left: still open
    last = SlotTemplate.objects.get(unit=registry)
    last_pk = last.pk  # delete() clears it on the instance even when rolled back
    with pytest.raises(ConflictError):
        services.slot_template_remove(actor=None, template=last)
    assert SlotTemplate.objects.filter(pk=last_pk).exists()


def test_m5_a_booked_or_past_day_cannot_become_a_surge_date(registry):
    from shouhu.common import clock
    from shouhu.marriage.models import SurgeDate

    book(registry)
    with pytest.raises(ConflictError) as booked:
        services.surge_date_set(actor=None, date=MONDAY, name="测试高峰日")
    assert "已有婚姻登记预约" in booked.value.message
    with pytest.raises(DomainError):
        services.surge_date_set(actor=None, date=clock.today() - dt.timedelta(days=1), name="昨天")
    assert not SurgeDate.objects.exists()


def test_m1_overlapping_slots_and_an_endless_notice_are_refused(registry):
    with pytest.raises(DomainError) as overlap:
        services.slot_template_add(
            actor=None, unit=registry, starts_at=dt.time(9, 30), ends_at=dt.time(9, 45), share=1
        )
    assert overlap.value.code == "overlap"
    assert SlotTemplate.objects.filter(unit=registry).count() == 2
    services.slot_template_add(  # the surge plan is another plan: its own steps may overlap these
        actor=None, unit=registry, starts_at=dt.time(9, 30), ends_at=dt.time(9, 45), share=1, plan="surge"
    )
    with pytest.raises(DomainError) as long_notice:
        services.registry_settings_update(
            actor=None, unit=registry, daily_quota=4, open_weekdays="12345", extra_notice="请" * 301
        )
    assert long_notice.value.field_errors == {"extra_notice": [long_notice.value.message]}


def test_c4_a_suspension_neither_blocks_rule_changes_nor_shrinks_the_day_for_good(registry):
    from shouhu.campaigns.services import suspension_lift

    booking = book(registry)
    services.booking_cancel(booking=booking)  # the 9 o'clock row keeps a cancelled booking
    book(registry, Slot.objects.get(unit=registry, date=MONDAY, starts_at=dt.time(10)))
    suspension = suspend(registry, MONDAY, "大厅消杀")
    # Unrelated to that day: must not be refused because the suspension closes it.
    services.registry_settings_update(
        actor=None, unit=registry, daily_quota=6, open_weekdays="12345", extra_notice="请携带户口簿"
    )
    assert "大厅消杀" in selectors.day_refusal(
        unit=registry, day=MONDAY, policy=current_policy(MarriagePolicy)
    )
    suspension_lift(actor=None, suspension=suspension, reason="消杀完成")
    assert _capacities(registry) == [(9, 3, 0), (10, 3, 1)]  # the whole day is back


def test_c4_a_booking_day_is_checked_in_one_statement_suspensions_included(
    registry, django_assert_num_queries
):
    """The day's facts say whether a suspension touches it (nearly always not): the suspensions
    themselves are read only when one does."""
    policy = current_policy(MarriagePolicy)
    with django_assert_num_queries(1):
        assert selectors.day_refusal(unit=registry, day=MONDAY, policy=policy) is None
    suspend(OrgUnit.objects.get_parent(registry), MONDAY, "全县暂停")  # at the county, above the registry
    assert "全县暂停" in selectors.day_refusal(unit=registry, day=MONDAY, policy=policy)
    assert selectors.day_refusal(unit=registry, day=TUESDAY, policy=policy) is None


def test_m5_more_places_go_to_the_waiting_list_at_once(registry):
    services.date_override_set(actor=None, unit=registry, date=MONDAY, is_open=None, daily_quota=2)
    slot = services.slots_make(unit=registry, day=MONDAY)[0]
    book(registry, slot)
    waiting = book(registry, slot, waitlist=True)
    assert waiting.status == BookingStatus.WAITING
    services.date_override_set(actor=None, unit=registry, date=MONDAY, is_open=None, daily_quota=6)
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.OFFERED
    assert Slot.objects.get(pk=slot.pk).booked == 2


def test_m5_new_hours_reach_a_day_whose_old_slot_has_only_a_cancelled_booking(registry):
    """09:00–10:00 becomes 09:00–09:45 (remove and add: overlaps are refused). A day where a couple
    once booked 09:00 and cancelled still offers the new 09:00 slot with its seats: a cancelled
    booking's row does not keep the old hours (one row per start time would block the new one)."""
    from shouhu.marriage.tests.factories import first_slot

    booking = book(registry, first_slot(registry, MONDAY))
    services.booking_cancel(booking=booking)
    untouched_day = MONDAY + dt.timedelta(days=1)
    services.slots_make(unit=registry, day=untouched_day)
    old = SlotTemplate.objects.get(unit=registry, starts_at=dt.time(9))
    services.slot_template_remove(actor=None, template=old)
    services.slot_template_add(
        actor=None, unit=registry, starts_at=dt.time(9), ends_at=dt.time(9, 45), share=1
    )
    other = {s.starts_at: s for s in services.slots_make(unit=registry, day=untouched_day)}
    nine = {s.starts_at: s for s in services.slots_make(unit=registry, day=MONDAY)}[dt.time(9)]
    assert other[dt.time(9)].ends_at == dt.time(9, 45)
    assert (nine.ends_at, nine.capacity) == (dt.time(9, 45), other[dt.time(9)].capacity)
    assert nine.capacity > 0
