"""A3, A5, A7, A10 pages: temporary assistance and 一事一议 on the household page, the grant list
and its actions, the monthly rolls with the bank's files, and the arrears."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.assistance import services
from shouhu.assistance.models import (
    Application,
    ApplicationStatus,
    AssistanceReason,
    CaseByCaseReview,
    IncomeKind,
    Payment,
    PaymentKind,
    PaymentRoll,
    PaymentStatus,
    ReviewDecision,
    Schedule,
    Standing,
    TemporaryAssistance,
)
from shouhu.assistance.tests.factories import DAY, make_application, make_household, make_standard
from shouhu.people.models import PersonalDataReveal

pytestmark = pytest.mark.django_db

JANUARY = dt.date(2022, 1, 1)
DECEMBER = dt.date(2021, 12, 1)
GRANTS = "/assistance/grants/"
ROLLS = "/assistance/rolls/"
ARREARS = "/assistance/arrears/"


def _html(response) -> str:
    return response.content.decode()


def _rows(response) -> list[tuple]:
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def _grant(household, **overrides):
    values = {
        "reason": AssistanceReason.LOST_WORK,
        "schedule": Schedule.MONTHLY,
        "amount": Decimal("500"),
        "starts_on": DECEMBER,
        "expected_months": 3,
    }
    values.update(overrides)
    return services.temporary_assistance_grant(
        actor=None, household=household, data=services.GrantInput(**values)
    )


def _review(household, amount="8000"):
    return services.review_record(
        actor=None,
        household=household,
        data=services.ReviewInput(
            hardship="户主重病住院",
            proposed_amount=Decimal("10000"),
            met_on=DAY,
            participants="县民政局局长、社会救助股股长",
            decision=ReviewDecision.APPROVED,
            approved_amount=Decimal(amount),
            approved_by="县民政局局长",
            reference="会议纪要〔2022〕1号",
        ),
    )


@pytest.fixture
def village_user(tree):
    return make_user("village_staff", tree.village_a)


@pytest.fixture
def affected(tree):
    return make_household(
        tree.village_a, "孙立军", standing=Standing.EPIDEMIC_AFFECTED, affected_reason="lost_work"
    )


def _late(grant):
    """A 先行救助 granted 31 days ago: past the policy's 30 days for its documents."""
    TemporaryAssistance.objects.filter(pk=grant.pk).update(
        granted_at=grant.granted_at - dt.timedelta(days=31)
    )


# --- Granting temporary assistance and 一事一议 (A5, A6, A10) ---------------------------------------


def _grant_post(**overrides):
    data = {
        "reason": AssistanceReason.LOST_WORK,
        "schedule": Schedule.MONTHLY,
        "amount": "600",
        "starts_on": "2022-01",
        "expected_months": "3",
        "review": "",
        "note": "返岗受阻",
    }
    data.update(overrides)
    return data


def test_a5_the_county_grants_temporary_assistance_from_the_household_page(
    client, affected, county_user, plan_campaign
):
    client.force_login(county_user)
    detail = _html(client.get(f"/assistance/{affected.pk}/"))
    assert f"/assistance/{affected.pk}/grants/new/" in detail
    assert f"/assistance/{affected.pk}/reviews/new/" in detail
    url = f"/assistance/{affected.pk}/grants/new/"
    page = client.get(url)
    html = _html(page)
    assert page.status_code == 200
    assert 'value="2022-01"' in html  # this month, as a month
    assert "3000.00" in html  # the policy's cap
    assert "一事一议" in html
    assert f"/assistance/{affected.pk}/reviews/new/" in html
    assert 'data-shown-when-reason="lost_work"' in html
    response = client.post(url, _grant_post())
    assert response.status_code == 302
    assert response["Location"] == f"/assistance/{affected.pk}/"
    grant = TemporaryAssistance.objects.get()
    assert (grant.amount, grant.starts_on, grant.expected_months, grant.granted_by) == (
        Decimal("600.00"),
        JANUARY,
        3,
        county_user,
    )
    shown = _html(client.get(f"/assistance/{affected.pk}/"))
    assert 'data-testid="grants"' in shown
    assert "因疫情无法外出务工或返岗复工" in shown


