"""Staff work on bookings and rules: the notice of a suspension (C4), the counter's day (M3), a
check-in that led nowhere (M1), who did what (X3), surge dates (M5) and the registry list."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from shouhu.accounts.tests.factories import make_user
from shouhu.campaigns.models import ServiceType
from shouhu.campaigns.policy import current_policies, current_policy
from shouhu.campaigns.services import suspension_create
from shouhu.common import clock
from shouhu.common.errors import ConflictError
from shouhu.marriage import selectors, services
from shouhu.marriage.models import (
    Booking,
    BookingStatus,
    MarriagePolicy,
    Slot,
    SlotPlan,
    SlotTemplate,
    SurgeDate,
    SuspensionNotice,
)
from shouhu.marriage.tests.factories import (
    MONDAY,
    book,
    first_slot,
    make_registry,
    party,
    resident_id,
    suspend,
)
from shouhu.notifications.models import OutboxMessage
from shouhu.screening.models import ScreeningPolicy

pytestmark = pytest.mark.django_db

TODAY_SLOTS = ((14, 15, 1), (15, 16, 1))


@pytest.fixture
def registry(tree, plan_campaign):
    return make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4, slots=TODAY_SLOTS)


@pytest.fixture
def clerk(registry):
    return make_user("institution_staff", registry)


def _today_booking(registry, index=0, **kwargs):
    return book(registry, services.slots_make(unit=registry, day=clock.today())[index], **kwargs)


def _screen_both(booking, actor=None):
    for p in booking.parties.all():
        answers = {
            q.key: not q.refuses_when
            for q in selectors.questions_for(p, *current_policies(MarriagePolicy, ScreeningPolicy))
        }
        services.counter_screen(actor=actor, booking=booking, party=p, temperature="36.5", answers=answers)


# --- C4: only a marriage suspension concerns marriage bookings ------------------------------------


def test_c4_another_services_suspension_notifies_no_marriage_booking(client, tree, registry, county_user):
    booking = book(registry)  # Monday
    before = OutboxMessage.objects.count()
    with TestCase.captureOnCommitCallbacks(execute=True):
        funeral = suspension_create(
            actor=county_user,
            unit=tree.county_a,
            service=ServiceType.FUNERAL_CEREMONY,
            starts_on=MONDAY,
            ends_on=MONDAY,
            reason="殡仪馆消杀",
        )
    client.force_login(county_user)
    response = client.post(f"/marriage/suspensions/{funeral.pk}/notify/")
    assert response.status_code == 404  # the same as a missing one
    assert response.status_code == client.post("/marriage/suspensions/999999/notify/").status_code
    assert services.suspension_notify(suspension=funeral) == 0
    assert not SuspensionNotice.objects.filter(booking=booking).exists()
    assert OutboxMessage.objects.count() == before
    SuspensionNotice.objects.create(booking=booking, suspension=funeral, notified_at=clock.now())
    assert not selectors.displaced_by_suspension(booking)  # no priority rebooking either
    assert selectors.affected_bookings(funeral) == []


def test_c4_a_registry_clerk_sees_the_countys_suspension_over_their_bookings(client, tree, registry, clerk):
    booking = book(registry, first_slot(registry))
    other_registry = make_registry(tree.county_a, "另一登记处", quota=4)
    elsewhere = book(other_registry)
    suspend(tree.county_a, MONDAY)
    client.force_login(clerk)
    page = client.get("/marriage/").content.decode()
    assert booking.code in page
    assert elsewhere.code not in page  # the clerk's own registry only
    assert "suspension_notify" not in page
    assert "/notify/" not in page  # a clerk cannot send the county's notices


def test_c4_the_registry_list_keeps_its_query_count_whatever_the_suspensions(
    client, tree, registry, county_user
):
    client.force_login(county_user)
    book(registry, first_slot(registry))
    suspend(tree.county_a, MONDAY)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/marriage/").status_code == 200
        return len(queries.captured_queries)

    small = count()
    for i in range(1, 6):
        day = MONDAY + dt.timedelta(days=i if i < 5 else 7)
        book(registry, first_slot(registry, day))
        suspend(tree.county_a, day, reason=f"原因{i}")
    assert count() == small


# --- M1: slot templates -----------------------------------------------------------------------------


def test_m1_deleting_the_slot_that_keeps_a_booked_day_open_is_explained_not_a_server_error(
    client, tree, plan_campaign, county_user
):
    unit = make_registry(tree.county_a, "登记处", quota=4, slots=((9, 10, 1),))
    book(unit)
    template = SlotTemplate.objects.get(unit=unit)
    client.force_login(county_user)
    response = client.post(f"/marriage/slot-templates/{template.pk}/delete/", follow=True)
    assert response.status_code == 200
    assert "这样修改会关闭已有预约的日期" in response.content.decode()
    assert SlotTemplate.objects.filter(pk=template.pk).exists()


# --- M3: the counter works on the booking's day -------------------------------------------------------


def test_m3_registration_needs_a_screening_of_the_bookings_own_day(registry, clerk):
    booking = _today_booking(registry)
    services.counter_check_in(actor=clerk, booking=booking)
    _screen_both(booking, clerk)
    later = clock.now() + dt.timedelta(days=3)
    with clock.frozen(later), pytest.raises(ConflictError) as caught:
        services.booking_register_done(actor=clerk, booking=booking)
    assert caught.value.code == "wrong_day"
    other = _today_booking(registry, 1)
    services.counter_check_in(actor=clerk, booking=other)
    party_obj = other.parties.first()
    answers = {
        q.key: not q.refuses_when
        for q in selectors.questions_for(party_obj, *current_policies(MarriagePolicy, ScreeningPolicy))
    }
    with clock.frozen(later), pytest.raises(ConflictError):
        services.counter_screen(
            actor=clerk, booking=other, party=party_obj, temperature="36.5", answers=answers
        )


def test_m3_a_screening_of_another_day_does_not_count(registry, clerk):
    """Only today's checks count, even when a booking's day was moved onto today."""
    booking = _today_booking(registry)
    services.counter_check_in(actor=clerk, booking=booking)
    _screen_both(booking, clerk)
    booking.checks.update(checked_at=clock.now() - dt.timedelta(days=1))
    with pytest.raises(ConflictError) as caught:
        services.booking_register_done(actor=clerk, booking=booking)
    assert caught.value.code == "not_screened"


def test_m3_the_counter_page_offers_no_registration_on_another_day(client, registry, clerk):
    booking = _today_booking(registry)
    services.counter_check_in(actor=clerk, booking=booking)
    client.force_login(clerk)
    assert 'data-testid="register"' in client.get(f"/marriage/bookings/{booking.pk}/").content.decode()
    with clock.frozen(clock.now() + dt.timedelta(days=1)):
        page = client.get(f"/marriage/bookings/{booking.pk}/").content.decode()
    assert 'data-testid="register"' not in page
    assert 'data-testid="screen-a"' not in page


# --- M1: a check-in that led nowhere ends, and the couple may book again -----------------------------


def test_m1_staff_end_a_check_in_with_a_reason_and_the_couple_books_again(client, registry, clerk):
    a_id, b_id = resident_id(), resident_id(female=True)
    booking = _today_booking(registry, a=party("张三", id_number=a_id), b=party("李四", id_number=b_id))
    services.counter_check_in(actor=clerk, booking=booking)
    with pytest.raises(ConflictError):
        services.booking_cancel(booking=booking)  # the couple themselves cannot (no actor)
    client.force_login(clerk)
    page = client.get(f"/marriage/bookings/{booking.pk}/").content.decode()
    assert 'data-testid="cancel"' in page
    client.post(f"/marriage/bookings/{booking.pk}/", {"action": "cancel", "reason": "材料不全"})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.status_note == "登记机关取消：材料不全"
    again = book(
        registry, first_slot(registry), a=party("张三", id_number=a_id), b=party("李四", id_number=b_id)
    )
    assert again.status == BookingStatus.BOOKED


def test_m1_the_tick_ends_check_ins_and_bookings_of_past_days(registry, clerk):
    a_id, b_id = resident_id(), resident_id(female=True)
    checked = _today_booking(registry, a=party("张三", id_number=a_id), b=party("李四", id_number=b_id))
    services.counter_check_in(actor=clerk, booking=checked)
    c_id, d_id = resident_id(), resident_id(female=True)
    no_show = _today_booking(registry, 1, a=party("王五", id_number=c_id), b=party("赵六", id_number=d_id))
    slot = Slot.objects.get(pk=checked.slot_id)
    assert services.offers_expire() == 0  # today's are still today's
    with clock.frozen(clock.now() + dt.timedelta(days=2)):
        assert services.offers_expire() == 2
        for booking, note in ((checked, "已签到，当日未办理"), (no_show, "预约日未到场办理")):
            booking.refresh_from_db()
            assert (booking.status, booking.status_note) == (BookingStatus.EXPIRED, note)
            assert not booking.parties.filter(is_active=True).exists()
        assert Slot.objects.get(pk=slot.pk).booked == slot.booked  # the past day's numbers stay
        monday = first_slot(registry, MONDAY + dt.timedelta(days=7))
        for a, b in ((a_id, b_id), (c_id, d_id)):
            book(registry, monday, a=party("甲", id_number=a), b=party("乙", id_number=b))
        assert services.offers_expire() == 0


# --- X3: staff actions on bookings name the staff member --------------------------------------------


def _entries(booking, actor):
    return list(
        LogEntry.objects.filter(
            object_pk=str(booking.pk), actor=actor, content_type__model="booking"
        ).order_by("pk")
    )


def test_x3_check_in_cancel_and_registration_name_the_clerk(client, registry, clerk):
    booking = _today_booking(registry)
    other = _today_booking(registry, 1)
    client.force_login(clerk)
    client.post(f"/marriage/bookings/{booking.pk}/", {"action": "check_in"})
    client.post(f"/marriage/bookings/{other.pk}/", {"action": "cancel"})
    _screen_both(booking, clerk)
    client.post(f"/marriage/bookings/{booking.pk}/", {"action": "register"})
    changes = [entry.changes_dict["status"] for entry in _entries(booking, clerk)]
    assert changes == [["booked", "checked_in"], ["checked_in", "registered"]]
    (cancelled,) = _entries(other, clerk)
    assert cancelled.changes_dict["status"] == ["booked", "cancelled"]
    assert booking.code not in cancelled.object_repr  # the code is the couple's secret


def test_x3_a_public_cancellation_writes_no_staff_entry(registry):
    booking = book(registry)
    services.booking_cancel(booking=booking)
    assert not LogEntry.objects.filter(content_type__model="booking").exists()


def test_x3_booking_through_the_api_names_the_clerk(client, registry, clerk):
    slot = first_slot(registry, MONDAY)
    client.force_login(clerk)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/v1/marriage/bookings/new/",
            {
                "slot": slot.pk,
                "party_a": {
                    "name": "张三",
                    "id_type": "resident_id",
                    "id_number": resident_id(),
                    "phone": "13900001111",
                },
                "party_b": {
                    "name": "李四",
                    "id_type": "resident_id",
                    "id_number": resident_id(female=True),
                    "phone": "13900002222",
                },
            },
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    booking = Booking.objects.get(pk=response.json()["id"])
    (entry,) = _entries(booking, clerk)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.changes_dict["status"][1] == "booked"
    # The clerk's entry joins the booking's one audit insert (persons, texts), in its transaction.
    audit_inserts = [
        q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "auditlog_logentry"')
    ]
    assert len(audit_inserts) == 1
    # The persons the clerk registered and the texts queued name the clerk too, row by row right.
    parties = list(booking.parties.all())
    people = LogEntry.objects.filter(
        content_type__model="person", object_pk__in=[str(p.person_id) for p in parties]
    )
    assert sorted((e.object_repr, e.actor_id) for e in people) == [("张三", clerk.pk), ("李四", clerk.pk)]
    texts = LogEntry.objects.filter(content_type__model="outboxmessage")
    assert texts.count() == 2
    assert {e.actor_id for e in texts} == {clerk.pk}
    assert {e.remote_addr for e in [*people, *texts, entry]} == {"127.0.0.1"}


def test_x3_the_surge_sync_button_names_the_administrator(client, tree, plan_campaign, region_admin):
    client.force_login(region_admin)
    client.post("/marriage/surge-dates/", {"action": "sync"})
    entries = LogEntry.objects.filter(content_type__model="surgedate")
    assert entries.count() == 3
    assert {e.actor_id for e in entries} == {region_admin.pk}


# --- M5: surge dates ---------------------------------------------------------------------------------


def test_m5_the_sync_button_makes_the_next_520_521_and_qixi_late_in_the_year(
    client, tree, plan_campaign, region_admin
):
    client.force_login(region_admin)
    with clock.frozen(dt.datetime(2022, 11, 29, 10, 0, tzinfo=clock.local_zone())):
        response = client.post("/marriage/surge-dates/", {"action": "sync"}, follow=True)
        page = response.content.decode()
    assert sorted(SurgeDate.objects.values_list("date", flat=True)) == [
        dt.date(2023, 5, 20),
        dt.date(2023, 5, 21),
        dt.date(2023, 8, 22),  # 七夕 2023: the 7th day of the 7th lunar month
    ]
    assert "已生成 3 个高峰日" in page
    assert "2023-05-20" in page
    with clock.frozen(dt.datetime(2022, 6, 1, 10, 0, tzinfo=clock.local_zone())):
        # This year's 七夕 is ahead; the 520 and 521 of next year are already set.
        assert services.surge_dates_sync_upcoming(actor=None) == [dt.date(2022, 8, 4)]
        response = client.post("/marriage/surge-dates/", {"action": "sync"}, follow=True)
    assert "没有新生成" in response.content.decode()


def test_m5_a_surge_date_keeps_the_hours_of_slots_with_past_bookings(registry, clerk):
    """A refused booking's record keeps its hours when the day becomes a surge date later."""
    booking = _today_booking(registry)  # 14:00–15:00
    services.counter_check_in(actor=clerk, booking=booking)
    party_obj = booking.parties.first()
    answers = {
        q.key: not q.refuses_when
        for q in selectors.questions_for(party_obj, *current_policies(MarriagePolicy, ScreeningPolicy))
    }
    services.counter_screen(
        actor=clerk, booking=booking, party=party_obj, temperature="38.5", answers=answers
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REFUSED
    for start, end in ((dt.time(14), dt.time(14, 30)), (dt.time(14, 30), dt.time(15))):
        services.slot_template_add(
            actor=None, unit=registry, starts_at=start, ends_at=end, share=1, plan=SlotPlan.SURGE
        )
    services.surge_date_set(actor=None, date=clock.today(), name="演练高峰日", daily_quota=8)
    kept = Slot.objects.get(pk=booking.slot_id)
    assert (kept.starts_at, kept.ends_at) == (dt.time(14), dt.time(15))
    assert kept.capacity == kept.booked  # it takes nobody new
    rows = {s.starts_at: s for s in services.slots_make(unit=registry, day=clock.today())}
    assert rows[dt.time(14)].ends_at == dt.time(15)
    assert (rows[dt.time(14, 30)].ends_at, rows[dt.time(14, 30)].capacity) == (dt.time(15), 4)


# --- M4: the alert of a non-compliance report has a label -------------------------------------------


def test_m4_the_non_compliance_alert_kind_has_a_label(client, registry, clerk, county_user):
    from django.utils import translation

    from shouhu.alerts.models import Alert
    from shouhu.alerts.registry import kind_label

    booking = _today_booking(registry)
    services.counter_check_in(actor=clerk, booking=booking)
    party_obj = booking.parties.first()
    answers = {
        q.key: not q.refuses_when
        for q in selectors.questions_for(party_obj, *current_policies(MarriagePolicy, ScreeningPolicy))
    }
    services.counter_screen(
        actor=clerk, booking=booking, party=party_obj, temperature="38.5", answers=answers
    )
    alert = Alert.objects.get(kind=services.NON_COMPLIANCE_ALERT)
    assert alert.link == f"/marriage/reports/{booking.reports.get().pk}/"
    with translation.override("zh-hans"):
        assert kind_label(alert.kind) == "婚姻登记当事人不符合防控要求"
    client.force_login(county_user)
    page = client.get("/alerts/").content.decode()
    assert "marriage.non_compliance ·" not in page
    assert "· 婚姻登记当事人不符合防控要求 ·" in page or "婚姻登记当事人不符合防控要求</option>" in page
    assert client.get("/alerts/?export=xlsx").status_code == 200


def test_m3_the_inquiry_is_shown_in_the_readers_language_and_stored_in_chinese(registry):
    from django.utils import translation

    booking = _today_booking(registry)
    party_obj = booking.parties.first()
    with translation.override("en"):
        questions = selectors.questions_for(party_obj, *current_policies(MarriagePolicy, ScreeningPolicy))
    days = current_policy(ScreeningPolicy).risk_lookback_days
    risk = next(q for q in questions if q.key == "risk_area")
    assert risk.text == f"近 {days} 天内是否到过中高风险地区或重点疫区"  # stored with a refusal
    assert str(days) in risk.label


def test_c4_the_tick_leaves_a_suspended_days_holder_their_priority_then_lapses_it_as_closed(tree):
    """A suspension closed the day: the couple did not miss it. While the suspension stands their
    booking keeps the priority rebooking they were told of; once lifted, it lapses with a note
    saying the registry was closed."""
    from shouhu.campaigns.services import suspension_lift

    unit = make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4)
    admin = make_user("county_staff", tree.county_a)
    booking = book(unit, first_slot(unit, MONDAY))
    suspension = suspend(tree.county_a, MONDAY, ends_on=MONDAY + dt.timedelta(days=6))
    two_days_later = dt.datetime.combine(MONDAY + dt.timedelta(days=2), dt.time(1), tzinfo=clock.local_zone())
    with clock.frozen(two_days_later):
        services.offers_expire()
        booking.refresh_from_db()
        assert booking.status == BookingStatus.BOOKED
        assert selectors.displaced_by_suspension(booking)
        suspension_lift(actor=admin, suspension=suspension, reason="疫情缓解")
        services.offers_expire()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert booking.status_note == services.SUSPENDED_DAY_NOTE
    assert not booking.parties.filter(is_active=True).exists()  # they may book again


