"""Booking for the public: refusals, waiting list, advance notice, cancel and reschedule (M1–M5)."""

import datetime as dt

import pytest

from shouhu.campaigns.policy import current_policies
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.marriage import selectors, services
from shouhu.marriage.models import Booking, BookingParty, BookingStatus, MarriagePolicy, Slot
from shouhu.marriage.notices import advance_notice
from shouhu.marriage.tests.factories import MONDAY, book, first_slot, make_registry, party, resident_id
from shouhu.notifications.models import OutboxMessage
from shouhu.people.models import IdType, Person
from shouhu.screening import services as screening_services
from shouhu.screening.models import IsolationKind, ScreeningPolicy


@pytest.fixture
def registry(tree, plan_campaign):
    return make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4)


def test_m1_booking_gives_a_code_and_queues_the_confirmation(registry):
    booking = book(registry)
    assert booking.status == BookingStatus.BOOKED
    assert len(booking.code) == 8
    assert booking.parties.count() == 2
    person = Person.objects.get(pk=booking.parties.first().person_id)
    assert person.id_index
    assert person.phone_index  # protected like the register
    messages = OutboxMessage.objects.filter(kind="marriage.booking")
    assert messages.count() == 2
    assert booking.code in messages.first().body


def test_m1_region_wide_booking_at_another_countys_registry(tree, plan_campaign, registry):
    other = make_registry(tree.county_b, "漠河市婚姻登记处")
    booking = book(other)
    assert booking.unit == other


def test_m1_closed_day_holiday_and_weekend_are_refused(registry):
    from shouhu.campaigns.services import holiday_set

    saturday = MONDAY + dt.timedelta(days=5)
    assert services.slots_make(unit=registry, day=saturday) == []
    slot = first_slot(registry)  # made before the holiday was set
    holiday_set(actor=None, date=MONDAY, name="测试假日", is_workday=False)
    assert "假期" in selectors.day_refusal(unit=registry, day=MONDAY, policy=registry_policy())
    with pytest.raises(ConflictError) as caught:
        book(registry, slot)
    assert caught.value.code == "day_closed"


def registry_policy():
    from shouhu.campaigns.policy import current_policy

    return current_policy(MarriagePolicy)


def test_m1_past_and_beyond_horizon_are_refused(registry):
    policy = registry_policy()
    assert selectors.day_refusal(unit=registry, day=clock.today() - dt.timedelta(days=1), policy=policy)
    far = clock.today() + dt.timedelta(days=policy.booking_horizon_days + 1)
    assert "以内" in selectors.day_refusal(unit=registry, day=far, policy=policy)


def test_m1_slot_of_another_registry_is_refused(tree, registry):
    other = make_registry(tree.county_b)
    with pytest.raises(DomainError) as caught:
        book(registry, first_slot(other))
    assert caught.value.code == "wrong_registry"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("id_number", "232701199001011230", "校验位"),
        ("id_number", "12345", "18 位"),
        ("phone", "12345", "电话号码"),
    ],
)
def test_m1_bad_party_input_is_refused_in_chinese_and_nothing_saved(registry, field, value, expected):
    a = party("张三")
    setattr(a, field, value)
    persons = Person.objects.count()
    with pytest.raises(DomainError) as caught:
        book(registry, a=a)
    assert expected in caught.value.message
    assert f"a_{field}" in caught.value.field_errors
    assert Person.objects.count() == persons
    assert Booking.objects.count() == 0
    assert Slot.objects.get(pk=first_slot(registry).pk).booked == 0


def test_m1_same_person_as_both_parties_is_refused(registry):
    number = resident_id()
    with pytest.raises(DomainError) as caught:
        book(registry, a=party("张三", id_number=number), b=party("张三", id_number=number))
    assert caught.value.code == "same_person"


def test_m1_permits_and_passports_are_accepted(registry):
    booking = book(
        registry,
        a=party("陈大文", id_type=IdType.HK_MACAO_PERMIT, id_number="H12345678"),
        b=party("SMITH JANE", id_type=IdType.PASSPORT, id_number="E1234567"),
    )
    parties = {p.role: p for p in booking.parties.all()}
    assert parties["a"].is_hmt
    assert not parties["b"].is_hmt