def test_a10_a_grant_above_the_cap_is_refused_until_a_review_approves_it(
    client, affected, county_user, plan_campaign
):
    client.force_login(county_user)
    url = f"/assistance/{affected.pk}/grants/new/"
    refused = client.post(url, _grant_post(amount="3000.01"))
    assert refused.status_code == 400
    assert "救助金额超过常规上限 3000.00 元，须先经“一事一议”议定" in _html(refused)
    assert not TemporaryAssistance.objects.exists()
    missing_months = client.post(url, _grant_post(expected_months=""))
    assert missing_months.status_code == 400
    assert "因疫情无法务工的，请填写困难预计持续月数" in _html(missing_months)

    review_url = f"/assistance/{affected.pk}/reviews/new/"
    assert client.get(review_url).status_code == 200
    incomplete = client.post(
        review_url,
        {
            "hardship": "户主重病",
            "proposed_amount": "10000",
            "met_on": "2022-01-05",
            "participants": "局长",
            "decision": ReviewDecision.APPROVED,
            "approved_amount": "",
            "approved_by": "局长",
        },
    )
    assert incomplete.status_code == 400
    assert "同意的须填写议定救助金额" in _html(incomplete)
    done = client.post(
        f"{review_url}?next={url}",
        {
            "hardship": "户主重病",
            "proposed_amount": "10000",
            "met_on": "2022-01-05",
            "participants": "局长、股长",
            "decision": ReviewDecision.APPROVED,
            "approved_amount": "8000",
            "approved_by": "局长",
            "reference": "纪要1号",
        },
    )
    assert done.status_code == 302
    assert done["Location"] == url  # back to the grant
    review = CaseByCaseReview.objects.get()
    assert review.recorded_by == county_user
    assert "纪要1号" in _html(client.get(url))  # offered in the select
    granted = client.post(url, _grant_post(amount="8000", schedule=Schedule.ONCE, review=review.pk))
    assert granted.status_code == 302
    assert TemporaryAssistance.objects.get().review == review
    assert 'data-testid="reviews"' in _html(client.get(f"/assistance/{affected.pk}/"))


def test_a10_a_village_neither_grants_nor_reviews(client, affected, village_user):
    client.force_login(village_user)
    assert client.get(f"/assistance/{affected.pk}/grants/new/").status_code == 403
    assert client.get(f"/assistance/{affected.pk}/reviews/new/").status_code == 403
    html = _html(client.get(f"/assistance/{affected.pk}/"))
    assert f"/assistance/{affected.pk}/grants/new/" not in html


def test_a5_another_countys_household_gets_no_grant(client, affected, other_county_user):
    client.force_login(other_county_user)
    assert client.get(f"/assistance/{affected.pk}/grants/new/").status_code == 404
    assert client.post(f"/assistance/{affected.pk}/grants/new/", _grant_post()).status_code == 404
    assert client.get(f"/assistance/{affected.pk}/reviews/new/").status_code == 404


# --- The grant list and its actions (A5, A7) ----------------------------------------------------


def test_a5_the_grant_list_flags_late_documents_and_answers_the_today_link(
    client, tree, affected, county_user, plan_campaign
):
    late = _grant(affected, reason=AssistanceReason.UNCERTAIN, is_advance=True, expected_months=None)
    _late(late)
    young = _grant(
        make_household(tree.village_a, "刘淑珍"),
        reason=AssistanceReason.UNCERTAIN,
        is_advance=True,
        expected_months=None,
    )
    _grant(make_household(tree.village_b, "漠河户"), schedule=Schedule.ONCE)  # another county
    client.force_login(county_user)
    response = client.get(GRANTS)
    html = _html(response)
    assert response.status_code == 200
    assert "孙立军" in html
    assert "刘淑珍" in html
    assert "漠河户" not in html
    assert html.count('data-testid="documents-late"') == 1
    assert html.count('data-testid="documents-form"') == 2
    for name in ("reason", "in_force", "awaiting"):
        assert f'for="id_{name}"' in html, name
    awaiting = _html(client.get(f"{GRANTS}?awaiting=1"))  # the Today page's link
    assert "孙立军" in awaiting
    assert "刘淑珍" not in awaiting
    export = client.get(f"{GRANTS}?export=xlsx")
    rows = _rows(export)
    assert rows[0] == (
        "户主",
        "村（社区）",
        "事由",
        "发放方式",
        "金额",
        "起始月份",
        "停发月份",
        "先行救助/要件",
        "一事一议",
    )
    by_head = {r[0]: r for r in rows[1:]}
    assert by_head["孙立军"][7] == "待补（已超时限）"
    assert by_head["刘淑珍"][7] == "待补"
    assert young.pk


