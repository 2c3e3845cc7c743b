"""The assistance API (X7): households, members, responsible people (A1), visits and follow-ups
(A2), standards and income assessments (A8), temporary assistance (A5–A7), 一事一议 (A10),
payment rolls and arrears (A3) — scoped, masked, refused in Chinese."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.assistance import services
from shouhu.assistance.models import (
    CareDelivery,
    CareTask,
    CaseByCaseReview,
    FollowUp,
    Household,
    IncomeKind,
    Payment,
    PaymentKind,
    PaymentRoll,
    PaymentStatus,
    Relation,
    Responsibility,
    Standing,
    TemporaryAssistance,
    Visit,
)
from shouhu.assistance.tests.factories import DAY, make_household, make_standard
from shouhu.common import clock
from shouhu.inquiries.models import Inquiry
from shouhu.inquiries.services import inquiry_answer, inquiry_assign

pytestmark = pytest.mark.django_db

API = "/api/v1/assistance"
ID_NUMBER = "232700194501010014"


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def village_user(tree):
    return make_user("village_staff", tree.village_a)


@pytest.fixture
def household(tree, plan_campaign):
    return make_household(tree.village_a)


# --- Households (A2) -----------------------------------------------------------------------------


def test_a2_a_village_clerk_registers_a_household_with_its_head_masked(
    client, tree, plan_campaign, village_user
):
    client.force_login(village_user)
    created = _post(
        client,
        f"{API}/households/",
        {
            "unit": tree.village_a.pk,
            "area_type": "rural",
            "standing": "epidemic_affected",
            "affected_reason": "lost_work",
            "situation": "返岗受阻",
            "head_name": "周国庆",
            "head_id_number": ID_NUMBER,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    household = Household.objects.get(pk=body["id"])
    assert household.unit == tree.village_a
    assert household.registered_by == village_user
    assert body["registered_on"] == "2022-01-05"
    assert body["head_name"] == "周国庆"
    assert body["size"] == 1
    [head] = body["members"]
    assert head["relation"] == "head"
    assert head["id_number"] != ID_NUMBER
    assert ID_NUMBER not in created.content.decode()
    listed = client.get(f"{API}/households/").json()
    assert [row["id"] for row in listed["results"]] == [household.pk]
    assert listed["results"][0]["levels_held"] == 0


def test_a2_a_refused_household_answers_400_in_chinese_and_registers_nobody(
    client, tree, plan_campaign, village_user
):
    client.force_login(village_user)
    refused = _post(
        client,
        f"{API}/households/",
        {
            "unit": tree.village_a.pk,
            "area_type": "urban",
            "standing": "epidemic_affected",
            "head_name": "周国庆",
        },
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid_household"
    assert "受疫情影响的家庭须选择受影响原因" in error["message"]
    assert error["fields"]["affected_reason"]
    assert not Household.objects.exists()
    # A village outside the clerk's own subtree is not one they may name (404, as if missing).
    elsewhere = _post(
        client,
        f"{API}/households/",
        {"unit": tree.village_b.pk, "area_type": "urban", "standing": "dibao", "head_name": "周国庆"},
    )
    assert elsewhere.status_code == 404


def test_a2_another_countys_household_answers_404_like_a_missing_one(
    client, tree, plan_campaign, county_user, household
):
    other = make_household(tree.village_b, "漠河户主")
    client.force_login(county_user)
    assert client.get(f"{API}/households/{household.pk}/").status_code == 200
    missing = client.get(f"{API}/households/987654321/")
    hidden = client.get(f"{API}/households/{other.pk}/")
    assert hidden.status_code == 404
    assert hidden.content == missing.content
    visit = {"visited_on": "2022-01-04", "visitor": "刘春梅", "findings": "生活正常"}
    assert _post(client, f"{API}/households/{other.pk}/visits/", visit).status_code == 404
    assert not Visit.objects.exists()
    listed = client.get(f"{API}/households/").json()
    assert [row["id"] for row in listed["results"]] == [household.pk]


def test_a2_the_leader_reads_but_every_write_is_refused(client, tree, plan_campaign, household):
    client.force_login(make_user("leader", tree.region))
    assert client.get(f"{API}/households/{household.pk}/").status_code == 200
    refused = _post(
        client,
        f"{API}/households/",
        {"unit": tree.village_a.pk, "area_type": "urban", "standing": "dibao", "head_name": "周国庆"},
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    visit = {"visited_on": "2022-01-04", "visitor": "刘春梅", "findings": "生活正常"}
    assert _post(client, f"{API}/households/{household.pk}/visits/", visit).status_code == 403
    assert Household.objects.count() == 1
    assert not Visit.objects.exists()


def test_a2_the_list_costs_the_same_queries_for_2_and_12_households(client, tree, plan_campaign, county_user):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(f"{API}/households/")
        assert page.status_code == 200
        return len(captured), page.json()["count"]

    client.force_login(county_user)
    for n in range(2):
        make_household(tree.village_a, f"户主{n}")
    few = count_queries()
    for n in range(2, 12):
        household = make_household(tree.village_a, f"户主{n}")
        services.visit_record(
            actor=None, household=household, visited_on=dt.date(2022, 1, 3), visitor="刘春梅", findings="正常"
        )
    many = count_queries()
    assert few[1] == 2
    assert many[1] == 12
    assert few[0] == many[0]


def test_a2_the_list_filters_overdue_visits(client, tree, plan_campaign, county_user):
    late = make_household(tree.village_a, "久未走访", registered_on=dt.date(2021, 12, 1))
    seen = make_household(tree.village_a, "刚走访", registered_on=dt.date(2021, 12, 1))
    services.visit_record(
        actor=None, household=seen, visited_on=dt.date(2022, 1, 4), visitor="刘春梅", findings="正常"
    )
    client.force_login(county_user)
    rows = client.get(f"{API}/households/", {"visit_overdue": "true"}).json()["results"]
    assert [row["id"] for row in rows] == [late.pk]
    by_name = client.get(f"{API}/households/", {"search": "刚走访"}).json()["results"]
    assert [(row["id"], row["last_visit"]) for row in by_name] == [(seen.pk, "2022-01-04")]


def test_a2_a_visit_is_recorded_and_listed(client, plan_campaign, village_user, household):
    client.force_login(village_user)
    url = f"{API}/households/{household.pk}/visits/"
    recorded = _post(
        client,
        url,
        {"visited_on": "2022-01-04", "visitor": "刘春梅", "findings": "生活正常", "needs": "取暖煤"},
    )
    assert recorded.status_code == 201, recorded.content
    visit = Visit.objects.get()
    assert visit.recorded_by == village_user
    assert recorded.json()["needs"] == "取暖煤"
    future = _post(client, url, {"visited_on": "2022-01-06", "visitor": "刘春梅", "findings": "生活正常"})
    assert future.status_code == 400
    assert "走访日期不能晚于今天" in future.json()["error"]["fields"]["visited_on"][0]
    listed = client.get(url).json()
    assert [row["id"] for row in listed["results"]] == [visit.pk]
    detail = client.get(f"{API}/households/{household.pk}/").json()
    assert [v["id"] for v in detail["visits"]] == [visit.pk]


def test_a2_the_household_is_updated_and_what_is_left_out_is_kept(
    client, plan_campaign, village_user, household
):
    Household.objects.filter(pk=household.pk).update(address="东山路 1 号")
    client.force_login(village_user)
    url = f"{API}/households/{household.pk}/update/"
    updated = _post(client, url, {"standing": "low_income", "situation": "收入下降"})
    assert updated.status_code == 200, updated.content
    household.refresh_from_db()
    assert (household.standing, household.situation, household.address) == (
        Standing.LOW_INCOME,
        "收入下降",
        "东山路 1 号",
    )
    dropped = _post(client, url, {"standing": "dibao", "affected_reason": "isolated"})
    assert dropped.status_code == 200  # the reason is dropped for a household not affected
    assert dropped.json()["affected_reason"] == ""
    assert _post(client, url, {"standing": "epidemic_affected"}).status_code == 400


def test_a2_members_join_and_leave(client, plan_campaign, village_user, household):
    client.force_login(village_user)
    joined = _post(
        client,
        f"{API}/households/{household.pk}/members/",
        {"name": "李秀英", "relation": "spouse", "id_number": ID_NUMBER},
    )
    assert joined.status_code == 201, joined.content
    assert joined.json()["id_number"] != ID_NUMBER
    second_head = _post(
        client, f"{API}/households/{household.pk}/members/", {"name": "王强", "relation": "head"}
    )
    assert second_head.status_code == 400
    assert "该户已有户主" in second_head.json()["error"]["message"]
    url = f"{API}/members/{joined.json()['id']}/leave/"
    left = _post(client, url, {"left_on": "2022-01-05", "left_reason": "迁出"})
    assert left.status_code == 200, left.content
    assert left.json()["left_on"] == "2022-01-05"
    again = _post(client, url, {"left_on": "2022-01-05", "left_reason": "迁出"})
    assert again.status_code == 409
    detail = client.get(f"{API}/households/{household.pk}/").json()
    assert detail["size"] == 1
    assert [m["left_on"] for m in detail["members"]] == [None, "2022-01-05"]


def test_a2_the_county_closes_a_follow_up_the_isolation_register_opened(
    client, tree, plan_campaign, county_user, village_user, household
):
    from shouhu.screening.services import isolation_record

    head = household.members.get().person
    isolation_record(actor=None, person=head, kind="home", starts_on=dt.date(2022, 1, 3), source="社区排查")
    follow_up = FollowUp.objects.get()
    client.force_login(village_user)
    assert _post(client, f"{API}/follow-ups/{follow_up.pk}/close/", {"outcome": "已联系"}).status_code == 403
    client.force_login(county_user)
    listed = client.get(f"{API}/follow-ups/").json()
    assert [(row["id"], row["person_name"]) for row in listed["results"]] == [(follow_up.pk, "王桂芝")]
    detail = client.get(f"{API}/households/{household.pk}/").json()
    assert [f["id"] for f in detail["follow_ups"]] == [follow_up.pk]
    blank = _post(client, f"{API}/follow-ups/{follow_up.pk}/close/", {"outcome": " "})
    assert blank.status_code == 400
    closed = _post(client, f"{API}/follow-ups/{follow_up.pk}/close/", {"outcome": "已电话联系，送去生活物资"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["closed_at"] is not None
    assert client.get(f"{API}/follow-ups/").json()["count"] == 0
    assert client.get(f"{API}/follow-ups/", {"open_only": "false"}).json()["count"] == 1


# --- Three-level responsibility (A1) -------------------------------------------------------------


def test_a1_the_county_names_a_responsible_person_whose_phone_stays_masked(
    client, plan_campaign, county_user, village_user, household
):
    body = {"level": "village", "name": "刘春梅", "phone": "13912345678"}
    url = f"{API}/households/{household.pk}/responsibilities/"
    client.force_login(village_user)
    assert _post(client, url, body).status_code == 403
    client.force_login(county_user)
    named = _post(client, url, body)
    assert named.status_code == 201, named.content
    assert named.json()["phone"] == "139****5678"
    assert named.json()["unit_name"] == "东山第一社区"
    replaced = _post(client, url, {**body, "name": "赵立新", "phone": ""})
    assert replaced.status_code == 201
    detail = client.get(f"{API}/households/{household.pk}/")
    assert "13912345678" not in detail.content.decode()
    assert [(r["level"], r["name"]) for r in detail.json()["responsibilities"]] == [("village", "赵立新")]
    assert Responsibility.objects.filter(household=household).count() == 2
    listed = client.get(f"{API}/households/", {"missing_level": "true"}).json()
    assert [row["levels_held"] for row in listed["results"]] == [1]


def test_a1_a_bad_phone_is_refused_in_chinese(client, plan_campaign, county_user, household):
    client.force_login(county_user)
    refused = _post(
        client,
        f"{API}/households/{household.pk}/responsibilities/",
        {"level": "county", "name": "刘春梅", "phone": "12"},
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["phone"]
    assert not Responsibility.objects.exists()


# --- Standards and income assessment (A8) --------------------------------------------------------


def test_a8_the_county_keeps_its_own_standards_only(client, tree, plan_campaign, county_user):
    client.force_login(county_user)
    body = {
        "county": tree.county_a.pk,
        "area_type": "urban",
        "effective_from": "2021-07-01",
        "dibao_standard": "650.00",
        "tekun_standard": "845.00",
        "minimum_wage": "1650.00",
        "employment_cost_percent": 20,
        "isolation_living_cost_percent": 50,
    }
    created = _post(client, f"{API}/standards/", body)
    assert created.status_code == 201, created.content
    assert created.json()["dibao_standard"] == "650.00"
    assert _post(client, f"{API}/standards/", {**body, "county": tree.county_b.pk}).status_code == 404
    again = _post(client, f"{API}/standards/", body)
    assert again.status_code == 400
    assert "已有标准" in again.json()["error"]["message"]
    assert client.get(f"{API}/standards/").json()["count"] == 1


def test_a8_an_assessment_returns_its_working_and_amount(client, tree, plan_campaign, county_user, household):
    make_standard(tree.county_a)  # 低保 650, minimum wage 1650, employment costs 20 %
    spouse = services.member_join(actor=None, household=household, name="李秀英", relation="spouse")
    head = household.members.get(relation="head").person
    client.force_login(county_user)
    assessed = _post(
        client,
        f"{API}/households/{household.pk}/assessments/",
        {
            "month": "2022-01-05",
            "lines": [
                {"person": head.pk, "kind": "wage", "amount": "1000", "back_at_work": True},
                {"person": spouse.person.pk, "kind": "transfer", "amount": "0", "isolation_days": 10},
            ],
            "note": "返岗复工",
        },
    )
    assert assessed.status_code == 201, assessed.content
    body = assessed.json()
    # Income 1000 less employment costs 1650 × 20 % = 330: 670 for 2 people, 335 each;
    # (650 − 335) × 2 = 630.
    assert body["month"] == "2022-01-01"
    assert (body["total_deductions"], body["per_capita_income"], body["dibao_amount"]) == (
        "330.00",
        "335.00",
        "630.00",
    )
    assert body["household_size"] == 2
    steps = {step["label"]: step["amount"] for step in body["working"]}
    assert steps["王桂芝 扣减就业成本"] == "-330.00"
    assert steps["低保金（元/月）"] == "630.00"
    assert len(body["lines"]) == 2
    detail = client.get(f"{API}/assessments/{body['id']}/")
    assert detail.json()["working"] == body["working"]
    household_detail = client.get(f"{API}/households/{household.pk}/").json()
    assert [a["dibao_amount"] for a in household_detail["assessments"]] == ["630.00"]
    listed = client.get(f"{API}/households/").json()
    assert listed["results"][0]["latest_amount"] == "630.00"


def test_a8_a_line_naming_someone_outside_the_household_is_refused(
    client, tree, plan_campaign, county_user, household
):
    make_standard(tree.county_a)
    stranger = make_household(tree.village_a, "邻居").members.get().person
    client.force_login(county_user)
    url = f"{API}/households/{household.pk}/assessments/"
    refused = _post(
        client,
        url,
        {"month": "2022-01-01", "lines": [{"person": stranger.pk, "kind": "wage", "amount": "10"}]},
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "not_a_member"
    assert error["fields"]["lines.0.person"] == ["该人员不是本户的家庭成员"]
    negative = _post(
        client,
        url,
        {"month": "2022-01-01", "lines": [{"person": stranger.pk, "kind": "wage", "amount": "-1"}]},
    )
    assert negative.status_code == 400
    assert negative.json()["error"]["fields"]["lines.0.amount"]
    too_many = _post(
        client, url, {"month": "2022-01-01", "lines": [{"person": 1, "kind": "wage", "amount": "1"}] * 51}
    )
    assert too_many.status_code == 400
    other_county = make_household(tree.village_b, "漠河户主")
    assert _post(client, f"{API}/households/{other_county.pk}/assessments/", {}).status_code == 404
    assert not household.assessments.exists()


# --- Temporary assistance (A5, A6, A7) and 一事一议 (A10) ----------------------------------------

GRANT = {"reason": "lost_work", "schedule": "monthly", "amount": "500", "starts_on": "2022-01-05"}
REVIEW = {
    "hardship": "户主重病住院，子女在读，疫情期间无收入",
    "proposed_amount": "10000",
    "met_on": "2022-01-05",
    "participants": "县民政局局长、分管副局长、社会救助股股长、乡镇民政助理",
    "decision": "approved",
    "approved_amount": "8000",
    "approved_by": "县民政局局长",
    "reference": "民政局会议纪要〔2022〕1号",
}


@pytest.fixture
def affected(tree, plan_campaign):
    return make_household(
        tree.village_a, "孙立军", standing=Standing.EPIDEMIC_AFFECTED, affected_reason="lost_work"
    )


def test_a5_the_county_grants_temporary_assistance_and_lists_it(client, plan_campaign, county_user, affected):
    client.force_login(county_user)
    granted = _post(client, f"{API}/households/{affected.pk}/grants/", {**GRANT, "expected_months": 2})
    assert granted.status_code == 201, granted.content
    body = granted.json()
    grant = TemporaryAssistance.objects.get()
    assert (body["id"], body["head_name"], body["unit_name"]) == (grant.pk, "孙立军", "东山第一社区")
    assert (body["amount"], body["starts_on"], body["review"]) == ("500.00", "2022-01-01", None)
    assert grant.granted_by == county_user
    listed = client.get(f"{API}/grants/", {"in_force_only": "true", "reason": "lost_work"}).json()
    assert [row["id"] for row in listed["results"]] == [grant.pk]
    assert client.get(f"{API}/grants/", {"reason": "confirmed_case"}).json()["count"] == 0
    # A6: lost work must say how long the hardship is expected to last.
    refused = _post(client, f"{API}/households/{affected.pk}/grants/", GRANT)
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["expected_months"] == [
        "因疫情无法务工的，请填写困难预计持续月数"
    ]
    assert TemporaryAssistance.objects.count() == 1


def test_a10_above_the_cap_a_grant_needs_the_households_approved_review(
    client, tree, plan_campaign, county_user, household
):
    client.force_login(county_user)
    url = f"{API}/households/{household.pk}/grants/"
    large = {**GRANT, "reason": "other", "schedule": "once", "amount": "5000"}
    refused = _post(client, url, large)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid_temporary_assistance"
    assert error["fields"]["amount"] == ["救助金额超过常规上限 3000.00 元，须先经“一事一议”议定"]
    reviewed = _post(client, f"{API}/households/{household.pk}/reviews/", REVIEW)
    assert reviewed.status_code == 201, reviewed.content
    review = CaseByCaseReview.objects.get()
    assert (reviewed.json()["approved_amount"], review.recorded_by) == ("8000.00", county_user)
    listed = client.get(f"{API}/households/{household.pk}/reviews/").json()
    assert [row["id"] for row in listed["results"]] == [review.pk]
    granted = _post(client, url, {**large, "review": review.pk})
    assert granted.status_code == 201, granted.content
    assert (granted.json()["review"], granted.json()["amount"]) == (review.pk, "5000.00")
    above_review = _post(client, url, {**large, "amount": "8000.01", "review": review.pk})
    assert above_review.status_code == 400
    assert "8000.00" in above_review.json()["error"]["message"]
    # Another household's review, or none at all, is not found among this household's own.
    neighbour = make_household(tree.village_a, "刘淑珍")
    for wrong in (review.pk, 987654321):
        elsewhere = _post(client, f"{API}/households/{neighbour.pk}/grants/", {**large, "review": wrong})
        assert elsewhere.status_code == 400
        assert elsewhere.json()["error"]["fields"]["review"] == ["未找到本户的该一事一议"]
    rejected = _post(client, f"{API}/households/{household.pk}/reviews/", {**REVIEW, "decision": "rejected"})
    assert rejected.status_code == 201
    assert rejected.json()["approved_amount"] == "0.00"
    assert TemporaryAssistance.objects.count() == 1


def test_a10_another_countys_household_has_no_reviews_to_read_or_add(
    client, tree, plan_campaign, county_user
):
    other = make_household(tree.village_b, "漠河户主")
    client.force_login(county_user)
    missing = client.get(f"{API}/households/987654321/reviews/")
    hidden = client.get(f"{API}/households/{other.pk}/reviews/")
    assert hidden.status_code == 404
    assert hidden.content == missing.content
    assert _post(client, f"{API}/households/{other.pk}/reviews/", REVIEW).status_code == 404
    assert _post(client, f"{API}/households/{other.pk}/grants/", GRANT).status_code == 404
    assert not CaseByCaseReview.objects.exists()


def test_a5_an_advance_waits_for_its_documents_until_they_are_completed(
    client, plan_campaign, county_user, household
):
    client.force_login(county_user)
    granted = _post(
        client,
        f"{API}/households/{household.pk}/grants/",
        {**GRANT, "reason": "uncertain", "is_advance": True, "note": "先行救助"},
    )
    assert granted.status_code == 201, granted.content
    grant_id = granted.json()["id"]
    TemporaryAssistance.objects.filter(pk=grant_id).update(granted_at=dt.datetime(2021, 12, 1, tzinfo=dt.UTC))
    waiting = client.get(f"{API}/grants/", {"awaiting_documents": "true"}).json()
    assert [row["id"] for row in waiting["results"]] == [grant_id]
    url = f"{API}/grants/{grant_id}/documents/"
    assert _post(client, url, {"completed_on": "2022-01-06"}).status_code == 400  # not yet
    done = _post(client, url, {"completed_on": "2022-01-05"})
    assert done.status_code == 200, done.content
    assert done.json()["documents_completed_on"] == "2022-01-05"
    assert client.get(f"{API}/grants/", {"awaiting_documents": "true"}).json()["count"] == 0
    again = _post(client, url, {"completed_on": "2022-01-05"})
    assert again.status_code == 409
    assert "要件已于 2022-01-05 补齐" in again.json()["error"]["message"]


def test_a5_a_monthly_grant_is_ended_from_a_later_month(client, plan_campaign, county_user, affected):
    grant = services.temporary_assistance_grant(
        actor=None,
        household=affected,
        data=services.GrantInput(
            reason="lost_work",
            schedule="monthly",
            amount=Decimal("500"),
            starts_on=dt.date(2021, 12, 1),
            expected_months=2,
        ),
    )
    client.force_login(county_user)
    url = f"{API}/grants/{grant.pk}/end/"
    too_early = _post(client, url, {"ended_on": "2021-12-20", "reason": "已返岗"})
    assert too_early.status_code == 400
    assert too_early.json()["error"]["fields"]["ended_on"]
    assert _post(client, url, {"ended_on": "2022-02-01", "reason": ""}).status_code == 400
    ended = _post(client, url, {"ended_on": "2022-01-05", "reason": "已返岗复工"})
    assert ended.status_code == 200, ended.content
    assert (ended.json()["ended_on"], ended.json()["end_reason"]) == ("2022-01-01", "已返岗复工")
    assert _post(client, url, {"ended_on": "2022-01-05", "reason": "已返岗复工"}).status_code == 409


def test_a7_a_two_month_hardship_stays_out_of_dibao_and_a_three_month_one_applies(
    client, plan_campaign, county_user, affected
):
    client.force_login(county_user)
    url = f"{API}/households/{affected.pk}/grants/"
    short = _post(client, url, {**GRANT, "expected_months": 2}).json()["id"]
    refused = _post(client, f"{API}/grants/{short}/to-dibao/", {})
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "hardship_too_short"
    assert "不足 3 个月，不能纳入低保" in error["message"]
    long = _post(client, url, {**GRANT, "expected_months": 3}).json()["id"]
    applied = _post(client, f"{API}/grants/{long}/to-dibao/", {})
    assert applied.status_code == 201, applied.content
    body = applied.json()
    assert (body["household"], body["standing"], body["grant"], body["status"]) == (
        affected.pk,
        "dibao",
        long,
        "applied",
    )
    affected.refresh_from_db()
    assert affected.standing == Standing.EPIDEMIC_AFFECTED  # the application takes its steps first


def test_a4_an_application_through_the_api_from_the_village_to_the_countys_approval(
    client, tree, plan_campaign, county_user, village_user, other_county_user
):
    make_standard(tree.county_a)
    household = make_household(tree.village_a, "刘淑珍", standing=Standing.LOW_INCOME)
    client.force_login(village_user)
    submitted = _post(
        client,
        f"{API}/households/{household.pk}/applications/",
        {"standing": "dibao", "reason": "户主失业", "applied_on": "2021-12-20"},
    )
    assert submitted.status_code == 201, submitted.content
    application = submitted.json()["id"]
    base = f"{API}/applications/{application}"
    assert (
        _post(client, f"{base}/investigate/", {"investigated_on": "2021-12-22", "findings": "x"}).status_code
        == 409
    )
    assert _post(client, f"{base}/accept/", {"accepted_on": "2021-12-21"}).status_code == 200
    missing = _post(client, f"{base}/investigate/", {"investigated_on": "2021-12-22", "findings": "已入户"})
    assert missing.status_code == 400
    assert "assessment" in missing.json()["error"]["fields"]
    client.force_login(county_user)
    person = household.members.get().person_id
    assessed = _post(
        client,
        f"{API}/households/{household.pk}/assessments/",
        {"month": "2021-12-01", "lines": [{"person": person, "kind": "wage", "amount": "300"}]},
    )
    assert assessed.status_code == 201, assessed.content
    client.force_login(village_user)
    investigated = _post(
        client,
        f"{base}/investigate/",
        {"investigated_on": "2021-12-22", "findings": "已入户", "assessment": assessed.json()["id"]},
    )
    assert investigated.status_code == 200, investigated.content
    publicised = _post(client, f"{base}/publicise/", {"starts_on": "2021-12-23"})
    assert publicised.json()["publicised_until"] == "2021-12-29"
    # The decision after the publicity is the county's.
    assert _post(client, f"{base}/approve/", {"decided_on": "2022-01-05"}).status_code == 403
    assert _post(client, f"{base}/refuse/", {"decided_on": "2022-01-05", "reason": "x"}).status_code == 403
    client.force_login(other_county_user)
    assert client.get(f"{base}/").status_code == 404
    assert _post(client, f"{base}/approve/", {"decided_on": "2022-01-05"}).status_code == 404
    client.force_login(county_user)
    early = _post(client, f"{base}/approve/", {"decided_on": "2021-12-29"})
    assert early.status_code == 400
    assert "期满后方可审批" in early.json()["error"]["message"]
    approved = _post(client, f"{base}/approve/", {"decided_on": "2022-01-05", "objections": "无异议"})
    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["head_name"]) == ("approved", "刘淑珍")
    household.refresh_from_db()
    assert household.standing == Standing.DIBAO
    listed = client.get(f"{API}/applications/", {"status": "approved"}).json()
    assert [row["id"] for row in listed["results"]] == [application]
    client.force_login(other_county_user)
    assert client.get(f"{API}/applications/").json()["count"] == 0


def test_a2_a_members_relation_is_corrected_through_the_api(client, tree, plan_campaign, village_user):
    household = make_household(tree.village_a, "王桂芝")
    client.force_login(village_user)
    joined = _post(client, f"{API}/households/{household.pk}/members/", {"name": "李明", "relation": "other"})
    member = joined.json()["id"]
    changed = _post(client, f"{API}/members/{member}/relation/", {"relation": "child"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["relation"] == "child"
    assert _post(client, f"{API}/members/{member}/relation/", {"relation": "head"}).status_code == 400


def test_a5_another_countys_grant_answers_404_like_a_missing_one(
    client, tree, plan_campaign, county_user, other_county_user
):
    other = make_household(tree.village_b, "漠河户主")
    client.force_login(other_county_user)
    grant_id = _post(
        client, f"{API}/households/{other.pk}/grants/", {**GRANT, "reason": "uncertain", "is_advance": True}
    ).json()["id"]
    client.force_login(county_user)
    assert client.get(f"{API}/grants/").json()["count"] == 0
    for action, body in (
        ("documents", {"completed_on": "2022-01-05"}),
        ("end", {"ended_on": "2022-02-01", "reason": "已返岗"}),
        ("to-dibao", {}),
    ):
        hidden = _post(client, f"{API}/grants/{grant_id}/{action}/", body)
        missing = _post(client, f"{API}/grants/987654321/{action}/", body)
        assert hidden.status_code == 404, action
        assert hidden.content == missing.content
    assert TemporaryAssistance.objects.get().documents_completed_on is None


def test_a5_the_grant_list_costs_the_same_queries_for_2_and_12_grants(
    client, tree, plan_campaign, county_user
):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(f"{API}/grants/")
        assert page.status_code == 200
        return len(captured), page.json()["count"]

    def add(n):
        household = make_household(tree.village_a, f"户主{n}")
        review = services.review_record(
            actor=None,
            household=household,
            data=services.ReviewInput(
                hardship="重病",
                proposed_amount=Decimal("5000"),
                met_on=dt.date(2022, 1, 5),
                participants="县民政局",
                decision="approved",
                approved_amount=Decimal("5000"),
                approved_by="局长",
            ),
        )
        services.temporary_assistance_grant(
            actor=None,
            household=household,
            data=services.GrantInput(
                reason="other",
                schedule="once",
                amount=Decimal("4000"),
                starts_on=dt.date(2022, 1, 1),
                review=review,
            ),
        )

    client.force_login(county_user)
    for n in range(2):
        add(n)
    few = count_queries()
    for n in range(2, 12):
        add(n)
    many = count_queries()
    assert (few[1], many[1]) == (2, 12)
    assert few[0] == many[0]


# --- Payment rolls and arrears (A3) -------------------------------------------------------------

DECEMBER = dt.date(2021, 12, 1)
ACCOUNT = "6228480000012345678"


@pytest.fixture
def entitled(tree, plan_campaign):
    """A 低保 household assessed at 450 a month (with a bank account), a 特困 household of two,
    a monthly grant of 500 since December."""
    make_standard(tree.county_a)
    dibao = make_household(tree.village_a, "王桂芝", bank_name="农业银行", bank_account=ACCOUNT)
    services.assessment_record(
        actor=None,
        household=dibao,
        month=DECEMBER,
        lines=[
            services.IncomeLineInput(
                person=dibao.members.get().person, kind=IncomeKind.WAGE, amount=Decimal("200")
            )
        ],
    )
    tekun = make_household(tree.village_a, "刘淑珍", standing=Standing.TEKUN_DISPERSED)
    services.member_join(
        actor=None, household=tekun, name="刘大爷", relation=Relation.SPOUSE, joined_on=DECEMBER
    )
    affected = make_household(
        tree.village_a, "孙立军", standing=Standing.EPIDEMIC_AFFECTED, affected_reason="lost_work"
    )
    grant = services.temporary_assistance_grant(
        actor=None,
        household=affected,
        data=services.GrantInput(
            reason="lost_work",
            schedule="monthly",
            amount=Decimal("500"),
            starts_on=DECEMBER,
            expected_months=2,
        ),
    )
    return dibao, tekun, affected, grant


def _generate(client, county, month="2022-01-05"):
    return _post(client, f"{API}/rolls/", {"county": county.pk, "month": month})


def test_a3_a_roll_is_generated_once_and_lists_its_payees_without_their_accounts(
    client, tree, county_user, entitled
):
    dibao, tekun, affected, grant = entitled
    client.force_login(county_user)
    created = _generate(client, tree.county_a)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["county_name"], body["month"]) == ("加格达奇区", "2022-01-01")
    assert (body["payment_count"], body["total"], body["paid_count"]) == (3, "2640.00", 0)
    # Generating again finds the roll (200) and adds only what is missing: nothing here.
    again = _generate(client, tree.county_a, "2022-01-31")
    assert again.status_code == 200, again.content
    assert again.json()["id"] == body["id"]
    assert PaymentRoll.objects.count() == 1
    assert Payment.objects.count() == 3
    detail = client.get(f"{API}/rolls/{body['id']}/")
    assert detail.json() == body
    payments = client.get(f"{API}/rolls/{body['id']}/payments/")
    assert payments.status_code == 200
    rows = {
        (row["household"], row["head_name"], row["kind"], row["grant_id"], row["amount"], row["status"])
        for row in payments.json()["results"]
    }
    assert rows == {
        (dibao.pk, "王桂芝", "dibao", 0, "450.00", "pending"),  # (650 − 200) × 1
        (tekun.pk, "刘淑珍", "tekun", 0, "1690.00", "pending"),  # 845 × 2 members
        (affected.pk, "孙立军", "temporary", grant.pk, "500.00", "pending"),
    }
    assert ACCOUNT not in payments.content.decode()
    assert "account" not in payments.content.decode()
    listed = client.get(f"{API}/rolls/").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    # Not a later month, and only a county's own.
    future = _generate(client, tree.county_a, "2022-02-01")
    assert future.status_code == 400
    assert future.json()["error"]["fields"]["month"] == ["不能生成以后月份的花名册"]
    assert _generate(client, tree.county_b).status_code == 404
    assert _generate(client, tree.village_a).status_code == 404
    assert PaymentRoll.objects.count() == 1


def _bank_file(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["农业银行代发结果"])  # the bank's title row above the header
    sheet.append(["流水号", "户名", "处理结果", "实发金额", "处理日期", "备注"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, roll_id, content, name="结果.xlsx"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(f"{API}/rolls/{roll_id}/reconcile/", {"file": upload})


def test_a3_the_bank_result_file_is_uploaded_and_reconciles_the_roll(client, tree, county_user, entitled):
    client.force_login(county_user)
    roll_id = _generate(client, tree.county_a).json()["id"]
    payments = {p.kind: p.pk for p in Payment.objects.all()}
    bad = _bank_file(
        [
            [payments[PaymentKind.DIBAO], "王桂芝", "成功", "450", "2022-01-08", ""],
            [999999, "某某", "成功", "1", "2022-01-08", ""],
            [payments[PaymentKind.TEKUN], "刘淑珍", "不知道", "", "", ""],
        ]
    )
    refused = _upload(client, roll_id, bad)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid_bank_file"
    assert "未导入任何一行" in error["message"]
    assert set(error["fields"]) == {"row 4", "row 5"}  # the spreadsheet's own row numbers
    assert not Payment.objects.exclude(status=PaymentStatus.PENDING).exists()
    good = _bank_file(
        [
            [payments[PaymentKind.DIBAO], "王桂芝", "成功", "450", "2022-01-08", ""],
            [payments[PaymentKind.TEKUN], "刘淑珍", "失败", "", "2022-01-08", "账户冻结"],
            [payments[PaymentKind.TEMPORARY], "孙立军", "成功", "300", "2022-01-08", ""],
        ]
    )
    done = _upload(client, roll_id, good)
    assert done.status_code == 200, done.content
    assert done.json() == {"updated": 3}
    rows = client.get(f"{API}/rolls/{roll_id}/payments/").json()["results"]
    assert {(row["kind"], row["status"], row["paid_amount"], row["bank_note"]) for row in rows} == {
        ("dibao", "paid", "450.00", ""),
        ("tekun", "failed", "0.00", "账户冻结"),
        ("temporary", "paid", "300.00", ""),
    }
    failed = client.get(f"{API}/rolls/{roll_id}/payments/", {"status": "failed"}).json()
    assert [row["kind"] for row in failed["results"]] == ["tekun"]
    assert client.get(f"{API}/rolls/{roll_id}/").json()["paid_count"] == 2
    # No file, or a file of another kind, is refused in Chinese.
    assert client.post(f"{API}/rolls/{roll_id}/reconcile/", {}).status_code == 400
    wrong = _upload(client, roll_id, b"%PDF-1.4", name="结果.pdf")
    assert wrong.status_code == 400
    assert wrong.json()["error"]["message"] == "只支持 .xlsx 和 .csv 文件"


def test_a3_another_countys_roll_answers_404_like_a_missing_one(
    client, tree, county_user, other_county_user, entitled
):
    make_household(tree.village_b, "漠河户主", standing=Standing.TEKUN_DISPERSED)
    make_standard(tree.county_b)
    client.force_login(other_county_user)
    other = _generate(client, tree.county_b)
    assert other.status_code == 201, other.content
    roll_id = other.json()["id"]
    payment = Payment.objects.get(roll_id=roll_id)
    client.force_login(county_user)
    for path in (f"rolls/{roll_id}/", f"rolls/{roll_id}/payments/"):
        hidden = client.get(f"{API}/{path}")
        missing = client.get(f"{API}/{path.replace(str(roll_id), '987654321')}")
        assert hidden.status_code == 404, path
        assert hidden.content == missing.content
    upload = _bank_file([[payment.pk, "漠河户主", "成功", "845", "2022-01-08", ""]])
    hidden = _upload(client, roll_id, upload)
    assert hidden.status_code == 404
    assert hidden.content == _upload(client, 987654321, upload).content
    assert client.get(f"{API}/rolls/").json()["count"] == 0
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_a3_the_leader_reads_rolls_and_arrears_but_every_write_is_refused(
    client, tree, county_user, entitled
):
    _dibao, household, _affected, grant = entitled
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=dt.date(2022, 1, 1))
    client.force_login(make_user("leader", tree.region))
    for path in (
        "rolls/",
        f"rolls/{roll.pk}/",
        f"rolls/{roll.pk}/payments/",
        "arrears/",
        "arrears/by-county/",
    ):
        assert client.get(f"{API}/{path}").status_code == 200, path
    assert client.get(f"{API}/grants/").json()["count"] == 1
    assert client.get(f"{API}/households/{household.pk}/reviews/").status_code == 200
    writes = [
        _generate(client, tree.county_a),
        _upload(client, roll.pk, _bank_file([])),
        _post(client, f"{API}/households/{household.pk}/grants/", {**GRANT, "expected_months": 2}),
        _post(client, f"{API}/households/{household.pk}/reviews/", REVIEW),
        _post(client, f"{API}/grants/{grant.pk}/documents/", {"completed_on": "2022-01-05"}),
        _post(client, f"{API}/grants/{grant.pk}/end/", {"ended_on": "2022-02-01", "reason": "已返岗"}),
        _post(client, f"{API}/grants/{grant.pk}/to-dibao/", {}),
    ]
    assert [response.status_code for response in writes] == [403] * len(writes)
    assert writes[0].json()["error"]["code"] == "permission_denied"
    assert (TemporaryAssistance.objects.count(), CaseByCaseReview.objects.count()) == (1, 0)
    # A village clerk records households and visits, not money.
    client.force_login(make_user("village_staff", tree.village_a))
    assert _generate(client, tree.county_a).status_code == 403
    assert _post(client, f"{API}/households/{household.pk}/grants/", GRANT).status_code == 403


def test_a3_arrears_are_decembers_payments_not_made_in_full_by_the_pay_day(
    client, tree, county_user, entitled
):
    # 2022-01-05: December's pay day (the 10th) has passed, January's has not.
    dibao, tekun, affected, _grant = entitled
    december = services.roll_generate(actor=county_user, county=tree.county_a, month=DECEMBER)
    services.roll_generate(actor=county_user, county=tree.county_a, month=dt.date(2022, 1, 1))
    paid = december.payments.get(household=dibao)
    short = december.payments.get(household=affected)
    services.roll_reconcile(
        actor=county_user,
        roll=december,
        results=[
            services.BankResult(1, str(paid.pk), "成功", "450", dt.date(2021, 12, 8)),
            services.BankResult(2, str(short.pk), "成功", "300", dt.date(2021, 12, 8)),
        ],
    )
    client.force_login(county_user)
    listed = client.get(f"{API}/arrears/")
    assert listed.status_code == 200
    rows = {
        (row["household"], row["head_name"], row["month"], row["status"], row["short"])
        for row in listed.json()["results"]
    }
    assert rows == {
        (tekun.pk, "刘淑珍", "2021-12-01", "pending", "1690.00"),
        (affected.pk, "孙立军", "2021-12-01", "paid", "200.00"),
    }
    assert ACCOUNT not in listed.content.decode()
    by_county = client.get(f"{API}/arrears/by-county/")
    assert by_county.status_code == 200
    assert by_county.json() == [
        {
            "county": tree.county_a.pk,
            "county_name": "加格达奇区",
            "payments": 2,
            "households": 2,
            "short": "1890.00",
        }
    ]
    client.force_login(make_user("county_staff", tree.county_b))
    assert client.get(f"{API}/arrears/").json()["count"] == 0
    assert client.get(f"{API}/arrears/by-county/").json() == []


def test_a3_the_payment_and_arrear_lists_cost_the_same_queries_whatever_their_rows(
    client, tree, county_user, entitled
):
    def count_queries(url):
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        assert page.status_code == 200
        return len(captured), page.json()["count"]

    client.force_login(county_user)
    roll_id = _generate(client, tree.county_a, "2021-12-01").json()["id"]
    urls = [f"{API}/rolls/{roll_id}/payments/", f"{API}/arrears/", f"{API}/rolls/"]
    few = [count_queries(url) for url in urls]
    for n in range(10):
        make_household(tree.village_a, f"新增{n}", standing=Standing.TEKUN_CENTRALISED)
    assert _generate(client, tree.county_a, "2021-12-01").status_code == 200
    assert _generate(client, tree.county_a, "2022-01-01").status_code == 201
    many = [count_queries(url) for url in urls]
    assert [count for _queries, count in few] == [3, 3, 1]
    assert [count for _queries, count in many] == [13, 13, 2]
    assert [queries for queries, _count in few] == [queries for queries, _count in many]


# --- Care of isolated people: 照料 (A9) -----------------------------------------------------------


def _care_task(household):
    """A member of a 低保 household isolated at home: the isolation register opens the task."""
    from shouhu.screening.services import isolation_record

    head = household.members.get().person
    isolation_record(actor=None, person=head, kind="home", starts_on=dt.date(2022, 1, 4), source="社区排查")
    return CareTask.objects.get(household=household)


DELIVERY = {
    "delivered_on": "2022-01-05",
    "needs": ["food", "heating"],
    "items": "米面油各一份，取暖煤 500 斤",
    "delivered_by": "陈书记",
}


def test_a9_a_delivery_is_recorded_and_listed_with_the_task(client, plan_campaign, village_user, household):
    task = _care_task(household)
    client.force_login(village_user)
    listed = client.get(f"{API}/care/").json()
    assert [(row["id"], row["person_name"], row["last_delivery"]) for row in listed["results"]] == [
        (task.pk, "王桂芝", None)
    ]
    assert listed["results"][0]["unit_name"] == "东山第一社区"
    url = f"{API}/care/{task.pk}/deliveries/"
    recorded = _post(client, url, DELIVERY)
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["needs"] == ["food", "heating"]
    delivery = CareDelivery.objects.get()
    assert (delivery.task, delivery.recorded_by) == (task, village_user)
    assert [row["id"] for row in client.get(url).json()["results"]] == [delivery.pk]
    row = client.get(f"{API}/care/").json()["results"][0]
    assert row["last_delivery"] == "2022-01-05"
    assert client.get(f"{API}/care/", {"overdue_only": "true"}).json()["count"] == 0


def test_a9_a_refused_delivery_answers_400_in_chinese_and_records_nothing(
    client, plan_campaign, village_user, household
):
    task = _care_task(household)
    client.force_login(village_user)
    url = f"{API}/care/{task.pk}/deliveries/"
    refused = _post(client, url, {**DELIVERY, "delivered_on": "2022-01-03", "needs": []})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid_care_delivery"
    assert "送达日期不能早于隔离开始日期" in error["message"]
    assert error["fields"]["needs"] == ["请选择需求类别"]
    unknown = _post(client, url, {**DELIVERY, "needs": ["cash"]})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"]["needs.0"]
    assert not CareDelivery.objects.exists()


def test_a9_another_countys_task_answers_404_like_a_missing_one(
    client, tree, plan_campaign, county_user, household
):
    other = _care_task(make_household(tree.village_b, "漠河户主"))
    own = _care_task(household)
    client.force_login(county_user)
    assert client.get(f"{API}/care/{own.pk}/deliveries/").status_code == 200
    for send in (
        lambda pk: client.get(f"{API}/care/{pk}/deliveries/"),
        lambda pk: _post(client, f"{API}/care/{pk}/deliveries/", DELIVERY),
    ):
        hidden, missing = send(other.pk), send(987654321)
        assert hidden.status_code == 404
        assert hidden.content == missing.content
    assert [row["id"] for row in client.get(f"{API}/care/").json()["results"]] == [own.pk]
    assert not CareDelivery.objects.exists()


def test_a9_the_leader_reads_care_but_records_no_delivery(client, tree, plan_campaign, household):
    task = _care_task(household)
    client.force_login(make_user("leader", tree.region))
    assert client.get(f"{API}/care/").json()["count"] == 1
    assert client.get(f"{API}/care/{task.pk}/deliveries/").status_code == 200
    refused = _post(client, f"{API}/care/{task.pk}/deliveries/", DELIVERY)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert not CareDelivery.objects.exists()


def test_a9_the_care_list_costs_the_same_queries_for_2_and_12_tasks(client, tree, plan_campaign, county_user):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(f"{API}/care/")
        assert page.status_code == 200
        return len(captured), page.json()["count"]

    client.force_login(county_user)
    for n in range(2):
        _care_task(make_household(tree.village_a, f"户主{n}"))
    few = count_queries()
    for n in range(2, 12):
        task = _care_task(make_household(tree.village_a, f"户主{n}"))
        services.care_delivery_record(
            actor=None, task=task, delivered_on=DAY, needs=["food"], items="米面油", delivered_by="陈书记"
        )
    many = count_queries()
    assert (few[1], many[1]) == (2, 12)
    assert few[0] == many[0]


# --- The assistance hotline: 救助热线 (A11) -------------------------------------------------------

PHONE = "13904571234"
CALL = {"summary": "家中老人隔离在家，缺少取暖煤，请求帮助", "caller_name": "王女士", "caller_phone": PHONE}


def test_a11_a_call_is_logged_with_the_phone_masked_answered_and_closed(
    client, tree, plan_campaign, county_user, household
):
    client.force_login(county_user)
    logged = _post(client, f"{API}/hotline/", {**CALL, "household": household.pk})
    assert logged.status_code == 201, logged.content
    body = logged.json()
    assert PHONE not in logged.content.decode()
    assert body["caller_phone"] == "139****1234"
    assert (body["unit"], body["unit_name"], body["channel"]) == (tree.county_a.pk, "加格达奇区", "hotline")
    assert body["person_name"] == "王桂芝"
    assert body["received_at"].startswith("2022-01-05T10:00")
    assert body["answer_due_at"].startswith("2022-01-06T10:00")
    assert (body["first_answer_at"], body["closed_at"], body["breached"]) == (None, None, False)
    inquiry = Inquiry.objects.get()
    assert (inquiry.module, inquiry.recorded_by, inquiry.caller_phone) == ("assistance", county_user, PHONE)
    url = f"{API}/hotline/{inquiry.pk}/"
    detail = client.get(url)
    assert detail.json() == body
    assert PHONE not in detail.content.decode()
    listed = client.get(f"{API}/hotline/")
    assert [row["id"] for row in listed.json()["results"]] == [inquiry.pk]
    assert PHONE not in listed.content.decode()
    # Closing before the first answer is refused; then answered once, and closed once.
    early = _post(client, f"{url}close/", {"outcome": "已送煤"})
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "not_answered"
    answered = _post(client, f"{url}answer/", {"answer": "已联系村委会，今日送煤上门"})
    assert answered.status_code == 200, answered.content
    assert answered.json()["first_answer"] == "已联系村委会，今日送煤上门"
    assert answered.json()["first_answer_at"] is not None
    assert _post(client, f"{url}answer/", {"answer": "再次"}).status_code == 409
    closed = _post(client, f"{url}close/", {"outcome": "已送取暖煤 1 吨，回访满意"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["closed_at"] is not None
    assert closed.json()["outcome"] == "已送取暖煤 1 吨，回访满意"
    assert client.get(f"{API}/hotline/", {"open_only": "true"}).json()["count"] == 0
    assert _post(client, f"{url}close/", {"outcome": "again"}).status_code == 409


def test_a11_a_refused_call_answers_400_in_chinese_and_logs_nothing(client, plan_campaign, county_user):
    client.force_login(county_user)
    refused = _post(
        client, f"{API}/hotline/", {**CALL, "caller_phone": "12", "received_at": "2022-01-06T10:00"}
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid_inquiry"
    assert set(error["fields"]) == {"caller_phone", "received_at"}
    assert "受理时间不能晚于现在" in error["message"]
    assert _post(client, f"{API}/hotline/", {"caller_name": "王女士"}).status_code == 400
    assert not Inquiry.objects.exists()


def test_a11_breached_calls_are_flagged_and_filtered(client, tree, plan_campaign, county_user):
    late = services.hotline_call_receive(
        actor=None,
        unit=tree.county_a,
        summary="低保金未到账",
        received_at=clock.now() - dt.timedelta(hours=25),
    )
    services.hotline_call_receive(actor=None, unit=tree.county_a, summary="咨询临时救助", channel="walk_in")
    client.force_login(county_user)
    rows = client.get(f"{API}/hotline/", {"breached_only": "true"}).json()["results"]
    assert [(row["id"], row["breached"]) for row in rows] == [(late.pk, True)]
    walk_ins = client.get(f"{API}/hotline/", {"channel": "walk_in"}).json()["results"]
    assert [row["summary"] for row in walk_ins] == ["咨询临时救助"]
    found = client.get(f"{API}/hotline/", {"search": "低保金"}).json()["results"]
    assert [row["id"] for row in found] == [late.pk]


def test_a11_another_countys_call_answers_404_like_a_missing_one(
    client, tree, plan_campaign, county_user, other_county_user
):
    other = services.hotline_call_receive(
        actor=None, unit=tree.county_b, summary="漠河来电", caller_phone=PHONE
    )

    def send(pk, path, body):
        url = f"{API}/hotline/{pk}/{path}"
        return client.get(url) if body is None else _post(client, url, body)

    client.force_login(county_user)
    for path, body in (
        ("", None),
        ("answer/", {"answer": "已受理"}),
        ("close/", {"outcome": "已办结"}),
    ):
        hidden, missing = send(other.pk, path, body), send(987654321, path, body)
        assert hidden.status_code == 404, path
        assert hidden.content == missing.content
    assert client.get(f"{API}/hotline/").json()["count"] == 0
    # A household of another county is not one a call can name.
    elsewhere = make_household(tree.village_b, "漠河户主")
    assert _post(client, f"{API}/hotline/", {**CALL, "household": elsewhere.pk}).status_code == 404
    other.refresh_from_db()
    assert other.first_answer_at is None
    assert Inquiry.objects.count() == 1


def test_a11_the_leader_reads_calls_but_logs_none(client, tree, plan_campaign):
    call = services.hotline_call_receive(actor=None, unit=tree.county_a, summary="咨询临时救助")
    client.force_login(make_user("leader", tree.region))
    assert client.get(f"{API}/hotline/{call.pk}/").status_code == 200
    writes = [
        _post(client, f"{API}/hotline/", CALL),
        _post(client, f"{API}/hotline/{call.pk}/answer/", {"answer": "已受理"}),
        _post(client, f"{API}/hotline/{call.pk}/close/", {"outcome": "已办结"}),
    ]
    assert [response.status_code for response in writes] == [403] * 3
    # The village clerk records care, not calls (the county answers the hotline).
    client.force_login(make_user("village_staff", tree.village_a))
    assert _post(client, f"{API}/hotline/", CALL).status_code == 403
    assert Inquiry.objects.count() == 1


def test_a11_the_call_list_costs_the_same_queries_for_2_and_12_calls(
    client, tree, plan_campaign, county_user, household
):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(f"{API}/hotline/")
        assert page.status_code == 200
        return len(captured), page.json()["count"]

    client.force_login(county_user)
    for n in range(2):
        services.hotline_call_receive(actor=None, unit=tree.county_a, summary=f"来电{n}")
    few = count_queries()
    for n in range(2, 12):
        call = services.hotline_call_receive(
            actor=None, unit=tree.village_a, summary=f"来电{n}", caller_phone=PHONE, household=household
        )
        inquiry_answer(actor=county_user, inquiry=call, answer="已受理")
        inquiry_assign(actor=county_user, inquiry=call, user=make_user("village_staff", tree.village_a))
    many = count_queries()
    assert (few[1], many[1]) == (2, 12)
    assert few[0] == many[0]
