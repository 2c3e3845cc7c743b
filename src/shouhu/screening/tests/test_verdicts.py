"""S1, S2: every entry is a record; refusals carry every reason, and every threshold is the policy's."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection

from shouhu.campaigns.services import policy_update, suspension_create
from shouhu.common.errors import DomainError
from shouhu.common.validation import parse_temperature
from shouhu.orgs.models import UnitStatus
from shouhu.screening import services
from shouhu.screening.models import IsolationKind, RefusalReason, Screening, ScreeningPolicy, Verdict
from shouhu.screening.rules import Facts, register_closure_check
from shouhu.screening.tests.factories import GREEN, make_institution, make_person, risk_area, trip

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(tree):
    return tree.nursing_home_a


def screen(user, unit, facts=GREEN, **kwargs) -> Screening:
    return services.screening_record(actor=user, unit=unit, facts=facts, **kwargs)


def test_s1_a_screening_records_who_where_when_results_and_who_screened(tree, home, county_user):
    person = make_person(tree.village_a, "王五")
    screening = screen(county_user, home, person=person)
    screening.refresh_from_db()
    assert screening.verdict == Verdict.ADMITTED
    assert screening.person == person
    assert screening.unit == home
    assert screening.screened_by == county_user
    assert screening.temperature == Decimal("36.5")
    assert (screening.health_code, screening.itinerary_code, screening.mask) == ("green", "green", True)
    assert screening.screened_at.isoformat().startswith("2022-01-05T02:00")
    assert screening.reason_codes == []


def test_s1_a_visitors_name_phone_and_travel_are_encrypted_at_rest(home, county_user):
    screen(
        county_user,
        home,
        replace(GREEN, travel=(trip("北京市海淀区", dt.date(2022, 1, 1)),)),
        visitor_name="李四",
        visitor_phone="138 0013 8000",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT visitor_name, visitor_phone, travel_data FROM screening_screening")
        row = cursor.fetchone()
    assert "李四" not in row[0]
    assert "13800138000" not in row[1]
    assert "海淀" not in row[2]
    screening = Screening.objects.get()
    assert screening.visitor_name == "李四"
    assert screening.visitor_phone_masked == "138****8000"
    assert screening.travel[0]["place"] == "北京市海淀区"


@pytest.mark.parametrize(
    ("facts", "code", "text"),
    [
        (replace(GREEN, refused_checks=True), RefusalReason.REFUSED_CHECKS, "拒绝配合"),
        (replace(GREEN, health_code="yellow"), RefusalReason.HEALTH_CODE, "健康码为黄码"),
        (replace(GREEN, health_code="red"), RefusalReason.HEALTH_CODE, "健康码为红码"),
        (replace(GREEN, health_code="not_shown"), RefusalReason.HEALTH_CODE, "未出示健康码"),
        (replace(GREEN, itinerary_code="yellow"), RefusalReason.ITINERARY_CODE, "行程码为黄色"),
        (replace(GREEN, itinerary_star=True), RefusalReason.ITINERARY_CODE, "带星号"),
        (replace(GREEN, temperature=Decimal("37.3")), RefusalReason.TEMPERATURE, "37.3℃"),
        (replace(GREEN, temperature=Decimal("38.6")), RefusalReason.TEMPERATURE, "达到或超过 37.3℃"),
    ],
)
def test_s2_each_rule_refuses_with_its_reason_shown(home, county_user, facts, code, text):
    screening = screen(county_user, home, facts)
    assert screening.verdict == Verdict.REFUSED
    assert screening.reason_codes == [code]
    assert text in screening.reasons


def test_s2_just_below_the_limit_is_admitted_and_the_limit_is_the_policys(home, county_user, plan_campaign):
    assert screen(county_user, home, replace(GREEN, temperature=Decimal("37.2"))).verdict == Verdict.ADMITTED
    policy_update(
        actor=None,
        campaign=plan_campaign,
        model=ScreeningPolicy,
        values={"temperature_limit": Decimal("37.5")},
    )
    assert screen(county_user, home, replace(GREEN, temperature=Decimal("37.3"))).verdict == Verdict.ADMITTED
    refused = screen(county_user, home, replace(GREEN, temperature=Decimal("37.5")))
    assert "达到或超过 37.5℃" in refused.reasons


def test_s2_the_star_rule_is_the_policys(home, county_user, plan_campaign):
    policy_update(
        actor=None, campaign=plan_campaign, model=ScreeningPolicy, values={"itinerary_star_refused": False}
    )
    screening = screen(county_user, home, replace(GREEN, itinerary_star=True))
    assert screening.verdict == Verdict.ADMITTED
    assert "行程码带星号" in screening.notes


def test_s2_travel_through_a_risk_area_within_the_lookback_refuses(home, county_user):
    risk_area(province="北京市", county="朝阳区", level="high")
    screening = screen(
        county_user,
        home,
        replace(GREEN, travel=(trip("北京朝阳区", dt.date(2021, 12, 28), dt.date(2021, 12, 30)),)),
        visitor_name="赵六",
    )
    assert screening.verdict == Verdict.REFUSED
    assert screening.reason_codes == [RefusalReason.RISK_AREA]
    assert "14天内到过高风险地区北京市朝阳区" in screening.reasons
    assert "2021-12-28至2021-12-30" in screening.reasons


def test_s2_a_possible_match_or_unknown_place_is_flagged_not_refused(home, county_user):
    risk_area(province="北京市", county="朝阳区", community="某某社区")
    screening = screen(
        county_user,
        home,
        replace(
            GREEN, travel=(trip("北京市朝阳区", dt.date(2022, 1, 2)), trip("火星基地", dt.date(2022, 1, 3)))
        ),
    )
    assert screening.verdict == Verdict.ADMITTED
    assert screening.needs_review
    assert "可能涉及" in screening.notes
    assert "无法识别的地点“火星基地”（已按原文记录）" in screening.notes
    assert [t["place"] for t in screening.travel] == ["北京市朝阳区", "火星基地"]


def test_s2_active_isolation_refuses_and_the_selector_answers_other_modules(tree, home, county_user):
    person = make_person(tree.village_a, "钱七", phone="13900139000")
    record = services.isolation_record(
        actor=county_user,
        person=person,
        kind=IsolationKind.HOME,
        starts_on=dt.date(2022, 1, 1),
        source="卫健部门推送",
    ).record
    assert record.planned_end_on == dt.date(2022, 1, 8)  # policy: home isolation 7 days
    from shouhu.screening.selectors import person_in_isolation_on

    assert person_in_isolation_on(person, dt.date(2022, 1, 7)) == record
    assert person_in_isolation_on(person, dt.date(2022, 1, 8)) is None  # the release day
    assert person_in_isolation_on(person, dt.date(2021, 12, 31)) is None
    refused = screen(county_user, home, person=person)
    assert refused.reason_codes == [RefusalReason.ISOLATION]
    assert "居家隔离期内（2022-01-01起，2022-01-08解除）" in refused.reasons
    # Not picked from the register, but the phone number is the registered person's.
    by_phone = screen(county_user, home, visitor_name="钱七", visitor_phone="13900139000")
    assert by_phone.reason_codes == [RefusalReason.ISOLATION]
    services.isolation_end(actor=county_user, record=record, ended_on=dt.date(2022, 1, 5), reason="核酸阴性")
    assert screen(county_user, home, person=person).verdict == Verdict.ADMITTED


def test_s2_an_isolation_refusal_is_stored_in_chinese_whatever_the_screeners_language(
    tree, home, county_user
):
    """Reasons are records: a clerk screening in English stores the same Chinese text."""
    from django.utils import translation

    person = make_person(tree.village_a, "钱七")
    services.isolation_record(
        actor=county_user,
        person=person,
        kind=IsolationKind.HOME,
        starts_on=dt.date(2022, 1, 1),
        source="推送",
    )
    with translation.override("en"):
        assert str(IsolationKind.HOME.label) == "Home isolation"  # shown translated
        refused = screen(county_user, home, person=person)
    assert "居家隔离期内（2022-01-01起，2022-01-08解除）" in refused.reasons


def test_s2_an_institution_closed_to_visitors_refuses(tree, home, county_user):
    suspension_create(
        actor=county_user,
        unit=tree.county_a,
        service="visits",
        starts_on=dt.date(2022, 1, 4),
        ends_on=dt.date(2022, 1, 10),
        reason="疫情防控需要",
    )
    refused = screen(county_user, home)
    assert refused.reason_codes == [RefusalReason.CLOSED]
    assert "暂停探视来访：疫情防控需要" in refused.reasons
    other = make_institution(tree.county_b, "漠河市殡仪馆", "funeral_home")
    assert (
        services.screening_record(actor=None, unit=other, facts=GREEN).verdict == Verdict.ADMITTED
    )  # another county's suspension does not reach here


def test_s2_a_closed_unit_and_other_modules_closures_refuse(home, county_user):
    home.status = UnitStatus.CLOSED
    home.save(update_fields=["status"])
    assert screen(county_user, home).reason_codes == [RefusalReason.CLOSED]
    home.status = UnitStatus.ACTIVE
    home.save(update_fields=["status"])

    def closed_management(unit, day):
        return "封闭管理期间谢绝探视" if unit.pk == home.pk else None

    register_closure_check(closed_management)
    try:
        assert "封闭管理" in screen(county_user, home).reasons
    finally:
        from shouhu.screening import rules

        rules._closure_checks.remove(closed_management)


def test_s2_every_reason_is_kept_when_several_apply(home, county_user):
    risk_area(province="上海市", county="浦东新区")
    screening = screen(
        county_user,
        home,
        Facts(
            health_code="red",
            itinerary_code="red",
            itinerary_star=True,
            temperature=Decimal("38.0"),
            travel=(trip("上海浦东新区", dt.date(2022, 1, 3)),),
        ),
    )
    assert screening.reason_codes == [
        RefusalReason.HEALTH_CODE,
        RefusalReason.ITINERARY_CODE,
        RefusalReason.TEMPERATURE,
        RefusalReason.RISK_AREA,
    ]
    assert len(screening.reason_list) == 5


@pytest.mark.parametrize("temperature", ["33.9", "43.1", "abc", "-1", "NaN", "Infinity", "1e5", "36.5.1"])
def test_s1_implausible_temperatures_are_refused_in_chinese_and_nothing_is_saved(
    home, county_user, temperature
):
    with pytest.raises(DomainError) as caught:
        parse_temperature(temperature)
    assert "体温" in caught.value.message
    assert "temperature" in caught.value.field_errors
    with pytest.raises(DomainError) as caught:
        screen(county_user, home, Facts(temperature=Decimal("43.5")))
    assert caught.value.field_errors["temperature"] == ["体温 43.5℃ 不在 34.0–43.0℃ 之间，请重新测量"]
    assert not Screening.objects.exists()


def test_s1_travel_dates_in_the_future_or_reversed_are_refused(home, county_user):
    for entry, message in (
        (trip("北京市", dt.date(2022, 1, 6)), "到达日期 2022-01-06 晚于今天"),
        (trip("北京市", dt.date(2022, 1, 1), dt.date(2022, 1, 9)), "离开日期 2022-01-09 晚于今天"),
        (trip("北京市", dt.date(2022, 1, 3), dt.date(2022, 1, 1)), "离开日期不能早于到达日期"),
        (trip("", dt.date(2022, 1, 3)), "请填写地点"),
    ):
        with pytest.raises(DomainError) as caught:
            screen(county_user, home, replace(GREEN, travel=(entry,)))
        assert message in caught.value.message
        assert caught.value.field_errors["travel"]
    assert not Screening.objects.exists()


def test_s1_admitting_needs_a_temperature(home, county_user):
    with pytest.raises(DomainError) as caught:
        screen(county_user, home, Facts())
    assert caught.value.code == "temperature_required"
    # A refusal that needs no thermometer is still recorded.
    assert screen(county_user, home, Facts(health_code="red")).verdict == Verdict.REFUSED
