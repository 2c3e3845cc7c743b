"""Generating one county's monthly assistance roll (A3) against one hand-written INSERT … SELECT.

Data: 100,000 households (`BENCH_ROLL_HOUSEHOLDS` to scale) spread over the villages of one county
of the shared org tree: 70 % 低保 households, each with an income assessment; 20 % 特困 households
of one member each; 10 % affected households with a monthly temporary grant. The county's urban
and rural standards are in force.

The figure is `services.roll_generate` (its lock, the roll, the hand-written insert of the missing
rows — `services.ENTITLEMENTS_INSERT`, which this bench's first figures justified — and one audit
entry for the run); the baseline is the same rows written by this module's own `INSERT … SELECT`
of three unions, without the roll's checks, in the same run. Both start from a county
without a roll (its rows deleted in between) and must write the same rows (count and total).

Goal (issue 15): at least 0.5 of the baseline's speed; queries constant in the number of
households (the roll of 1,000 households against 100,000).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench import fixtures
from bench.harness import Context, Result
from shouhu.accounts.scope import subtree_bounds
from shouhu.assistance import services
from shouhu.assistance.models import (
    AreaType,
    AssistanceReason,
    Household,
    HouseholdMember,
    IncomeAssessment,
    Payment,
    PaymentRoll,
    Relation,
    Schedule,
    Standard,
    Standing,
    TemporaryAssistance,
)
from shouhu.common import clock
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.models import Person

HOUSEHOLDS = int(os.environ.get("BENCH_ROLL_HOUSEHOLDS", "100000"))
SMALL = 1_000
GOAL = 0.5
MONTH = dt.date(2022, 1, 1)
BATCH = 5_000


def run(ctx: Context) -> list[Result]:
    tree = fixtures.org_tree(ctx.shared)
    county = tree.counties[2]
    small = tree.counties[3]
    started = time.perf_counter()
    _households(county, HOUSEHOLDS)
    _households(small, SMALL)
    ctx.log(
        f"{HOUSEHOLDS:,} households in {county.name}, {SMALL:,} in {small.name} ({time.perf_counter() - started:.1f} s)"
    )
    orm_best = sql_best = float("inf")
    orm_rows = sql_rows = (0, Decimal("0"))
    with clock.frozen(dt.datetime(2022, 1, 20, 9, 0, tzinfo=clock.local_zone())):
        for _round in range(ctx.rounds):
            _clear(county)
            seconds, orm_rows = _timed(
                lambda: services.roll_generate(actor=None, county=county, month=MONTH), county
            )
            orm_best = min(orm_best, seconds)
            _clear(county)
            seconds, sql_rows = _timed(lambda: _insert_select(county), county)
            sql_best = min(sql_best, seconds)
        assert orm_rows == sql_rows, f"the two paths wrote different rows: {orm_rows} vs {sql_rows}"
        _clear(county)
        with CaptureQueriesContext(connection) as big:
            services.roll_generate(actor=None, county=county, month=MONTH)
        with CaptureQueriesContext(connection) as few:
            services.roll_generate(actor=None, county=small, month=MONTH)
    rows = orm_rows[0]
    ctx.log(
        f"{rows:,} rows, {orm_rows[1]:,} 元: roll_generate {orm_best:.2f} s, INSERT … SELECT {sql_best:.2f} s"
    )
    return [
        Result(
            name="roll of one county (rows/s) vs one INSERT … SELECT",
            figure=rows / orm_best,
            baseline=rows / sql_best,
            unit="rows/s",
            goal_op=">=",
            goal=GOAL,
            note=f"{rows:,} rows; {orm_best:.2f} s vs {sql_best:.2f} s",
        ),
        Result(
            name=f"roll queries, {HOUSEHOLDS:,} households vs {SMALL:,}",
            figure=len(big),
            baseline=len(few),
            unit="queries",
            goal_op="==",
            goal=1.0,
        ),
    ]


def _timed(write, county: OrgUnit) -> tuple[float, tuple[int, Decimal]]:
    started = time.perf_counter()
    with transaction.atomic():
        write()
    seconds = time.perf_counter() - started
    payments = Payment.objects.filter(roll__county=county, roll__month=MONTH)
    total = sum(payments.values_list("amount", flat=True), Decimal("0"))
    return seconds, (payments.count(), total)


def _clear(county: OrgUnit) -> None:
    Payment.objects.filter(roll__county=county).delete()
    PaymentRoll.objects.filter(county=county).delete()


def _insert_select(county: OrgUnit) -> None:
    """The same rows as `roll_generate`, written by the database alone."""
    roll = PaymentRoll.objects.create(county=county, month=MONTH, generated_at=clock.now())
    low, high = subtree_bounds(county.path)
    upper = high or "~"
    month_end = dt.date(2022, 1, 31)
    urban = services.selectors.standard_in_force(
        county_path=county.path, area_type=AreaType.URBAN, month=MONTH
    )
    rural = services.selectors.standard_in_force(
        county_path=county.path, area_type=AreaType.RURAL, month=MONTH
    )
    assert urban is not None
    assert rural is not None
    sql = """
        INSERT INTO assistance_payment (roll_id, household_id, kind, grant_id, amount, status, paid_amount, bank_note)
        SELECT %(roll)s, id, 'dibao', 0, owed, 'pending', 0, '' FROM (
            SELECT h.id, (SELECT a.dibao_amount FROM assistance_incomeassessment a
                          WHERE a.household_id = h.id AND a.month <= %(month)s
                          ORDER BY a.month DESC, a.assessed_at DESC, a.id DESC LIMIT 1) AS owed
            FROM assistance_household h JOIN orgs_orgunit u ON u.id = h.unit_id
            WHERE u.path >= %(low)s AND u.path < %(high)s AND h.standing = 'dibao' AND h.registered_on <= %(end)s
        ) d WHERE owed > 0
        UNION ALL
        SELECT %(roll)s, id, 'tekun', 0,
               (CASE WHEN area_type = 'urban' THEN %(urban)s ELSE %(rural)s END) * people, 'pending', 0, '' FROM (
            SELECT h.id, h.area_type, (SELECT COUNT(*) FROM assistance_householdmember m
                                       WHERE m.household_id = h.id AND m.joined_on <= %(end)s
                                       AND (m.left_on IS NULL OR m.left_on > %(month)s)) AS people
            FROM assistance_household h JOIN orgs_orgunit u ON u.id = h.unit_id
            WHERE u.path >= %(low)s AND u.path < %(high)s
              AND h.standing IN ('tekun_dispersed', 'tekun_centralised') AND h.registered_on <= %(end)s
        ) t WHERE people > 0
        UNION ALL
        SELECT %(roll)s, g.household_id, 'temporary', g.id, g.amount, 'pending', 0, ''
        FROM assistance_temporaryassistance g
        JOIN assistance_household h ON h.id = g.household_id JOIN orgs_orgunit u ON u.id = h.unit_id
        WHERE u.path >= %(low)s AND u.path < %(high)s AND (
            (g.schedule = 'once' AND g.starts_on = %(month)s)
            OR (g.schedule = 'monthly' AND g.starts_on <= %(month)s AND (g.ended_on IS NULL OR g.ended_on > %(month)s)))
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "roll": roll.pk,
                "month": MONTH,
                "end": month_end,
                "low": low,
                "high": upper,
                "urban": urban.tekun_standard,
                "rural": rural.tekun_standard,
            },
        )


