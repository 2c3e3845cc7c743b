"""X5/X6: the nursing homes' work of the day on the Today page — health checks, the daily log,
the testing round of a closed home — counted per home in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.campaigns.services import policy_update
from shouhu.common import clock
from shouhu.common.today import Tally, registered_works
from shouhu.eldercare import selectors, services
from shouhu.eldercare.models import ChecklistItem, EldercarePolicy
from shouhu.eldercare.tests.factories import make_closure, make_home, make_member, make_round
from shouhu.orgs.models import UnitStatus

pytestmark = pytest.mark.django_db

TODAY = dt.date(2022, 1, 5)  # the fixed clock's day (10:00)
YESTERDAY = dt.date(2022, 1, 4)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.start_of(day) + dt.timedelta(hours=hour, minutes=minute)


def check(home, person, when):
    return services.health_check_record(
        actor=None, home=home, person=person, temperature="36.5", symptoms=[], checked_at=when
    )


def log(home, day=TODAY):
    items = list(ChecklistItem.objects.filter(is_active=True))
    return services.daily_log_record(actor=None, home=home, day=day, done_items=items)


def by_unit(tallies) -> dict[int, Tally]:
    tallies = list(tallies)
    assert len({t.unit_id for t in tallies}) == len(tallies), "one tally per unit"
    return {t.unit_id: t for t in tallies}


def counted(counter, *, within: str) -> tuple[dict[int, Tally], int]:
    """The tallies, and the number of queries it took to get them."""
    with CaptureQueriesContext(connection) as queries:
        tallies = by_unit(counter(within=within, today=TODAY, viewer_id=0))
    return tallies, len(queries.captured_queries)


# --- Registration -------------------------------------------------------------------------------


def test_x5_the_three_works_are_registered_with_their_links(tree):
    works = {w.key: w for w in registered_works() if w.module == "eldercare"}
    assert set(works) == {"eldercare.health_checks", "eldercare.daily_log", "eldercare.test_round"}
    home = tree.nursing_home_a.pk
    assert works["eldercare.health_checks"].link(home) == f"/eldercare/homes/{home}/checks/"
    assert works["eldercare.daily_log"].link(home) == f"/eldercare/homes/{home}/log/"
    assert works["eldercare.test_round"].link(home) == f"/eldercare/homes/{home}/rounds/new/"
    assert {w.link(None) for w in works.values()} == {"/eldercare/"}
    assert {w.permission for w in works.values()} == {"eldercare.view"}
    assert str(works["eldercare.daily_log"].title) == "今日防控日志"
    assert str(works["eldercare.health_checks"].deadline) == "当日"


# --- Health checks ------------------------------------------------------------------------------


def test_x5_health_checks_count_each_persons_checks_up_to_the_policy_and_yesterdays_missing(
    tree, plan_campaign
):
    home = tree.nursing_home_a
    grandma = make_member(home, "孙奶奶")
    carer = make_member(home, "护工小王", staff=True)
    make_member(tree.nursing_home_b, "漠河老人")
    for hour in (7, 8, 9):  # three checks today: two count, a third stands in for nobody else's
        check(home, grandma, at(TODAY, hour))
    check(home, grandma, at(YESTERDAY, 8))
    check(home, grandma, at(YESTERDAY, 16))
    check(home, carer, at(YESTERDAY, 8))  # one missing yesterday
    check(home, carer, at(YESTERDAY - dt.timedelta(days=1), 8))  # the day before counts for nothing

    tallies = by_unit(selectors.today_health_checks(within="", today=TODAY, viewer_id=0))
    assert tallies[home.pk] == Tally(home.pk, home.path, done=2, due=4, overdue=1)
    b = tree.nursing_home_b
    assert tallies[b.pk] == Tally(b.pk, b.path, done=0, due=2, overdue=2)

    check(home, carer, at(TODAY, 9, 30))
    after = by_unit(selectors.today_health_checks(within="", today=TODAY, viewer_id=0))
    assert after[home.pk] == Tally(home.pk, home.path, done=3, due=4, overdue=1)
    check(home, carer, at(YESTERDAY, 20))  # a late entry for yesterday clears the overdue
    late = by_unit(selectors.today_health_checks(within="", today=TODAY, viewer_id=0))
    assert late[home.pk] == Tally(home.pk, home.path, done=3, due=4, overdue=0)


def test_x5_health_checks_follow_the_policys_checks_per_day(tree, plan_campaign):
    home = tree.nursing_home_a
    grandma = make_member(home, "孙奶奶")
    for hour in (7, 8, 9):
        check(home, grandma, at(TODAY, hour))
    policy_update(
        actor=None, campaign=plan_campaign, model=EldercarePolicy, values={"health_checks_per_day": 4}
    )
    tallies = by_unit(selectors.today_health_checks(within="", today=TODAY, viewer_id=0))
    assert tallies[home.pk] == Tally(home.pk, home.path, done=3, due=4, overdue=4)


def test_x5_health_checks_count_only_the_homes_within_and_only_people_still_there(tree, plan_campaign):
    home = tree.nursing_home_a
    grandma = make_member(home, "孙奶奶")
    gone = make_member(home, "已故老人")
    check(home, gone, at(TODAY, 8))
    gone.deceased_on = YESTERDAY
    gone.save(update_fields=["deceased_on"])
    make_member(tree.nursing_home_b, "漠河老人")
    check(home, grandma, at(TODAY, 8))
    tallies = by_unit(selectors.today_health_checks(within=tree.county_a.path, today=TODAY, viewer_id=0))
    assert tallies == {home.pk: Tally(home.pk, home.path, done=1, due=2, overdue=2)}
    assert by_unit(selectors.today_health_checks(within=tree.township_a.path, today=TODAY, viewer_id=0)) == {}


def test_x5_health_checks_take_the_same_queries_for_one_home_as_for_four(tree, plan_campaign):
    home = tree.nursing_home_a
    check(home, make_member(home, "孙奶奶"), at(TODAY, 8))
    one, queries_for_one = counted(selectors.today_health_checks, within=tree.county_a.path)
    assert one == {home.pk: Tally(home.pk, home.path, done=1, due=2, overdue=2)}
    for n in range(3):
        other = make_home(tree.county_a, f"养老院{n}")
        for name in ("甲", "乙", "丙"):
            person = make_member(other, f"{name}{n}")
            check(other, person, at(TODAY, 8))
            check(other, person, at(YESTERDAY, 8))
    four, queries_for_four = counted(selectors.today_health_checks, within=tree.county_a.path)
    assert len(four) == 4
    assert {(t.done, t.due, t.overdue) for uid, t in four.items() if uid != home.pk} == {(3, 6, 3)}
    assert queries_for_one == queries_for_four == 4


# --- Daily log ----------------------------------------------------------------------------------


def test_x5_a_home_missing_todays_log_has_it_due_until_written(tree, plan_campaign):
    a, b = tree.nursing_home_a, tree.nursing_home_b
    log(a, YESTERDAY)
    tallies = by_unit(selectors.today_daily_logs(within="", today=TODAY, viewer_id=0))
    assert tallies == {
        a.pk: Tally(a.pk, a.path, done=0, due=1, overdue=0),
        b.pk: Tally(b.pk, b.path, done=0, due=1, overdue=1),  # yesterday's never written
    }
    log(a)
    log(b, YESTERDAY)  # a late entry
    after = by_unit(selectors.today_daily_logs(within="", today=TODAY, viewer_id=0))
    assert after == {
        a.pk: Tally(a.pk, a.path, done=1, due=1, overdue=0),
        b.pk: Tally(b.pk, b.path, done=0, due=1, overdue=0),
    }


def test_x5_daily_logs_count_only_active_homes_within(tree, plan_campaign):
    a = tree.nursing_home_a
    closed_down = make_home(tree.county_a, "已撤销养老院")
    closed_down.status = UnitStatus.INACTIVE
    closed_down.save(update_fields=["status"])
    tallies = by_unit(selectors.today_daily_logs(within=tree.county_a.path, today=TODAY, viewer_id=0))
    assert tallies == {a.pk: Tally(a.pk, a.path, done=0, due=1, overdue=1)}


def test_x5_daily_logs_take_the_same_queries_for_one_home_as_for_four(tree, plan_campaign):
    _, queries_for_one = counted(selectors.today_daily_logs, within=tree.county_a.path)
    for n in range(3):
        other = make_home(tree.county_a, f"养老院{n}")
        log(other)
    four, queries_for_four = counted(selectors.today_daily_logs, within=tree.county_a.path)
    assert sorted((t.done, t.due, t.overdue) for t in four.values()) == [(0, 1, 1)] + [(1, 1, 1)] * 3
    assert queries_for_one == queries_for_four == 2


# --- Testing rounds of closed homes -------------------------------------------------------------


def test_x5_a_closed_homes_round_is_due_on_its_day_and_overdue_after(tree, plan_campaign):
    never_tested = tree.nursing_home_a  # closed since 1 January, no round: owed since then
    make_member(never_tested)
    make_closure(never_tested, dt.date(2022, 1, 1))
    week_old = make_home(tree.county_a, "七天前检测")  # last round 29 December: owed today
    make_member(week_old)
    make_round(week_old, dt.date(2021, 12, 29))
    make_closure(week_old, dt.date(2021, 12, 20))
    fresh = make_home(tree.county_a, "新近检测")  # last round 1 January: owed on the 8th
    make_member(fresh)
    make_round(fresh, dt.date(2022, 1, 1))
    make_closure(fresh, dt.date(2021, 12, 20))
    closed_today = make_home(tree.county_a, "今日封闭")  # an old round, closed today: owed today
    make_member(closed_today)
    make_round(closed_today, dt.date(2021, 6, 1))
    make_closure(closed_today, TODAY)
    open_home = make_home(tree.county_a, "未封闭")  # not closed: owes nothing
    make_member(open_home)
    ended = make_home(tree.county_a, "已解除")
    make_member(ended)
    make_closure(ended, dt.date(2021, 12, 1), ends_on=YESTERDAY)

    tallies = by_unit(selectors.today_test_rounds(within="", today=TODAY, viewer_id=0))
    assert tallies == {
        never_tested.pk: Tally(never_tested.pk, never_tested.path, done=0, due=0, overdue=1),
        week_old.pk: Tally(week_old.pk, week_old.path, done=0, due=1, overdue=0),
        closed_today.pk: Tally(closed_today.pk, closed_today.path, done=0, due=1, overdue=0),
    }

    make_round(never_tested, TODAY)
    make_round(week_old, TODAY + dt.timedelta(days=2))  # planned within the interval: arranged
    after = by_unit(selectors.today_test_rounds(within="", today=TODAY, viewer_id=0))
    assert after[never_tested.pk] == Tally(never_tested.pk, never_tested.path, done=1, due=1, overdue=0)
    assert after[week_old.pk] == Tally(week_old.pk, week_old.path, done=1, due=1, overdue=0)
    assert after[closed_today.pk].done == 0


def test_x5_a_round_planned_beyond_the_interval_does_not_count_as_done(tree, plan_campaign):
    home = tree.nursing_home_a
    make_member(home)
    make_closure(home, dt.date(2022, 1, 1))
    make_round(home, dt.date(2022, 3, 1))  # a typo or a far-off plan
    tallies = by_unit(selectors.today_test_rounds(within="", today=TODAY, viewer_id=0))
    assert tallies == {home.pk: Tally(home.pk, home.path, done=0, due=0, overdue=1)}


def test_x5_rounds_follow_the_policys_interval_and_the_subtree(tree, plan_campaign):
    a, b = tree.nursing_home_a, tree.nursing_home_b
    for home in (a, b):
        make_member(home)
        make_round(home, dt.date(2022, 1, 2))
        make_closure(home, dt.date(2021, 12, 20))
    assert by_unit(selectors.today_test_rounds(within="", today=TODAY, viewer_id=0)) == {}
    policy_update(actor=None, campaign=plan_campaign, model=EldercarePolicy, values={"test_interval_days": 3})
    within_a = by_unit(selectors.today_test_rounds(within=tree.county_a.path, today=TODAY, viewer_id=0))
    assert within_a == {a.pk: Tally(a.pk, a.path, done=0, due=1, overdue=0)}
    assert selectors.round_due(home=a, today=TODAY, interval_days=3)  # the reminder's rule agrees


def test_x5_rounds_take_the_same_queries_for_one_home_as_for_four(tree, plan_campaign):
    home = tree.nursing_home_a
    make_member(home)
    make_closure(home, dt.date(2022, 1, 1))
    _, queries_for_one = counted(selectors.today_test_rounds, within=tree.county_a.path)
    for n in range(3):
        other = make_home(tree.county_a, f"养老院{n}")
        make_member(other, f"老人{n}")
        make_round(other, TODAY)
        make_closure(other, dt.date(2021, 12, 1))
    four, queries_for_four = counted(selectors.today_test_rounds, within=tree.county_a.path)
    assert sorted((t.done, t.due, t.overdue) for t in four.values()) == [(0, 0, 1)] + [(1, 1, 0)] * 3
    assert queries_for_one == queries_for_four == 3
