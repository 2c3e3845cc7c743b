"""A4 pages: an application for 低保 or 特困 taken at the village, accepted, investigated and
publicised by the township and decided by the county, each step a form on the application's page;
the list with its filters, late marking and export; a member's relation corrected (A2)."""

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
    Application,
    ApplicationStatus,
    IncomeKind,
    Relation,
    Standing,
)
from shouhu.assistance.tests.factories import DAY, make_application, make_household, make_standard
from shouhu.common import clock

pytestmark = pytest.mark.django_db

DECEMBER = dt.date(2021, 12, 1)
LIST = "/assistance/applications/"
ACTIONS = ("accept", "investigate", "publicise", "approve", "refuse")


def _html(response) -> str:
    return response.content.decode()


def _rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def _detail(application: Application) -> str:
    return f"/assistance/applications/{application.pk}/"


@pytest.fixture
def village_user(tree):
    return make_user("village_staff", tree.village_a)


@pytest.fixture
def township_user(tree):
    return make_user("township_staff", tree.township_a)


@pytest.fixture
def applicant(tree, plan_campaign):
    """A 低收入 household of one, its December income assessed under the county's standard."""
    make_standard(tree.county_a)
    household = make_household(tree.village_a, "孙立军", standing=Standing.LOW_INCOME)
    assessment = services.assessment_record(
        actor=None,
        household=household,
        month=DECEMBER,
        lines=[
            services.IncomeLineInput(
                person=household.members.get().person, kind=IncomeKind.WAGE, amount=Decimal("200")
            )
        ],
    )
    assert assessment.dibao_amount > 0
    return household


# --- The full path ------------------------------------------------------------------------------