def _households(county: OrgUnit, count: int) -> None:
    """`count` households over the county's villages (see the module's docstring), in bulk."""
    if Household.objects.filter(unit__path__startswith=county.path).exists():
        return
    villages = list(
        OrgUnit.objects.filter(path__startswith=county.path, kind=UnitKind.VILLAGE).values_list(
            "pk", flat=True
        )
    )
    now = clock.now()
    standards = {
        area: Standard.objects.create(
            county=county,
            area_type=area,
            effective_from=dt.date(2021, 7, 1),
            dibao_standard=Decimal("650"),
            tekun_standard=Decimal("845"),
            minimum_wage=Decimal("1650"),
            employment_cost_percent=20,
            isolation_living_cost_percent=50,
        )
        for area in AreaType.values
    }
    households = []
    for index in range(count):
        kind = index % 10
        standing = (
            Standing.DIBAO
            if kind < 7
            else Standing.TEKUN_DISPERSED
            if kind < 9
            else Standing.EPIDEMIC_AFFECTED
        )
        households.append(
            Household(
                unit_id=villages[index % len(villages)],
                area_type=AreaType.URBAN if index % 3 else AreaType.RURAL,
                standing=standing,
                affected_reason="lost_work" if standing == Standing.EPIDEMIC_AFFECTED else "",
                registered_on=dt.date(2021, 12, 1),
            )
        )
    created = Household.objects.bulk_create(households, batch_size=BATCH)
    assessments = []
    grants = []
    tekun = []
    for household in created:
        if household.standing == Standing.DIBAO:
            amount = Decimal(100 + household.pk % 500)
            assessments.append(
                IncomeAssessment(
                    household=household,
                    month=dt.date(2021, 12, 1),
                    standard=standards[household.area_type],
                    dibao_standard=Decimal("650"),
                    minimum_wage=Decimal("1650"),
                    household_size=1,
                    total_income=Decimal("650") - amount,
                    total_deductions=Decimal("0"),
                    per_capita_income=Decimal("650") - amount,
                    dibao_amount=amount,
                    working=[],
                    assessed_at=now,
                )
            )
        elif household.standing == Standing.TEKUN_DISPERSED:
            tekun.append(household)
        else:
            grants.append(
                TemporaryAssistance(
                    household=household,
                    reason=AssistanceReason.LOST_WORK,
                    schedule=Schedule.MONTHLY,
                    amount=Decimal("500"),
                    starts_on=dt.date(2021, 12, 1),
                    expected_months=2,
                    granted_at=now,
                )
            )
    IncomeAssessment.objects.bulk_create(assessments, batch_size=BATCH)
    TemporaryAssistance.objects.bulk_create(grants, batch_size=BATCH)
    people = Person.objects.bulk_create(
        [Person(name=f"特困{index}", home_unit_id=h.unit_id) for index, h in enumerate(tekun)],
        batch_size=BATCH,
    )
    HouseholdMember.objects.bulk_create(
        [
            HouseholdMember(household=h, person=p, relation=Relation.HEAD, joined_on=dt.date(2021, 12, 1))
            for h, p in zip(tekun, people, strict=True)
        ],
        batch_size=BATCH,
    )
