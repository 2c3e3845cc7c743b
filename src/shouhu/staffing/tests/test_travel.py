"""R4 (second half): travel reports (出行报备) checked against the risk-area register."""

import datetime as dt

import pytest
from django.urls import reverse

from shouhu.accounts.tests.factories import make_user
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.screening.services import RiskAreaInput, risk_area_create, risk_area_end
from shouhu.staffing import reminders, selectors, services
from shouhu.staffing.tests.factories import make_staff, make_travel

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_a(tree):
    return make_staff(tree.county_a, "赵强")


@pytest.fixture
def clerk_a(tree):
    return make_user("county_staff", tree.county_a)


@pytest.fixture
def head_a(tree):
    return make_user("county_staff", tree.county_a)


@pytest.fixture
def chaoyang(db):
    """A high-risk area of the register, in force since 2022-01-01."""
    return risk_area_create(
        actor=None,
        data=RiskAreaInput(
            level="high", province="北京市", county="朝阳区", effective_from=dt.date(2022, 1, 1)
        ),
    ).area


def test_r4_travel_to_a_risk_area_is_flagged_with_area_and_level_and_awaits_acknowledgement(
    plan_campaign, chaoyang, staff_a, clerk_a, head_a
):
    report = make_travel(staff_a, filed_by=clerk_a, province="北京市", destination="朝阳区三里屯街道")
    assert report.risk_hit
    assert report.risk_level == "high"
    assert report.risk_area_list == ["北京市朝阳区（高风险，2022-01-01起）"]
    assert report.awaiting_acknowledgement
    with pytest.raises(DomainError):
        services.travel_acknowledge(actor=clerk_a, report=report)  # the filer never acknowledges
    services.travel_acknowledge(actor=head_a, report=report, note="同意，返回后按规定执行")
    report.refresh_from_db()
    assert report.acknowledged_by == head_a
    assert not report.awaiting_acknowledgement
    with pytest.raises(ConflictError):
        services.travel_acknowledge(actor=head_a, report=report)


def test_r4_travel_elsewhere_or_after_the_area_ended_is_recorded_without_flag(
    plan_campaign, chaoyang, staff_a, clerk_a, head_a
):
    elsewhere = make_travel(staff_a, filed_by=clerk_a, province="河北省", destination="石家庄市")
    assert not elsewhere.risk_hit
    assert not elsewhere.acknowledgement_required
    with pytest.raises(ConflictError):
        services.travel_acknowledge(actor=head_a, report=elsewhere)
    risk_area_end(actor=None, area=chaoyang, last_day=dt.date(2022, 1, 6))
    later = make_travel(
        make_staff(staff_a.home_unit),
        filed_by=clerk_a,
        destination="朝阳区",
        departs_on=dt.date(2022, 1, 10),
        returns_on=dt.date(2022, 1, 12),
    )
    assert not later.risk_hit


def test_r4_a_province_only_destination_that_holds_a_risk_area_is_to_be_verified(
    plan_campaign, chaoyang, staff_a, clerk_a
):
    report = make_travel(staff_a, filed_by=clerk_a, province="北京市", destination="")
    assert not report.risk_hit
    assert report.risk_possible_list == ["北京市朝阳区（高风险）"]
    assert report.awaiting_acknowledgement


def test_r4_return_from_a_risk_area_shows_what_screening_requires(plan_campaign, chaoyang, staff_a, clerk_a):
    report = make_travel(
        staff_a, filed_by=clerk_a, departs_on=dt.date(2022, 1, 1), returns_on=dt.date(2022, 1, 4)
    )
    report = services.travel_return(actor=clerk_a, report=report, returned_on=dt.date(2022, 1, 4))
    after = selectors.after_return(report, today=clock.today())
    assert after is not None
    # Screening refuses a stay in a risk area within its look-back (14 days by the plan).
    assert after.lookback_days == 14
    assert after.refused_until == dt.date(2022, 1, 18)
    assert after.isolation == ""


