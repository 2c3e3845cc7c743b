import datetime as dt

import pytest

from shouhu.campaigns import selectors, services
from shouhu.campaigns.models import CampaignPolicy, ServiceSuspension
from shouhu.common.errors import DomainError

pytestmark = pytest.mark.django_db


def _suspend(actor, unit, **overrides):
    fields = {
        "service": "marriage_registration",
        "starts_on": dt.date(2022, 1, 31),
        "ends_on": dt.date(2022, 2, 6),
        "reason": "春节期间暂停聚集类服务",
    } | overrides
    return services.suspension_create(actor=actor, unit=unit, **fields)


def test_c4_suspension_closes_the_service_in_the_whole_subtree(tree, county_user):
    _suspend(county_user, tree.county_a)
    inside = selectors.service_availability(
        service="marriage_registration", unit=tree.nursing_home_a, on=dt.date(2022, 2, 1)
    )
    assert not inside.is_open
    assert "春节期间暂停聚集类服务" in inside.reason
    assert "加格达奇区" in inside.reason
    before = selectors.service_availability(
        service="marriage_registration", unit=tree.nursing_home_a, on=dt.date(2022, 1, 30)
    )
    assert before.is_open
    other_service = selectors.service_availability(
        service="lottery_sales", unit=tree.nursing_home_a, on=dt.date(2022, 2, 1)
    )
    assert other_service.is_open
    other_county = selectors.service_availability(
        service="marriage_registration", unit=tree.nursing_home_b, on=dt.date(2022, 2, 1)
    )
    assert other_county.is_open


def test_c4_limited_service_stays_open_with_its_measure(tree, county_user):
    _suspend(county_user, tree.county_a, mode="limited", limit_note="每时段限 5 对")
    answer = selectors.service_availability(
        service="marriage_registration", unit=tree.county_a, on=dt.date(2022, 2, 2)
    )
    assert answer.is_open
    assert answer.is_limited
    assert "每时段限 5 对" in answer.message


def test_c4_suspension_needs_a_reason_and_valid_dates(tree, county_user):
    with pytest.raises(DomainError) as no_reason:
        _suspend(county_user, tree.county_a, reason="  ")
    assert no_reason.value.field_errors == {"reason": ["请填写原因"]}
    with pytest.raises(DomainError):
        _suspend(county_user, tree.county_a, starts_on=dt.date(2022, 2, 6), ends_on=dt.date(2022, 2, 1))
    with pytest.raises(DomainError):
        _suspend(county_user, tree.county_a, mode="limited", limit_note="")
    assert not ServiceSuspension.objects.exists()


def test_c4_lifting_reopens_from_that_day(tree, county_user, fixed_clock):
    suspension = _suspend(
        county_user, tree.county_a, starts_on=dt.date(2022, 1, 3), ends_on=dt.date(2022, 1, 20)
    )
    services.suspension_lift(actor=county_user, suspension=suspension, reason="疫情形势好转")
    assert selectors.service_availability(
        service="marriage_registration", unit=tree.county_a, on=dt.date(2022, 1, 5)
    ).is_open
    assert not selectors.service_availability(
        service="marriage_registration", unit=tree.county_a, on=dt.date(2022, 1, 4)
    ).is_open
    with pytest.raises(DomainError):
        services.suspension_lift(actor=county_user, suspension=suspension, reason="再次")


