import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.funerals.tests.factories import make_home


@pytest.fixture
def home_a(tree):
    return make_home(tree.county_a, "加格达奇区殡仪馆")


@pytest.fixture
def home_b(tree):
    return make_home(tree.county_b, "漠河市殡仪馆")


@pytest.fixture
def home_staff(home_a):
    return make_user("institution_staff", home_a)
