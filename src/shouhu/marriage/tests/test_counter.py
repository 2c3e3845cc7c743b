"""At the counter (M3, M4), suspensions (C4, M6), the hall log and daily counts (M6)."""

import datetime as dt

import pytest
from django.core.management import call_command

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts.models import AlertDelivery
from shouhu.campaigns.policy import current_policies, current_policy
from shouhu.campaigns.selectors import suspension_affected
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.gatherings.models import GatheringsPolicy
from shouhu.marriage import selectors, services
from shouhu.marriage.models import (
    BookingParty,
    BookingStatus,
    HallTask,
    MarriagePolicy,
    NonComplianceReport,
    RecipientKind,
    ReportRecipient,
    ReportStatus,
    Slot,
    SuspensionNotice,
)
from shouhu.marriage.tests.factories import MONDAY, book, first_slot, make_registry, party, suspend
from shouhu.notifications.models import OutboxMessage
from shouhu.people.models import IdType
from shouhu.screening import services as screening_services
from shouhu.screening.models import IsolationKind, ScreeningPolicy

TODAY_SLOTS = ((14, 15, 1), (15, 16, 1))


@pytest.fixture
def registry(tree, plan_campaign):
    return make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4, slots=TODAY_SLOTS)


@pytest.fixture
def clerk(registry):
    return make_user("institution_staff", registry)


@pytest.fixture
def coordinator(tree):
    return make_user("department_coordinator", tree.department)


def _today_booking(registry, **kwargs):
    slot = services.slots_make(unit=registry, day=clock.today())[0]
    return book(registry, slot, **kwargs)


def _answers(party_obj, *, bad: str = ""):
    questions = selectors.questions_for(party_obj, *current_policies(MarriagePolicy, ScreeningPolicy))
    return {q.key: (not q.refuses_when) if q.key != bad else q.refuses_when for q in questions}


