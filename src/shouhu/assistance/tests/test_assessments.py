"""Standards, income assessment with its working, and the 应保尽保 list (A4, A8)."""

import datetime as dt
from decimal import Decimal

import pytest

from shouhu.assistance import selectors, services
from shouhu.assistance.models import AssistancePolicy, IncomeKind, Relation, Rounding, Standing
from shouhu.assistance.tests.factories import make_household, make_standard
from shouhu.campaigns.policy import current_policy
from shouhu.campaigns.services import policy_update
from shouhu.common.errors import DomainError

JANUARY = dt.date(2022, 1, 1)
REGISTERED = dt.date(2021, 12, 1)  # the factory's registration day


@pytest.fixture
def household(tree):
    household = make_household(tree.village_a, "王桂芝", standing=Standing.LOW_INCOME)
    services.member_join(
        actor=None, household=household, name="李大勇", relation=Relation.SPOUSE, joined_on=REGISTERED
    )
    services.member_join(
        actor=None, household=household, name="李小红", relation=Relation.CHILD, joined_on=REGISTERED
    )
    return household


def members(household):
    return {m.person.name: m.person for m in household.members.select_related("person")}


def lines_of(household):
    people = members(household)
    return [
        # Back at work, then isolated at home 10 days of January's 31.
        services.IncomeLineInput(
            person=people["王桂芝"],
            kind=IncomeKind.WAGE,
            amount=Decimal("1200"),
            back_at_work=True,
            isolation_days=10,
        ),
        services.IncomeLineInput(person=people["李小红"], kind=IncomeKind.TRANSFER, amount=Decimal("100")),
    ]


def test_a8_dibao_amount_is_the_gap_to_the_standard_times_household_size_with_deductions(tree, household):
    make_standard(tree.county_a)  # 低保 650, minimum wage 1650, employment 20 %, isolation 50 %
    assessment = services.assessment_record(
        actor=None, household=household, month=JANUARY, lines=lines_of(household)
    )
    # Employment costs 1650 × 20 % = 330; isolation 650 × 50 % × 10 / 31 = 104.84.
    assert assessment.total_income == Decimal("1300.00")
    assert assessment.total_deductions == Decimal("434.84")
    assert assessment.household_size == 3
    assert assessment.per_capita_income == Decimal("288.39")  # 865.16 / 3
    # (650 − 288.39) × 3 = 1084.83, rounded to the yuan as the plan's default policy says.
    assert assessment.dibao_amount == Decimal("1085.00")
    working = {step["label"]: step for step in assessment.working}
    assert working["王桂芝 扣减就业成本"]["amount"] == "-330.00"
    assert "1650.00 × 20%" in working["王桂芝 扣减就业成本"]["formula"]
    assert working["王桂芝 扣减居家隔离期间生活支出"]["amount"] == "-104.84"
    assert "隔离 10 天 ÷ 当月 31 天" in working["王桂芝 扣减居家隔离期间生活支出"]["formula"]
    assert working["人均月收入"]["amount"] == "288.39"
    assert "× 家庭人口 3 人" in working["低保金（元/月）"]["formula"]
    assert assessment.lines.count() == 2


@pytest.mark.parametrize(("rounding", "amount"), [(Rounding.JIAO, "1084.80"), (Rounding.FEN, "1084.83")])
def test_a8_rounding_is_the_policys(tree, plan_campaign, household, rounding, amount):
    policy_update(
        actor=None, model=AssistancePolicy, campaign=plan_campaign, values={"amount_rounding": rounding}
    )
    assert current_policy(AssistancePolicy).amount_rounding == rounding
    make_standard(tree.county_a)
    assessment = services.assessment_record(
        actor=None, household=household, month=JANUARY, lines=lines_of(household)
    )
    assert assessment.dibao_amount == Decimal(amount)


