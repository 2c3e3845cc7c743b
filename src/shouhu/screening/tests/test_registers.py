"""S3: the risk-area list with its history, typed or imported; the isolation register."""

import datetime as dt

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.importing import importer_for, run_import
from shouhu.common.tabular import read_table
from shouhu.screening import services
from shouhu.screening.models import IsolationKind, IsolationRecord, RiskArea
from shouhu.screening.tests.factories import make_person, risk_area

pytestmark = pytest.mark.django_db


def csv_table(text: str, encoding: str = "utf-8"):
    return read_table("名单.csv", text.encode(encoding), required_headers=[])


def test_s3_a_level_change_ends_the_record_and_adds_one_history_is_never_overwritten(region_admin):
    area = risk_area(
        province="河北省", city="石家庄市", county="藁城区", effective_from=dt.date(2021, 12, 20)
    )
    raised = services.risk_area_change_level(
        actor=region_admin, area=area, level="high", from_day=dt.date(2022, 1, 3)
    )
    area.refresh_from_db()
    assert area.effective_to == dt.date(2022, 1, 2)
    assert (raised.level, raised.effective_from, raised.effective_to) == ("high", dt.date(2022, 1, 3), None)
    services.risk_area_end(actor=region_admin, area=raised, last_day=dt.date(2022, 1, 5))
    assert RiskArea.objects.filter(place_key=area.place_key).count() == 2
    with pytest.raises(ConflictError):
        services.risk_area_end(actor=region_admin, area=raised, last_day=dt.date(2022, 1, 6))


def test_s3_the_same_place_written_another_way_is_the_same_area(db):
    risk_area(province="北京市", county="朝阳区")
    with pytest.raises(ConflictError) as caught:
        risk_area(province="北京", county="朝阳区", effective_from=dt.date(2022, 1, 1))
    assert "时间重叠" in caught.value.message
    # The identical record again (an import run twice) is not an error.
    assert RiskArea.objects.count() == 1
    risk_area(province="北京市", county="朝阳区")
    assert RiskArea.objects.count() == 1


def test_s3_bad_risk_areas_are_refused_naming_every_field(db):
    with pytest.raises(DomainError) as caught:
        services.risk_area_create(
            actor=None,
            data=services.RiskAreaInput(
                level="low",
                province="火星",
                admin_code="12ab",
                effective_from=dt.date(2022, 1, 5),
                effective_to=dt.date(2022, 1, 1),
            ),
        )
    assert set(caught.value.field_errors) == {"level", "province", "admin_code", "effective_to"}
    assert "未知的省份“火星”" in caught.value.message


def test_s3_risk_areas_import_from_a_gbk_csv_idempotently(region_admin):
    importer = importer_for("risk-areas")
    text = (
        "风险等级,省,市,县区,乡镇街道,村社区,行政区划代码,生效日期,截止日期,备注\n"
        "高风险,北京,,朝阳区,,,,2021-12-28,,\n"
        "中风险,河北省,石家庄市,藁城区,增村镇,小果庄村,130109,2022/1/3,,\n"
        "低风险,火星,,,,,,2022-01-01,,\n"
    )
    report = run_import(
        importer=importer,
        actor=region_admin,
        table=csv_table(text, "gb18030"),
        dry_run=False,
        import_valid_rows=True,
    )
    assert (report.created, report.error_rows) == (2, 1)
    assert report.errors[0].row == 4
    assert "风险等级" in report.errors[0].column
    again = run_import(
        importer=importer, actor=region_admin, table=csv_table(text), dry_run=False, import_valid_rows=True
    )
    assert (again.created, again.unchanged) == (0, 2)
    assert RiskArea.objects.count() == 2


def test_s3_a_file_with_errors_imports_nothing_unless_asked(region_admin):
    text = "风险等级,省,县区,生效日期\n高风险,北京,朝阳区,2021-12-28\n高风险,北京,海淀区,昨天\n"
    report = run_import(
        importer=importer_for("risk-areas"), actor=region_admin, table=csv_table(text), dry_run=False
    )
    assert not report.written
    assert report.errors
    assert not RiskArea.objects.exists()


def test_s3_isolation_ends_by_default_after_the_policys_days_per_kind(tree, county_user):
    person = make_person(tree.village_a, "孙八")
    expected = {
        IsolationKind.CENTRALISED: dt.date(2022, 1, 15),
        IsolationKind.HOME: dt.date(2022, 1, 8),
        IsolationKind.HEALTH_MONITORING: dt.date(2022, 1, 8),
    }
    for kind, release in expected.items():
        record = services.isolation_record(
            actor=county_user, person=person, kind=kind, starts_on=dt.date(2022, 1, 1), source="社区排查"
        ).record
        assert record.planned_end_on == release
    with pytest.raises(ConflictError):
        services.isolation_record(
            actor=county_user, person=person, kind="home", starts_on=dt.date(2022, 1, 3), source="重复"
        )