def test_m5_ending_a_past_days_check_in_offers_nobody_that_day(tree):
    """Just after midnight, before the tick: yesterday's seat is history, not an offer for a day gone."""
    unit = make_registry(tree.county_a, "漠河登记处", quota=2, slots=((14, 15, 1), (15, 16, 1)))
    clerk = make_user("institution_staff", unit)
    today = clock.today()
    slot = services.slots_make(unit=unit, day=today)[0]
    held = book(unit, slot)
    waiting = book(unit, slot, waitlist=True)
    services.counter_check_in(actor=clerk, booking=held)
    with clock.frozen(
        dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0, 0, 30), tzinfo=clock.local_zone())
    ):
        services.booking_cancel(booking=held, actor=clerk, reason="当事人离开")
    waiting.refresh_from_db()
    slot.refresh_from_db()
    assert waiting.status == BookingStatus.WAITING
    assert not OutboxMessage.objects.filter(kind="marriage.offer").exists()
    assert slot.booked == 1  # the day's numbers stay as they were


def test_c4_pressing_notify_after_the_automatic_texts_says_everyone_was_told(
    client, tree, registry, county_user
):
    book(registry)  # Monday
    suspension = suspend(tree.county_a, MONDAY)  # texts the holder as it commits
    client.force_login(county_user)
    page = client.post(f"/marriage/suspensions/{suspension.pk}/notify/", follow=True).content.decode()
    assert "均已通知过" in page
    assert "已通知 0 个预约" not in page
