import datetime as dt

from shouhu.eldercare import services
from shouhu.eldercare.models import RoundScope
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.people.models import Category, Person
from shouhu.people.services import PersonInput, person_register


def make_home(county: OrgUnit, name: str = "") -> OrgUnit:
    return make_unit(county, UnitKind.INSTITUTION, name or None, institution_type="nursing_home")


def make_member(home: OrgUnit, name: str = "王奶奶", *, staff: bool = False) -> Person:
    """A resident (or staff member) of `home`, through the register's service."""
    category = Category.STAFF if staff else Category.NURSING_HOME_RESIDENT
    data = PersonInput(name=name, home_unit=home, categories=[category])
    return person_register(actor=None, data=data).person


def make_closure(home: OrgUnit, starts_on: dt.date = dt.date(2022, 1, 1), **kwargs):
    return services.closure_start(
        actor=None, home=home, starts_on=starts_on, directive="地区指挥部通知", **kwargs
    )


def make_round(home: OrgUnit, tested_on: dt.date = dt.date(2022, 1, 5), people=()):
    scope = RoundScope.LISTED if people else RoundScope.EVERYONE
    return services.round_create(actor=None, home=home, tested_on=tested_on, scope=scope, people=list(people))