def test_a4_an_application_goes_from_the_village_to_the_countys_approval(
    client, applicant, village_user, township_user, county_user
):
    apply = f"/assistance/{applicant.pk}/apply/"
    client.force_login(village_user)
    household_page = _html(client.get(f"/assistance/{applicant.pk}/"))
    assert f'href="{apply}"' in household_page
    form = _html(client.get(apply))
    for standing in (Standing.DIBAO, Standing.TEKUN_DISPERSED, Standing.TEKUN_CENTRALISED):
        assert f'value="{standing}"' in form
    for standing in (Standing.LOW_INCOME, Standing.EPIDEMIC_AFFECTED):
        assert f'value="{standing}"' not in form
    assert 'value="2022-01-05"' in form  # applied today, unless changed
    empty = client.post(apply, {"standing": "dibao", "reason": "", "applied_on": "2022-01-05"})
    assert empty.status_code == 400
    assert "is-invalid" in _html(empty)
    future = client.post(apply, {"standing": "dibao", "reason": "户主失业", "applied_on": "2022-01-06"})
    assert future.status_code == 400
    assert "申请日期不能晚于今天" in _html(future)
    assert not Application.objects.exists()
    submitted = client.post(
        apply, {"standing": "dibao", "reason": "户主失业，妻子患病", "applied_on": "2022-01-04"}
    )
    application = Application.objects.get()
    detail = _detail(application)
    assert submitted.status_code == 302
    assert submitted["Location"] == detail
    assert (application.status, application.recorded_by) == (ApplicationStatus.APPLIED, village_user)
    household_page = _html(client.get(f"/assistance/{applicant.pk}/"))
    assert f'href="{apply}"' not in household_page  # one open application at a time: its link
    assert f'href="{detail}"' in household_page
    twice = client.post(apply, {"standing": "dibao", "reason": "再次申请", "applied_on": "2022-01-05"})
    assert twice.status_code == 409
    assert "该户已有正在办理的申请" in _html(twice)

    # The township accepts, investigates with the household's assessment, and publicises.
    client.force_login(township_user)
    page = _html(client.get(detail))
    assert 'data-testid="accept-form"' in page
    assert 'data-testid="refuse-form"' in page
    assert 'data-testid="investigate-form"' not in page
    assert client.get(f"{detail}accept/").status_code == 405
    early = client.post(f"{detail}accept/", {"accepted_on": "2022-01-03"})
    assert early.status_code == 400
    assert "受理日期不能早于上一环节日期（2022-01-04）" in _html(early)
    assert client.post(f"{detail}accept/", {"accepted_on": "2022-01-05"}).status_code == 302
    stale = client.post(f"{detail}accept/", {"accepted_on": "2022-01-05"})
    assert stale.status_code == 409
    assert "不能办理此操作" in _html(stale)

    page = _html(client.get(detail))
    assert 'data-testid="investigate-form"' in page
    assessment = applicant.assessments.get()
    assert f"2021-12 低保金 {assessment.dibao_amount} 元/月" in page
    findings = {"investigated_on": "2022-01-05", "findings": "入户核实，户主失业在家"}
    without = client.post(f"{detail}investigate/", {**findings, "assessment": ""})
    assert without.status_code == 400
    assert "申请低保须先对该户进行家庭收入核算" in _html(without)
    investigated = client.post(f"{detail}investigate/", {**findings, "assessment": assessment.pk})
    assert investigated.status_code == 302
    page = _html(client.get(detail))
    assert "入户核实，户主失业在家" in page
    assert f"低保金 {assessment.dibao_amount} 元/月" in page
    assert f'href="/assistance/assessments/{assessment.pk}/"' in page

    assert client.post(f"{detail}publicise/", {"starts_on": "2022-01-05"}).status_code == 302
    application.refresh_from_db()
    assert (application.publicised_from, application.publicised_until) == (DAY, dt.date(2022, 1, 11))
    page = _html(client.get(detail))
    assert "公示期至 2022-01-11 结束，期满后方可审批" in page
    assert 'data-testid="refuse-form"' not in page  # at the publicity the county decides
    assert client.post(f"{detail}approve/", {"decided_on": "2022-01-12"}).status_code == 403
    refuse = {"decided_on": "2022-01-05", "reason": "有异议"}
    assert client.post(f"{detail}refuse/", refuse).status_code == 403
    client.force_login(village_user)
    assert client.post(f"{detail}approve/", {"decided_on": "2022-01-12"}).status_code == 403

    # The county cannot approve before the publicity ends; after it, the household is included.
    client.force_login(county_user)
    page = _html(client.get(detail))
    assert "公示期至 2022-01-11 结束，期满后方可审批" in page
    assert 'data-testid="approve-form"' not in page
    assert 'data-testid="refuse-form"' in page
    too_soon = client.post(f"{detail}approve/", {"decided_on": "2022-01-05"})
    assert too_soon.status_code == 400
    assert "公示期至 2022-01-11 结束，期满后方可审批" in _html(too_soon)
    applicant.refresh_from_db()
    assert applicant.standing == Standing.LOW_INCOME
    with clock.frozen(dt.datetime(2022, 1, 12, 9, 0, tzinfo=clock.local_zone())):
        page = _html(client.get(detail))
        assert 'data-testid="approve-form"' in page
        assert "期满后方可审批" not in page
        approved = client.post(
            f"{detail}approve/", {"decided_on": "2022-01-12", "objections": "公示期间无异议"}
        )
        assert approved.status_code == 302
        page = _html(client.get(detail))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert (application.decided_on, application.decided_by) == (dt.date(2022, 1, 12), county_user)
    assert application.objections == "公示期间无异议"
    applicant.refresh_from_db()
    assert applicant.standing == Standing.DIBAO
    assert "批准纳入低保" in page
    assert "公示期间无异议" in page
    for action in ACTIONS:
        assert f'data-testid="{action}-form"' not in page, action


def test_a4_a_refusal_shows_its_step_and_reason(client, tree, plan_campaign, township_user):
    household = make_household(tree.village_a, "刘淑珍", standing=Standing.LOW_INCOME)
    application = make_application(household, standing=Standing.TEKUN_DISPERSED)
    services.application_accept(actor=None, application=application, accepted_on=DAY)
    detail = _detail(application)
    client.force_login(township_user)
    empty = client.post(f"{detail}refuse/", {"decided_on": "2022-01-05", "reason": ""})
    assert empty.status_code == 400
    assert "is-invalid" in _html(empty)
    refused = client.post(
        f"{detail}refuse/", {"decided_on": "2022-01-05", "reason": "有劳动能力，不符合特困供养条件"}
    )
    assert refused.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.refused_at) == (
        ApplicationStatus.REFUSED,
        ApplicationStatus.ACCEPTED,
    )
    page = _html(client.get(detail))
    assert 'data-testid="application-refusal"' in page
    assert "有劳动能力，不符合特困供养条件" in page
    assert "已受理，待入户调查" in page  # the step it was refused at
    assert "调查后不予通过" in page
    for action in ACTIONS:
        assert f'data-testid="{action}-form"' not in page, action
    again = client.post(f"{detail}refuse/", {"decided_on": "2022-01-05", "reason": "重复"})
    assert again.status_code == 409
    assert "该申请已办结" in _html(again)
    household_page = _html(client.get(f"/assistance/{household.pk}/"))
    assert "有劳动能力，不符合特困供养条件" in household_page
    assert f'href="/assistance/{household.pk}/apply/"' in household_page  # may apply again


