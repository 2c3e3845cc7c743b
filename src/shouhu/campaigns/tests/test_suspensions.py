import datetime as dt

import pytest

from shouhu.campaigns import selectors, services
from shouhu.campaigns.models import ServiceSuspension
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
