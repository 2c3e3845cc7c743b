import pytest

from shouhu.accounts.tests.factories import make_user


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Evidence files of a test go to its own folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def finder(tree):
    """The county bureau's clerk who visits the township (G1)."""
    return make_user("county_staff", tree.county_a)


@pytest.fixture
def township_clerk(tree):
    return make_user("township_staff", tree.township_a)


@pytest.fixture
def other_township_clerk(tree):
    return make_user("township_staff", tree.township_b)