def test_a4_a_tekun_application_needs_no_assessment(client, tree, plan_campaign, township_user):
    household = make_household(tree.village_a, "赵老汉", standing=Standing.LOW_INCOME)
    application = make_application(household, standing=Standing.TEKUN_CENTRALISED)
    services.application_accept(actor=None, application=application, accepted_on=DAY)
    client.force_login(township_user)
    done = client.post(
        f"{_detail(application)}investigate/",
        {"investigated_on": "2022-01-05", "findings": "无劳动能力、无生活来源、无赡养人", "assessment": ""},
    )
    assert done.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.assessment) == (ApplicationStatus.INVESTIGATED, None)


# --- Scope ----------------------------------------------------------------------------------------


def test_a4_another_countys_application_answers_404_on_every_url(
    client, tree, plan_campaign, other_county_user
):
    household = make_household(tree.village_a, "王桂芝", standing=Standing.LOW_INCOME)
    application = make_application(household)
    detail = _detail(application)
    client.force_login(other_county_user)
    assert client.get(detail).status_code == 404
    valid = {
        "accept": {"accepted_on": "2022-01-05"},
        "investigate": {"investigated_on": "2022-01-05", "findings": "x"},
        "publicise": {"starts_on": "2022-01-05"},
        "approve": {"decided_on": "2022-01-05"},
        "refuse": {"decided_on": "2022-01-05", "reason": "x"},
    }
    for action in ACTIONS:
        assert client.post(f"{detail}{action}/", valid[action]).status_code == 404, action
    assert client.get(f"/assistance/{household.pk}/apply/").status_code == 404
    assert "王桂芝" not in _html(client.get(LIST))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPLIED


def test_a4_a_reader_sees_the_application_without_its_forms(client, tree, plan_campaign):
    household = make_household(tree.village_a, "王桂芝", standing=Standing.LOW_INCOME)
    application = make_application(household)
    client.force_login(make_user("leader", tree.region))
    page = _html(client.get(_detail(application)))
    assert "王桂芝" in page
    for action in ACTIONS:
        assert f'data-testid="{action}-form"' not in page, action
    assert client.post(f"{_detail(application)}accept/", {"accepted_on": "2022-01-05"}).status_code == 403
    assert client.get(f"/assistance/{household.pk}/apply/").status_code == 403


# --- From a hotline call and from temporary assistance ------------------------------------------


def test_a4_an_application_is_opened_from_a_hotline_call(client, tree, plan_campaign, county_user):
    household = make_household(tree.village_a, "王桂芝", standing=Standing.LOW_INCOME)
    call = services.hotline_call_receive(
        actor=None, unit=tree.county_a, summary="老伴去世，家中无收入，想申请低保", household=household
    )
    client.force_login(county_user)
    apply = f"/assistance/{household.pk}/apply/?inquiry={call.pk}"
    assert f'href="{apply}"' in _html(client.get(f"/assistance/hotline/{call.pk}/"))
    form = _html(client.get(apply))
    assert "老伴去世，家中无收入，想申请低保" in form  # the reason, prefilled
    assert f'name="inquiry" value="{call.pk}"' in form
    done = client.post(
        f"/assistance/{household.pk}/apply/",
        {
            "inquiry": call.pk,
            "standing": "dibao",
            "reason": "老伴去世，家中无收入",
            "applied_on": "2022-01-05",
        },
    )
    assert done.status_code == 302
    application = Application.objects.get()
    assert application.inquiry == call
    assert f'href="/assistance/hotline/{call.pk}/"' in _html(client.get(_detail(application)))


def test_a4_an_application_from_a_grant_links_it(client, tree, plan_campaign, county_user):
    household = make_household(
        tree.village_a, "孙立军", standing=Standing.EPIDEMIC_AFFECTED, affected_reason="lost_work"
    )
    grant = services.temporary_assistance_grant(
        actor=None,
        household=household,
        data=services.GrantInput(
            reason="lost_work",
            schedule="monthly",
            amount=Decimal("500"),
            starts_on=DECEMBER,
            expected_months=4,
        ),
    )
    client.force_login(county_user)
    moved = client.post(f"/assistance/grants/{grant.pk}/to-dibao/")
    application = Application.objects.get()
    assert moved["Location"] == _detail(application)
    page = _html(client.get(_detail(application)))
    assert 'data-testid="application-grant"' in page
    assert "预计持续 4 个月" in page


