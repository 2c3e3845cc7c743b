import pytest

from shouhu.accounts.tests.factories import make_user


@pytest.fixture
def village_user(tree):
    return make_user("village_staff", tree.village_a)


@pytest.fixture
def township_user(tree):
    return make_user("township_staff", tree.township_a)
