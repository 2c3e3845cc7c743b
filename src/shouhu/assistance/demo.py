"""Demo assistance: standards for every demo county (urban and rural), and households in the
villages of the demo logins' township (东山街道, 加格达奇区) and of 漠河市 — with responsible
people at some levels and not others, visits recent and overdue, an assessment with its working,
and a member in home isolation whose follow-up is waiting. Everything goes through the services;
run twice, it adds nothing.

The standards' figures are illustrative, not a county's published ones: a bureau enters its own
(救助标准 › 录入标准) before assessing real households.
"""

import datetime as dt
import random
from decimal import Decimal

from shouhu.assistance import selectors, services
from shouhu.assistance.models import (
    AffectedReason,
    AreaType,
    AssistanceReason,
    Household,
    IncomeKind,
    Level,
    Relation,
    ReviewDecision,
    Schedule,
    Standing,
    TemporaryAssistance,
)
from shouhu.common import clock
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.demo import GIVEN, SURNAMES, demo_id_number
from shouhu.people.models import Person
from shouhu.screening.services import isolation_record

# (低保, 特困, minimum wage) per area: illustrative figures (see above).
DEMO_STANDARDS = {
    AreaType.URBAN: (Decimal("660"), Decimal("858"), Decimal("1450")),
    AreaType.RURAL: (Decimal("430"), Decimal("559"), Decimal("1450")),
}
STANDINGS = [
    Standing.DIBAO,
    Standing.TEKUN_DISPERSED,
    Standing.LOW_INCOME,
    Standing.EPIDEMIC_AFFECTED,
    Standing.DIBAO,
    Standing.TEKUN_CENTRALISED,
]
ADVANCE_AGE = dt.timedelta(weeks=5)  # not a policy threshold: demo data
COUNTIES = ["232718", "232701"]  # 加格达奇区, 漠河市: the demo counties with logins
VILLAGES_PER_COUNTY = 2


def _standards(today: dt.date) -> None:
    first = today.replace(month=1, day=1)
    for county in OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("path"):
        for area, (dibao, tekun, wage) in DEMO_STANDARDS.items():
            services.standard_create(
                actor=None,
                data=services.StandardInput(
                    county=county,
                    area_type=area,
                    effective_from=first,
                    dibao_standard=dibao,
                    tekun_standard=tekun,
                    minimum_wage=wage,
                    employment_cost_percent=20,
                    isolation_living_cost_percent=50,
                    document="演示标准（请录入本县现行标准）",
                ),
            )


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _household(village: OrgUnit, rng: random.Random, standing: str, index: int, today: dt.date) -> Household:
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
    number = "" if index == 3 else demo_id_number(rng, birth, rng.random() < 0.5)  # one head without a card
    household = services.household_open(
        actor=None,
        data=services.HouseholdInput(
            unit=village,
            area_type=AreaType.URBAN if "社区" in village.name else AreaType.RURAL,
            standing=standing,
            affected_reason=AffectedReason.LOST_WORK if standing == Standing.EPIDEMIC_AFFECTED else "",
            situation="老人独居，行动不便"
            if standing != Standing.EPIDEMIC_AFFECTED
            else "务工返乡后未能复工",
            registered_on=today - dt.timedelta(days=20 + index),  # not a policy threshold: demo data
        ),
        head_name=_name(rng),
        head_id_number=number,
    )
    if index % 2 == 0:
        services.member_join(
            actor=None,
            household=household,
            name=_name(rng),
            relation=Relation.SPOUSE,
            joined_on=household.registered_on,
        )
    return household


def create_assistance(seed: int = 20220105) -> int:
    """Demo standards and households; the number of households made."""
    if Household.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311  demo data, not security
    today = clock.today()
    _standards(today)
    made = 0
    for code in COUNTIES:
        county = OrgUnit.objects.filter(code=code).first()
        if county is None:
            continue
        villages = OrgUnit.objects.filter(path__startswith=county.path, kind=UnitKind.VILLAGE).order_by(
            "path"
        )
        for village in villages[:VILLAGES_PER_COUNTY]:
            for index, standing in enumerate(STANDINGS):
                household = _household(village, rng, standing, index, today)
                made += 1
                levels = list(Level.values) if index % 3 else [Level.COUNTY, Level.VILLAGE]  # some miss one
                for level in levels:
                    services.responsibility_assign(
                        actor=None,
                        household=household,
                        level=level,
                        name=_name(rng),
                        phone=f"139{rng.randrange(10_000_000, 99_999_999)}",
                        assigned_on=household.registered_on,
                    )
                if index != 1:  # the 特困 household is left overdue
                    services.visit_record(
                        actor=None,
                        household=household,
                        visited_on=today - dt.timedelta(days=index + 1),
                        visitor=_name(rng),
                        findings="生活基本稳定，取暖用煤已备足",
                        needs="常用药品" if index == 0 else "",
                    )
                if standing == Standing.LOW_INCOME:
                    head = household.members.get(relation=Relation.HEAD).person
                    services.assessment_record(
                        actor=None,
                        household=household,
                        month=today.replace(day=1),
                        lines=[
                            services.IncomeLineInput(
                                person=head,
                                kind=IncomeKind.WAGE,
                                amount=Decimal("900"),
                                back_at_work=True,
                                isolation_days=7,
                            )
                        ],
                        note="返岗复工后申请救助",
                    )
                if standing == Standing.DIBAO and index == 0 and village == villages[0]:
                    head = household.members.get(relation=Relation.HEAD).person
                    isolation_record(
                        actor=None, person=head, kind="home", starts_on=today, source="卫健部门推送"
                    )
    _money_and_calls(today)
    _applications(today)
    Person.objects.filter(assistance_memberships__isnull=False).update(is_demo=True)
    return made