def test_s3_isolation_release_rules(tree, county_user):
    person = make_person(tree.village_a, "周九")
    record = services.isolation_record(
        actor=county_user, person=person, kind="centralised", starts_on=dt.date(2021, 12, 28), source="推送"
    ).record
    with pytest.raises(DomainError, match="提前解除须填写原因"):
        services.isolation_end(actor=county_user, record=record, ended_on=dt.date(2022, 1, 4))
    with pytest.raises(DomainError, match="不能晚于今天"):
        services.isolation_end(actor=county_user, record=record, ended_on=dt.date(2022, 1, 11), reason="x")
    services.isolation_end(actor=county_user, record=record, ended_on=dt.date(2022, 1, 4), reason="转院")
    with pytest.raises(ConflictError):
        services.isolation_end(actor=county_user, record=record, ended_on=dt.date(2022, 1, 5), reason="x")


def test_s3_isolation_import_registers_new_people_and_refuses_other_counties(tree, county_user):
    other = make_person(tree.village_b, "吴十", id_number="232701195003080010")
    text = (
        "姓名,身份证号,隔离类型,开始日期,计划解除日期,实际解除日期,信息来源,手机号,所属单位编码,备注\n"
        f"郑一,11010519491231002X,集中隔离,2022-01-02,,,卫健部门推送,13800138000,{tree.village_a.code},\n"
        "吴十,232701195003080010,居家隔离,2022-01-02,,,卫健部门推送,,,\n"
        f"王二,11010519491231002X,隔离,2022-01-02,,,卫健部门推送,,{tree.village_a.code},\n"
    )
    report = run_import(
        importer=importer_for("isolations"),
        actor=county_user,
        table=csv_table(text),
        dry_run=False,
        import_valid_rows=True,
    )
    assert report.created == 1
    assert {e.row for e in report.errors} == {3, 4}
    record = IsolationRecord.objects.get()
    assert record.person.name == "郑一"
    assert record.planned_end_on == dt.date(2022, 1, 16)
    assert not IsolationRecord.objects.filter(person=other).exists()


def test_s3_api_lists_risk_areas_and_checks_travel(client, tree, county_user, region_admin):
    risk_area(province="北京市", county="朝阳区")
    client.force_login(county_user)
    listed = client.get("/api/v1/screening/risk-areas/").json()
    assert listed["count"] == 1
    assert listed["results"][0]["place"] == "北京市朝阳区"
    refused = client.post(
        "/api/v1/screening/risk-areas/",
        {"level": "high", "province": "上海", "effective_from": "2022-01-05"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    check = client.post(
        "/api/v1/screening/travel-check/",
        {
            "travel": [
                {"place": "朝阳区", "province": "北京", "arrived_on": "2022-01-02"},
                {"place": "某地", "arrived_on": "2022-01-02"},
            ]
        },
        content_type="application/json",
    ).json()
    assert check["lookback_days"] == 14
    assert check["matches"][0]["risk_area_place"] == "北京市朝阳区"
    assert check["unknown_places"] == ["某地"]
    future = client.post(
        "/api/v1/screening/travel-check/",
        {"travel": [{"place": "北京", "arrived_on": "2022-02-02"}]},
        content_type="application/json",
    )
    assert future.status_code == 400
    assert "晚于今天" in future.json()["error"]["message"]
    client.force_login(region_admin)
    created = client.post(
        "/api/v1/screening/risk-areas/",
        {"level": "high", "province": "上海", "county": "浦东新区", "effective_from": "2022-01-05"},
        content_type="application/json",
    )
    assert created.status_code == 201


def test_s3_the_isolation_question_is_one_endpoint(client, tree, county_user):
    person = make_person(tree.village_a, "冯二")
    services.isolation_record(
        actor=county_user, person=person, kind="home", starts_on=dt.date(2022, 1, 1), source="推送"
    )
    client.force_login(county_user)
    answer = client.get(f"/api/v1/screening/people/{person.pk}/isolation/").json()
    assert answer["in_isolation"] is True
    assert answer["record"]["kind"] == "home"
    later = client.get(f"/api/v1/screening/people/{person.pk}/isolation/?on=2022-01-08").json()
    assert later["in_isolation"] is False
    other = make_user("county_staff", tree.county_b)
    client.force_login(other)
    assert client.get(f"/api/v1/screening/people/{person.pk}/isolation/").status_code == 404


def test_s3_risk_area_pages_keep_history_visible(client, region_admin):
    area = risk_area(province="北京市", county="朝阳区")
    client.force_login(region_admin)
    response = client.post(
        f"/screening/risk-areas/{area.pk}/level/", {"level": "high", "from_day": "2022-01-04", "note": ""}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "高风险" in page
    assert "2021-12-20" in page
    assert "2022-01-03" in page
    listing = client.get("/screening/risk-areas/?history=on").content.decode()
    assert listing.count("北京市朝阳区") == 2


def test_m3_the_demo_puts_one_registered_adult_in_isolation_once(tree, plan_campaign):
    """The demo shows the booking's refusal of a party in isolation without setting anything up."""
    from shouhu.screening.demo import DEMO_ISOLATED_ID_NUMBER, record_demo_isolation
    from shouhu.screening.models import IsolationRecord
    from shouhu.screening.rules import person_in_isolation_on
    from shouhu.screening.tests.factories import make_person

    assert record_demo_isolation() == 0  # nobody with that number in the register: nothing to do
    person = make_person(tree.village_a, "王国庆", id_number=DEMO_ISOLATED_ID_NUMBER)
    assert record_demo_isolation() == 1
    assert record_demo_isolation() == 0  # run twice, it adds nothing
    assert IsolationRecord.objects.filter(person=person).count() == 1
    assert person_in_isolation_on(person, clock.today()) is not None
