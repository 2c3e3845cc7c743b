import datetime as dt
from decimal import Decimal

from shouhu.assistance import services
from shouhu.assistance.models import Application, AreaType, Household, Standing
from shouhu.orgs.models import OrgUnit

DAY = dt.date(2022, 1, 5)  # the fixed clock's day


def make_household(
    village: OrgUnit,
    head_name: str = "王桂芝",
    *,
    standing: str = Standing.DIBAO,
    area_type: str = AreaType.URBAN,
    registered_on: dt.date = dt.date(2021, 12, 1),
    actor=None,
    **extra,
) -> Household:
    """A household with a head registered (without an ID number) in `village`."""
    return services.household_open(
        actor=actor,
        data=services.HouseholdInput(
            unit=village, area_type=area_type, standing=standing, registered_on=registered_on, **extra
        ),
        head_name=head_name,
    )


def make_standard(county: OrgUnit, *, area_type: str = AreaType.URBAN, **overrides) -> object:
    values = {
        "county": county,
        "area_type": area_type,
        "effective_from": dt.date(2021, 7, 1),
        "dibao_standard": Decimal("650"),
        "tekun_standard": Decimal("845"),
        "minimum_wage": Decimal("1650"),
        "employment_cost_percent": 20,
        "isolation_living_cost_percent": 50,
        "document": "黑民规〔2021〕1号",
    }
    values.update(overrides)
    return services.standard_create(actor=None, data=services.StandardInput(**values))


def make_application(
    household: Household,
    *,
    standing: str = Standing.DIBAO,
    reason: str = "家庭成员患病，收入低于低保标准",
    applied_on: dt.date = DAY,
    actor=None,
    **extra,
) -> Application:
    """An application of `household`, as the village takes it (step 申请)."""
    return services.application_submit(
        actor=actor,
        household=household,
        data=services.ApplicationInput(standing=standing, reason=reason, applied_on=applied_on, **extra),
    )
