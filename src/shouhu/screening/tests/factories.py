import datetime as dt
from decimal import Decimal

from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.people.models import Person
from shouhu.screening import services
from shouhu.screening.models import RiskLevel
from shouhu.screening.rules import Facts, TravelEntry

GREEN = Facts(temperature=Decimal("36.5"))


def make_institution(county, name: str = "", institution_type: str = "nursing_home"):
    return make_unit(county, UnitKind.INSTITUTION, name or None, institution_type=institution_type)


def make_person(unit, name: str = "张三", *, phone: str = "", id_number: str = "") -> Person:
    """Through the register's service, so numbers get their search keys."""
    from shouhu.people.services import PersonInput, person_register

    data = PersonInput(name=name, home_unit=unit, phone=phone, id_number=id_number)
    return person_register(actor=None, data=data).person


def risk_area(
    *,
    province: str = "北京市",
    county: str = "朝阳区",
    city: str = "",
    township: str = "",
    community: str = "",
    level: str = RiskLevel.MEDIUM,
    effective_from: dt.date = dt.date(2021, 12, 20),
    effective_to: dt.date | None = None,
    admin_code: str = "",
):
    return services.risk_area_create(
        actor=None,
        data=services.RiskAreaInput(
            level=level,
            province=province,
            city=city,
            county=county,
            township=township,
            community=community,
            admin_code=admin_code,
            effective_from=effective_from,
            effective_to=effective_to,
        ),
    ).area


def trip(place: str, arrived_on: dt.date, left_on: dt.date | None = None, province: str = "", code: str = ""):
    return TravelEntry(place=place, arrived_on=arrived_on, left_on=left_on, province=province, code=code)
