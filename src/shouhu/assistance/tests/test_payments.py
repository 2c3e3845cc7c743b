"""Temporary assistance (A5, A6, A7), 一事一议 (A10) and payments in full and on time (A3)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from shouhu.assistance import selectors, services
from shouhu.assistance.models import (
    AssistanceReason,
    IncomeKind,
    Payment,
    PaymentKind,
    PaymentRoll,
    PaymentStatus,
    Relation,
    ReviewDecision,
    Schedule,
    Standing,
)
from shouhu.assistance.tests.factories import DAY, make_household, make_standard
from shouhu.common.errors import ConflictError, DomainError

JANUARY = dt.date(2022, 1, 1)
DECEMBER = dt.date(2021, 12, 1)


def grant(household, **overrides):
    values = {
        "reason": AssistanceReason.LOST_WORK,
        "schedule": Schedule.MONTHLY,
        "amount": Decimal("500"),
        "starts_on": DECEMBER,
        "expected_months": 2,
    }
    values.update(overrides)
    return services.temporary_assistance_grant(
        actor=None, household=household, data=services.GrantInput(**values)
    )


def review(household, decision=ReviewDecision.APPROVED, amount="8000"):
    return services.review_record(
        actor=None,
        household=household,
        data=services.ReviewInput(
            hardship="户主重病住院，子女在读，疫情期间无收入",
            proposed_amount=Decimal("10000"),
            met_on=DAY,
            participants="县民政局局长、分管副局长、社会救助股股长、乡镇民政助理",
            decision=decision,
            approved_amount=Decimal(amount) if decision == ReviewDecision.APPROVED else Decimal("0"),
            approved_by="县民政局局长",
            reference="民政局会议纪要〔2022〕1号",
        ),
    )


def test_a6_confirmed_case_assistance_is_for_dibao_tekun_and_low_income_households(tree):
    affected = make_household(
        tree.village_a, "孙立军", standing=Standing.EPIDEMIC_AFFECTED, affected_reason="lost_work"
    )
    with pytest.raises(DomainError) as refused:
        grant(affected, reason=AssistanceReason.CONFIRMED_CASE, schedule=Schedule.ONCE)
    assert "限于低保、特困和低收入家庭" in refused.value.message
    for standing in (Standing.DIBAO, Standing.TEKUN_CENTRALISED, Standing.LOW_INCOME):
        household = make_household(tree.village_a, f"{standing}户主", standing=standing)
        assert grant(household, reason=AssistanceReason.CONFIRMED_CASE, schedule=Schedule.ONCE).pk


def test_a5_uncertain_cases_get_monthly_assistance_and_advances_wait_for_documents(
    tree, plan_campaign, county_user
):
    household = make_household(tree.village_a)
    with pytest.raises(DomainError):
        grant(household, reason=AssistanceReason.UNCERTAIN, schedule=Schedule.ONCE)
    advance = grant(household, reason=AssistanceReason.UNCERTAIN, is_advance=True)
    waiting = selectors.GrantFilters(awaiting_documents=True)
    assert list(selectors.grant_list(viewer=county_user, filters=waiting)) == []  # within the 30 days
    type(advance).objects.filter(pk=advance.pk).update(granted_at=advance.granted_at - dt.timedelta(days=31))
    assert list(selectors.grant_list(viewer=county_user, filters=waiting)) == [advance]
    services.temporary_assistance_documents_completed(actor=county_user, grant=advance, completed_on=DAY)
    assert list(selectors.grant_list(viewer=county_user, filters=waiting)) == []
    with pytest.raises(ConflictError):
        services.temporary_assistance_documents_completed(actor=county_user, grant=advance, completed_on=DAY)


def test_a10_above_the_cap_needs_an_approved_case_by_case_review(tree, plan_campaign):
    household = make_household(tree.village_a)
    with pytest.raises(DomainError) as refused:
        grant(household, amount=Decimal("3000.01"), schedule=Schedule.ONCE)
    assert "一事一议" in refused.value.message
    assert grant(household, amount=Decimal("3000"), schedule=Schedule.ONCE).pk  # the cap itself is allowed
    rejected = review(household, ReviewDecision.REJECTED)
    with pytest.raises(DomainError):
        grant(household, amount=Decimal("5000"), schedule=Schedule.ONCE, review=rejected)
    approved = review(household)
    with pytest.raises(DomainError) as refused:
        grant(household, amount=Decimal("8000.01"), schedule=Schedule.ONCE, review=approved)
    assert "8000.00" in refused.value.message
    assert (
        grant(household, amount=Decimal("8000"), schedule=Schedule.ONCE, review=approved).review == approved
    )
    other = make_household(tree.village_a, "刘淑珍")
    with pytest.raises(DomainError):
        grant(other, amount=Decimal("5000"), schedule=Schedule.ONCE, review=approved)


def test_a10_a_review_records_its_deliberation(tree):
    household = make_household(tree.village_a)
    with pytest.raises(DomainError) as refused:
        services.review_record(
            actor=None,
            household=household,
            data=services.ReviewInput(
                hardship="",
                proposed_amount=Decimal("0"),
                met_on=DAY,
                participants="",
                decision=ReviewDecision.APPROVED,
                approved_by="",
            ),
        )
    assert {"hardship", "proposed_amount", "approved_amount"} <= set(refused.value.field_errors)
    recorded = review(household)
    assert (recorded.approved_amount, recorded.reference) == (Decimal("8000.00"), "民政局会议纪要〔2022〕1号")


def test_a7_only_hardship_of_the_policys_months_moves_to_dibao(tree, plan_campaign):
    household = make_household(
        tree.village_a, standing=Standing.EPIDEMIC_AFFECTED, affected_reason="lost_work"
    )
    short = grant(household, expected_months=2)
    with pytest.raises(ConflictError) as refused:
        services.temporary_assistance_to_dibao(actor=None, grant=short)
    assert "不足 3 个月" in refused.value.message
    long = grant(household, expected_months=3)
    application = services.temporary_assistance_to_dibao(actor=None, grant=long)
    # It applies; test_applications takes the application through its steps to the grant's end.
    assert (application.standing, application.grant) == (Standing.DIBAO, long)
    with pytest.raises(DomainError):
        grant(make_household(tree.village_a, "赵老汉"), expected_months=None)


@pytest.fixture
def county_households(tree, plan_campaign):
    """A 低保 household assessed at 1,085 a month, a 特困 household of two, a monthly grant."""
    make_standard(tree.county_a)
    dibao = make_household(
        tree.village_a,
        "王桂芝",
        standing=Standing.DIBAO,
        bank_name="农业银行",
        bank_account="6228480000012345678",
    )
    head = dibao.members.get().person
    services.assessment_record(
        actor=None,
        household=dibao,
        month=DECEMBER,
        lines=[services.IncomeLineInput(person=head, kind=IncomeKind.WAGE, amount=Decimal("200"))],
    )
    tekun = make_household(tree.village_a, "刘淑珍", standing=Standing.TEKUN_DISPERSED)
    services.member_join(
        actor=None, household=tekun, name="刘大爷", relation=Relation.SPOUSE, joined_on=DECEMBER
    )
    affected = make_household(
        tree.village_a, "孙立军", standing=Standing.EPIDEMIC_AFFECTED, affected_reason="lost_work"
    )
    grant(affected)
    make_household(tree.village_b, "漠河户", standing=Standing.DIBAO)  # another county: not on this roll
    return dibao, tekun, affected


def test_a3_the_roll_is_generated_from_entitlements_and_only_once(tree, county_user, county_households):
    dibao, tekun, affected = county_households
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    owed = {(p.household_id, p.kind): p.amount for p in roll.payments.all()}
    assert owed == {
        (dibao.pk, PaymentKind.DIBAO): Decimal("450.00"),  # (650 − 200) × 1
        (tekun.pk, PaymentKind.TEKUN): Decimal("1690.00"),  # 845 × 2 members
        (affected.pk, PaymentKind.TEMPORARY): Decimal("500.00"),
    }
    again = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    assert again == roll
    assert PaymentRoll.objects.count() == 1
    assert Payment.objects.count() == 3


def test_a3_roll_generation_takes_a_fixed_number_of_queries(tree, county_user, county_households):
    services.roll_generate(actor=county_user, county=tree.county_a, month=DECEMBER)  # warms the caches
    with CaptureQueriesContext(connection) as few:
        services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    for number in range(10):
        make_household(tree.village_a, f"新增{number}", standing=Standing.TEKUN_CENTRALISED)
    Payment.objects.all().delete()
    PaymentRoll.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    assert Payment.objects.count() == 13
    assert len(many) == len(few)


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


def test_a3_the_bank_result_file_reconciles_the_roll_all_or_nothing(tree, county_user, county_households):
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    payments = {p.kind: p for p in roll.payments.all()}
    bad = _bank_file(
        [
            [payments[PaymentKind.DIBAO].pk, "王桂芝", "成功", "450", "2022-01-08", ""],
            [999999, "某某", "成功", "1", "2022-01-08", ""],
            [payments[PaymentKind.TEKUN].pk, "刘淑珍", "不知道", "", "", ""],
        ]
    )
    with pytest.raises(DomainError) as refused:
        services.roll_reconcile_file(actor=county_user, roll=roll, filename="结果.xlsx", data=bad)
    assert set(refused.value.field_errors) == {"row 4", "row 5"}  # the spreadsheet's own row numbers
    assert not Payment.objects.exclude(status=PaymentStatus.PENDING).exists()
    good = _bank_file(
        [
            [payments[PaymentKind.DIBAO].pk, "王桂芝", "成功", "450", "2022-01-08", ""],
            [payments[PaymentKind.TEKUN].pk, "刘淑珍", "失败", "", "2022-01-08", "账户冻结"],
            [payments[PaymentKind.TEMPORARY].pk, "孙立军", "成功", "300", "2022-01-08", ""],
        ]
    )
    done = services.roll_reconcile_file(actor=county_user, roll=roll, filename="结果.xlsx", data=good)
    assert done.updated == 3
    statuses = {p.kind: (p.status, p.paid_amount) for p in roll.payments.all()}
    assert statuses[PaymentKind.DIBAO] == (PaymentStatus.PAID, Decimal("450.00"))
    assert statuses[PaymentKind.TEKUN] == (PaymentStatus.FAILED, Decimal("0.00"))


def test_a3_arrears_are_what_was_not_paid_in_full_by_the_pay_day(
    tree, county_user, county_households, fixed_clock
):
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    # 2022-01-05: January's pay day (the 10th) has not passed yet.
    assert list(selectors.arrears(viewer=county_user, today=DAY)) == []
    payments = {p.kind: p for p in roll.payments.all()}
    services.roll_reconcile(
        actor=county_user,
        roll=roll,
        results=[
            services.BankResult(1, str(payments[PaymentKind.DIBAO].pk), "成功", "450", DAY),
            services.BankResult(2, str(payments[PaymentKind.TEMPORARY].pk), "成功", "300", DAY),
        ],
    )
    after_pay_day = dt.date(2022, 1, 11)
    late = selectors.arrears(viewer=county_user, today=after_pay_day)
    # The 特困 payment never went out; the temporary one was paid short (300 of 500).
    assert {p.kind for p in late} == {PaymentKind.TEKUN, PaymentKind.TEMPORARY}
    by_county = selectors.arrears_by_county(viewer=county_user, today=after_pay_day)
    assert by_county == [
        {
            "roll__county_id": tree.county_a.pk,
            "roll__county__name": "加格达奇区",
            "roll__county__path": tree.county_a.path,
            "payments": 2,
            "households": 2,
            "short": Decimal("1890.00"),
        }
    ]


def test_a3_the_bank_file_lists_payees_unmasked_only_after_the_export_is_logged(
    tree, county_user, county_households
):
    from shouhu.people.models import PersonalDataReveal

    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    with pytest.raises(DomainError):
        services.roll_bank_file_record(actor=county_user, roll=roll, reason=" ", remote_addr=None)
    services.roll_bank_file_record(
        actor=county_user, roll=roll, reason="一月低保金代发", remote_addr="10.0.0.1"
    )
    assert PersonalDataReveal.objects.get().reason == "一月低保金代发"
    rows = selectors.bank_file_rows(roll)
    assert sorted(r.payee for r in rows) == ["刘淑珍", "孙立军", "王桂芝"]
    payee = next(r for r in rows if r.payee == "王桂芝")
    assert (payee.bank_name, payee.bank_account) == ("农业银行", "6228480000012345678")


def test_a3_the_hand_written_insert_writes_exactly_the_entitlements(tree, county_user, county_households):
    roll = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    written = set(roll.payments.values_list("household_id", "kind", "grant_id", "amount"))
    assert written == set(selectors.entitlements(county_path=tree.county_a.path, month=JANUARY))
    # A household registered since: a second run adds its row and nothing else.
    later = make_household(tree.village_a, "赵老汉", standing=Standing.TEKUN_CENTRALISED)
    services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    added = set(roll.payments.values_list("household_id", "kind", "grant_id", "amount")) - written
    assert added == {(later.pk, PaymentKind.TEKUN, 0, Decimal("845.00"))}
    # December: the grant had started, the 特困 spouse had joined; the 低保 assessment was of December.
    december = services.roll_generate(actor=county_user, county=tree.county_a, month=DECEMBER)
    assert set(december.payments.values_list("household_id", "kind", "grant_id", "amount")) == set(
        selectors.entitlements(county_path=tree.county_a.path, month=DECEMBER)
    )


def test_a3_an_area_without_a_standard_that_month_is_owed_no_tekun_and_nothing_breaks(tree, county_user):
    make_standard(tree.county_a, effective_from=JANUARY)  # urban only, from January
    urban = make_household(tree.village_a, "城市特困", standing=Standing.TEKUN_DISPERSED)
    make_household(tree.village_a, "农村特困", standing=Standing.TEKUN_DISPERSED, area_type="rural")
    december = services.roll_generate(actor=county_user, county=tree.county_a, month=DECEMBER)
    assert not december.payments.exists()
    january = services.roll_generate(actor=county_user, county=tree.county_a, month=JANUARY)
    assert list(january.payments.values_list("household_id", "amount")) == [(urban.pk, Decimal("845.00"))]
