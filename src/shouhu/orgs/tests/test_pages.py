import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_x1_unit_list_query_count_does_not_grow_with_rows(client, tree, county_user):
    client.force_login(county_user)
    few = _queries(client, "/orgs/")
    for number in range(60):
        make_unit(tree.township_a, UnitKind.VILLAGE, f"新村{number}")
    many = _queries(client, "/orgs/")
    assert few == many
    assert _queries(client, "/api/v1/units/") == _queries(client, "/api/v1/units/?page=2")


def test_x1_unit_list_search_filters_and_export(client, tree, county_user):
    client.force_login(county_user)
    page = client.get("/orgs/", {"q": "东山"}).content.decode()
    assert "东山第一社区" in page
    assert "社会福利中心" not in page
    by_type = client.get("/orgs/", {"institution_type": "nursing_home"}).content.decode()
    assert "加格达奇区社会福利中心" in by_type
    assert "东山街道" not in by_type
    export = client.get("/orgs/", {"q": "东山", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["东山街道", "东山第一社区"]


def test_x1_htmx_list_returns_only_the_results(client, tree, county_user):
    client.force_login(county_user)
    fragment = client.get(
        "/orgs/", {"q": "东山"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results"
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="list-results">')
    assert "<html" not in fragment


def test_x1_county_filter_only_for_viewers_above_the_counties(client, tree, county_user, region_admin):
    client.force_login(county_user)
    assert 'name="county"' not in client.get("/orgs/").content.decode()
    client.force_login(region_admin)
    page = client.get("/orgs/").content.decode()
    assert 'name="county"' in page
    assert "漠河市" in page