def test_a5_documents_are_completed_and_a_monthly_grant_ends(client, affected, county_user, plan_campaign):
    grant = _grant(affected, reason=AssistanceReason.UNCERTAIN, is_advance=True, expected_months=None)
    client.force_login(county_user)
    docs = f"/assistance/grants/{grant.pk}/documents/"
    assert client.get(docs).status_code == 405
    future = client.post(docs, {"completed_on": "2022-01-06"})
    assert future.status_code == 400
    assert "要件补齐日期不能晚于今天" in _html(future)
    done = client.post(docs, {"completed_on": "2022-01-05", "next": f"{GRANTS}?awaiting=1"})
    assert done.status_code == 302
    assert done["Location"] == f"{GRANTS}?awaiting=1"
    grant.refresh_from_db()
    assert grant.documents_completed_on == DAY
    again = client.post(docs, {"completed_on": "2022-01-05"})
    assert again.status_code == 400
    assert "要件已于 2022-01-05 补齐" in _html(again)

    end = f"/assistance/grants/{grant.pk}/end/"
    empty = client.post(end, {"ended_on": "2022-02", "reason": ""})
    assert empty.status_code == 400
    assert "is-invalid" in _html(empty)
    too_early = client.post(end, {"ended_on": "2021-12", "reason": "困难已解除"})
    assert too_early.status_code == 400
    assert "停发月份须晚于起始月份" in _html(too_early)
    ended = client.post(end, {"ended_on": "2022-02", "reason": "困难已解除"})
    assert ended.status_code == 302
    grant.refresh_from_db()
    assert (grant.ended_on, grant.end_reason) == (dt.date(2022, 2, 1), "困难已解除")


def test_a7_only_a_long_hardship_moves_to_dibao_from_the_list(
    client, tree, affected, county_user, plan_campaign
):
    short = _grant(affected, expected_months=2)
    client.force_login(county_user)
    html = _html(client.get(GRANTS))
    assert 'data-testid="to-dibao-form"' in html
    refused = client.post(f"/assistance/grants/{short.pk}/to-dibao/")
    assert refused.status_code == 400
    assert "不足 3 个月，不能纳入低保" in _html(refused)
    assert not Application.objects.exists()
    long = _grant(affected, expected_months=4)
    moved = client.post(f"/assistance/grants/{long.pk}/to-dibao/")
    assert moved.status_code == 302
    # An application for 低保 from the grant, to take its steps; the household is not moved yet.
    application = Application.objects.get()
    assert (application.grant, application.standing) == (long, Standing.DIBAO)
    assert application.status == ApplicationStatus.APPLIED
    assert moved["Location"] == f"/assistance/applications/{application.pk}/"
    assert "已提出低保申请，请按程序受理、调查、公示、审批" in _html(client.get(moved["Location"]))
    affected.refresh_from_db()
    assert affected.standing == Standing.EPIDEMIC_AFFECTED
    assert "确认为该户提出低保申请？" in _html(client.get(GRANTS))
    # Only 因疫情无法务工 grants offer the move.
    other = make_household(tree.village_a, "刘淑珍")
    _grant(other, reason=AssistanceReason.OTHER, schedule=Schedule.ONCE, expected_months=None)
    html = _html(client.get(f"{GRANTS}?reason=other"))
    assert "刘淑珍" in html
    assert 'data-testid="to-dibao-form"' not in html


def test_a5_grant_actions_are_the_countys(client, tree, affected, village_user, other_county_user):
    grant = _grant(affected, reason=AssistanceReason.UNCERTAIN, is_advance=True, expected_months=None)
    client.force_login(village_user)
    html = _html(client.get(GRANTS))
    assert "孙立军" in html
    assert 'data-testid="grant-actions"' not in html
    assert (
        client.post(f"/assistance/grants/{grant.pk}/documents/", {"completed_on": "2022-01-05"}).status_code
        == 403
    )
    client.force_login(other_county_user)
    assert "孙立军" not in _html(client.get(GRANTS))
    for action in ("documents", "end", "to-dibao"):
        assert client.post(f"/assistance/grants/{grant.pk}/{action}/", {}).status_code == 404, action


