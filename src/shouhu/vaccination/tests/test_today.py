"""X5/X6: today's vaccination work — the to-do list per unit, and the progress report when due."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.common import clock
from shouhu.common.today import registered_works
from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.vaccination import selectors, services
from shouhu.vaccination.tests.factories import FULL_SERIES, make_person, office, vaccinate

pytestmark = pytest.mark.django_db

TODAY = dt.date(2022, 1, 5)  # the fixed clock's today
P1, P2, P3, P4 = dt.date(2021, 12, 13), dt.date(2021, 12, 20), dt.date(2021, 12, 27), dt.date(2022, 1, 3)
P4_DUE = dt.date(2022, 1, 9)


def todo(within: str = "", today: dt.date = TODAY) -> dict[int, tuple[int, int, int]]:
    found = selectors.todo_today(within=within, today=today, viewer_id=0)
    return {t.unit_id: (t.done, t.due, t.overdue) for t in found}


def reports(within: str = "", today: dt.date = TODAY) -> dict[int, tuple[int, int, int]]:
    found = selectors.reports_today(within=within, today=today, viewer_id=0)
    return {t.unit_id: (t.done, t.due, t.overdue) for t in found}


def contact(actor, person, *, on: dt.date, next_on: dt.date | None):
    return services.contact_log(
        actor=actor,
        person=person,
        contacted_on=on,
        method="visit",
        outcome="hesitant",
        next_contact_on=next_on,
    )


def at(day: dt.date):
    return clock.frozen(dt.datetime.combine(day, dt.time(16, 0), tzinfo=clock.local_zone()))


# --- The to-do list ---------------------------------------------------------------------------


def test_x5_the_to_do_list_is_due_per_unit_and_a_missed_follow_up_is_overdue(tree, county_user):
    village = tree.village_a
    make_person(village, "未接种")
    vaccinate(make_person(village, "一剂"), dt.date(2021, 12, 1))
    vaccinate(make_person(village, "全程"), *FULL_SERIES)
    services.contraindication_record(
        actor=county_user,
        person=make_person(village, "禁忌"),
        condition="恶性肿瘤化疗期间",
        source="medical_certificate",
    )
    services.deferral_record(
        actor=county_user, person=make_person(village, "暂缓"), reason="发热", until=P4_DUE
    )
    make_person(village, "非底数", categories=())  # in no baseline category
    late = make_person(village, "逾期")
    contact(county_user, late, on=dt.date(2022, 1, 2), next_on=dt.date(2022, 1, 4))
    planned = make_person(village, "已约")
    contact(county_user, planned, on=dt.date(2022, 1, 2), next_on=TODAY)
    make_person(tree.nursing_home_b, "漠河")
    assert todo() == {village.pk: (0, 3, 1), tree.nursing_home_b.pk: (0, 1, 0)}
    found = {t.unit_id: t for t in selectors.todo_today(within="", today=TODAY, viewer_id=0)}
    assert found[village.pk].unit_path == village.path


def test_x5_doses_and_contacts_recorded_today_change_the_tally(tree, county_user):
    village = tree.village_a
    first = make_person(village, "甲")
    second = make_person(village, "乙")
    vaccinate(second, dt.date(2021, 12, 1))
    late = make_person(village, "丙")
    contact(county_user, late, on=dt.date(2022, 1, 1), next_on=dt.date(2022, 1, 3))
    booster = make_person(village, "丁")
    vaccinate(booster, *FULL_SERIES)
    starting = make_person(village, "戊")
    assert todo() == {village.pk: (0, 3, 1)}
    vaccinate(first, TODAY, short_name="康希诺")  # one dose completes: off the list, done
    vaccinate(second, TODAY, first_number=2)
    vaccinate(starting, TODAY)  # a first dose of two: done today, still on the list
    assert todo() == {village.pk: (3, 3, 1)}
    contact(county_user, late, on=TODAY, next_on=dt.date(2022, 1, 8))  # followed up: no longer late
    assert todo() == {village.pk: (3, 4, 0)}
    vaccinate(booster, TODAY, first_number=3)  # a booster was not on the to-do list
    assert todo() == {village.pk: (3, 4, 0)}
    assert todo(today=dt.date(2022, 1, 6)) == {village.pk: (0, 2, 0)}  # tomorrow: 丙 and 戊's second dose


def test_x5_only_people_of_the_subtree_are_counted(tree, county_user):
    make_person(tree.village_a)
    make_person(tree.village_a)
    make_person(tree.village_b)
    assert todo(within=tree.county_a.path) == {tree.village_a.pk: (0, 2, 0)}
    assert todo(within=tree.county_b.path) == {tree.village_b.pk: (0, 1, 0)}
    assert todo(within=tree.township_a.path) == {tree.village_a.pk: (0, 2, 0)}
    assert todo(within=tree.nursing_home_a.path) == {}
    assert set(todo(within=tree.region.path)) == set(todo()) == {tree.village_a.pk, tree.village_b.pk}


def test_x5_the_to_do_tally_takes_one_query_whatever_the_people_and_units(tree, county_user):
    make_person(tree.village_a)

    def queries(within: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.todo_today(within=within, today=TODAY, viewer_id=0)
        return len(captured)

    few = queries(""), queries(tree.county_a.path)
    for number in range(4):
        village = make_unit(tree.township_a, UnitKind.VILLAGE, f"第{number}村")
        for index in range(3):
            person = make_person(village)
            if index:
                vaccinate(person, TODAY if index == 1 else dt.date(2021, 12, 1))
            contact(county_user, person, on=dt.date(2022, 1, 1), next_on=dt.date(2022, 1, 2 + index))
    assert (queries(""), queries(tree.county_a.path)) == few == (1, 1)
    assert len(todo()) == 5


# --- Progress reports ---------------------------------------------------------------------------


def test_x5_a_report_is_due_on_its_periods_last_day_and_missed_ones_are_overdue(
    plan_campaign, tree, county_user
):
    reporting = {tree.county_a.pk, tree.county_b.pk, tree.department.pk}
    # 2022-01-05: period 4 runs until the 9th; periods 1–3 were due before and nobody reported.
    assert reports() == dict.fromkeys(reporting, (0, 0, 3))
    with at(dt.date(2021, 12, 19)):
        services.report_submit(actor=county_user, period_start=P1)
    services.report_submit(actor=county_user, period_start=P3)  # late, but no longer missing
    assert reports()[tree.county_a.pk] == (0, 0, 1)
    assert reports(today=P4_DUE)[tree.county_a.pk] == (0, 1, 1)
    assert reports(today=P4_DUE)[tree.county_b.pk] == (0, 1, 3)
    with at(P4_DUE):
        services.report_submit(actor=county_user, period_start=P4)
    assert reports(today=P4_DUE)[tree.county_a.pk] == (1, 1, 1)
    assert reports(today=dt.date(2022, 1, 10))[tree.county_a.pk] == (0, 0, 1)
    assert reports(today=dt.date(2022, 1, 10))[tree.county_b.pk] == (0, 0, 4)


def test_x5_reports_count_only_reporting_units_inside_the_subtree(plan_campaign, tree):
    assert reports(within=tree.county_a.path) == {tree.county_a.pk: (0, 0, 3)}
    assert reports(within=tree.township_a.path) == {}
    assert set(reports(within=tree.region.path)) == {tree.county_a.pk, tree.county_b.pk, tree.department.pk}


def test_x5_no_report_is_due_without_a_campaign(tree):
    assert reports() == {}


def test_x5_the_report_tally_takes_the_same_queries_whatever_the_units_and_reports(
    plan_campaign, tree, county_user
):
    def queries(within: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.reports_today(within=within, today=P4_DUE, viewer_id=0)
        return len(captured)

    few = queries(""), queries(tree.county_a.path)
    office(tree)
    for number in range(3):
        make_unit(tree.region, UnitKind.COUNTY, f"第{number}县")
    for period in (P1, P2, P3):
        services.report_submit(actor=county_user, period_start=period)
    assert (queries(""), queries(tree.county_a.path)) == few == (3, 3)
    assert len(reports(today=P4_DUE)) == 7


def test_x5_the_works_are_registered_with_their_links(tree):
    works = {w.key: w for w in registered_works()}
    assert (
        works["vaccination.todo"].permission == works["vaccination.report"].permission == "vaccination.view"
    )
    assert works["vaccination.todo"].link(None) == "/vaccination/todo/"
    assert works["vaccination.todo"].link(tree.village_a.pk) == f"/vaccination/todo/?unit={tree.village_a.pk}"
    assert works["vaccination.report"].link(tree.county_a.pk) == "/vaccination/reports/"
    assert str(works["vaccination.report"].title) == "报送接种进度"