def test_c4_api_create_and_availability(client, tree, county_user):
    client.force_login(county_user)
    created = client.post(
        "/api/v1/suspensions/",
        {
            "unit": tree.county_a.pk,
            "service": "funeral_ceremony",
            "starts_on": "2022-01-31",
            "ends_on": "2022-02-15",
            "reason": "取消遗体告别等聚集性治丧仪式",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    answer = client.get(
        "/api/v1/service-availability/",
        {"unit": tree.nursing_home_a.pk, "service": "funeral_ceremony", "date": "2022-02-01"},
    ).json()
    assert answer["is_open"] is False
    assert "取消遗体告别" in answer["message"]
    # A unit of another county is not the user's to suspend: 404 as if it did not exist.
    foreign = client.post(
        "/api/v1/suspensions/",
        {
            "unit": tree.county_b.pk,
            "service": "visits",
            "starts_on": "2022-01-31",
            "ends_on": "2022-02-01",
            "reason": "x",
        },
        content_type="application/json",
    )
    assert foreign.status_code == 404
    no_reason = client.post(
        "/api/v1/suspensions/",
        {
            "unit": tree.county_a.pk,
            "service": "visits",
            "starts_on": "2022-01-31",
            "ends_on": "2022-02-01",
            "reason": "",
        },
        content_type="application/json",
    )
    assert no_reason.status_code == 400
    assert no_reason.json()["error"]["fields"]["reason"]


def test_c4_page_shows_reason_error_beside_the_field(client, tree, county_user):
    client.force_login(county_user)
    response = client.post(
        "/campaigns/suspensions/",
        {
            "unit": tree.county_a.pk,
            "service": "visits",
            "mode": "suspended",
            "starts_on": "2022-01-31",
            "ends_on": "2022-02-01",
            "reason": "",
        },
    )
    assert response.status_code == 400  # refused, as the API answers, with the form shown again
    assert "该字段是必填项" in response.content.decode()
    assert not ServiceSuspension.objects.exists()


def test_x3_suspension_history_shows_who_lifted_it(client, tree, county_user):
    suspension = _suspend(county_user, tree.county_a)
    services.suspension_lift(actor=county_user, suspension=suspension, reason="疫情形势好转")
    client.force_login(county_user)
    page = client.get(f"/campaigns/suspensions/{suspension.pk}/history/").content.decode()
    assert "疫情形势好转" in page
    assert str(county_user) in page


def test_c4_a_suspension_outranks_a_limit_and_an_open_day_costs_one_query(
    tree, county_user, django_assert_num_queries
):
    _suspend(
        county_user, tree.region, mode="limited", limit_note="每时段限 5 对", starts_on=dt.date(2022, 1, 1)
    )
    _suspend(county_user, tree.county_a, reason="疫情暂停")
    both = selectors.service_availability(
        service="marriage_registration", unit=tree.nursing_home_a, on=dt.date(2022, 2, 2)
    )
    assert not both.is_open
    assert "疫情暂停" in both.reason
    limited_only = selectors.service_availability(
        service="marriage_registration", unit=tree.county_b, on=dt.date(2022, 2, 2)
    )
    assert limited_only.is_limited
    assert tree.region.name in limited_only.reason
    with django_assert_num_queries(1):
        assert (
            selectors.service_availability(
                service="marriage_registration", unit=tree.county_b, on=dt.date(2021, 12, 1)
            ).message
            == "正常办理"
        )


def test_c4_the_suspensions_pages_read_in_english_and_the_record_stays_chinese(client, tree, county_user):
    from auditlog.models import LogEntry

    client.force_login(county_user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    suspension = services.suspension_create(
        actor=county_user,
        unit=tree.county_a,
        service="marriage_registration",
        mode="limited",
        starts_on=dt.date(2022, 1, 10),
        ends_on=dt.date(2022, 1, 12),
        reason="本地出现疫情",
        limit_note="每日限 10 对",
    )
    page = client.get("/campaigns/suspensions/").content.decode()
    assert "Marriage registration" in page
    assert "Limited" in page
    assert "服务类型" not in page  # the filter's and the form's labels
    entry = LogEntry.objects.get_for_object(suspension).first()
    assert entry is not None
    assert entry.object_repr.endswith("婚姻登记 限流")  # stored in the records' language


def test_c4_a_suspension_from_year_one_to_9999_is_refused_everywhere(
    client, tree, region_admin, plan_campaign
):
    """A form fuzz once suspended marriage registration region-wide from 0001-01-01 to 9999-12-31."""
    fuzz = {"unit": tree.region.pk, "service": "marriage_registration", "reason": "测试"}
    client.force_login(region_admin)
    page = client.post(
        "/campaigns/suspensions/",
        {**fuzz, "mode": "suspended", "starts_on": "0001-01-01", "ends_on": "9999-12-31"},
    )
    assert page.status_code == 400
    assert "日期须在 1900-01-01 至 2100-12-31 之间" in page.content.decode()
    api = client.post(
        "/api/v1/suspensions/",
        {**fuzz, "starts_on": "0001-01-01", "ends_on": "9999-12-31"},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert set(api.json()["error"]["fields"]) == {"starts_on", "ends_on"}
    # Inside the calendar's span but far outside the campaign: the service refuses.
    with pytest.raises(DomainError) as outside:
        _suspend(region_admin, tree.region, starts_on=dt.date(1900, 1, 1), ends_on=dt.date(2100, 12, 31))
    assert outside.value.code == "suspension_outside_campaign"
    assert not ServiceSuspension.objects.exists()


def test_c4_a_suspension_starts_within_its_campaign(tree, county_user, plan_campaign):
    day = dt.timedelta(days=1)
    before = (plan_campaign.starts_on - day, dt.date(2022, 1, 10))
    after = (plan_campaign.ends_on + day, plan_campaign.ends_on + 3 * day)
    for starts_on, ends_on in (before, after):
        with pytest.raises(DomainError) as refused:
            _suspend(county_user, tree.county_a, starts_on=starts_on, ends_on=ends_on)
        assert refused.value.code == "suspension_outside_campaign"
        assert set(refused.value.field_errors) == {"starts_on"}
    assert f"{plan_campaign.starts_on} 至 {plan_campaign.ends_on}" in refused.value.message
    # The campaign's last day may start one, and it may outlast the campaign.
    last = _suspend(county_user, tree.county_a, starts_on=plan_campaign.ends_on, ends_on=after[1] + 30 * day)
    assert last.pk


def test_c4_a_suspension_lasts_at_most_the_policy_maximum(
    client, tree, county_user, region_admin, plan_campaign
):
    assert plan_campaign.campaigns_policy.suspension_max_days == 90
    starts_on = dt.date(2022, 1, 10)
    longest = _suspend(
        county_user, tree.county_a, starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=89)
    )
    assert (longest.ends_on - longest.starts_on).days + 1 == 90
    with pytest.raises(DomainError) as too_long:
        _suspend(county_user, tree.county_a, starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=90))
    assert too_long.value.code == "suspension_too_long"
    assert "90 天" in too_long.value.message
    # The maximum is the policy's: lowered on the policy page, the service follows.
    services.policy_update(
        actor=region_admin, campaign=plan_campaign, model=CampaignPolicy, values={"suspension_max_days": 7}
    )
    client.force_login(county_user)
    form = {
        "unit": tree.county_a.pk,
        "service": "visits",
        "mode": "suspended",
        "starts_on": "2022-01-10",
        "ends_on": "2022-01-17",
        "reason": "封闭管理",
    }
    page = client.post("/campaigns/suspensions/", form)
    assert page.status_code == 400
    assert "一次暂停或限流最长 7 天" in page.content.decode()
    api = client.post("/api/v1/suspensions/", form, content_type="application/json")
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "suspension_too_long"
    assert api.json()["error"]["fields"]["ends_on"]
    assert client.post("/campaigns/suspensions/", {**form, "ends_on": "2022-01-16"}).status_code == 302


def test_c4_the_policy_page_shows_and_edits_the_maximum(client, region_admin, plan_campaign):
    client.force_login(region_admin)
    page = client.get(f"/campaigns/{plan_campaign.pk}/").content.decode()
    assert "服务暂停或限流一次最长天数" in page
    refused = client.patch(
        f"/api/v1/campaigns/{plan_campaign.pk}/policy/campaigns/",
        {"suspension_max_days": 0},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "suspension_max_days" in refused.json()["error"]["fields"]
