"""E2: testing rounds — everyone in the round, nobody missed, a positive result alerts at once."""

import datetime as dt

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts.models import Alert, Severity
from shouhu.alerts.selectors import inbox
from shouhu.common.errors import DomainError
from shouhu.eldercare import selectors, services
from shouhu.eldercare.models import RoundScope, TestOutcome, TestResult
from shouhu.eldercare.services import POSITIVE_RESULT
from shouhu.eldercare.tests.factories import make_home, make_member, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree):
    return make_user("institution_staff", tree.nursing_home_a)


@pytest.fixture
def people(tree):
    return [
        make_member(tree.nursing_home_a, "王奶奶"),
        make_member(tree.nursing_home_a, "赵爷爷"),
        make_member(tree.nursing_home_a, "护工小李", staff=True),
    ]


def test_e2_a_round_of_everyone_lists_every_resident_and_staff_member(tree, people):
    make_member(tree.nursing_home_b, "别院老人")
    outsider = make_member(tree.nursing_home_a, "登记在院")
    outsider.categories.all().delete()  # in the register for the home, but neither resident nor staff
    test_round = make_round(tree.nursing_home_a)
    assert test_round.scope == RoundScope.EVERYONE
    names = sorted(TestResult.objects.filter(round=test_round).values_list("person__name", flat=True))
    assert names == sorted(p.name for p in people)


def test_e2_a_listed_round_refuses_people_of_another_home(tree, people):
    stranger = make_member(tree.nursing_home_b, "别院老人")
    with pytest.raises(DomainError, match="别院老人"):
        services.round_create(
            actor=None,
            home=tree.nursing_home_a,
            tested_on=dt.date(2022, 1, 5),
            scope=RoundScope.LISTED,
            people=[people[0], stranger],
        )
    assert not TestResult.objects.exists()


def test_e2_a_positive_result_puts_an_alert_in_the_county_users_inbox_at_once(
    tree, plan_campaign, people, staff, county_user, other_county_user
):
    coordinator = make_user("department_coordinator", tree.department)
    test_round = make_round(tree.nursing_home_a)
    services.round_result_record(
        actor=staff, test_round=test_round, person=people[0], result=TestOutcome.POSITIVE
    )
    delivery = inbox(viewer=county_user).get()
    alert = delivery.alert
    assert alert.kind == POSITIVE_RESULT
    assert alert.severity == Severity.URGENT
    assert alert.title == "核酸检测阳性：加格达奇区社会福利中心 王奶奶"
    assert alert.link == f"/eldercare/rounds/{test_round.pk}/"
    # The home's head and the department coordinating nursing homes are told too; the other county is not.
    assert inbox(viewer=staff).get().alert == alert
    assert inbox(viewer=coordinator).get().alert == alert
    assert not inbox(viewer=other_county_user).exists()
    # Entering the same positive again (a correction of the reason, a double tap) does not alert twice.
    services.round_result_record(
        actor=staff, test_round=test_round, person=people[0], result=TestOutcome.POSITIVE
    )
    assert inbox(viewer=county_user).count() == 1


def test_e2_a_negative_result_alerts_nobody(tree, plan_campaign, people, county_user):
    test_round = make_round(tree.nursing_home_a)
    services.round_result_record(
        actor=None, test_round=test_round, person=people[0], result=TestOutcome.NEGATIVE
    )
    assert TestResult.objects.get(round=test_round, person=people[0]).result == TestOutcome.NEGATIVE
    assert not Alert.objects.exists()
    assert not inbox(viewer=county_user).exists()


def test_e2_the_missing_list_names_everyone_not_sampled(tree, people):
    test_round = make_round(tree.nursing_home_a)
    services.round_result_record(
        actor=None, test_round=test_round, person=people[0], result=TestOutcome.NEGATIVE
    )
    services.round_result_record(
        actor=None, test_round=test_round, person=people[1], result=TestOutcome.NOT_SAMPLED, reason="外出就医"
    )
    missing = list(selectors.missing_list(test_round))
    assert [(r.person.name, r.result, r.reason) for r in missing] == [
        ("护工小李", "", ""),
        ("赵爷爷", "not_sampled", "外出就医"),
    ]