# --- The list -----------------------------------------------------------------------------------


def _list_queries(client, url=LIST) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a4_the_list_filters_marks_the_late_and_exports(client, tree, plan_campaign, county_user):
    late = make_application(
        make_household(tree.village_a, "逾期户", standing=Standing.LOW_INCOME),
        applied_on=dt.date(2021, 12, 20),
    )
    make_application(make_household(tree.village_a, "新申请户", standing=Standing.LOW_INCOME))
    closed = make_application(make_household(tree.village_a, "驳回户", standing=Standing.LOW_INCOME))
    services.application_refuse(actor=None, application=closed, decided_on=DAY, reason="收入超过标准")
    make_application(make_household(tree.village_b, "漠河户", standing=Standing.LOW_INCOME))
    client.force_login(county_user)

    html = _html(client.get(LIST))
    for name in ("逾期户", "新申请户", "驳回户"):
        assert name in html, name
    assert "漠河户" not in html
    assert html.count('data-testid="application-late"') == 1
    assert f'href="{_detail(late)}"' in html
    for name in ("status", "open", "late"):
        assert f'for="id_{name}"' in html, name
    assert 'href="/assistance/applications/"' in _html(client.get("/assistance/"))  # the tab

    opened = _html(client.get(f"{LIST}?open=1"))  # the Today page's link
    assert "逾期户" in opened
    assert "新申请户" in opened
    assert "驳回户" not in opened
    only_late = _html(client.get(f"{LIST}?late=1"))
    assert "逾期户" in only_late
    assert "新申请户" not in only_late
    refused = _html(client.get(f"{LIST}?status=refused"))
    assert "驳回户" in refused
    assert "逾期户" not in refused
    assert client.get(f"{LIST}?status=nonsense").status_code == 400

    rows = _rows(client.get(f"{LIST}?export=xlsx"))
    assert rows[0][:6] == ("户主", "村（社区）", "申请类别", "申请日期", "当前环节", "时限")
    by_head = {r[0]: r for r in rows[1:]}
    assert set(by_head) == {"逾期户", "新申请户", "驳回户"}
    assert by_head["逾期户"][5] == "逾期"
    assert by_head["新申请户"][5] == "未逾期"
    assert by_head["驳回户"][5] == "已办结（2022-01-05）"
    assert by_head["驳回户"][-1] == "收入超过标准"
    late_rows = _rows(client.get(f"{LIST}?late=1&export=xlsx"))
    assert [r[0] for r in late_rows[1:]] == ["逾期户"]


def test_a4_the_lists_queries_do_not_grow_with_the_applications(client, tree, plan_campaign, county_user):
    client.force_login(county_user)
    make_application(make_household(tree.village_a, "户主0", standing=Standing.LOW_INCOME))
    few = _list_queries(client)
    for n in range(1, 8):
        household = make_household(tree.village_a, f"户主{n}", standing=Standing.LOW_INCOME)
        make_application(household, applied_on=dt.date(2021, 12, 20))
    assert _list_queries(client) == few


# --- A member's relation (A2) -------------------------------------------------------------------


def test_a2_a_members_relation_is_changed_from_the_household_page(
    client, tree, village_user, other_county_user
):
    household = make_household(tree.village_a, "王桂芝")
    son = services.member_join(actor=None, household=household, name="李小明", relation=Relation.SPOUSE)
    head = household.members.get(relation=Relation.HEAD)
    url = f"/assistance/members/{son.pk}/relation/"
    client.force_login(village_user)
    page = _html(client.get(f"/assistance/{household.pk}/"))
    assert page.count('data-testid="relation-form"') == 1  # not the head's
    assert f'action="{url}"' in page
    assert client.get(url).status_code == 405
    as_head = client.post(url, {"relation": Relation.HEAD})
    assert as_head.status_code == 400
    assert "is-invalid" in _html(as_head)
    the_head = client.post(f"/assistance/members/{head.pk}/relation/", {"relation": Relation.CHILD})
    assert the_head.status_code == 409
    assert "户主的关系不能直接修改" in _html(the_head)
    done = client.post(url, {"relation": Relation.CHILD})
    assert done.status_code == 302
    son.refresh_from_db()
    head.refresh_from_db()
    assert (son.relation, head.relation) == (Relation.CHILD, Relation.HEAD)
    client.force_login(other_county_user)
    assert client.post(url, {"relation": Relation.OTHER}).status_code == 404
    son.refresh_from_db()
    assert son.relation == Relation.CHILD