def test_m3_eligible_couple_is_registered(registry, clerk):
    booking = _today_booking(registry)
    services.counter_check_in(actor=clerk, booking=booking)
    for p in booking.parties.all():
        check = services.counter_screen(
            actor=clerk, booking=booking, party=p, temperature="36.5", answers=_answers(p)
        )
        assert check.is_eligible
    services.booking_register_done(actor=clerk, booking=booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REGISTERED
    assert not BookingParty.objects.filter(booking=booking, is_active=True).exists()


def test_m3_hmt_party_gets_the_extra_inquiry(registry):
    booking = _today_booking(
        registry, b=party("陈大文", id_type=IdType.HK_MACAO_PERMIT, id_number="H76543210")
    )
    plain = booking.parties.get(role="a")
    hmt = booking.parties.get(role="b")
    policies = current_policies(MarriagePolicy, ScreeningPolicy)
    plain_keys = {q.key for q in selectors.questions_for(plain, *policies)}
    hmt_keys = {q.key for q in selectors.questions_for(hmt, *policies)}
    assert {"isolation_done", "test_negative"} <= hmt_keys - plain_keys


def test_m3_the_hmt_test_window_is_marriages_own_policy_value(registry):
    """Changing the gatherings' test window (G3) leaves the registry's inquiry and notice alone."""
    from shouhu.marriage import notices

    booking = _today_booking(
        registry, b=party("陈大文", id_type=IdType.HK_MACAO_PERMIT, id_number="H76543210")
    )
    hmt = booking.parties.get(role="b")
    policy, screening = current_policies(MarriagePolicy, ScreeningPolicy)
    gatherings = current_policy(GatheringsPolicy)
    gatherings.test_window_hours, policy.test_validity_hours = 24, 72

    def asked(question_key: str) -> str:
        (question,) = [q for q in selectors.questions_for(hmt, policy, screening) if q.key == question_key]
        return question.text

    assert "72 小时" in asked("test_negative")
    assert "24 小时" not in asked("test_negative")
    assert any("72 小时内核酸" in rule for rule in notices.advance_notice(booking, policy, screening).rules)


def test_m3_register_needs_both_parties_screened(registry, clerk):
    booking = _today_booking(registry)
    services.counter_check_in(actor=clerk, booking=booking)
    with pytest.raises(ConflictError):
        services.booking_register_done(actor=clerk, booking=booking)


def test_m3_bad_temperature_input_is_refused_and_nothing_saved(registry, clerk):
    booking = _today_booking(registry)
    services.counter_check_in(actor=clerk, booking=booking)
    p = booking.parties.get(role="a")
    for value in ("abc", "NaN", "99"):
        with pytest.raises(DomainError) as caught:
            services.counter_screen(
                actor=clerk, booking=booking, party=p, temperature=value, answers=_answers(p)
            )
        assert "体温" in caught.value.message
    assert not NonComplianceReport.objects.exists()


def test_m4_ineligible_party_is_refused_reported_and_reaches_the_departments_inbox(
    registry, clerk, coordinator, county_user
):
    booking = _today_booking(registry)
    services.counter_check_in(actor=clerk, booking=booking)
    p = booking.parties.get(role="a")
    check = services.counter_screen(
        actor=clerk, booking=booking, party=p, temperature="37.8", answers=_answers(p, bad="risk_area")
    )
    assert not check.is_eligible
    assert "37.8" in check.reasons
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REFUSED
    report = NonComplianceReport.objects.get(booking=booking)
    assert report.status == ReportStatus.OPEN
    assert "统筹" in report.recipients
    inboxes = set(AlertDelivery.objects.filter(alert=report.alert).values_list("user_id", flat=True))
    assert coordinator.pk in inboxes
    assert county_user.pk in inboxes
    # Tracked to closed: closing resolves the alert.
    services.report_close(actor=county_user, report=report, outcome="已通知疾控部门，当事人居家健康监测")
    report.refresh_from_db()
    report.alert.refresh_from_db()
    assert report.status == ReportStatus.CLOSED
    assert report.alert.resolved_at is not None
    with pytest.raises(ConflictError):
        services.report_close(actor=county_user, report=report, outcome="再次")


def test_m4_recipients_are_data(registry, clerk, tree, coordinator, county_user):
    ReportRecipient.objects.create(kind=RecipientKind.COORDINATORS)
    booking = _today_booking(registry)
    services.counter_check_in(actor=clerk, booking=booking)
    p = booking.parties.get(role="a")
    services.counter_screen(actor=clerk, booking=booking, party=p, temperature="38.0", answers=_answers(p))
    report = NonComplianceReport.objects.get()
    users = set(AlertDelivery.objects.filter(alert=report.alert).values_list("user_id", flat=True))
    assert users == {coordinator.pk}


def test_m3_party_in_isolation_is_refused_at_the_counter(registry, clerk):
    booking = _today_booking(registry)
    services.counter_check_in(actor=clerk, booking=booking)
    p = booking.parties.get(role="b")
    screening_services.isolation_record(
        actor=None, person=p.person, kind=IsolationKind.HOME, starts_on=clock.today(), source="卫健部门推送"
    )
    check = services.counter_screen(
        actor=clerk, booking=booking, party=p, temperature="36.4", answers=_answers(p)
    )
    assert not check.is_eligible
    assert "隔离" in check.reasons


def test_c4_bookings_inside_a_new_suspension_are_listed_and_notified(tree, registry, county_user):
    booking = book(registry, first_slot(registry, MONDAY))
    outside = book(registry, first_slot(registry, MONDAY + dt.timedelta(days=7)))
    suspension = suspend(tree.county_a, MONDAY, actor=county_user, ends_on=MONDAY + dt.timedelta(days=2))
    lines = suspension_affected(suspension)
    assert any(booking.code in line for line in lines)
    assert not any(outside.code in line for line in lines)
    # Told the moment the suspension is registered, and only once.
    assert SuspensionNotice.objects.filter(booking=booking).exists()
    assert not SuspensionNotice.objects.filter(booking=outside).exists()
    assert services.suspension_notify(suspension=suspension) == 0
    texts = OutboxMessage.objects.filter(kind="marriage.suspension")
    assert texts.count() == 2
    assert "优先改约" in texts.first().body
    # The suspended window takes no booking; the holder may rebook elsewhere.
    with pytest.raises(ConflictError) as caught:
        book(registry, Slot.objects.get(pk=booking.slot_id))
    assert "暂停" in caught.value.message
    services.booking_reschedule(
        booking=booking,
        slot=first_slot(registry, MONDAY + dt.timedelta(days=3)),
        disclose=services.disclose_everything,
    )
    booking.refresh_from_db()
    assert booking.date == MONDAY + dt.timedelta(days=3)


def test_c4_the_cron_command_notifies_bookings_it_has_not_told_yet(tree, registry, county_user):
    booking = book(registry, first_slot(registry, MONDAY))
    suspension = suspend(registry, MONDAY, "大厅消杀", actor=county_user)
    assert SuspensionNotice.objects.filter(booking=booking).exists()
    SuspensionNotice.objects.filter(suspension=suspension).delete()  # as if it had failed
    OutboxMessage.objects.filter(kind="marriage.suspension").delete()
    call_command("marriage_tick")
    assert SuspensionNotice.objects.filter(booking=booking).exists()
    assert OutboxMessage.objects.filter(kind="marriage.suspension").count() == 2
    call_command("marriage_tick")
    assert OutboxMessage.objects.filter(kind="marriage.suspension").count() == 2


def test_c4_a_limit_keeps_the_day_open_and_tells_nobody_to_rebook(tree, registry, county_user):
    booking = book(registry, first_slot(registry, MONDAY))
    suspend(tree.county_a, MONDAY, "人流较大", actor=county_user, mode="limited", limit_note="每时段减半")
    call_command("marriage_tick")
    assert not SuspensionNotice.objects.filter(booking=booking).exists()
    assert not OutboxMessage.objects.filter(kind="marriage.suspension").exists()


def test_m6_hall_log_and_daily_counts(registry, clerk):
    services.hall_log_record(
        actor=clerk, unit=registry, task=HallTask.VENTILATION, done_at=clock.now() - dt.timedelta(hours=1)
    )
    with pytest.raises(DomainError):
        services.hall_log_record(
            actor=clerk,
            unit=registry,
            task=HallTask.DISINFECTION,
            done_at=clock.now() + dt.timedelta(hours=1),
        )
    for long_ago in (clock.now() - dt.timedelta(days=8), dt.datetime(1, 1, 1, tzinfo=clock.local_zone())):
        with pytest.raises(DomainError) as too_old:
            services.hall_log_record(actor=clerk, unit=registry, task=HallTask.DISINFECTION, done_at=long_ago)
        assert "7 天以内" in too_old.value.message
    assert selectors.hall_log_list(viewer=clerk).count() == 1
    _today_booking(registry)
    rows = selectors.daily_counts(viewer=clerk, day=clock.today())
    assert [(r.unit, r.capacity, r.booked) for r in rows] == [(registry, 4, 1)]


def test_m6_the_hall_log_page_refuses_year_one_without_a_server_error(client, registry, clerk):
    client.force_login(clerk)
    response = client.post(
        "/marriage/hall-logs/",
        {"unit": registry.pk, "task": HallTask.DISINFECTION, "done_at": "0001-01-01T00:00"},
    )
    assert response.status_code in (200, 400)
    # Year 1 never reaches the service: every form bounds its dates; the service's own rule
    # still answers for a date inside the span.
    assert "日期须在 1900-01-01 至 2100-12-31 之间" in response.content.decode()
    early = client.post(
        "/marriage/hall-logs/",
        {"unit": registry.pk, "task": HallTask.DISINFECTION, "done_at": "1900-01-01T00:00"},
    )
    assert "7 天以内" in early.content.decode()


def test_c4_the_counter_does_not_register_on_a_suspended_day(tree, registry, clerk, county_user):
    booking = _today_booking(registry)
    suspend(tree.county_a, clock.today(), actor=county_user)
    with pytest.raises(ConflictError) as caught:
        services.counter_check_in(actor=clerk, booking=booking)
    assert "本地出现疫情" in caught.value.message
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