def test_e2_bad_results_are_refused_in_chinese_and_nothing_changes(tree, people):
    stranger = make_member(tree.nursing_home_a, "后入住老人")  # came after the round was made
    test_round = make_round(tree.nursing_home_a, people=people[:2])
    with pytest.raises(DomainError, match="后入住老人不在本轮检测名单中"):
        services.round_result_record(actor=None, test_round=test_round, person=stranger, result="negative")
    with pytest.raises(DomainError, match="未采样须写明原因"):
        services.round_result_record(
            actor=None, test_round=test_round, person=people[0], result="not_sampled"
        )
    with pytest.raises(DomainError, match="结果只能是"):
        services.round_result_record(actor=None, test_round=test_round, person=people[0], result="maybe")
    future = make_round(tree.nursing_home_a, tested_on=dt.date(2022, 1, 9))
    with pytest.raises(DomainError, match="未到"):
        services.round_result_record(actor=None, test_round=future, person=people[0], result="negative")
    assert not TestResult.objects.exclude(result="").exists()


def test_e2_api_result_for_someone_not_in_the_round_is_a_400_in_chinese(client, tree, people, staff):
    stranger = make_member(tree.nursing_home_a, "新入住老人")
    test_round = make_round(tree.nursing_home_a, people=people[:1])
    client.force_login(staff)
    url = f"/api/v1/eldercare/rounds/{test_round.pk}/results/"
    response = client.post(
        url, {"person": stranger.pk, "result": "negative"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "该人员不在本轮检测名单中"
    ok = client.post(url, {"person": people[0].pk, "result": "negative"}, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["result"] == "negative"
    detail = client.get(f"/api/v1/eldercare/rounds/{test_round.pk}/").json()
    assert (detail["member_count"], detail["sampled_count"]) == (1, 1)


def test_e2_coverage_per_home_and_per_county(tree, region_admin):
    home_a2 = make_home(tree.county_a, "加格达奇区敬老院")
    a1 = [make_member(tree.nursing_home_a, f"甲{i}") for i in range(4)]
    a2 = [make_member(home_a2, f"乙{i}") for i in range(2)]
    b1 = [make_member(tree.nursing_home_b, f"丙{i}") for i in range(2)]
    old = make_round(tree.nursing_home_a, tested_on=dt.date(2021, 12, 29))
    for person in a1:
        services.round_result_record(actor=None, test_round=old, person=person, result="negative")
    latest = make_round(tree.nursing_home_a)
    for person in a1[:3]:
        services.round_result_record(actor=None, test_round=latest, person=person, result="negative")
    round_a2 = make_round(home_a2)
    services.round_result_record(actor=None, test_round=round_a2, person=a2[0], result="pending")
    assert b1  # county B's home has people but no round yet
    rows = {r.county.name: r for r in selectors.county_coverage(viewer=region_admin, on=dt.date(2022, 1, 5))}
    county_a = rows["加格达奇区"]
    assert (county_a.homes, county_a.homes_with_round, county_a.members, county_a.sampled) == (2, 2, 6, 4)
    assert county_a.percent == pytest.approx(66.7)
    assert (rows["漠河市"].homes_with_round, rows["漠河市"].percent) == (0, None)
    overview = {r.home.pk: r for r in selectors.home_overview(viewer=region_admin, today=dt.date(2022, 1, 5))}
    assert overview[tree.nursing_home_a.pk].coverage == 75.0
    assert overview[home_a2.pk].coverage == 50.0


def test_e2_results_are_entered_on_a_phone_with_one_tap_per_person(
    client, tree, plan_campaign, people, staff
):
    test_round = make_round(tree.nursing_home_a)
    client.force_login(staff)
    url = f"/eldercare/rounds/{test_round.pk}/"
    page = client.get(url).content.decode()
    assert page.count('data-testid="result-row"') == 3
    assert 'name="result" value="negative"' in page
    response = client.post(url, {"person": people[1].pk, "result": "negative"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#p{people[1].pk}")
    bad = client.post(url, {"person": people[0].pk, "result": "not_sampled", "reason": ""})
    assert bad.status_code == 400
    assert "未采样须写明原因" in bad.content.decode()
    missing = client.get(f"/eldercare/rounds/{test_round.pk}/missing/").content.decode()
    assert "王奶奶" in missing
    assert "赵爷爷" not in missing
    assert client.get(f"/eldercare/rounds/{test_round.pk}/missing/?export=xlsx").status_code == 200


def test_e2_a_round_is_created_from_the_page(client, tree, plan_campaign, people, staff):
    client.force_login(staff)
    url = f"/eldercare/homes/{tree.nursing_home_a.pk}/rounds/new/"
    response = client.post(url, {"tested_on": "2022-01-05", "scope": "listed", "people": [people[0].pk]})
    assert response.status_code == 302
    assert TestResult.objects.get().person == people[0]
    empty = client.post(url, {"tested_on": "2022-01-05", "scope": "listed"})
    assert empty.status_code == 400
    assert "没有需要检测的人员" in empty.content.decode()


def test_e2_another_countys_round_is_404(client, tree, county_user):
    make_member(tree.nursing_home_b, "漠河老人")
    other = make_round(tree.nursing_home_b)
    client.force_login(county_user)
    assert client.get(f"/eldercare/rounds/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/eldercare/rounds/{other.pk}/").status_code == 404
    posted = client.post(
        f"/api/v1/eldercare/rounds/{other.pk}/results/",
        {"person": 1, "result": "positive"},
        content_type="application/json",
    )
    assert posted.status_code == 404
    assert client.get(f"/eldercare/homes/{tree.nursing_home_b.pk}/").status_code == 404


def test_e2_round_lists_take_a_fixed_number_of_queries(
    client, tree, region_admin, django_assert_max_num_queries
):
    for number in range(5):
        home = make_home(tree.county_a, f"第{number}养老院")
        make_member(home, f"老人{number}")
        make_round(home)
    client.force_login(region_admin)
    with django_assert_max_num_queries(8):
        api = client.get("/api/v1/eldercare/rounds/")
    assert api.json()["count"] == 5
    with django_assert_max_num_queries(12):
        page = client.get("/eldercare/rounds/")
    assert page.content.decode().count("/eldercare/rounds/") >= 5
    with django_assert_max_num_queries(17):  # the county table and the per-home table
        coverage = client.get("/eldercare/coverage/")
    assert "第4养老院" in coverage.content.decode()


def test_e2_a_closed_home_is_reminded_when_its_round_is_due_until_one_is_made(
    tree, plan_campaign, county_user
):
    from shouhu.alerts import runner
    from shouhu.eldercare.reminders import ROUND_DUE, rounds_due
    from shouhu.eldercare.tests.factories import make_closure

    checks = {ROUND_DUE: rounds_due}
    make_member(tree.nursing_home_a, "封闭院老人")
    make_member(tree.nursing_home_b, "开放院老人")
    make_closure(tree.nursing_home_a, dt.date(2022, 1, 1))
    make_round(tree.nursing_home_a, tested_on=dt.date(2021, 12, 29))  # 7 days ago: the policy's interval
    runner.run_reminders(checks=checks)
    alert = inbox(viewer=county_user).get().alert
    assert (alert.kind, alert.unit) == (ROUND_DUE, tree.nursing_home_a)  # the open home is not reminded
    assert "每 7 天" in alert.body
    collected = runner.collect(checks=checks)
    make_round(tree.nursing_home_a, tested_on=dt.date(2022, 1, 6))  # planned for tomorrow
    report = runner.deliver(collected)
    assert (report.raised, report.no_longer_due, report.resolved) == (0, 1, 1)  # and the open alert closes
    assert not inbox(viewer=county_user).filter(alert__resolved_at__isnull=True).exists()


def test_e2_a_round_planned_far_ahead_does_not_silence_the_due_reminder(tree, plan_campaign):
    from shouhu.eldercare.tests.factories import make_closure

    make_member(tree.nursing_home_a, "封闭院老人")
    make_closure(tree.nursing_home_a, dt.date(2022, 1, 1))
    make_round(tree.nursing_home_a, tested_on=dt.date(2021, 12, 29))
    make_round(tree.nursing_home_a, tested_on=dt.date(2030, 1, 1))  # a typo, not a plan
    assert selectors.round_due(home=tree.nursing_home_a, today=dt.date(2022, 1, 5), interval_days=7)
    make_round(tree.nursing_home_a, tested_on=dt.date(2022, 1, 8))  # within the interval: a plan
    assert not selectors.round_due(home=tree.nursing_home_a, today=dt.date(2022, 1, 5), interval_days=7)