def test_m1_a_party_with_an_active_booking_is_refused(registry):
    a = party("张三")
    book(registry, a=a)
    again = party("张三", id_number=a.id_number)
    with pytest.raises(ConflictError) as caught:
        book(registry, first_slot(registry), a=again)
    assert caught.value.code == "already_booked"


def test_m3_a_party_in_isolation_cannot_book(registry):
    a = party("王五")
    from shouhu.people.services import PersonInput, person_register

    person = person_register(
        actor=None, data=PersonInput(name="王五", home_unit=registry, id_number=a.id_number)
    ).person
    screening_services.isolation_record(
        actor=None, person=person, kind=IsolationKind.HOME, starts_on=clock.today(), source="社区排查"
    )
    with pytest.raises(ConflictError) as caught:
        book(registry, a=a)
    assert caught.value.code == "in_isolation"
    assert "隔离期未满不能预约" in caught.value.message
    assert not BookingParty.objects.exists()
    assert Slot.objects.get(pk=first_slot(registry).pk).booked == 0


def test_m2_advance_notice_names_documents_rules_and_arrival(registry):
    booking = book(registry, b=party("林小姐", id_type=IdType.TAIWAN_PERMIT, id_number="12345678"))
    policy, screening = current_policies(MarriagePolicy, ScreeningPolicy)
    notice = advance_notice(booking, policy, screening)
    assert any("户口簿" in d for d in notice.documents)
    assert any("台湾居民来往大陆通行证" in d for d in notice.documents)
    assert any(str(screening.temperature_limit) in r for r in notice.rules)
    assert notice.arrival_until == booking.slot.starts_at
    gap = dt.datetime.combine(MONDAY, notice.arrival_until) - dt.datetime.combine(MONDAY, notice.arrival_from)
    assert gap == dt.timedelta(minutes=policy.arrival_minutes_before)


def test_m5_full_slot_offers_waitlist_and_cancel_moves_the_first_couple_in(registry):
    slot = first_slot(registry)
    first = book(registry, slot)
    second = book(registry, slot)
    assert Slot.objects.get(pk=slot.pk).remaining == 0
    with pytest.raises(ConflictError) as caught:
        book(registry, slot)
    assert caught.value.code == "slot_full"
    assert "候补" in caught.value.message
    waiting_1 = book(registry, slot, waitlist=True)
    waiting_2 = book(registry, slot, waitlist=True)
    assert waiting_1.status == waiting_2.status == BookingStatus.WAITING

    services.booking_cancel(booking=first)
    waiting_1.refresh_from_db()
    waiting_2.refresh_from_db()
    assert waiting_1.status == BookingStatus.OFFERED
    assert waiting_1.offer_expires_at is not None
    assert waiting_2.status == BookingStatus.WAITING
    assert OutboxMessage.objects.filter(kind="marriage.offer").count() == 2
    assert Slot.objects.get(pk=slot.pk).booked == 2
    services.booking_confirm_offer(booking=waiting_1)
    waiting_1.refresh_from_db()
    assert waiting_1.status == BookingStatus.BOOKED
    assert second.status == BookingStatus.BOOKED


def test_m5_an_unconfirmed_offer_passes_on(registry, plan_campaign):
    slot = first_slot(registry)
    first = book(registry, slot)
    book(registry, slot)
    waiting_1 = book(registry, slot, waitlist=True)
    waiting_2 = book(registry, slot, waitlist=True)
    services.booking_cancel(booking=first)
    hours = plan_campaign.marriage_policy.waitlist_confirm_hours
    with clock.frozen(clock.now() + dt.timedelta(hours=hours, minutes=1)):
        assert services.offers_expire() >= 1
        waiting_1.refresh_from_db()
        waiting_2.refresh_from_db()
        assert waiting_1.status == BookingStatus.EXPIRED
        assert waiting_2.status == BookingStatus.OFFERED
        with pytest.raises(ConflictError):
            services.booking_confirm_offer(booking=waiting_1)
    assert Slot.objects.get(pk=slot.pk).booked == 2
    # The person of the lapsed offer may book again.
    assert not BookingParty.objects.filter(booking=waiting_1, is_active=True).exists()


