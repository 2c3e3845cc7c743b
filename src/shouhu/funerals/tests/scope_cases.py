"""How the scope-leak test makes funerals objects inside a given county."""

from shouhu.funerals import services
from shouhu.funerals.models import PPEItem
from shouhu.funerals.tests.factories import make_covid_case, make_home


def make_home_in(county, marker):
    home = make_home(county, f"{marker}殡仪馆")
    services.ppe_receive(actor=None, home=home, item=PPEItem.N95_MASK, quantity=100, supplier=f"{marker}调拨")
    return home


def make_case_in(county, marker):
    """A COVID-19 case: its step form and endpoint answer for the own county."""
    return make_covid_case(make_home(county, f"{marker}殡葬服务站"), f"{marker}逝者")


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL.
SCOPED_OBJECTS = {
    "funeral_home_id": make_home_in,
    "funeral_case_id": make_case_in,
}
