import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.rescue.tests.factories import make_station


@pytest.fixture
def station_a(tree):
    return make_station(tree.county_a, "加格达奇区救助管理站")


@pytest.fixture
def station_b(tree):
    return make_station(tree.county_b, "漠河市救助管理站")


@pytest.fixture
def station_staff(station_a):
    return make_user("institution_staff", station_a)


@pytest.fixture
def general_station(tree):
    """The region's 救助管理总站, which coordinates the task."""
    return make_unit(tree.region, UnitKind.AFFILIATED, "地区救助管理总站", coordinated_modules=["rescue"])


@pytest.fixture
def general_station_user(general_station):
    return make_user("department_coordinator", general_station)