def test_m5_surge_date_has_its_own_plan_and_opens_when_configured(tree, plan_campaign):
    from shouhu.marriage.models import SlotPlan

    unit = make_registry(tree.county_a, quota=4)
    surge_day = dt.date(2022, 1, 29)  # a Saturday: a surge date opens the registry anyway
    surge = services.surge_date_set(
        actor=None, date=surge_day, name="测试高峰日", daily_quota=3, booking_opens_days=2
    )
    for hour in (9, 10, 11):
        services.slot_template_add(
            actor=None,
            unit=unit,
            starts_at=dt.time(hour),
            ends_at=dt.time(hour, 30),
            share=1,
            plan=SlotPlan.SURGE,
        )
    slots = services.slots_make(unit=unit, day=surge_day)
    assert [s.capacity for s in slots] == [1, 1, 1]  # the surge quota still holds
    refusal = selectors.day_refusal(unit=unit, day=surge_day, policy=registry_policy())
    assert refusal
    assert "开放" in refusal
    with clock.frozen(dt.datetime(2022, 1, 27, 9, 0)):
        booking = book(unit, slots[0])
        with pytest.raises(ConflictError):
            book(unit, slots[0])
        waiting = book(unit, slots[0], waitlist=True)
        services.booking_cancel(booking=booking)
        waiting.refresh_from_db()
        assert waiting.status == BookingStatus.OFFERED
    assert surge.name == "测试高峰日"


def test_m5_computed_surge_dates_include_qixi(plan_campaign):
    from shouhu.marriage.models import SurgeDate

    assert len(services.surge_dates_sync_upcoming(actor=None)) == 3  # 2022's, all still ahead
    assert SurgeDate.objects.filter(date=dt.date(2022, 8, 4)).exists()  # 七夕 2022: lunar 7-7
    assert services.surge_dates_sync_upcoming(actor=None) == []


def test_m1_reschedule_moves_the_seat_and_offers_the_old_one(registry):
    slots = services.slots_make(unit=registry, day=MONDAY)
    booking = book(registry, slots[0])
    book(registry, slots[0])
    waiting = book(registry, slots[0], waitlist=True)
    services.booking_reschedule(booking=booking, slot=slots[1], disclose=services.disclose_everything)
    assert Slot.objects.get(pk=slots[1].pk).booked == 1
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.OFFERED
    assert Slot.objects.get(pk=slots[0].pk).booked == 2


def test_m1_cancel_twice_is_refused(registry):
    booking = book(registry)
    services.booking_cancel(booking=booking)
    with pytest.raises(ConflictError):
        services.booking_cancel(booking=booking)
    assert Slot.objects.get(pk=booking.slot_id).booked == 0


def _first_look_sees_nobody(monkeypatch):
    """The first look-up of the parties misses someone registered right after it."""
    from shouhu.marriage.services import bookings

    looks = []
    real = bookings.registered_parties

    def look(parties):
        looks.append(parties)
        return {} if len(looks) == 1 else real(parties)

    monkeypatch.setattr(bookings, "registered_parties", look)
    return looks


def test_m7_a_party_registered_between_look_and_insert_is_still_checked(registry, monkeypatch):
    """Parties not found before the transaction are inserted together; when one was registered in
    between (the unique index refuses the insert), the booking starts again and finds and checks
    them like the others."""
    from shouhu.people.services import PersonInput, person_register

    a = party("王五")
    person = person_register(
        actor=None, data=PersonInput(name="王五", home_unit=registry, id_number=a.id_number)
    ).person
    screening_services.isolation_record(
        actor=None, person=person, kind=IsolationKind.HOME, starts_on=clock.today(), source="社区排查"
    )
    looks = _first_look_sees_nobody(monkeypatch)
    with pytest.raises(ConflictError) as caught:
        book(registry, a=a)
    assert caught.value.code == "in_isolation"
    assert len(looks) == 2
    assert Person.objects.count() == 1  # party b's insert was rolled back with the rest
    assert not Booking.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_m7_a_party_registered_between_look_and_insert_is_booked_as_that_person(registry, monkeypatch):
    from shouhu.people.services import PersonInput, person_register

    a = party("王五")
    known = person_register(
        actor=None, data=PersonInput(name="王五", home_unit=registry, id_number=a.id_number)
    ).person
    looks = _first_look_sees_nobody(monkeypatch)
    booking = book(registry, a=a)
    assert len(looks) == 2
    assert {p.role: p.person_id for p in BookingParty.objects.filter(booking=booking)}["a"] == known.pk
    assert Person.objects.count() == 2
    assert Slot.objects.get(pk=booking.slot_id).booked == 1


