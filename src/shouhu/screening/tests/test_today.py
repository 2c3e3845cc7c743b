"""X5/X6: today's screening work — every open institution screens at its entrance (零漏管)."""

import datetime as dt
from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.campaigns.models import ServiceType
from shouhu.campaigns.services import suspension_create
from shouhu.common import clock
from shouhu.common.today import registered_works
from shouhu.orgs.models import UnitStatus
from shouhu.screening import selectors, services
from shouhu.screening.tests.factories import GREEN, make_institution

pytestmark = pytest.mark.django_db

TODAY, YESTERDAY = dt.date(2022, 1, 5), dt.date(2022, 1, 4)  # the fixed clock's today is a Wednesday


def screen_at(moment: dt.datetime, actor, unit, facts=GREEN):
    with clock.frozen(moment.replace(tzinfo=clock.local_zone())):
        return services.screening_record(actor=actor, unit=unit, facts=facts, visitor_name="访客")


def tallies(within: str = "", today: dt.date = TODAY) -> dict[int, tuple[int, int, int]]:
    found = selectors.venues_to_screen(within=within, today=today, viewer_id=0)
    return {t.unit_id: (t.done, t.due, t.overdue) for t in found}


def test_x5_each_open_institution_is_due_today_and_overdue_when_it_screened_nobody_yesterday(
    tree, county_user
):
    screen_at(dt.datetime(2022, 1, 4, 9, 0), county_user, tree.nursing_home_a)
    assert tallies() == {tree.nursing_home_a.pk: (0, 1, 0), tree.nursing_home_b.pk: (0, 1, 1)}
    found = {t.unit_id: t for t in selectors.venues_to_screen(within="", today=TODAY, viewer_id=0)}
    assert found[tree.nursing_home_b.pk].unit_path == tree.nursing_home_b.path


def test_x5_a_screening_at_the_desk_today_marks_the_work_done(tree, county_user, other_county_user):
    screen_at(dt.datetime(2022, 1, 5, 8, 30), county_user, tree.nursing_home_a)
    assert tallies()[tree.nursing_home_a.pk] == (1, 1, 1)
    # A refusal is a screening too; one just before local midnight belongs to yesterday.
    screen_at(dt.datetime(2022, 1, 4, 23, 55), other_county_user, tree.nursing_home_b)
    screen_at(
        dt.datetime(2022, 1, 5, 0, 5),
        other_county_user,
        tree.nursing_home_b,
        replace(GREEN, health_code="red"),
    )
    assert tallies() == {tree.nursing_home_a.pk: (1, 1, 1), tree.nursing_home_b.pk: (1, 1, 0)}


def test_x5_only_institutions_inside_the_subtree_are_counted(tree, county_user):
    assert tallies(within=tree.county_a.path) == {tree.nursing_home_a.pk: (0, 1, 1)}
    assert tallies(within=tree.county_b.path) == {tree.nursing_home_b.pk: (0, 1, 1)}
    assert tallies(within=tree.village_a.path) == {}
    assert set(tallies(within=tree.region.path)) == {tree.nursing_home_a.pk, tree.nursing_home_b.pk}


def test_x5_a_closed_institution_has_nothing_to_do(tree, county_user, region_admin):
    tree.nursing_home_b.status = UnitStatus.CLOSED
    tree.nursing_home_b.save(update_fields=["status"])
    suspension_create(
        actor=region_admin,
        unit=tree.county_a,
        service=ServiceType.VISITS,
        starts_on=TODAY,
        ends_on=dt.date(2022, 1, 10),
        reason="疫情防控",
    )
    # Suspended from today: yesterday's gap remains, today asks nothing.
    assert tallies() == {tree.nursing_home_a.pk: (0, 0, 1)}


def test_x5_an_office_hours_institution_is_due_on_working_days_only(tree, county_user):
    registry = make_institution(tree.county_a, "加格达奇区婚姻登记处", institution_type="marriage_registry")
    # Monday 2022-01-03 is the 元旦 holiday: nothing was missed on it.
    assert tallies(within=registry.path, today=dt.date(2022, 1, 4)) == {registry.pk: (0, 1, 0)}
    assert tallies(within=registry.path, today=dt.date(2022, 1, 5)) == {registry.pk: (0, 1, 1)}
    assert tallies(within=registry.path, today=dt.date(2022, 1, 9)) == {}  # a Sunday after a Saturday


def count_queries(within: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        selectors.venues_to_screen(within=within, today=TODAY, viewer_id=0)
    return len(captured)


def test_x5_the_number_of_queries_does_not_grow_with_institutions_or_screenings(tree, county_user):
    screen_at(dt.datetime(2022, 1, 4, 9, 0), county_user, tree.nursing_home_a)
    few = count_queries(""), count_queries(tree.county_a.path)
    for number, kind in enumerate(["rescue_station", "funeral_home", "lottery_outlet", "nursing_home"]):
        unit = make_institution(tree.county_a, f"第{number}机构", institution_type=kind)
        for moment in (dt.datetime(2022, 1, 4, 9, 0), dt.datetime(2022, 1, 5, 9, 0)):
            for _ in range(3):
                screen_at(moment, county_user, unit)
        # Institutions with no screening at all: homes among them ask the eldercare closure check.
        make_institution(tree.county_b, f"第{number}空机构", institution_type=kind)
    assert (count_queries(""), count_queries(tree.county_a.path)) == few
    assert few[1] == 6  # institutions, screenings, kept counts, holidays, suspensions, homes' closures
    assert len(tallies()) == 10


def test_x5_the_work_is_registered_with_its_link(tree):
    work = next(w for w in registered_works() if w.key == "screening.venues_screened")
    assert work.permission == "screening.view"
    assert work.link(tree.nursing_home_a.pk) == f"/screening/desk/{tree.nursing_home_a.pk}/"
    assert work.link(None) == "/screening/records/daily/?start=2022-01-04&end=2022-01-05"
    assert str(work.title) == "开放机构入口查验"
