"""Today (X5, X6): the home page sums each app's work for the viewer and, per child unit, shows
who is behind. The apps' own counts are tested in each app's test_today.py; here the page is
given works whose tallies the test states, so every sum and every order can be checked."""

import datetime as dt
from collections.abc import Iterable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.accounts.tests.factories import make_user
from shouhu.common.modules import Module
from shouhu.common.today import Tally, Work
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.site import selectors
from shouhu.site.selectors import Standing, today_work

TODAY = dt.date(2022, 1, 5)


def _work(key: str, module: str, tallies: list[tuple[OrgUnit, int, int, int]], **options: object) -> Work:
    """A work whose count answers `tallies` (unit, done, due, overdue) inside the subtree asked."""

    def count(*, within: str, today: dt.date, viewer_id: int) -> Iterable[Tally]:
        assert today == TODAY
        return [
            Tally(unit_id=unit.pk, unit_path=unit.path, done=done, due=due, overdue=overdue)
            for unit, done, due, overdue in tallies
            if unit.path.startswith(within)
        ]

    return Work(
        key=key,
        module=module,
        title=f"{key} 标题",
        deadline="当日",
        permission=str(options.pop("permission", "orgs.view")),
        count=count,
        link=lambda unit_id: f"/{key}/{unit_id or ''}",
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture
def works(monkeypatch):
    registered: list[Work] = []
    monkeypatch.setattr(selectors, "registered_works", lambda: registered)
    return registered


def test_x6_the_viewers_items_are_summed_overdue_first_and_done_work_leaves_the_list(tree, works):
    institution_user = make_user("institution_staff", tree.nursing_home_a)
    works += [
        _work(
            "eldercare.checks",
            Module.ELDERCARE,
            [(tree.nursing_home_a, 2, 6, 0), (tree.nursing_home_b, 0, 6, 0)],
        ),
        _work("funerals.steps", Module.FUNERALS, [(tree.nursing_home_a, 0, 0, 1)]),
        _work("eldercare.log", Module.ELDERCARE, [(tree.nursing_home_a, 1, 1, 0)]),
    ]

    items = today_work(viewer=institution_user, today=TODAY).items

    assert [(i.work.key, i.standing) for i in items] == [
        ("funerals.steps", Standing(done=0, due=0, overdue=1)),
        ("eldercare.checks", Standing(done=2, due=6, overdue=0)),
    ]
    # The viewer's own unit's work links to the page where the unit does it.
    assert items[1].link == f"/eldercare.checks/{tree.nursing_home_a.pk}"


def test_x5_work_is_shown_only_to_a_viewer_with_its_permission(tree, county_user, works):
    works += [
        _work(
            "marriage.bookings",
            Module.MARRIAGE,
            [(tree.township_a, 0, 3, 0)],
            permission="marriage.no_role_has",
        ),
        _work("people.conflicts", Module.VACCINATION, [(tree.township_a, 0, 3, 0)]),
    ]
    keys = [item.work.key for item in today_work(viewer=county_user, today=TODAY).items]
    assert keys == ["people.conflicts"]


def test_x5_a_leader_sees_every_county_worst_first_with_links_per_cell(tree, works):
    leader = make_user("leader", tree.region)
    works += [
        _work(
            "eldercare.checks",
            Module.ELDERCARE,
            [(tree.nursing_home_a, 6, 6, 0), (tree.nursing_home_b, 1, 6, 2)],
        ),
        _work("vaccination.todo", Module.VACCINATION, [(tree.village_a, 0, 4, 0), (tree.village_b, 3, 3, 0)]),
    ]

    board = today_work(viewer=leader, today=TODAY).board

    assert board is not None
    assert board.modules == [Module.ELDERCARE.label, Module.VACCINATION.label]  # the plan's order
    assert [row.unit for row in board.rows] == [tree.county_b, tree.county_a]  # overdue first
    county_b, county_a = board.rows
    assert [cell.standing if cell else None for cell in county_b.cells] == [
        Standing(done=1, due=6, overdue=2),
        Standing(done=3, due=3),
    ]
    # A cell links to the module's page of every unit: the home's own page may ask for its rights.
    assert county_b.cells[0] is not None
    assert county_b.cells[0].link == "/eldercare.checks/"
    assert county_a.total == Standing(done=6, due=10)
    assert board.idle_units == 1  # the department has no work today
    assert board.region == []  # the leader's own standing is the region's


def test_x5_a_county_sees_its_townships_and_the_region_average_but_no_other_countys_row(
    tree, county_user, works, client
):
    home_a2 = make_unit(tree.township_a, UnitKind.INSTITUTION, "东山养老院", institution_type="nursing_home")
    works += [
        _work(
            "eldercare.checks",
            Module.ELDERCARE,
            [(home_a2, 1, 4, 0), (tree.nursing_home_a, 4, 4, 0), (tree.nursing_home_b, 0, 12, 0)],
        ),
    ]

    board = today_work(viewer=county_user, today=TODAY).board

    assert board is not None
    assert [(row.unit, row.total) for row in board.rows] == [
        (tree.township_a, Standing(done=1, due=4)),
        (tree.nursing_home_a, Standing(done=4, due=4)),
    ]
    assert [s.percent_done for s in board.own] == [62]  # 5 of 8
    assert [s.percent_done for s in board.region] == [25]  # 5 of 20
    client.force_login(county_user)
    page = client.get("/").content.decode()
    assert "漠河" not in page
    assert "62%" in page
    assert "25%" in page


def test_x5_a_role_with_nothing_to_do_is_told_so(tree, county_user, works, client):
    works.append(_work("eldercare.log", Module.ELDERCARE, [(tree.nursing_home_a, 1, 1, 0)]))
    client.force_login(county_user)
    response = client.get("/")
    assert response.status_code == 200
    assert "今天没有待办的工作" in response.content.decode()


def test_x5_the_home_page_lists_the_items_and_the_board_in_a_fixed_number_of_queries(tree, works, client):
    leader = make_user("leader", tree.region)
    works.append(_work("eldercare.checks", Module.ELDERCARE, [(tree.nursing_home_a, 0, 6, 1)]))
    client.force_login(leader)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    few = queries()
    tallies = [(tree.nursing_home_a, 0, 6, 1)]
    for number in range(5):
        county = make_unit(tree.region, UnitKind.COUNTY, f"新县{number}")
        home = make_unit(county, UnitKind.INSTITUTION, f"新县{number}养老院", institution_type="nursing_home")
        tallies.append((home, number, 6, 0))
    works[0] = _work("eldercare.checks", Module.ELDERCARE, tallies)
    page = client.get("/").content.decode()
    assert page.count('data-testid="board-row"') == 6
    assert queries() == few


def test_x5_the_english_page_names_modules_and_work_in_english(tree, works, client):
    leader = make_user("leader", tree.region)
    works.append(_work("eldercare.checks", Module.ELDERCARE, [(tree.nursing_home_a, 0, 6, 1)]))
    client.force_login(leader)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Today's work" in page
    assert "Nursing homes" in page
    assert "Overdue 1" in page
    assert "今日工作" not in page
    assert "养老机构" not in page


def test_x5_a_department_coordinator_sees_the_region_for_the_modules_it_coordinates_only(tree, works):
    coordinator = make_user("department_coordinator", tree.department)  # eldercare, not vaccination
    works += [
        _work("eldercare.checks", Module.ELDERCARE, [(tree.nursing_home_a, 0, 6, 0)]),
        _work("vaccination.todo", Module.VACCINATION, [(tree.village_a, 0, 4, 0)]),
    ]
    board = today_work(viewer=coordinator, today=TODAY).board
    assert board is not None
    assert board.modules == [Module.ELDERCARE.label]
    assert [row.unit for row in board.rows] == [tree.county_a]

    works.pop(0)
    assert today_work(viewer=coordinator, today=TODAY).board is None


def test_x5_a_viewer_at_the_regions_root_is_not_compared_with_the_region(tree, works):
    inspector = make_user("inspector", tree.region)
    works.append(_work("eldercare.checks", Module.ELDERCARE, [(tree.nursing_home_a, 0, 6, 0)]))
    board = today_work(viewer=inspector, today=TODAY).board
    assert board is not None
    assert [row.unit for row in board.rows] == [tree.county_a]
    assert board.region == []
