"""How the scope-leak test makes screening objects inside a given county."""

import datetime as dt

from shouhu.people.models import Person
from shouhu.screening import services
from shouhu.screening.models import IsolationKind
from shouhu.screening.rules import Facts
from shouhu.screening.tests.factories import make_institution


def make_institution_in(county, marker):
    return make_institution(county, f"{marker}养老院")


def make_declaration_in(county, marker):
    """A pending self-declaration: its confirm page and endpoint answer for the own county."""
    venue = services.venue_code_issue(actor=None, unit=make_institution(county, f"{marker}福利院"))
    return services.declaration_submit(
        venue=venue,
        visitor_name=f"{marker}访客",
        visitor_phone="13800138000",
        facts=Facts(),
        client_address=f"scope-{county.pk}",
    )


def make_isolation_in(county, marker):
    person = Person.objects.create(name=f"{marker}隔离人员", home_unit=county)
    return services.isolation_record(
        actor=None,
        person=person,
        kind=IsolationKind.HOME,
        starts_on=dt.date(2022, 1, 1),
        source=f"{marker}来源",
    ).record


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL.
# (person_id is made by the people app.)
SCOPED_OBJECTS = {
    "institution_id": make_institution_in,
    "screening_id": make_declaration_in,
    "isolation_id": make_isolation_in,
}

REGION_WIDE = {
    "risk_area_id": "中高风险地区名单全国统一，所有用户可查看",
    "token": "场所码令牌是公开页面的随机令牌，不是数据对象的编号",
    "receipt": "申报回执是公开页面的随机令牌，只对应当天的一次申报",
}