def test_r4_a_risk_area_declared_during_the_trip_is_met_on_return(plan_campaign, staff_a, clerk_a):
    report = make_travel(
        staff_a,
        filed_by=clerk_a,
        province="河北省",
        destination="石家庄市藁城区",
        departs_on=dt.date(2022, 1, 2),
        returns_on=dt.date(2022, 1, 5),
    )
    assert not report.risk_hit
    risk_area_create(
        actor=None,
        data=RiskAreaInput(
            level="medium",
            province="河北省",
            city="石家庄市",
            county="藁城区",
            effective_from=dt.date(2022, 1, 4),
        ),
    )
    report = services.travel_return(actor=clerk_a, report=report, returned_on=dt.date(2022, 1, 5))
    assert report.risk_hit
    assert report.risk_level == "medium"
    assert report.awaiting_acknowledgement


def test_r4_risk_trips_on_today_and_reminders_until_acknowledged(
    plan_campaign, tree, chaoyang, staff_a, clerk_a, head_a
):
    report = make_travel(staff_a, filed_by=clerk_a)  # departs 01-08, after today (01-05)
    tallies = selectors.today_risk_trips(within="", today=clock.today(), viewer_id=head_a.pk)
    assert [(t.unit_id, t.due, t.done, t.overdue) for t in tallies] == [(tree.county_a.pk, 1, 0, 0)]
    found = list(reminders.risk_trips(clock.today()))
    assert [r.target for r in found] == [report]
    services.travel_acknowledge(actor=head_a, report=report)
    assert not found[0].still_due()
    tallies = selectors.today_risk_trips(within="", today=clock.today(), viewer_id=head_a.pk)
    assert [(t.due, t.done, t.overdue) for t in tallies] == [(1, 1, 0)]


def test_r4_travel_pages_show_the_risk_result(client, plan_campaign, chaoyang, staff_a, clerk_a):
    client.force_login(clerk_a)
    response = client.post(
        reverse("staffing:travel_create"),
        {
            "person": staff_a.pk,
            "destination_province": "北京市",
            "destination": "朝阳区",
            "departs_on": "2022-01-08",
            "returns_on": "2022-01-10",
            "transport": "train",
            "purpose": "探亲",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "目的地涉及高风险地区" in page
    assert "北京市朝阳区" in page
    assert "须单位负责人确认" in page
    empty = client.post(reverse("staffing:travel_create"), {"person": staff_a.pk})
    assert empty.status_code == 400


def test_r4_travel_list_in_a_fixed_number_of_queries(
    client, plan_campaign, tree, clerk_a, django_assert_max_num_queries
):
    for _ in range(5):
        make_travel(make_staff(tree.county_a), filed_by=clerk_a, province="河北省", destination="保定市")
    client.force_login(clerk_a)
    url = reverse("staffing:travel_list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    for _ in range(5):
        make_travel(make_staff(tree.county_a), filed_by=clerk_a, province="河北省", destination="保定市")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    overview = reverse("staffing:unit_overview")
    with django_assert_max_num_queries(12) as few:
        assert client.get(overview).status_code == 200
    for unit in (tree.township_a, tree.village_a, tree.nursing_home_a):
        make_travel(make_staff(unit), filed_by=clerk_a, province="河北省", destination="保定市")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(overview)
    assert tree.nursing_home_a.name in page.content.decode()


def test_r4_api_reports_a_trip_with_its_risk_check(client, plan_campaign, chaoyang, staff_a, clerk_a, tree):
    client.force_login(clerk_a)
    created = client.post(
        "/api/v1/staffing/travel/",
        {
            "person": staff_a.pk,
            "destination_province": "北京市",
            "destination": "朝阳区",
            "departs_on": "2022-01-08",
            "returns_on": "2022-01-09",
            "transport": "plane",
            "purpose": "出差",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["risk_hit"]
    assert body["risk_level"] == "high"
    assert body["awaiting_acknowledgement"]
    other = make_staff(tree.county_b)
    refused = client.post(
        "/api/v1/staffing/travel/",
        {
            **{
                k: body[k]
                for k in (
                    "destination_province",
                    "destination",
                    "departs_on",
                    "returns_on",
                    "transport",
                    "purpose",
                )
            },
            "person": other.pk,
        },
        content_type="application/json",
    )
    assert refused.status_code == 404