def _grant_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(GRANTS).status_code == 200
    return len(queries)


def test_a5_the_grant_lists_queries_do_not_grow_with_the_grants(client, tree, county_user, plan_campaign):
    client.force_login(county_user)
    _grant(make_household(tree.village_a, "户主0"), reason=AssistanceReason.UNCERTAIN, is_advance=True)
    few = _grant_list_queries(client)
    for n in range(1, 8):
        household = make_household(tree.village_a, f"户主{n}")
        grant = _grant(household, reason=AssistanceReason.UNCERTAIN, is_advance=True)
        _late(grant)
        _review(household)
    assert _grant_list_queries(client) == few


# --- Rolls and the bank's files (A3) ----------------------------------------------------------------


@pytest.fixture
def county_households(tree, plan_campaign):
    """A 低保 household owed 450 with an account, a 特困 household of one, a monthly grant."""
    make_standard(tree.county_a)
    dibao = make_household(tree.village_a, "王桂芝", bank_name="农业银行", bank_account="6228480000012345678")
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
    affected = make_household(
        tree.village_a, "孙立军", standing=Standing.EPIDEMIC_AFFECTED, affected_reason="lost_work"
    )
    _grant(affected)
    return dibao, tekun, affected


def test_a3_the_county_generates_its_roll(client, tree, county_user, county_households):
    client.force_login(county_user)
    page = client.get(ROLLS)
    html = _html(page)
    assert page.status_code == 200
    assert 'data-testid="roll-generate-form"' in html
    assert 'value="2022-01"' in html
    assert tree.county_b.name not in html
    assert client.get("/assistance/rolls/generate/").status_code == 405
    future = client.post("/assistance/rolls/generate/", {"county": tree.county_a.pk, "month": "2022-02"})
    assert future.status_code == 400
    assert "不能生成以后月份的花名册" in _html(future)
    other = client.post("/assistance/rolls/generate/", {"county": tree.county_b.pk, "month": "2022-01"})
    assert other.status_code == 400
    assert not PaymentRoll.objects.exists()
    response = client.post("/assistance/rolls/generate/", {"county": tree.county_a.pk, "month": "2022-01"})
    roll = PaymentRoll.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assistance/rolls/{roll.pk}/"
    assert roll.payments.count() == 3
    listed = _html(client.get(ROLLS))
    assert "2022-01" in listed
    assert "1795.00" in listed  # 450 + 845 + 500
    rows = _rows(client.get(f"{ROLLS}?export=xlsx"))
    assert rows[1][:5] == (tree.county_a.name, "2022-01", 3, 1795, 0)


def test_a3_the_roll_page_shows_payments_masked_and_exports_them_masked(
    client, tree, county_user, county_households
):
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    client.force_login(county_user)
    url = f"/assistance/rolls/{roll.pk}/"
    response = client.get(url)
    html = _html(response)
    assert response.status_code == 200
    for name in ("王桂芝", "刘淑珍", "孙立军", "****5678", "低保金", "特困供养金", "临时救助金"):
        assert name in html, name
    assert "6228480000012345678" not in html
    assert 'data-testid="bank-file-form"' in html
    assert 'data-testid="bank-result-form"' in html
    rows = _rows(client.get(f"{url}?export=xlsx"))
    assert rows[0] == (
        "户主",
        "村（社区）",
        "类别",
        "应发金额（元）",
        "状态",
        "实发金额（元）",
        "银行处理日期",
        "银行反馈",
        "银行账号",
    )
    assert ("王桂芝", tree.village_a.name, "低保金") == rows[1][:3]
    assert "****5678" in {r[8] for r in rows[1:]}
    assert "6228480000012345678" not in str(rows)


