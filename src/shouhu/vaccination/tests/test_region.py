"""V5: the region's views by county (块) and by department (条), ranked."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.common import clock
from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.vaccination import region, services
from shouhu.vaccination.tests.factories import FULL_SERIES, make_person, office, vaccinate

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_units(tree):
    """County A 2/2 done, county B 1/3; the office 1/2 done; the rescue station 1/1 done."""
    the_office = office(tree)
    station = make_unit(tree.region, UnitKind.AFFILIATED, "地区救助管理总站")
    for unit, done, open_ in (
        (tree.nursing_home_a, 2, 0),
        (tree.village_b, 1, 2),
        (the_office, 1, 1),
        (station, 1, 0),
    ):
        for _ in range(done):
            vaccinate(make_person(unit), *FULL_SERIES)
        for _ in range(open_):
            make_person(unit)
    return the_office, station


def test_v5_ranking_by_county_and_by_department(tree, region_units, plan_campaign):
    the_office, station = region_units
    leader = make_user("leader", tree.region)
    counties = region.region_ranking(viewer=leader, view=region.RegionView.COUNTY)
    assert [(r.rank, r.unit, r.figures.completion_rate) for r in counties] == [
        (1, tree.county_a, 100.0),
        (2, tree.county_b, 33.3),
    ]
    departments = region.region_ranking(viewer=leader, view=region.RegionView.DEPARTMENT)
    assert [(r.unit, r.figures.baseline, r.figures.completion_rate) for r in departments] == [
        (station, 1, 100.0),
        (the_office, 2, 50.0),
        (tree.department, 0, None),  # no staff registered: no baseline, ranked last
    ]
    assert departments[2].reasons[0] == "底数不清"


def test_v5_ranking_by_completeness_and_by_on_time_reporting(tree, region_units, plan_campaign):
    make_person(tree.village_b, with_id=False)
    county_b_head = make_user("county_staff", tree.county_b)
    first = dt.datetime(2021, 12, 19, 16, 0, tzinfo=clock.local_zone())
    with clock.frozen(first):
        services.report_submit(actor=county_b_head, period_start=dt.date(2021, 12, 13))
    admin = make_user("region_admin", tree.region)
    by_completeness = region.region_ranking(viewer=admin, rank_by=region.RankBy.COMPLETENESS)
    assert [r.unit for r in by_completeness] == [tree.county_a, tree.county_b]
    by_reporting = region.region_ranking(viewer=admin, rank_by=region.RankBy.ON_TIME)
    assert [(r.unit, r.reporting.on_time_rate) for r in by_reporting] == [
        (tree.county_b, 33.3),
        (tree.county_a, 0.0),
    ]


def test_v5_the_office_reads_every_county_other_departments_only_their_own(tree, region_units, client):
    the_office, _ = region_units
    office_user = make_user("department_coordinator", the_office)
    elder_care_user = make_user("department_coordinator", tree.department)
    assert [r.unit for r in region.region_ranking(viewer=office_user)] == [tree.county_a, tree.county_b]
    assert region.region_ranking(viewer=elder_care_user) == []
    assert [
        r.unit for r in region.region_ranking(viewer=elder_care_user, view=region.RegionView.DEPARTMENT)
    ] == [tree.department]
    client.force_login(office_user)
    page = client.get("/vaccination/region/").content.decode()
    assert tree.county_a.name in page
    assert tree.county_b.name in page
    # It reads the counties' records, but keeps only its own: a county's person is not its to record.
    county_person = make_person(tree.village_a)
    assert client.get(f"/vaccination/people/{county_person.pk}/").status_code == 200
    assert client.get(f"/vaccination/people/{county_person.pk}/doses/new/").status_code == 404
    own = make_person(the_office)
    assert client.get(f"/vaccination/people/{own.pk}/doses/new/").status_code == 200


def test_v5_county_users_do_not_see_the_region(client, tree, county_user):
    client.force_login(county_user)
    own_place = client.get("/vaccination/region/").content.decode()  # their own place only
    assert "本单位排名" in own_place
    assert 'data-testid="ranking"' not in own_place
    assert client.get("/vaccination/region/circular/").status_code == 403
    assert client.get("/api/v1/vaccination/region/ranking/").status_code == 403
    page = client.get("/vaccination/todo/").content.decode()
    assert "疫苗接种" in page
    assert "条块排名" not in page
    client.force_login(make_user("leader", tree.region))
    assert "条块排名" in client.get("/vaccination/todo/").content.decode()


def test_v5_region_page_api_and_export(client, tree, region_units, plan_campaign):
    the_office, station = region_units
    client.force_login(make_user("leader", tree.region))
    page = client.get("/vaccination/region/", {"view": "department"}).content.decode()
    assert station.name in page
    assert the_office.name in page
    assert tree.county_a.name not in page
    api = client.get("/api/v1/vaccination/region/ranking/", {"view": "county"}).json()
    assert [(row["unit_name"], row["figures"]["completed"], row["behind"]) for row in api] == [
        (tree.county_a.name, 2, False),
        (tree.county_b.name, 1, True),
    ]
    assert api[1]["reports_missing"] == 3
    bad = client.get("/api/v1/vaccination/region/ranking/", {"view": "planet"})
    assert bad.status_code == 400
    exported = client.get("/vaccination/region/", {"view": "county", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("名次", "单位", "底数")
    assert [r[1] for r in rows[1:]] == [tree.county_a.name, tree.county_b.name]


def test_v5_a_county_sees_its_own_place_in_the_ranking_and_no_other_countys_row(
    tree, region_units, plan_campaign, client
):
    county_b_user = make_user("county_staff", tree.county_b)
    place = region.own_place(viewer=county_b_user)
    assert place is not None
    assert (place.row.unit, place.row.rank, place.out_of) == (tree.county_b, 2, 2)
    assert place.row.figures.completion_rate == 33.3
    assert (place.region.baseline, place.region.completed) == (5, 3)  # both counties, no department
    village_user = make_user("village_staff", tree.village_a)
    assert region.own_place(viewer=village_user).row.unit == tree.county_a  # the county reports for it

    client.force_login(county_b_user)
    page = client.get("/vaccination/region/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "漠河市在全区同类单位中排第 2 名（共 2 个）" in html
    assert "加格达奇" not in html  # the other county's row is never shown
    assert "本单位排名" in html
