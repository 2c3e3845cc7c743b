"""E3: health monitoring — abnormal values alert at once, missing checks are reminded."""

import datetime as dt
from decimal import Decimal

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts import runner
from shouhu.alerts.models import Alert
from shouhu.alerts.selectors import inbox
from shouhu.campaigns.services import policy_update
from shouhu.common.errors import DomainError
from shouhu.eldercare import services
from shouhu.eldercare.models import HealthCheck, Symptom
from shouhu.eldercare.reminders import CHECKS_MISSING, missing_health_checks
from shouhu.eldercare.services import ABNORMAL_CHECK
from shouhu.eldercare.tests.factories import make_member
from shouhu.screening.models import ScreeningPolicy

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
CHECKS = {CHECKS_MISSING: missing_health_checks}


@pytest.fixture
def staff(tree):
    return make_user("institution_staff", tree.nursing_home_a)


@pytest.fixture
def resident(tree):
    return make_member(tree.nursing_home_a, "孙奶奶")


def record(home, person, temperature, symptoms=(), at=None):
    return services.health_check_record(
        actor=None, home=home, person=person, temperature=temperature, symptoms=list(symptoms), checked_at=at
    )


def test_e3_a_temperature_at_the_policy_limit_alerts_the_home_and_county(
    tree, plan_campaign, resident, staff, county_user, other_county_user
):
    normal = record(tree.nursing_home_a, resident, "37.2")
    assert not normal.is_abnormal
    assert not Alert.objects.exists()
    fever = record(tree.nursing_home_a, resident, "37.3")
    assert fever.is_abnormal
    alert = inbox(viewer=county_user).get().alert
    assert (alert.kind, alert.title) == (ABNORMAL_CHECK, "健康监测异常：加格达奇区社会福利中心 孙奶奶")
    assert "体温 37.3℃" in alert.body
    assert inbox(viewer=staff).get().alert == alert
    assert not inbox(viewer=other_county_user).exists()


def test_e3_any_symptom_alerts_whatever_the_temperature(tree, plan_campaign, resident, county_user):
    check = record(tree.nursing_home_a, resident, "36.4", [Symptom.COUGH, Symptom.FATIGUE])
    assert check.is_abnormal
    assert "咳嗽、乏力" in inbox(viewer=county_user).get().alert.body


def test_e3_the_fever_line_is_the_policys(tree, plan_campaign, resident):
    policy_update(
        actor=None,
        campaign=plan_campaign,
        model=ScreeningPolicy,
        values={"temperature_limit": Decimal("37.5")},
    )
    assert not record(tree.nursing_home_a, resident, "37.3").is_abnormal
    assert record(tree.nursing_home_a, resident, "37.5").is_abnormal


@pytest.mark.parametrize("typed", ["33.9", "43.1", "365", "abc", "", "NaN"])
def test_e3_temperatures_outside_34_to_43_are_refused_in_chinese(tree, plan_campaign, resident, typed):
    with pytest.raises(DomainError) as refused:
        record(tree.nursing_home_a, resident, typed)
    assert "体温" in refused.value.message
    assert not HealthCheck.objects.exists()


def test_e3_other_bad_input_is_refused(tree, plan_campaign, resident):
    stranger = make_member(tree.nursing_home_b, "外院老人")
    with pytest.raises(DomainError, match="不是加格达奇区社会福利中心登记的入住老人或工作人员"):
        record(tree.nursing_home_a, stranger, "36.5")
    with pytest.raises(DomainError, match="未知的症状"):
        record(tree.nursing_home_a, resident, "36.5", ["sneezing"])
    with pytest.raises(DomainError, match="不能晚于现在"):
        record(tree.nursing_home_a, resident, "36.5", at=dt.datetime(2022, 1, 5, 11, tzinfo=TZ))
    assert not HealthCheck.objects.exists()


def test_e3_api_records_a_check_and_refuses_an_impossible_temperature(
    client, tree, plan_campaign, resident, staff
):
    client.force_login(staff)
    body = {"home": tree.nursing_home_a.pk, "person": resident.pk, "temperature": "36.6", "symptoms": []}
    ok = client.post("/api/v1/eldercare/health-checks/", body, content_type="application/json")
    assert ok.status_code == 201
    assert ok.json()["is_abnormal"] is False
    bad = client.post(
        "/api/v1/eldercare/health-checks/", body | {"temperature": "45.0"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "34.0–43.0" in bad.json()["error"]["message"]
    assert HealthCheck.objects.count() == 1
    other_home = client.post(
        "/api/v1/eldercare/health-checks/",
        body | {"home": tree.nursing_home_b.pk},
        content_type="application/json",
    )
    assert other_home.status_code == 404


def test_e3_the_phone_page_records_a_check_per_person(client, tree, plan_campaign, resident, staff):
    make_member(tree.nursing_home_a, "护工小王", staff=True)
    client.force_login(staff)
    url = f"/eldercare/homes/{tree.nursing_home_a.pk}/checks/"
    page = client.get(url).content.decode()
    assert page.count('data-testid="check-row"') == 2
    assert "今日尚缺 2 人" in page
    response = client.post(url, {"person": resident.pk, "temperature": "38.1", "symptoms": ["cough"]})
    assert response.status_code == 302
    assert HealthCheck.objects.get().symptoms == ["cough"]
    bad = client.post(url, {"person": resident.pk, "temperature": "30"})
    assert bad.status_code == 400
    assert "不在 34.0–43.0℃ 之间" in bad.content.decode()
    assert HealthCheck.objects.count() == 1


def test_e3_missing_checks_of_yesterday_remind_the_home_and_county(
    tree, plan_campaign, resident, county_user
):
    other = make_member(tree.nursing_home_a, "钱爷爷")
    yesterday = dt.datetime(2022, 1, 4, 8, tzinfo=TZ)
    for hours in (0, 8):  # the policy asks for 2 checks a day
        record(tree.nursing_home_a, resident, "36.5", at=yesterday + dt.timedelta(hours=hours))
    record(tree.nursing_home_a, other, "36.5", at=yesterday)
    report = runner.run_reminders(checks=CHECKS)
    alerts = list(Alert.objects.filter(kind=CHECKS_MISSING))
    assert {a.unit for a in alerts} == {tree.nursing_home_a}  # home B has nobody to check
    alert = alerts[0]
    assert "钱爷爷" in alert.body
    assert "孙奶奶" not in alert.body
    assert inbox(viewer=county_user).filter(alert=alert).exists()
    assert report.raised == 1
    assert runner.run_reminders(checks=CHECKS).raised == 0  # reminded once


def test_e3_a_late_entry_between_scheduling_and_delivery_silences_the_reminder(tree, plan_campaign, resident):
    record(tree.nursing_home_a, resident, "36.5", at=dt.datetime(2022, 1, 4, 8, tzinfo=TZ))
    collected = runner.collect(checks=CHECKS)
    assert len(collected.scheduled) == 1
    record(tree.nursing_home_a, resident, "36.6", at=dt.datetime(2022, 1, 4, 16, tzinfo=TZ))
    report = runner.deliver(collected)
    assert (report.raised, report.no_longer_due) == (0, 1)
    assert not Alert.objects.exists()