def test_a3_a_leader_reads_the_roll_without_its_forms(client, tree, county_user, county_households):
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    client.force_login(make_user("leader", tree.region))
    html = _html(client.get(f"/assistance/rolls/{roll.pk}/"))
    assert "王桂芝" in html
    assert 'data-testid="bank-file-form"' not in html
    assert 'data-testid="roll-generate-form"' not in _html(client.get(ROLLS))
    assert client.post(f"/assistance/rolls/{roll.pk}/bank-file/", {"reason": "x"}).status_code == 403
    assert not PersonalDataReveal.objects.exists()


def test_a3_another_countys_roll_answers_404(client, tree, county_user, other_county_user, county_households):
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    client.force_login(other_county_user)
    assert client.get(f"/assistance/rolls/{roll.pk}/").status_code == 404
    assert client.post(f"/assistance/rolls/{roll.pk}/bank-file/", {"reason": "x"}).status_code == 404
    assert client.post(f"/assistance/rolls/{roll.pk}/reconcile/", {}).status_code == 404
    assert tree.county_a.name not in _html(client.get(ROLLS))
    assert not PersonalDataReveal.objects.exists()


def test_a3_the_bank_file_needs_a_reason_and_is_logged_before_it_is_unmasked(
    client, tree, county_user, county_households
):
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    client.force_login(county_user)
    url = f"/assistance/rolls/{roll.pk}/bank-file/"
    assert client.get(url).status_code == 405
    refused = client.post(url, {"reason": " "})
    assert refused.status_code == 400
    assert "text/html" in refused["Content-Type"]
    assert "is-invalid" in _html(refused)
    assert not PersonalDataReveal.objects.exists()
    response = client.post(url, {"reason": "一月救助金代发"}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    reveal = PersonalDataReveal.objects.get()
    assert (reveal.viewer, reveal.reason, reveal.remote_addr) == (county_user, "一月救助金代发", "10.0.0.7")
    rows = _rows(response)
    assert rows[0] == ("流水号", "户名", "证件号码", "开户银行", "银行账号", "金额", "类别", "村（社区）")
    payee = next(r for r in rows[1:] if r[1] == "王桂芝")
    assert payee[3:5] == ("农业银行", "6228480000012345678")
    assert payee[0] == roll.payments.get(kind=PaymentKind.DIBAO).pk


def _bank_upload(rows, name="结果.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["流水号", "户名", "处理结果", "实发金额", "处理日期", "备注"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a3_a_bad_bank_result_lists_every_bad_row_and_a_good_one_reconciles(
    client, tree, county_user, county_households
):
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    payments = {p.kind: p for p in roll.payments.all()}
    client.force_login(county_user)
    url = f"/assistance/rolls/{roll.pk}/reconcile/"
    assert client.post(url, {}).status_code == 400  # no file
    bad = client.post(
        url,
        {
            "file": _bank_upload(
                [
                    [payments[PaymentKind.DIBAO].pk, "王桂芝", "成功", "450", "2022-01-08", ""],
                    [999999, "某某", "成功", "1", "2022-01-08", ""],
                    [payments[PaymentKind.TEKUN].pk, "刘淑珍", "不知道", "", "", ""],
                ]
            )
        },
    )
    html = _html(bad)
    assert bad.status_code == 400
    assert 'data-testid="bad-rows"' in html
    assert "第 3 行" in html
    assert "流水号 999999 不在本花名册中" in html
    assert "第 4 行" in html
    assert "处理结果只能是成功、失败或退回" in html
    assert "第 2 行" not in html
    assert not Payment.objects.exclude(status=PaymentStatus.PENDING).exists()
    good = client.post(
        url,
        {
            "file": _bank_upload(
                [
                    [payments[PaymentKind.DIBAO].pk, "王桂芝", "成功", "450", "2022-01-08", ""],
                    [payments[PaymentKind.TEKUN].pk, "刘淑珍", "失败", "", "2022-01-08", "账户冻结"],
                ]
            )
        },
        follow=True,
    )
    assert good.redirect_chain[-1][0] == f"/assistance/rolls/{roll.pk}/"
    assert "已导入 2 条银行反馈" in _html(good)
    assert "账户冻结" in _html(good)
    assert roll.payments.get(kind=PaymentKind.DIBAO).status == PaymentStatus.PAID


def _roll_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a3_the_roll_pages_queries_do_not_grow_with_the_payments(
    client, tree, county_user, county_households
):
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    client.force_login(county_user)
    url = f"/assistance/rolls/{roll.pk}/"
    few = (_roll_queries(client, url), _roll_queries(client, ROLLS))
    for n in range(8):
        make_household(tree.village_a, f"特困{n}", standing=Standing.TEKUN_CENTRALISED)
    services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    services.roll_generate(actor=county_user, county=tree.county_a, month=DECEMBER)
    assert roll.payments.count() == 11
    assert (_roll_queries(client, url), _roll_queries(client, ROLLS)) == few


# --- Arrears (A3) -------------------------------------------------------------------------------


def test_a3_arrears_are_listed_by_county_and_exported(client, tree, county_user, county_households):
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=DECEMBER)
    payments = {p.kind: p for p in roll.payments.all()}
    services.roll_reconcile(
        actor=county_user,
        roll=roll,
        results=[
            services.BankResult(1, str(payments[PaymentKind.DIBAO].pk), "成功", "450", DAY),
            services.BankResult(2, str(payments[PaymentKind.TEMPORARY].pk), "成功", "300", DAY),
        ],
    )
    client.force_login(county_user)
    response = client.get(ARREARS)
    html = _html(response)
    assert response.status_code == 200
    assert 'data-testid="arrears-by-county"' in html
    # December's pay day has passed: the 特困 payment never went out, the grant was paid 300 of 500.
    assert "王桂芝" not in html
    assert "刘淑珍" in html
    assert "孙立军" in html
    assert "1045.00" in html  # 845 + 200 short
    rows = _rows(client.get(f"{ARREARS}?export=xlsx"))
    assert rows[0][:3] == ("发放月份", "县（市、区）", "户主")
    assert {r[2]: r[7] for r in rows[1:]} == {"刘淑珍": 845, "孙立军": 200}
    client.force_login(make_user("county_staff", tree.county_b))
    other = _html(client.get(ARREARS))
    assert "刘淑珍" not in other
    assert "没有欠发" in other


