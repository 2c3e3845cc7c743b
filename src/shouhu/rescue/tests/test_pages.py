"""The pages: scoped to the viewer (another county's station is invisible), lists in a fixed
number of queries, Excel exports of rescued people and returns, the station home on a phone."""

import io

import pytest
from openpyxl import load_workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.rescue import services
from shouhu.rescue.models import ProvisionKind, ReturnStatus, ReturnTrip
from shouhu.rescue.tests.factories import DAY, NOW, make_incident, make_patrol, make_rescued, make_trip

pytestmark = pytest.mark.django_db


def _rows(response):
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_r2_another_countys_station_is_invisible(client, plan_campaign, station_a, station_b, county_user):
    mine = make_rescued(station_a, name="本县甲")
    theirs = make_rescued(station_b, name="他县乙")
    make_trip(theirs)
    make_incident(station_b)
    client.force_login(county_user)
    listing = client.get("/rescue/rescued/").content.decode()
    assert "本县甲" in listing
    assert "他县乙" not in listing
    assert client.get(f"/rescue/rescued/{theirs.pk}/").status_code == 404
    assert client.get(f"/rescue/rescued/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/rescue/rescued/{theirs.pk}/").status_code == 404
    assert "他县乙" not in client.get("/rescue/returns/").content.decode()
    home = client.get("/rescue/", follow=True).content.decode()
    assert station_a.name in home
    assert station_b.name not in home


def test_r2_the_region_coordinator_reads_every_county(
    client, plan_campaign, station_a, station_b, general_station_user
):
    make_rescued(station_a, name="本县甲")
    make_rescued(station_b, name="他县乙")
    client.force_login(general_station_user)
    listing = client.get("/rescue/rescued/").content.decode()
    assert "本县甲" in listing
    assert "他县乙" in listing
    assert client.get(f"/rescue/stations/{station_b.pk}/patrols/new/").status_code == 403


def test_r2_lists_take_a_fixed_number_of_queries(
    client, plan_campaign, station_a, county_user, django_assert_max_num_queries
):
    client.force_login(county_user)

    def fill(count):
        for index in range(count):
            rescued = make_rescued(station_a, name=f"列表{index}")
            make_trip(rescued)
            make_incident(station_a, rescued=rescued)
            make_patrol(station_a)

    fill(2)
    for url in ("/rescue/rescued/", "/rescue/returns/", "/rescue/incidents/", "/rescue/patrols/"):
        client.get(url)  # warm the session and the caches
    counts = {}
    for url in (
        "/rescue/rescued/",
        "/rescue/returns/",
        "/rescue/incidents/",
        "/rescue/patrols/",
        "/rescue/rescued/?export=xlsx",
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    fill(5)
    for url, before in counts.items():
        with django_assert_max_num_queries(before):
            assert client.get(url).status_code == 200


def test_r2_rescued_people_and_returns_export_to_excel_masked(client, plan_campaign, station_a, county_user):
    rescued = make_rescued(station_a)
    services.rescued_match(actor=county_user, rescued=rescued, name="王建国", id_number="232700197003080013")
    make_trip(rescued, departed=True)
    client.force_login(county_user)
    rows = _rows(client.get("/rescue/rescued/?export=xlsx"))
    header, line = rows[0], rows[1]
    assert header[:3] == ["临时编号", "姓名", "证件号码"]
    assert line[1] == "王建国"
    assert "232700197003080013" not in " ".join(str(c) for c in line)
    assert line[header.index("返乡状态")] == "已出发"
    trips = _rows(client.get("/rescue/returns/?export=xlsx"))
    assert trips[1][trips[0].index("返乡目的地")] == "黑龙江省绥化市北林区"


def test_r2_the_station_home_shows_the_day(client, plan_campaign, station_a, station_staff):
    make_patrol(station_a, area="站前广场")
    rescued = make_rescued(station_a, name="在站丙")
    services.provision_record(actor=None, rescued=rescued, kind=ProvisionKind.FOOD, provided_on=DAY)
    departed = make_rescued(station_a, name="途中丁")
    make_trip(departed, departed=True)
    make_incident(station_a)
    client.force_login(station_staff)
    response = client.get("/rescue/", follow=True)
    text = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/rescue/stations/{station_a.pk}/"
    for expected in ("站前广场", "在站丙", "途中丁", "突发疾病", "登记街面巡查"):
        assert expected in text


def test_r2_arrival_is_confirmed_on_the_rescued_persons_page(client, plan_campaign, station_a, station_staff):
    rescued = make_rescued(station_a)
    trip = make_trip(rescued, departed=True)
    client.force_login(station_staff)
    page = client.get(f"/rescue/rescued/{rescued.pk}/").content.decode()
    assert "arrival-form" in page
    missing = client.post(f"/rescue/returns/{trip.pk}/arrive/", {"arrived_at": "2022-01-05T09:50"})
    assert missing.status_code == 400
    done = client.post(
        f"/rescue/returns/{trip.pk}/arrive/",
        {"arrived_at": "2022-01-05T09:50", "confirmed_by_name": "王建华", "note": "视频确认"},
    )
    assert done.status_code == 302
    assert ReturnTrip.objects.get(pk=trip.pk).status == ReturnStatus.ARRIVED


def test_r1_the_daily_patrol_shows_on_today_until_logged(plan_campaign, station_a, tree, county_user):
    from shouhu.rescue import selectors

    (tally,) = selectors.today_patrols(within=tree.county_a.path, today=DAY, viewer_id=county_user.pk)
    assert (tally.due, tally.done) == (1, 0)
    make_patrol(station_a)
    (tally,) = selectors.today_patrols(within=tree.county_a.path, today=DAY, viewer_id=county_user.pk)
    assert (tally.due, tally.done) == (1, 1)


def test_r1_the_today_page_lists_the_rescue_work(client, plan_campaign, station_a):
    make_trip(make_rescued(station_a), departed=True)
    client.force_login(make_user("institution_staff", station_a))
    text = client.get("/").content.decode()
    assert "返乡到达确认" in text
    assert "街面巡查" in text
    assert NOW  # the fixed clock
