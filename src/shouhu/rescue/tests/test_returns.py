"""R2: the return home (返乡) — arranged, departed, and tracked until the receiving side confirms
the arrival; overdue returns show on Today and are reminded; the Spring Festival is the campaign's."""

import datetime as dt

import pytest

from shouhu.alerts import runner
from shouhu.alerts.models import Alert
from shouhu.campaigns.models import KeyDate
from shouhu.common.errors import ConflictError, DomainError
from shouhu.rescue import selectors, services
from shouhu.rescue.models import RescuedStatus, RescuePolicy, ReturnStatus
from shouhu.rescue.reminders import RETURN_OVERDUE, overdue_returns
from shouhu.rescue.tests.factories import NOW, make_rescued, make_trip

pytestmark = pytest.mark.django_db


def test_r2_a_return_is_tracked_until_the_receiving_side_confirms_the_arrival(
    plan_campaign, station_a, station_staff
):
    rescued = make_rescued(station_a)
    trip = make_trip(rescued, actor=station_staff)
    assert trip.status == ReturnStatus.ARRANGED
    with pytest.raises(ConflictError):
        services.return_confirm_arrival(
            actor=station_staff, trip=trip, arrived_at=NOW, confirmed_by_name="王建华"
        )
    trip = services.return_depart(actor=station_staff, trip=trip, departed_at=NOW - dt.timedelta(hours=2))
    rescued.refresh_from_db()
    assert rescued.status == RescuedStatus.RETURNING
    with pytest.raises(DomainError) as unconfirmed:
        services.return_confirm_arrival(actor=station_staff, trip=trip, arrived_at=NOW, confirmed_by_name=" ")
    assert unconfirmed.value.field_errors["confirmed_by_name"]
    with pytest.raises(DomainError) as before:
        services.return_confirm_arrival(
            actor=station_staff,
            trip=trip,
            arrived_at=NOW - dt.timedelta(hours=2, minutes=30),
            confirmed_by_name="王建华",
        )
    assert before.value.field_errors["arrived_at"]
    trip = services.return_confirm_arrival(
        actor=station_staff, trip=trip, arrived_at=NOW, confirmed_by_name="王建华", note="电话确认已到家"
    )
    assert trip.status == ReturnStatus.ARRIVED
    assert trip.confirmed_by == station_staff
    rescued.refresh_from_db()
    assert rescued.status == RescuedStatus.RETURNED
    assert rescued.left_on == NOW.date()
    with pytest.raises(ConflictError) as twice:
        services.return_confirm_arrival(
            actor=station_staff, trip=trip, arrived_at=NOW, confirmed_by_name="王建华"
        )
    assert twice.value.code == "already_arrived"


def test_r2_one_return_at_a_time_and_only_from_the_station(plan_campaign, station_a):
    rescued = make_rescued(station_a)
    trip = make_trip(rescued)
    with pytest.raises(ConflictError):
        make_trip(rescued)
    services.return_cancel(actor=None, trip=trip)
    assert make_trip(rescued).status == ReturnStatus.ARRANGED


def test_r2_an_escorted_return_does_not_leave_without_its_escort(plan_campaign, station_a):
    trip = make_trip(make_rescued(station_a), escorted=True)
    with pytest.raises(ConflictError) as refused:
        services.return_depart(actor=None, trip=trip, departed_at=NOW)
    assert refused.value.code == "escort_missing"


def test_r2_a_return_past_the_policys_days_is_overdue_on_today_and_reminded(
    plan_campaign, station_a, tree, county_user, station_staff
):
    trip = make_trip(
        make_rescued(station_a, admitted_at=NOW - dt.timedelta(days=6)),
        planned_on=NOW.date() - dt.timedelta(days=5),
    )
    services.return_depart(actor=None, trip=trip, departed_at=NOW - dt.timedelta(days=4))
    days = RescuePolicy.objects.get(campaign=plan_campaign).return_arrival_days
    assert days == 3
    (tally,) = selectors.today_returns(within=tree.county_a.path, today=NOW.date(), viewer_id=county_user.pk)
    assert (tally.due, tally.done, tally.overdue) == (0, 0, 1)
    runner.run_reminders(checks={RETURN_OVERDUE: overdue_returns})
    alert = Alert.objects.get(kind=RETURN_OVERDUE)
    assert station_a.name in alert.title
    # Confirmed arrived: done today, no longer overdue, the alert resolved at the next run.
    services.return_confirm_arrival(actor=None, trip=trip, arrived_at=NOW, confirmed_by_name="王建华")
    (tally,) = selectors.today_returns(within=tree.county_a.path, today=NOW.date(), viewer_id=county_user.pk)
    assert (tally.due, tally.done, tally.overdue) == (1, 1, 0)
    runner.run_reminders(checks={RETURN_OVERDUE: overdue_returns})
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_r2_a_longer_policy_keeps_the_same_return_on_time(plan_campaign, station_a, tree, county_user):
    trip = make_trip(
        make_rescued(station_a, admitted_at=NOW - dt.timedelta(days=6)),
        planned_on=NOW.date() - dt.timedelta(days=5),
    )
    services.return_depart(actor=None, trip=trip, departed_at=NOW - dt.timedelta(days=4))
    RescuePolicy.objects.filter(campaign=plan_campaign).update(return_arrival_days=5)
    (tally,) = selectors.today_returns(within=tree.county_a.path, today=NOW.date(), viewer_id=county_user.pk)
    assert (tally.due, tally.overdue) == (1, 0)


def test_r2_the_spring_festival_is_the_campaigns_key_date_else_the_policys(plan_campaign, county_user):
    assert selectors.spring_festival_on(viewer=county_user) == dt.date(2022, 2, 1)
    KeyDate.objects.filter(campaign=plan_campaign, name="春节").delete()
    RescuePolicy.objects.filter(campaign=plan_campaign).update(spring_festival_date=dt.date(2022, 1, 31))
    assert selectors.spring_festival_on(viewer=county_user) == dt.date(2022, 1, 31)
