import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.training.tests.factories import id_number, make_person, make_session


@pytest.fixture
def township_user(tree):
    return make_user("township_staff", tree.township_a)


@pytest.fixture
def session_a(tree):
    """The township's session on the policies for its villages' workers (G5)."""
    return make_session(tree.township_a)


@pytest.fixture
def worker(tree):
    return make_person(tree.village_a, "李网格", id_number=id_number(1))
