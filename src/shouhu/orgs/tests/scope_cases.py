"""How the scope-leak test makes an org-tree object inside a given county."""

from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit


def make_unit_in(county, marker):
    return make_unit(county, UnitKind.TOWNSHIP, f"{marker}乡镇")


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL.
SCOPED_OBJECTS = {"unit_id": make_unit_in}
