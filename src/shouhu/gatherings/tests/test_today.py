"""G3 × X5/X6: applications waiting at the township (overdue when the start is near), lists of
gatherings soon to start with participants still needing a test — on Today in a fixed number of
queries, and as reminders to the village and its township."""

import datetime as dt

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts.runner import collect
from shouhu.common import clock
from shouhu.gatherings import reminders, selectors, services
from shouhu.gatherings.tests.factories import START, add, make_gathering, participant

pytestmark = pytest.mark.django_db

TODAY = dt.date(2022, 1, 5)


def _by_unit(tallies):
    return {t.unit_id: t for t in tallies}


def test_g3_today_counts_waiting_and_near_applications(tree, plan_campaign, django_assert_num_queries):
    far = make_gathering(
        tree.village_a,
        title="远",
        starts_at=START + dt.timedelta(days=3),
        ends_at=START + dt.timedelta(days=3, hours=2),
    )
    make_gathering(tree.village_a, title="近")  # starts in 25 hours: not yet within 24
    with django_assert_num_queries(2):
        tally = _by_unit(selectors.today_approvals(within=tree.county_a.path, today=TODAY, viewer_id=0))[
            tree.village_a.pk
        ]
    assert (tally.due, tally.done, tally.overdue) == (2, 0, 0)
    with clock.frozen(clock.now() + dt.timedelta(hours=2)):
        tally = _by_unit(selectors.today_approvals(within="", today=TODAY, viewer_id=0))[tree.village_a.pk]
        assert (tally.due, tally.overdue) == (1, 1)
        services.gathering_approve(actor=None, gathering=far)
        tally = _by_unit(selectors.today_approvals(within="", today=TODAY, viewer_id=0))[tree.village_a.pk]
        assert (tally.due, tally.done, tally.overdue) == (1, 1, 1)


def test_g3_today_counts_lists_still_needing_tests(tree, plan_campaign, django_assert_num_queries):
    waiting = make_gathering(tree.village_a, title="待检测")
    add(waiting, participant("未检", hours_before=None), participant("有效", serial=1))
    complete = make_gathering(tree.village_a, title="齐全")
    add(complete, participant("有效", serial=2))
    later = make_gathering(
        tree.village_a,
        title="下周",
        starts_at=START + dt.timedelta(days=7),
        ends_at=START + dt.timedelta(days=7, hours=2),
    )
    add(later, participant("未检", hours_before=None))  # beyond the test window: not yet
    with django_assert_num_queries(2):
        tally = _by_unit(selectors.today_tests(within="", today=TODAY, viewer_id=0))[tree.village_a.pk]
    assert (tally.due, tally.done, tally.overdue) == (2, 1, 0)


def test_g3_reminders_tell_the_township_and_the_village(tree, plan_campaign):
    village_worker = make_user("village_staff", tree.village_a)
    township_worker = make_user("township_staff", tree.township_a)
    gathering = make_gathering(tree.village_a)
    add(gathering, participant("未检", hours_before=None))
    with clock.frozen(clock.now() + dt.timedelta(hours=2)):
        collected = collect(
            checks={
                reminders.DECISION_DUE: reminders.decisions_due,
                reminders.TESTS_MISSING: reminders.tests_missing,
            }
        )
        assert not collected.failed_checks
        due = {item.reminder.kind: item.reminder for item in collected.scheduled}
        decision = due[reminders.DECISION_DUE]
        assert "仍未审批" in decision.body
        from shouhu.alerts.audience import resolve

        assert set(resolve(decision.audience)) == {village_worker, township_worker}
        assert "1 人" in due[reminders.TESTS_MISSING].title
        assert decision.still_due()
        services.gathering_approve(actor=township_worker, gathering=gathering)
        assert not decision.still_due()