def _applications(today: dt.date) -> None:
    """In 加格达奇区: a low-income household's 低保 application in its publicity, and an affected
    household's waiting past the days to accept it (late on Today)."""
    county = OrgUnit.objects.filter(code=COUNTIES[0]).first()
    if county is None:
        return
    households = Household.objects.filter(unit__path__startswith=county.path).order_by("pk")
    low_income = households.filter(standing=Standing.LOW_INCOME).first()
    affected = households.filter(standing=Standing.EPIDEMIC_AFFECTED).first()
    if low_income is None or affected is None:
        return
    days = dt.timedelta  # not a policy threshold: demo data
    in_publicity = services.application_submit(
        actor=None,
        household=low_income,
        data=services.ApplicationInput(
            standing=Standing.DIBAO, reason="返岗后收入低于低保标准，申请纳入低保", applied_on=today - days(8)
        ),
    )
    services.application_accept(actor=None, application=in_publicity, accepted_on=today - days(7))
    services.application_investigate(
        actor=None,
        application=in_publicity,
        investigated_on=today - days(5),
        findings="入户核实：户主返岗后月收入 900 元，家庭 2 人，无其他收入",
        assessment=selectors.assessments_of(low_income).first(),
    )
    services.application_publicise(actor=None, application=in_publicity, starts_on=today - days(3))
    services.application_submit(
        actor=None,
        household=affected,
        data=services.ApplicationInput(
            standing=Standing.DIBAO, reason="疫情期间无法务工，配偶长期患病", applied_on=today - days(5)
        ),
    )


def _money_and_calls(today: dt.date) -> None:
    """In 加格达奇区: a 先行救助 grant still waiting for its documents, a 一事一议 and the grant it
    allowed, last month's roll with the bank's answer (one payment failed: arrears), and two
    hotline calls — one answered and closed, one waiting past its first-answer time."""
    county = OrgUnit.objects.filter(code=COUNTIES[0]).first()
    if county is None:
        return
    households = list(Household.objects.filter(unit__path__startswith=county.path).order_by("pk"))
    affected = next(h for h in households if h.standing == Standing.EPIDEMIC_AFFECTED)
    tekun = next(h for h in households if h.standing == Standing.TEKUN_DISPERSED)
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)  # not a policy threshold: demo data
    advance = services.temporary_assistance_grant(
        actor=None,
        household=affected,
        data=services.GrantInput(
            reason=AssistanceReason.UNCERTAIN,
            schedule=Schedule.MONTHLY,
            amount=Decimal("600"),
            starts_on=last_month,
            is_advance=True,
            note="户籍材料待补，先行救助",
        ),
    )
    # Granted five weeks ago: past the policy's days for the documents.
    TemporaryAssistance.objects.filter(pk=advance.pk).update(granted_at=clock.now() - ADVANCE_AGE)
    review = services.review_record(
        actor=None,
        household=tekun,
        data=services.ReviewInput(
            hardship="户主突发重病住院，自付医疗费用较高",
            proposed_amount=Decimal("6000"),
            met_on=today - dt.timedelta(days=3),  # not a policy threshold: demo data
            participants="县民政局局长、分管副局长、社会救助股股长、街道民政助理",
            decision=ReviewDecision.APPROVED,
            approved_amount=Decimal("5000"),
            approved_by="县民政局局长",
            reference="县民政局会议纪要（演示）",
        ),
    )
    services.temporary_assistance_grant(
        actor=None,
        household=tekun,
        data=services.GrantInput(
            reason=AssistanceReason.OTHER,
            schedule=Schedule.ONCE,
            amount=Decimal("5000"),
            starts_on=this_month,
            review=review,
        ),
    )
    roll = services.roll_generate(actor=None, county=county, month=last_month)
    payments = list(selectors.payments_of(roll))
    services.roll_reconcile(
        actor=None,
        roll=roll,
        results=[
            services.BankResult(
                row_number=index + 2,
                payment_id=str(payment.pk),
                result="失败" if index == 0 else "成功",
                paid_amount="" if index == 0 else str(payment.amount),
                settled_on=last_month + dt.timedelta(days=7),  # not a policy threshold: demo data
                note="账户已销户" if index == 0 else "",
            )
            for index, payment in enumerate(payments)
        ],
    )
    answered = services.hotline_call_receive(
        actor=None,
        unit=county,
        summary="母亲居家隔离，家中缺少取暖煤和降压药",
        caller_name="李女士",
        caller_phone="13904570001",
        received_at=clock.now() - dt.timedelta(hours=30),  # not a policy threshold: demo data
        household=households[0],
    )
    services.hotline_call_answer(actor=None, inquiry=answered, answer="已通知社区包保人，当天送煤送药上门")
    services.hotline_call_close(
        actor=None, inquiry=answered, outcome="已送取暖煤 1 吨、降压药 2 盒，回访满意"
    )
    services.hotline_call_receive(
        actor=None,
        unit=county,
        summary="务工返乡后一直没活干，询问能否申请临时救助",
        caller_name="赵先生",
        caller_phone="13904570002",
        received_at=clock.now() - dt.timedelta(hours=26),  # not a policy threshold: demo data
    )