def test_m7_a_look_that_keeps_missing_is_refused_not_a_server_error(registry, monkeypatch):
    from shouhu.people.services import PersonInput, person_register

    a = party("王五")
    person_register(actor=None, data=PersonInput(name="王五", home_unit=registry, id_number=a.id_number))
    from shouhu.marriage.services import bookings

    monkeypatch.setattr(bookings, "registered_parties", lambda parties: {})
    with pytest.raises(ConflictError) as caught:
        book(registry, a=a)
    assert caught.value.code == "registering"
    assert Person.objects.count() == 1
    assert not Booking.objects.exists()


def test_m1_new_and_registered_parties_are_booked_together(registry):
    from shouhu.people.services import PersonInput, person_register

    a = party("王五")
    known = person_register(
        actor=None, data=PersonInput(name="王五", home_unit=registry, id_number=a.id_number)
    ).person
    booking = book(registry, a=a)
    people = {p.role: p.person_id for p in BookingParty.objects.filter(booking=booking)}
    assert people["a"] == known.pk
    assert Person.objects.count() == 2
    assert [p.person.pk for p in booking.parties.all()] == [known.pk, people["b"]]


def test_m1_a_party_under_the_legal_marriage_age_is_refused(registry):
    from shouhu.people.idcard import check_digit

    def born(day, *, female):
        first17 = f"232701{day:%Y%m%d}00{2 if female else 1}"
        return first17 + check_digit(first17)

    # On MONDAY (2022-01-10): a man of 22 the day after, a woman of 20 that very day.
    young_man = party("小王", id_number=born(dt.date(2000, 1, 11), female=False))
    woman_of_age = party("小李", id_number=born(dt.date(2002, 1, 10), female=True))
    with pytest.raises(DomainError) as caught:
        book(registry, a=young_man, b=woman_of_age)
    assert caught.value.code == "under_age"
    assert "当事人甲" in caught.value.message
    assert not Booking.objects.exists()
    man_of_age = party("老王", id_number=born(dt.date(2000, 1, 10), female=False))
    assert book(registry, a=man_of_age, b=woman_of_age).status == BookingStatus.BOOKED


def test_m1_a_landline_is_refused_as_the_phone_for_texts(registry):
    with pytest.raises(DomainError) as caught:
        book(registry, a=party("张三", tel="0457-2123456"))
    assert caught.value.field_errors == {"a_phone": ["当事人甲：请填写手机号，预约短信发送到该号码"]}
    assert not Person.objects.exists()


def test_m1_a_reschedule_to_a_day_before_the_legal_age_is_refused(registry):
    from shouhu.people.idcard import check_digit

    first17 = "232701" + "20020112" + "002"  # a woman, 20 on 2022-01-12
    woman = party("小李", id_number=first17 + check_digit(first17))
    wednesday = MONDAY + dt.timedelta(days=2)
    booking = book(registry, first_slot(registry, wednesday), b=woman)
    with pytest.raises(DomainError) as caught:
        services.booking_reschedule(
            booking=booking, slot=first_slot(registry, MONDAY), disclose=services.disclose_everything
        )
    assert caught.value.code == "under_age"
    booking.refresh_from_db()
    assert booking.date == wednesday


def test_m1_born_on_29_february_is_of_age_on_29_february_when_that_year_has_one(registry):
    services.check_legal_age([("b", dt.date(2000, 2, 29), "female")], dt.date(2020, 2, 29))
    with pytest.raises(DomainError):
        services.check_legal_age([("b", dt.date(2000, 2, 29), "female")], dt.date(2020, 2, 28))
    # Born 2000-02-29, 22 in 2022 (no 29 February): of age on 1 March.
    with pytest.raises(DomainError):
        services.check_legal_age([("a", dt.date(2000, 2, 29), "male")], dt.date(2022, 2, 28))
    services.check_legal_age([("a", dt.date(2000, 2, 29), "male")], dt.date(2022, 3, 1))
