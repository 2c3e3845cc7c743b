"""A1, A2, A8 pages: households and their members, the three responsible people, visits on a
phone, the follow-ups other modules open, the standards and the income assessment's working."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.assistance import services
from shouhu.assistance.models import (
    AffectedReason,
    AreaType,
    FollowUp,
    Household,
    HouseholdMember,
    IncomeAssessment,
    Level,
    Responsibility,
    Standard,
    Standing,
    Visit,
)
from shouhu.assistance.tests.factories import DAY, make_household, make_standard
from shouhu.assistance.tests.scope_cases import make_follow_up_in
from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit

pytestmark = pytest.mark.django_db

LIST = "/assistance/"


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def village_user(tree):
    return make_user("village_staff", tree.village_a)


@pytest.fixture
def household(tree):
    return make_household(tree.village_a, "王桂芝")


def _assign_all(household, actor=None):
    for level, name in ((Level.COUNTY, "县干部"), (Level.TOWNSHIP, "乡干部"), (Level.VILLAGE, "村干部")):
        services.responsibility_assign(
            actor=actor, household=household, level=level, name=name, phone="13912341234", assigned_on=DAY
        )


# --- The household list (A2) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["county_staff", "township_staff", "village_staff", "leader", "region_admin"]
)
def test_a2_the_household_list_answers_every_role_that_reads_it(client, tree, household, role):
    unit = {
        "county_staff": tree.county_a,
        "township_staff": tree.township_a,
        "village_staff": tree.village_a,
        "leader": tree.region,
        "region_admin": tree.region,
    }[role]
    client.force_login(make_user(role, unit))
    response = client.get(LIST)
    assert response.status_code == 200
    assert "王桂芝" in _html(response)


def test_a2_a_village_sees_only_its_own_households(client, tree, household, village_user):
    other_village = make_unit(tree.township_a, UnitKind.VILLAGE, "东山第二社区")
    make_household(other_village, "李邻村")
    make_household(tree.village_b, "赵他县")
    client.force_login(village_user)
    html = _html(client.get(LIST))
    assert "王桂芝" in html
    assert "李邻村" not in html
    assert "赵他县" not in html
    assert "登记困难家庭" in html  # RECORD
    # The filter offers only the village's own unit; another's is refused, not ignored.
    assert "东山第二社区" not in html
    assert client.get(f"{LIST}?unit={other_village.pk}").status_code == 400
    assert client.get(f"/assistance/{household.pk}/").status_code == 200
    assert client.get(f"/assistance/{Household.objects.get(unit=other_village).pk}/").status_code == 404


def test_a2_the_list_shows_each_households_figures_and_every_filter_has_a_label(client, tree, county_user):
    covered = make_household(tree.village_a, "刘包保")
    _assign_all(covered)
    services.visit_record(actor=None, household=covered, visited_on=DAY, visitor="张", findings="正常")
    make_household(tree.village_a, "陈无人", standing=Standing.LOW_INCOME)
    client.force_login(county_user)
    response = client.get(LIST)
    html = _html(response)
    assert "3/3" in html
    assert 'data-testid="levels-missing"' in html  # 0/3 in red
    assert "2022-01-05" in html
    assert "未走访" in html
    for name in ("q", "unit", "standing", "missing", "overdue", "unprotected"):
        assert f'for="id_{name}"' in html, name
    # The Today page's and the reminders' links keep working.
    missing = _html(client.get(f"{LIST}?missing=1"))
    assert "陈无人" in missing
    assert "刘包保" not in missing
    overdue = _html(client.get(f"{LIST}?overdue=1&unit={tree.village_a.pk}"))
    assert "陈无人" in overdue  # registered 2021-12-01, never visited, 14 days allowed
    assert "刘包保" not in overdue
    assert "陈无人" in _html(client.get(f"{LIST}?q=陈"))
    assert "刘包保" not in _html(client.get(f"{LIST}?q=陈"))


def test_a2_the_list_exports_the_same_columns(client, tree, county_user):
    make_household(tree.village_a, "王桂芝")
    client.force_login(county_user)
    response = client.get(f"{LIST}?export=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "户主",
        "村（社区）",
        "城乡类别",
        "救助类别",
        "人口",
        "包保",
        "最近走访",
        "最近核算低保金",
    )
    assert rows[1][:7] == ("王桂芝", tree.village_a.name, "城市", "低保", 1, "0/3", "未走访")


def test_a2_the_filters_swap_only_the_results_for_htmx(client, tree, county_user):
    make_household(tree.village_a, "王桂芝")
    client.force_login(county_user)
    response = client.get(f"{LIST}?q=王", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results")
    html = _html(response)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="list-results">')
    assert "王桂芝" in html
    assert "<form" not in html


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{LIST}?unit=")
    assert response.status_code == 200
    return len(queries)


def test_a2_the_household_lists_queries_do_not_grow_with_the_households(client, tree, county_user):
    client.force_login(county_user)
    for n in range(2):
        make_household(tree.village_a, f"户主{n}")
    few = _list_queries(client)
    for n in range(2, 12):
        household = make_household(tree.village_a, f"户主{n}")
        services.visit_record(actor=None, household=household, visited_on=DAY, visitor="张", findings="正常")
        _assign_all(household)
    assert _list_queries(client) == few


# --- Registering and editing households (A2) --------------------------------------------------------


def _household_post(tree, **overrides):
    data = {
        "head_name": "孙秀英",
        "head_id_type": "resident_id",
        "head_id_number": "",
        "unit": tree.village_a.pk,
        "area_type": AreaType.RURAL,
        "standing": Standing.DIBAO,
        "affected_reason": "",
        "situation": "因病致困",
        "address": "东山路 1 号",
        "registered_on": "2022-01-05",
    }
    data.update(overrides)
    return data


def test_a2_a_village_registers_a_household_with_its_head(client, tree, village_user):
    client.force_login(village_user)
    page = client.get("/assistance/new/")
    assert page.status_code == 200
    html = _html(page)
    assert "无证件的可不填" in html
    assert '<option value="" selected>' in html  # nothing preselected for standing/area
    assert tree.village_b.name not in html
    response = client.post("/assistance/new/", _household_post(tree))
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assistance/{household.pk}/"
    assert household.registered_by == village_user
    assert household.members.get().person.name == "孙秀英"


def test_a2_a_refused_household_answers_400_in_chinese(client, tree, village_user):
    client.force_login(village_user)
    response = client.post("/assistance/new/", _household_post(tree, standing=Standing.EPIDEMIC_AFFECTED))
    assert response.status_code == 400
    assert "受疫情影响的家庭须选择受影响原因" in _html(response)
    assert not Household.objects.exists()
    empty = client.post("/assistance/new/", {"head_name": ""})
    assert empty.status_code == 400
    assert "is-invalid" in _html(empty)
    # Another county's village is not offered, and not accepted.
    other = client.post("/assistance/new/", _household_post(tree, unit=tree.village_b.pk))
    assert other.status_code == 400
    assert not Household.objects.exists()


def test_a2_read_only_roles_cannot_register(client, tree):
    client.force_login(make_user("leader", tree.region))
    assert client.get("/assistance/new/").status_code == 403
    assert "登记困难家庭" not in _html(client.get(LIST))


def test_a2_a_household_is_edited(client, household, village_user):
    client.force_login(village_user)
    url = f"/assistance/{household.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "area_type": AreaType.URBAN,
            "standing": Standing.EPIDEMIC_AFFECTED,
            "affected_reason": AffectedReason.ISOLATED,
            "situation": "成员隔离",
            "address": "",
        },
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.standing == Standing.EPIDEMIC_AFFECTED
    assert household.affected_reason == AffectedReason.ISOLATED
    refused = client.post(
        url, {"area_type": AreaType.URBAN, "standing": Standing.EPIDEMIC_AFFECTED, "affected_reason": ""}
    )
    assert refused.status_code == 400
    assert "受疫情影响的家庭须选择受影响原因" in _html(refused)


# --- The household page (A1, A2) ----------------------------------------------------------------


def test_a2_the_household_page_shows_members_responsibility_visits_and_the_next_visit(
    client, tree, household, county_user
):
    services.member_join(
        actor=None, household=household, name="王小明", relation="child", id_number="232700201001010010"
    )
    client.force_login(county_user)
    response = client.get(f"/assistance/{household.pk}/")
    html = _html(response)
    assert response.status_code == 200
    assert "王小明" in html
    assert "232700201001010010" not in html  # masked
    assert "2327" in html
    # Registered 2021-12-01, never visited: 14 days for 低保, so due 2021-12-15 — overdue, in red.
    assert "2021-12-15" in html
    assert "text-danger fw-bold" in html
    for button in ("记录走访", "添加成员", "指定包保责任人", "收入核算", "修改"):
        assert button in html, button
    assert html.count('data-testid="leave-form"') == 2


def test_a2_a_read_only_role_sees_the_household_without_forms(client, tree, household):
    client.force_login(make_user("leader", tree.region))
    html = _html(client.get(f"/assistance/{household.pk}/"))
    assert "王桂芝" in html
    assert 'data-testid="leave-form"' not in html
    assert "记录走访" not in html


def test_a2_the_household_pages_queries_do_not_grow_with_its_records(client, tree, household, county_user):
    client.force_login(county_user)
    url = f"/assistance/{household.pk}/"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(4):
        services.member_join(actor=None, household=household, name=f"成员{n}", relation="child")
        services.visit_record(
            actor=None,
            household=household,
            visited_on=DAY - dt.timedelta(days=n),
            visitor="张",
            findings="正常",
        )
    _assign_all(household)
    _assign_all(household)  # the second round ends the first: history
    make_standard(tree.county_a)
    head = household.members.get(relation="head").person
    services.assessment_record(
        actor=None,
        household=household,
        month=dt.date(2022, 1, 1),
        lines=[services.IncomeLineInput(person=head, kind="wage", amount=Decimal("100"))],
    )
    with CaptureQueriesContext(connection) as many:
        html = _html(client.get(url))
    assert "成员3" in html
    assert len(many) == len(few)


def test_a2_a_member_is_added_and_leaves(client, tree, household, village_user):
    client.force_login(village_user)
    url = f"/assistance/{household.pk}/members/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "王小红",
            "id_type": "resident_id",
            "id_number": "",
            "relation": "child",
            "joined_on": "2022-01-05",
        },
    )
    assert response.status_code == 302
    member = HouseholdMember.objects.get(person__name="王小红")
    refused = client.post(
        url,
        {
            "name": "王二",
            "id_type": "resident_id",
            "id_number": "",
            "relation": "head",
            "joined_on": "2022-01-05",
        },
    )
    assert refused.status_code == 400
    assert "该户已有户主" in _html(refused)

    leave = f"/assistance/members/{member.pk}/leave/"
    assert client.get(leave).status_code == 405
    too_early = client.post(leave, {"left_on": "2021-01-01", "left_reason": "迁出"})
    assert too_early.status_code == 400
    assert "离开日期不能早于加入日期" in _html(too_early)
    done = client.post(leave, {"left_on": "2022-01-05", "left_reason": "迁出"})
    assert done.status_code == 302
    assert done["Location"] == f"/assistance/{household.pk}/"
    member.refresh_from_db()
    assert member.left_on == DAY
    html = _html(client.get(f"/assistance/{household.pk}/"))
    assert 'data-testid="former-members"' in html
    assert "迁出" in html


def test_a2_another_countys_member_cannot_be_moved_out(client, tree, other_county_user, household):
    client.force_login(other_county_user)
    member = household.members.get()
    assert (
        client.post(
            f"/assistance/members/{member.pk}/leave/", {"left_on": "2022-01-05", "left_reason": "x"}
        ).status_code
        == 404
    )


# --- Three-level responsibility (A1) ------------------------------------------------------------


def test_a1_the_county_names_the_responsible_people(client, tree, household, county_user):
    client.force_login(county_user)
    url = f"/assistance/{household.pk}/responsibility/"
    assert client.get(f"{url}?level=township").status_code == 200
    for level, name in (("county", "县干部"), ("township", "乡干部"), ("village", "村干部")):
        response = client.post(
            url, {"level": level, "name": name, "phone": "13912341234", "assigned_on": "2022-01-05"}
        )
        assert response.status_code == 302
    client.post(url, {"level": "village", "name": "新村干部", "phone": "", "assigned_on": "2022-01-05"})
    assert Responsibility.objects.filter(household=household, ended_on__isnull=True).count() == 3
    html = _html(client.get(f"/assistance/{household.pk}/"))
    assert "新村干部" in html
    assert "139****1234" in html
    assert "13912341234" not in html
    assert 'data-testid="responsibility-history"' in html  # the replaced village cadre
    listed = _html(client.get(LIST))
    assert "3/3" in listed


def test_a1_a_refused_assignment_answers_400_in_chinese(client, household, county_user):
    client.force_login(county_user)
    url = f"/assistance/{household.pk}/responsibility/"
    response = client.post(
        url, {"level": "county", "name": "县干部", "phone": "12345", "assigned_on": "2022-01-05"}
    )
    assert response.status_code == 400
    assert "is-invalid" in _html(response)
    future = client.post(url, {"level": "county", "name": "县干部", "phone": "", "assigned_on": "2022-02-05"})
    assert future.status_code == 400
    assert "起始日期不能晚于今天" in _html(future)
    assert not Responsibility.objects.exists()


def test_a1_only_the_county_names_responsible_people(client, household, village_user):
    client.force_login(village_user)
    assert client.get(f"/assistance/{household.pk}/responsibility/").status_code == 403
    html = _html(client.get(f"/assistance/{household.pk}/"))
    assert "指定包保责任人" not in html
    assert "记录走访" in html


# --- Visits on a phone (A2) ---------------------------------------------------------------------


def test_a2_the_visit_page_is_one_column_with_large_inputs(client, household, village_user):
    client.force_login(village_user)
    response = client.get(f"/assistance/{household.pk}/visits/new/")
    html = _html(response)
    assert response.status_code == 200
    assert 'name="viewport" content="width=device-width' in html
    form = html[
        html.index('data-testid="visit-form"') : html.index("</form>", html.index('data-testid="visit-form"'))
    ]
    assert "form-control-lg" in form
    assert "btn-lg" in form
    assert "col-md-6" not in form
    assert 'class="row' not in form
    assert 'value="2022-01-05"' in form
    assert village_user.display_name in form  # the visitor defaults to the user
    for name in ("visited_on", "visitor", "findings", "needs"):
        assert f'for="id_{name}"' in form


def test_a2_a_visit_is_recorded(client, household, village_user):
    client.force_login(village_user)
    url = f"/assistance/{household.pk}/visits/new/"
    response = client.post(
        url,
        {"visited_on": "2022-01-05", "visitor": "村干部", "findings": "生活稳定", "needs": "冬季取暖"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/assistance/{household.pk}/"
    assert "已记录走访" in _html(response)
    visit = Visit.objects.get()
    assert visit.recorded_by == village_user
    assert visit.needs == "冬季取暖"
    refused = client.post(url, {"visited_on": "2022-01-06", "visitor": "村干部", "findings": "x"})
    assert refused.status_code == 400
    assert "走访日期不能晚于今天" in _html(refused)
    assert Visit.objects.count() == 1


def test_a2_another_countys_household_is_not_visited(client, household, other_county_user):
    client.force_login(other_county_user)
    assert client.get(f"/assistance/{household.pk}/visits/new/").status_code == 404


# --- Follow-ups (A2) ----------------------------------------------------------------------------


def test_a2_follow_ups_are_listed_and_closed(client, tree, county_user):
    follow_up = make_follow_up_in(tree.county_a, "甲县")
    other = make_follow_up_in(tree.county_b, "乙县")
    client.force_login(county_user)
    response = client.get("/assistance/follow-ups/")
    html = _html(response)
    assert response.status_code == 200
    assert "甲县户主" in html
    assert "乙县户主" not in html
    assert 'data-testid="close-form"' in html
    url = f"/assistance/follow-ups/{follow_up.pk}/close/"
    refused = client.post(url, {"outcome": " "})
    assert refused.status_code == 400
    assert "处理情况" in _html(refused)
    back = f"/assistance/{follow_up.household_id}/"
    done = client.post(url, {"outcome": "已发放临时救助", "next": back})
    assert done.status_code == 302
    assert done["Location"] == back
    follow_up.refresh_from_db()
    assert follow_up.closed_by == county_user
    assert "甲县户主" not in _html(client.get("/assistance/follow-ups/"))
    assert "已发放临时救助" in _html(client.get("/assistance/follow-ups/?all=on"))
    assert client.post(f"/assistance/follow-ups/{other.pk}/close/", {"outcome": "x"}).status_code == 404


def test_a2_closing_goes_back_only_to_a_local_page(client, tree, county_user):
    follow_up = make_follow_up_in(tree.county_a, "甲县")
    client.force_login(county_user)
    response = client.post(
        f"/assistance/follow-ups/{follow_up.pk}/close/",
        {"outcome": "已处理", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/assistance/follow-ups/"


def test_a2_a_village_reads_follow_ups_but_does_not_close_them(client, tree, village_user):
    follow_up = make_follow_up_in(tree.county_a, "甲县")
    client.force_login(village_user)
    html = _html(client.get("/assistance/follow-ups/"))
    assert "甲县户主" in html
    assert 'data-testid="close-form"' not in html
    assert client.post(f"/assistance/follow-ups/{follow_up.pk}/close/", {"outcome": "x"}).status_code == 403
    assert FollowUp.objects.get().closed_at is None


# --- Standards and the assessment (A8) --------------------------------------------------------------


def test_a8_the_county_records_its_standards(client, tree, county_user, other_county_user):
    make_standard(tree.county_b, document="乙县文件")
    client.force_login(county_user)
    assert client.get("/assistance/standards/new/").status_code == 200
    response = client.post(
        "/assistance/standards/new/",
        {
            "county": tree.county_a.pk,
            "area_type": AreaType.RURAL,
            "effective_from": "2022-01-01",
            "dibao_standard": "520",
            "tekun_standard": "676",
            "minimum_wage": "1450",
            "employment_cost_percent": "20",
            "isolation_living_cost_percent": "50",
            "document": "甲县文件",
        },
    )
    assert response.status_code == 302
    assert Standard.objects.get(county=tree.county_a).recorded_by == county_user
    html = _html(client.get("/assistance/standards/"))
    assert "甲县文件" in html
    assert "乙县文件" not in html
    assert "录入标准" in html
    again = client.post(
        "/assistance/standards/new/",
        {
            "county": tree.county_a.pk,
            "area_type": AreaType.RURAL,
            "effective_from": "2022-01-01",
            "dibao_standard": "0",
            "tekun_standard": "676",
            "minimum_wage": "1450",
            "employment_cost_percent": "20",
            "isolation_living_cost_percent": "120",
            "document": "",
        },
    )
    assert again.status_code == 400
    assert Standard.objects.filter(county=tree.county_a).count() == 1


def test_a8_a_village_reads_the_standards_but_does_not_record_them(client, tree, village_user):
    make_standard(tree.county_a)
    client.force_login(village_user)
    assert client.get("/assistance/standards/").status_code == 200
    assert client.get("/assistance/standards/new/").status_code == 403


def _assessment_post(head, **overrides):
    data = {
        "month": "2022-01-01",
        "note": "入户核实",
        "lines-TOTAL_FORMS": "6",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "20",
        "lines-0-person": head.pk,
        "lines-0-kind": "wage",
        "lines-0-amount": "1000",
        "lines-0-back_at_work": "on",
        "lines-0-isolation_days": "0",
    }
    data.update(overrides)
    return data


def test_a8_the_assessment_page_shows_the_working_line_by_line(client, tree, household, county_user):
    make_standard(tree.county_a)
    head = household.members.get().person
    client.force_login(county_user)
    url = f"/assistance/{household.pk}/assessments/new/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="2022-01-01"' in _html(page)
    assert "已外出务工或返岗复工" in _html(page)
    response = client.post(url, _assessment_post(head))
    assessment = IncomeAssessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assistance/assessments/{assessment.pk}/"
    # 1000 − 20% × 1650 = 670 for one person: above the standard of 650, nothing owed.
    assert assessment.per_capita_income == Decimal("670.00")
    assert assessment.dibao_amount == Decimal("0.00")
    detail = client.get(f"/assistance/assessments/{assessment.pk}/")
    html = _html(detail)
    assert detail.status_code == 200
    for step in assessment.working:
        assert step["label"] in html
        assert step["formula"] in html
    assert "扣减就业成本" in html
    assert "最低工资标准 1650.00 × 20%" in html
    assert "-330.00" in html
    export = client.get(f"/assistance/assessments/{assessment.pk}/?export=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("项目", "计算方法", "金额（元）")
    assert [r[0] for r in rows[1:]] == [s["label"] for s in assessment.working]
    assert rows[2][2] == -330


def test_a8_an_isolated_member_deducts_and_an_amount_is_owed(client, tree, household, county_user):
    make_standard(tree.county_a)
    head = household.members.get().person
    client.force_login(county_user)
    post = _assessment_post(
        head, **{"lines-0-amount": "400", "lines-0-back_at_work": "", "lines-0-isolation_days": "31"}
    )
    del post["lines-0-back_at_work"]
    client.post(f"/assistance/{household.pk}/assessments/new/", post)
    assessment = IncomeAssessment.objects.get()
    # 400 − 650 × 50% = 75 per person; (650 − 75) × 1 = 575.
    assert assessment.dibao_amount == Decimal("575.00")
    html = _html(client.get(f"/assistance/assessments/{assessment.pk}/"))
    assert "隔离 31 天" in html
    assert 'data-testid="dibao-amount">575.00' in html


def test_a8_a_refused_assessment_answers_400_in_chinese(client, tree, household, county_user):
    head = household.members.get().person
    client.force_login(county_user)
    url = f"/assistance/{household.pk}/assessments/new/"
    response = client.post(url, _assessment_post(head))  # no standard recorded yet
    assert response.status_code == 400
    assert "尚无本县城市救助标准，请先录入标准" in _html(response)
    half = client.post(url, _assessment_post(head, **{"lines-1-amount": "50"}))
    assert half.status_code == 400
    assert "请选择成员" in _html(half)
    assert not IncomeAssessment.objects.exists()


def test_a8_the_assessment_is_the_countys_and_read_in_scope(
    client, tree, household, county_user, village_user
):
    make_standard(tree.county_a)
    head = household.members.get().person
    assessment = services.assessment_record(
        actor=None,
        household=household,
        month=dt.date(2022, 1, 1),
        lines=[services.IncomeLineInput(person=head, kind="wage", amount=Decimal("300"))],
    )
    client.force_login(village_user)
    assert client.get(f"/assistance/assessments/{assessment.pk}/").status_code == 200
    assert client.get(f"/assistance/{household.pk}/assessments/new/").status_code == 403
    client.force_login(make_user("county_staff", tree.county_b))
    assert client.get(f"/assistance/assessments/{assessment.pk}/").status_code == 404
