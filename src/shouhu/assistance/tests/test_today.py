"""X5/X6 × A1, A2: visits due and overdue, follow-ups and responsibility gaps on the Today page,
counted per village in a fixed number of queries; overdue visits reminded to the village, then to
the township; late follow-ups to the county."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts import runner
from shouhu.alerts.models import Alert
from shouhu.alerts.selectors import inbox
from shouhu.assistance import selectors, services
from shouhu.assistance.models import FollowUp, Level, Standing
from shouhu.assistance.reminders import (
    FOLLOW_UP_LATE,
    VISITS_ESCALATED,
    VISITS_OVERDUE,
    late_follow_ups,
    overdue_visits,
)
from shouhu.assistance.tests.factories import DAY, make_household
from shouhu.common import clock
from shouhu.common.today import Tally, registered_works
from shouhu.screening.services import isolation_record

pytestmark = pytest.mark.django_db

CHECKS = {VISITS_OVERDUE: overdue_visits, FOLLOW_UP_LATE: late_follow_ups}


def tallies(function, within: str = "") -> dict[int, Tally]:
    rows = list(function(within=within, today=DAY, viewer_id=0))
    assert len({t.unit_id for t in rows}) == len(rows), "one tally per unit"
    return {t.unit_id: t for t in rows}


def test_x5_the_assistance_works_are_registered_with_their_links(tree):
    works = {w.key: w for w in registered_works() if w.module == "assistance"}
    assert set(works) == {
        "assistance.visits",
        "assistance.follow_ups",
        "assistance.responsibility",
        "assistance.arrears",
        "assistance.advance_documents",
        "assistance.care",
        "assistance.hotline",
        "assistance.applications",
    }
    assert (
        works["assistance.visits"].link(tree.village_a.pk)
        == f"/assistance/?overdue=1&unit={tree.village_a.pk}"
    )
    assert works["assistance.responsibility"].link(None) == "/assistance/?missing=1"
    assert works["assistance.follow_ups"].link(None) == "/assistance/follow-ups/"
    assert works["assistance.care"].link(None) == "/assistance/care/"
    assert works["assistance.hotline"].link(None) == "/assistance/hotline/?open=1"
    assert works["assistance.advance_documents"].link(None) == "/assistance/grants/?awaiting=1"
    assert works["assistance.arrears"].permission == "assistance.manage"


def test_a2_visits_due_today_overdue_and_done_per_village(tree, plan_campaign):
    # 低保 every 14 days, 特困 every 7 (the policy's defaults); today is 2022-01-05.
    due_today = make_household(tree.village_a, "今日到期", registered_on=dt.date(2021, 12, 22))
    make_household(
        tree.village_a, "逾期", standing=Standing.TEKUN_DISPERSED, registered_on=dt.date(2021, 12, 22)
    )
    make_household(tree.village_a, "未到期", registered_on=DAY)
    visited = make_household(tree.village_b, "今日已走访", registered_on=dt.date(2021, 12, 1))
    services.visit_record(
        actor=None, household=visited, visited_on=DAY, visitor="陈书记", findings="生活平稳"
    )
    with CaptureQueriesContext(connection) as queries:
        counted = tallies(selectors.today_visits)
    assert len(queries) <= 2
    assert counted[tree.village_a.pk] == Tally(
        tree.village_a.pk, tree.village_a.path, done=0, due=1, overdue=1
    )
    assert counted[tree.village_b.pk] == Tally(
        tree.village_b.pk, tree.village_b.path, done=1, due=1, overdue=0
    )
    services.visit_record(
        actor=None, household=due_today, visited_on=DAY, visitor="陈书记", findings="生活平稳"
    )
    assert tallies(selectors.today_visits, tree.county_a.path)[tree.village_a.pk].left == 0


def test_a2_follow_ups_are_overdue_after_the_policys_days(tree, plan_campaign):
    household = make_household(tree.village_a)
    isolation_record(
        actor=None, person=household.members.get().person, kind="home", starts_on=DAY, source="社区排查"
    )
    assert tallies(selectors.today_follow_ups)[tree.village_a.pk] == Tally(
        tree.village_a.pk, tree.village_a.path, done=0, due=1, overdue=0
    )
    # Opened three days ago: past the 2 days of the plan's default policy.
    FollowUp.objects.update(opened_at=clock.now() - dt.timedelta(days=3))
    assert tallies(selectors.today_follow_ups)[tree.village_a.pk].overdue == 1
    services.follow_up_close(actor=None, follow_up=FollowUp.objects.get(), outcome="已入户送去生活物资")
    assert tallies(selectors.today_follow_ups)[tree.village_a.pk] == Tally(
        tree.village_a.pk, tree.village_a.path, done=1, due=1, overdue=0
    )


def test_a1_households_missing_a_level_are_todays_work(tree):
    household = make_household(tree.village_a)
    assert tallies(selectors.today_responsibility_gaps)[tree.village_a.pk].due == 1
    for level in Level.values:
        services.responsibility_assign(actor=None, household=household, level=level, name=f"{level}责任人")
    assert tallies(selectors.today_responsibility_gaps) == {}


def test_a2_overdue_visits_remind_the_village_then_the_township(tree, plan_campaign):
    village_user = make_user("village_staff", tree.village_a)
    township_user = make_user("township_staff", tree.township_a)
    late = make_household(
        tree.village_a, "逾期", standing=Standing.TEKUN_DISPERSED, registered_on=dt.date(2021, 12, 27)
    )
    runner.run_reminders(checks=CHECKS)
    alert = Alert.objects.get(kind=VISITS_OVERDUE)
    assert alert.title == "走访逾期：东山第一社区（1户）"
    assert "逾期" in alert.body
    assert inbox(viewer=village_user).get().alert == alert
    assert not inbox(viewer=township_user).exists()  # one day late: not yet the township's
    # Four days later than the 7-day interval (more than the 3 escalation days): the township too.
    late.registered_on = dt.date(2021, 12, 24)
    late.save()
    runner.run_reminders(checks=CHECKS)
    escalated = Alert.objects.get(kind=VISITS_ESCALATED)
    assert inbox(viewer=township_user).get().alert == escalated
    services.visit_record(actor=None, household=late, visited_on=DAY, visitor="陈书记", findings="已走访")
    assert runner.run_reminders(checks=CHECKS).resolved == 2


def test_a2_a_late_follow_up_is_reminded_to_the_county(tree, plan_campaign, county_user):
    household = make_household(tree.village_a)
    isolation_record(
        actor=None, person=household.members.get().person, kind="home", starts_on=DAY, source="社区排查"
    )
    runner.run_reminders(checks=CHECKS)
    assert not Alert.objects.filter(kind=FOLLOW_UP_LATE).exists()
    FollowUp.objects.update(opened_at=clock.now() - dt.timedelta(days=3))
    runner.run_reminders(checks=CHECKS)
    alert = Alert.objects.get(kind=FOLLOW_UP_LATE)
    assert inbox(viewer=county_user).get().alert == alert
    services.follow_up_close(actor=county_user, follow_up=FollowUp.objects.get(), outcome="已跟进")
    assert runner.run_reminders(checks=CHECKS).resolved == 1
