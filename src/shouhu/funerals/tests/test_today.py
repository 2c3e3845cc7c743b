"""X5/X6: the funeral homes' work of the day on the Today page — the remains of COVID-19 patients
moved through their steps before the policy's limit — counted per home in a fixed number of
queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.campaigns.services import policy_update
from shouhu.common import clock
from shouhu.common.today import Tally, registered_works
from shouhu.funerals import selectors, services
from shouhu.funerals.models import FuneralCase, FuneralPolicy, RemainsStep
from shouhu.funerals.tests.factories import make_case, make_covid_case, make_home, step

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2022, 1, 5, 10, 0, tzinfo=clock.local_zone())  # the fixed clock
TODAY = NOW.date()


def _hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


def registered_ago(case: FuneralCase, hours: float) -> None:
    """As if the case had been registered `hours` ago and nothing recorded since."""
    FuneralCase.objects.filter(pk=case.pk).update(registered_at=NOW - _hours(hours))


def by_unit(tallies) -> dict[int, Tally]:
    tallies = list(tallies)
    assert len({t.unit_id for t in tallies}) == len(tallies), "one tally per unit"
    return {t.unit_id: t for t in tallies}


def tallies(within: str = "") -> dict[int, Tally]:
    return by_unit(selectors.today_remains_steps(within=within, today=TODAY, viewer_id=0))


def test_x5_the_work_is_registered_with_its_links(home_a):
    work = next(w for w in registered_works() if w.key == "funerals.stalled_steps")
    assert (work.module, work.permission) == ("funerals", "funerals.view")
    assert str(work.title) == "新冠患者遗体处置"
    assert work.link(home_a.pk) == f"/funerals/?covid=1&open=1&home={home_a.pk}"
    assert work.link(None) == "/funerals/?covid=1&open=1"


def test_x5_a_stalled_case_is_overdue_until_its_next_step_is_recorded(plan_campaign, home_a):
    hours = plan_campaign.funerals_policy.remains_step_stall_hours
    fresh = make_covid_case(home_a, "新登记")
    stalled = make_covid_case(home_a, "超时")
    registered_ago(stalled, hours + 1)
    make_case(home_a, "普通治丧")  # not COVID-19 remains: no steps to take
    finished = make_covid_case(home_a, "昨日完成")
    registered_ago(finished, 30)
    for index, name in enumerate(RemainsStep):
        services.remains_step_record(actor=None, case=finished, data=step(name, NOW - _hours(28 - index)))

    assert tallies() == {home_a.pk: Tally(home_a.pk, home_a.path, done=0, due=1, overdue=1)}

    services.remains_step_record(
        actor=None, case=stalled, data=step(RemainsStep.SANITARY_DISPOSAL, NOW - _hours(1))
    )
    assert tallies() == {home_a.pk: Tally(home_a.pk, home_a.path, done=1, due=2, overdue=0)}

    services.remains_step_record(actor=None, case=fresh, data=step(RemainsStep.SANITARY_DISPOSAL, NOW))
    assert tallies() == {home_a.pk: Tally(home_a.pk, home_a.path, done=2, due=2, overdue=0)}


def test_x5_a_case_finished_today_counts_as_done(plan_campaign, home_a):
    case = make_covid_case(home_a)
    for index, name in enumerate(RemainsStep):
        services.remains_step_record(actor=None, case=case, data=step(name, NOW - _hours(4 - index)))
    assert tallies() == {home_a.pk: Tally(home_a.pk, home_a.path, done=1, due=1, overdue=0)}


def test_x5_the_stall_limit_is_the_policys(plan_campaign, home_a):
    case = make_covid_case(home_a)
    services.remains_step_record(
        actor=None, case=case, data=step(RemainsStep.SANITARY_DISPOSAL, NOW - _hours(5))
    )
    assert tallies() == {home_a.pk: Tally(home_a.pk, home_a.path, done=1, due=1, overdue=0)}
    policy_update(
        actor=None, campaign=plan_campaign, model=FuneralPolicy, values={"remains_step_stall_hours": 4}
    )
    # stepped today, but the next step is already late: overdue, not done
    assert tallies() == {home_a.pk: Tally(home_a.pk, home_a.path, done=0, due=0, overdue=1)}


def test_x5_only_the_homes_within_are_counted(plan_campaign, tree, home_a, home_b):
    make_covid_case(home_a, "甲")
    registered_ago(make_covid_case(home_b, "乙"), 100)
    assert tallies(tree.county_a.path) == {home_a.pk: Tally(home_a.pk, home_a.path, done=0, due=1, overdue=0)}
    assert tallies(tree.county_b.path) == {home_b.pk: Tally(home_b.pk, home_b.path, done=0, due=0, overdue=1)}
    assert set(tallies()) == {home_a.pk, home_b.pk}
    assert tallies(tree.township_a.path) == {}


def test_x5_the_same_queries_for_one_home_as_for_four(plan_campaign, tree, home_a):
    registered_ago(make_covid_case(home_a, "甲"), 100)

    def counted() -> tuple[dict[int, Tally], int]:
        with CaptureQueriesContext(connection) as queries:
            found = tallies(tree.county_a.path)
        return found, len(queries.captured_queries)

    one, queries_for_one = counted()
    assert one == {home_a.pk: Tally(home_a.pk, home_a.path, done=0, due=0, overdue=1)}
    for n in range(3):
        other = make_home(tree.county_a, f"殡仪馆{n}")
        for name in ("甲", "乙", "丙"):
            case = make_covid_case(other, f"{name}{n}")
        services.remains_step_record(actor=None, case=case, data=step(RemainsStep.SANITARY_DISPOSAL, NOW))
    four, queries_for_four = counted()
    assert sorted((t.done, t.due, t.overdue) for t in four.values()) == [(0, 0, 1)] + [(1, 3, 0)] * 3
    assert queries_for_one == queries_for_four == 2
