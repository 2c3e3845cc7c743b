"""Applications for 低保 and 特困 (A4, A7): 申请 → 受理 → 入户调查 → 公示 → 审批, each step dated
and in order, refusals with their reason, the policy's days; and the member's relation (A2)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from shouhu.assistance import selectors, services
from shouhu.assistance.models import (
    Application,
    ApplicationStatus,
    AssistancePolicy,
    AssistanceReason,
    IncomeKind,
    Relation,
    Schedule,
    Standing,
)
from shouhu.assistance.reminders import APPLICATION_LATE, late_applications
from shouhu.assistance.tests.factories import DAY, make_household, make_standard
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError

APPLIED = dt.date(2021, 12, 20)


def _apply(household, *, standing=Standing.DIBAO, applied_on=APPLIED, **extra):
    return services.application_submit(
        actor=None,
        household=household,
        data=services.ApplicationInput(
            standing=standing, reason="户主失业，配偶患病", applied_on=applied_on, **extra
        ),
    )


def _assessment(household, *, wage="300"):
    person = selectors.current_member_people(household).get()
    return services.assessment_record(
        actor=None,
        household=household,
        month=dt.date(2021, 12, 1),
        lines=[services.IncomeLineInput(person=person, kind=IncomeKind.WAGE, amount=Decimal(wage))],
    )


def _through_publicity(application, assessment):
    services.application_accept(actor=None, application=application, accepted_on=dt.date(2021, 12, 21))
    services.application_investigate(
        actor=None,
        application=application,
        investigated_on=dt.date(2021, 12, 22),
        findings="入户核实：户主失业，无其他收入",
        assessment=assessment,
    )
    return services.application_publicise(
        actor=None, application=application, starts_on=dt.date(2021, 12, 23)
    )


@pytest.fixture
def low_income(tree, plan_campaign):
    make_standard(tree.county_a)
    return make_household(tree.village_a, "刘淑珍", standing=Standing.LOW_INCOME)


def test_a4_an_application_takes_its_steps_in_order_and_the_approval_includes_the_household(low_income):
    application = _apply(low_income)
    assert application.status == ApplicationStatus.APPLIED
    with pytest.raises(ConflictError) as early:
        services.application_publicise(actor=None, application=application, starts_on=DAY)
    assert "当前环节为“已申请，待受理”" in early.value.message
    publicised = _through_publicity(application, _assessment(low_income))
    days = current_policy(AssistancePolicy).application_publicity_days
    assert days == 7
    assert (publicised.publicised_from, publicised.publicised_until) == (
        dt.date(2021, 12, 23),
        dt.date(2021, 12, 29),
    )
    with pytest.raises(DomainError) as during:
        services.application_approve(actor=None, application=application, decided_on=dt.date(2021, 12, 29))
    assert "公示期至 2021-12-29 结束，期满后方可审批" in during.value.message
    approved = services.application_approve(
        actor=None, application=application, decided_on=dt.date(2021, 12, 30), objections="无异议"
    )
    assert (approved.status, approved.decided_on, approved.objections) == (
        ApplicationStatus.APPROVED,
        dt.date(2021, 12, 30),
        "无异议",
    )
    low_income.refresh_from_db()
    assert low_income.standing == Standing.DIBAO


def test_a4_the_publicity_lasts_the_policys_days(low_income):
    policy = current_policy(AssistancePolicy)
    policy.application_publicity_days = 5
    policy.save()
    publicised = _through_publicity(_apply(low_income), _assessment(low_income))
    assert publicised.publicised_until == dt.date(2021, 12, 27)


def test_a4_each_step_is_dated_not_before_the_last_and_not_in_the_future(low_income):
    application = _apply(low_income)
    with pytest.raises(DomainError) as before:
        services.application_accept(actor=None, application=application, accepted_on=dt.date(2021, 12, 19))
    assert "受理日期不能早于上一环节日期（2021-12-20）" in before.value.message
    with pytest.raises(DomainError) as future:
        services.application_accept(
            actor=None, application=application, accepted_on=DAY + dt.timedelta(days=1)
        )
    assert "受理日期不能晚于今天" in future.value.message
    with pytest.raises(DomainError) as unregistered:
        _apply(make_household(low_income.unit, "赵老汉"), applied_on=dt.date(2021, 11, 30))
    assert "申请日期不能早于该户登记日期" in unregistered.value.message


def test_a4_dibao_needs_an_assessment_that_found_an_amount(low_income):
    application = _apply(low_income)
    services.application_accept(actor=None, application=application, accepted_on=dt.date(2021, 12, 21))
    with pytest.raises(DomainError) as missing:
        services.application_investigate(
            actor=None, application=application, investigated_on=dt.date(2021, 12, 22), findings="已入户"
        )
    assert missing.value.field_errors["assessment"] == ["申请低保须先对该户进行家庭收入核算"]
    rich = _assessment(low_income, wage="5000")
    services.application_investigate(
        actor=None,
        application=application,
        investigated_on=dt.date(2021, 12, 22),
        findings="已入户",
        assessment=rich,
    )
    services.application_publicise(actor=None, application=application, starts_on=dt.date(2021, 12, 23))
    with pytest.raises(DomainError) as not_owed:
        services.application_approve(actor=None, application=application, decided_on=DAY)
    assert "人均收入不低于低保标准" in not_owed.value.message
    low_income.refresh_from_db()
    assert low_income.standing == Standing.LOW_INCOME


def test_a4_a_refusal_at_any_step_says_why_and_closes_the_application(low_income):
    application = _apply(low_income)
    with pytest.raises(DomainError) as no_reason:
        services.application_refuse(actor=None, application=application, decided_on=DAY, reason=" ")
    assert no_reason.value.field_errors["reason"] == ["请写明不予通过的理由"]
    refused = services.application_refuse(
        actor=None, application=application, decided_on=DAY, reason="户籍不在本村，请向户籍地申请"
    )
    assert (refused.status, refused.refused_at, refused.refusal_reason) == (
        ApplicationStatus.REFUSED,
        ApplicationStatus.APPLIED,
        "户籍不在本村，请向户籍地申请",
    )
    with pytest.raises(ConflictError):
        services.application_accept(actor=None, application=refused, accepted_on=DAY)
    # Closed: the household may apply again.
    again = _apply(low_income, applied_on=DAY)
    assert again.status == ApplicationStatus.APPLIED


def test_a4_one_open_application_per_household_held_by_the_database(low_income):
    _apply(low_income)
    with pytest.raises(ConflictError) as twice:
        _apply(low_income, standing=Standing.TEKUN_DISPERSED)
    assert twice.value.message == "该户已有正在办理的申请"
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            household=low_income, standing=Standing.DIBAO, reason="重复", applied_on=DAY
        )


def test_a4_only_dibao_or_tekun_and_not_the_standing_already_held(tree, plan_campaign):
    dibao = make_household(tree.village_a)
    with pytest.raises(DomainError) as held:
        _apply(dibao)
    assert held.value.field_errors["standing"] == ["该户已是低保家庭"]
    with pytest.raises(DomainError) as other:
        _apply(dibao, standing=Standing.LOW_INCOME)
    assert other.value.field_errors["standing"] == ["只能申请低保或特困供养"]
    tekun = _apply(dibao, standing=Standing.TEKUN_DISPERSED)
    assert tekun.status == ApplicationStatus.APPLIED


def test_a7_lost_work_moves_to_dibao_only_through_an_application_of_the_policys_months(tree, plan_campaign):
    make_standard(tree.county_a)
    household = make_household(
        tree.village_a, "孙立军", standing="epidemic_affected", affected_reason="lost_work"
    )

    def grant(months):
        return services.temporary_assistance_grant(
            actor=None,
            household=household,
            data=services.GrantInput(
                reason=AssistanceReason.LOST_WORK,
                schedule=Schedule.MONTHLY,
                amount=Decimal("500"),
                starts_on=dt.date(2021, 12, 1),
                expected_months=months,
            ),
        )

    short = grant(2)
    with pytest.raises(ConflictError) as refused:
        services.temporary_assistance_to_dibao(actor=None, grant=short)
    assert "困难预计持续 2 个月，不足 3 个月，不能纳入低保" in refused.value.message
    with pytest.raises(DomainError):
        _apply(household, grant=short)
    long = grant(3)
    application = services.temporary_assistance_to_dibao(actor=None, grant=long)
    assert (application.standing, application.grant, application.applied_on) == (Standing.DIBAO, long, DAY)
    household.refresh_from_db()
    assert household.standing == "epidemic_affected"  # not yet: the application takes its steps
    later = dt.datetime(2022, 1, 20, 10, 0, tzinfo=clock.local_zone())
    with clock.frozen(later):
        services.application_accept(actor=None, application=application, accepted_on=DAY)
        services.application_investigate(
            actor=None,
            application=application,
            investigated_on=DAY,
            findings="入户核实",
            assessment=_assessment(household),
        )
        services.application_publicise(actor=None, application=application, starts_on=DAY)
        services.application_approve(actor=None, application=application, decided_on=dt.date(2022, 1, 12))
    household.refresh_from_db()
    long.refresh_from_db()
    assert household.standing == Standing.DIBAO
    assert (long.ended_on, long.end_reason) == (dt.date(2022, 2, 1), "转入低保")


def test_a4_late_applications_are_listed_counted_today_and_reminded(low_income, tree):
    fresh = _apply(low_income, applied_on=dt.date(2022, 1, 3))
    other = make_household(tree.village_a, "赵老汉", standing=Standing.LOW_INCOME)
    late = _apply(other, applied_on=dt.date(2021, 12, 31))  # 3 days to accept: late from 01-04
    today = clock.today()
    policy = current_policy(AssistancePolicy)
    late_ids = set(
        Application.objects.filter(selectors.application_late(today, policy)).values_list("pk", flat=True)
    )
    assert late_ids == {late.pk}
    [tally] = selectors.today_applications(within=tree.region.path, today=today, viewer_id=0)
    assert (tally.due, tally.overdue, tally.done) == (1, 1, 0)
    reminders = list(late_applications(today))
    assert [r.dedupe_key for r in reminders] == [f"{APPLICATION_LATE}:{late.pk}"]
    assert "赵老汉" in reminders[0].title
    services.application_accept(actor=None, application=late, accepted_on=today)
    assert not reminders[0].still_due()
    assert fresh.status == ApplicationStatus.APPLIED


def test_a2_a_members_relation_is_corrected_but_never_made_head_this_way(tree, plan_campaign):
    household = make_household(tree.village_a, "王桂芝")
    person = services.member_person(actor=None, unit=tree.village_a, name="李明", id_type="", id_number="")
    member = services.member_add(actor=None, household=household, person=person, relation=Relation.OTHER)
    changed = services.member_relation_change(actor=None, member=member, relation=Relation.CHILD)
    assert changed.relation == Relation.CHILD
    with pytest.raises(DomainError) as as_head:
        services.member_relation_change(actor=None, member=member, relation=Relation.HEAD)
    assert "设为户主" in as_head.value.message
    head = selectors.members_of(household).get(relation=Relation.HEAD)
    with pytest.raises(ConflictError) as of_head:
        services.member_relation_change(actor=None, member=head, relation=Relation.SPOUSE)
    assert "请先将另一成员设为户主" in of_head.value.message