def test_a8_standards_are_per_county_and_area_with_effective_dates(tree, household):
    make_standard(tree.county_a)
    make_standard(tree.county_a, effective_from=JANUARY, dibao_standard=Decimal("700"))
    make_standard(tree.county_a, area_type="rural", dibao_standard=Decimal("400"))
    make_standard(tree.county_b, dibao_standard=Decimal("999"))
    people = members(household)
    line = [services.IncomeLineInput(person=people["王桂芝"], kind=IncomeKind.WAGE, amount=Decimal("900"))]
    december = services.assessment_record(
        actor=None, household=household, month=dt.date(2021, 12, 1), lines=line
    )
    january = services.assessment_record(actor=None, household=household, month=JANUARY, lines=line)
    assert (december.dibao_standard, january.dibao_standard) == (Decimal("650.00"), Decimal("700.00"))
    assert december.dibao_amount == Decimal("1050.00")  # (650 − 300) × 3
    assert january.dibao_amount == Decimal("1200.00")  # (700 − 300) × 3


def test_a8_no_amount_when_income_reaches_the_standard_and_no_assessment_without_one(tree, household):
    people = members(household)
    line = [services.IncomeLineInput(person=people["王桂芝"], kind=IncomeKind.WAGE, amount=Decimal("3000"))]
    with pytest.raises(DomainError) as refused:
        services.assessment_record(actor=None, household=household, month=JANUARY, lines=line)
    assert "尚无本县城市救助标准" in refused.value.message
    make_standard(tree.county_a)
    assessment = services.assessment_record(actor=None, household=household, month=JANUARY, lines=line)
    assert assessment.dibao_amount == Decimal("0.00")
    assert "不予保障" in assessment.working[-1]["formula"]


def test_a8_lines_name_members_of_that_month_only(tree, household):
    make_standard(tree.county_a)
    outsider = make_household(tree.village_a, "刘淑珍").members.get().person
    line = [services.IncomeLineInput(person=outsider, kind=IncomeKind.WAGE, amount=Decimal("-1"))]
    with pytest.raises(DomainError) as refused:
        services.assessment_record(actor=None, household=household, month=JANUARY, lines=line)
    assert set(refused.value.field_errors) == {"lines.0.person", "lines.0.amount"}
    with pytest.raises(DomainError):
        services.assessment_record(actor=None, household=household, month=dt.date(2022, 2, 1), lines=[])


def test_a4_households_under_the_standard_outside_dibao_are_listed_to_include(tree, county_user, household):
    make_standard(tree.county_a)
    comfortable = make_household(
        tree.village_a, "刘淑珍", standing=Standing.EPIDEMIC_AFFECTED, affected_reason="lost_work"
    )
    on_dibao = make_household(tree.village_a, "赵老汉", standing=Standing.DIBAO)
    for each, amount in ((household, "900"), (comfortable, "5000"), (on_dibao, "100")):
        head = each.members.get(relation="head").person
        services.assessment_record(
            actor=None,
            household=each,
            month=JANUARY,
            lines=[services.IncomeLineInput(person=head, kind=IncomeKind.WAGE, amount=Decimal(amount))],
        )
    listed = selectors.household_list(
        viewer=county_user, filters=selectors.HouseholdFilters(unprotected=True)
    )
    assert list(listed) == [household]
    # A later assessment above the standard takes it off the list: the latest one counts.
    head = household.members.get(relation="head").person
    services.assessment_record(
        actor=None,
        household=household,
        month=JANUARY,
        lines=[services.IncomeLineInput(person=head, kind=IncomeKind.WAGE, amount=Decimal("5000"))],
    )
    assert (
        list(
            selectors.household_list(viewer=county_user, filters=selectors.HouseholdFilters(unprotected=True))
        )
        == []
    )


def test_a7_the_months_of_hardship_for_dibao_are_policy(plan_campaign):
    assert current_policy(AssistancePolicy).hardship_months_for_dibao == 3
