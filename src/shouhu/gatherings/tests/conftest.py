import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.gatherings.tests.factories import make_village
from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit


@pytest.fixture
def village_a(tree):
    return tree.village_a


@pytest.fixture
def village_worker(tree, plan_campaign):
    return make_user("village_staff", tree.village_a)


@pytest.fixture
def township_worker(tree, plan_campaign):
    return make_user("township_staff", tree.township_a)


@pytest.fixture
def other_township(tree):
    """A second township of the same county, with a village of its own."""
    township = make_unit(tree.county_a, UnitKind.TOWNSHIP, "北山街道")
    village = make_unit(township, UnitKind.VILLAGE, "北山第一社区")
    return township, village


@pytest.fixture
def other_village(tree):
    return make_village(tree.county_b, "漠河测试村")