def test_a3_the_arrears_pages_queries_do_not_grow(client, tree, county_user, county_households):
    services.roll_generate(actor=county_user, county=tree.county_a, month=DECEMBER)
    client.force_login(county_user)
    few = _roll_queries(client, ARREARS)
    for n in range(6):
        make_household(tree.village_a, f"特困{n}", standing=Standing.TEKUN_CENTRALISED)
    services.roll_generate(actor=county_user, county=tree.county_a, month=DECEMBER)
    assert _roll_queries(client, ARREARS) == few


def test_a3_the_new_tabs_are_on_every_assistance_page(client, county_user):
    client.force_login(county_user)
    html = _html(client.get("/assistance/"))
    for url in (GRANTS, ROLLS, ARREARS):
        assert f'href="{url}"' in html


def test_a3_the_new_pages_are_labelled_in_english_too(client, tree, county_user, county_households):
    """The navigation walk follows the menu only; these pages are reached through their tabs."""
    from shouhu.site.tests.test_navigation import CHINESE, LABEL_TAGS, _english_words, _read

    dibao, _tekun, affected = county_households
    _review(dibao)
    grant = TemporaryAssistance.objects.get()
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=DECEMBER)
    client.force_login(county_user)
    pages = [
        GRANTS,
        ROLLS,
        ARREARS,
        f"/assistance/rolls/{roll.pk}/",
        f"/assistance/{affected.pk}/",
        f"/assistance/{dibao.pk}/",
        f"/assistance/{affected.pk}/grants/new/",
        f"/assistance/{affected.pk}/reviews/new/",
        "/assistance/applications/",
        f"/assistance/applications/{make_application(affected).pk}/",
        f"/assistance/{affected.pk}/apply/",
    ]
    assert grant.pk
    for url in pages:
        chinese_page = client.get(url)
        assert chinese_page.status_code == 200, url
        assert not _english_words(_read(chinese_page.content.decode(), LABEL_TAGS).texts), url
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        texts = _read(english.content.decode(), {"nav", "th", "label", "button", "h2"}).texts
        assert not [t for t in texts if CHINESE.search(t)], (url, [t for t in texts if CHINESE.search(t)])
