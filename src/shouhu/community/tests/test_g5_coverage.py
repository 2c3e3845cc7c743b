"""G5: training coverage per village — trained ÷ roster people in the trained roles, lowest first."""

import pytest
from django.urls import reverse

from shouhu.common.modules import Module
from shouhu.community import selectors
from shouhu.community.models import RosterRole
from shouhu.community.tests.factories import make_member
from shouhu.orgs.tests.factories import make_unit
from shouhu.training import services as training
from shouhu.training.models import Audience
from shouhu.training.tests.factories import make_session


@pytest.fixture
def second_village(tree):
    return make_unit(tree.township_a, "village", "东山第二社区")


def test_g5_coverage_counts_trained_people_in_the_trained_roles(
    tree, plan_campaign, county_user, second_village
):
    grid = make_member(tree.village_a, "网格长甲", RosterRole.GRID_HEAD)
    building = make_member(tree.village_a, "楼栋长乙", RosterRole.BUILDING_HEAD)
    make_member(tree.village_a, "志愿者丙", RosterRole.VOLUNTEER)
    make_member(tree.village_a, "书记丁", RosterRole.PARTY_ORG)  # not a trained role: not counted
    # The same person in two trained roles is one person.
    make_member(tree.village_a, "网格长甲", RosterRole.VOLUNTEER, number=grid.person.id_number)
    only = make_member(second_village, "网格长戊", RosterRole.GRID_HEAD)
    session = make_session(tree.township_a)
    training.attendance_add(actor=None, session=session, person=grid.person, role=Audience.GRID_HEAD)
    training.attendance_add(actor=None, session=session, person=building.person, role=Audience.BUILDING_HEAD)
    training.attendance_add(actor=None, session=session, person=only.person, role=Audience.GRID_HEAD)
    # A session of another module does not count.
    other = make_session(tree.township_a, module=Module.ELDERCARE)
    make_member(second_village, "志愿者己", RosterRole.VOLUNTEER)
    volunteer = selectors.roster_of(second_village).get(person__name="志愿者己")
    training.attendance_add(actor=None, session=other, person=volunteer.person, role=Audience.GRID_HEAD)

    rows = selectors.coverage_rows(selectors.coverage_list(viewer=county_user))
    figures = [(v.name, v.trained, v.roster_people, v.coverage) for v in rows]
    assert figures == [("东山第二社区", 1, 2, 50), ("东山第一社区", 2, 3, 67)]


def test_g5_coverage_page_lowest_first_with_link_to_sessions(
    client, tree, plan_campaign, county_user, second_village
):
    make_member(tree.village_a, "网格长甲", RosterRole.GRID_HEAD)
    trained = make_member(second_village, "网格长乙", RosterRole.GRID_HEAD)
    training.attendance_add(
        actor=None, session=make_session(tree.township_a), person=trained.person, role=Audience.GRID_HEAD
    )
    make_member(tree.village_b, "外县网格长", RosterRole.GRID_HEAD)
    client.force_login(county_user)
    page = client.get(reverse("community:coverage")).content.decode()
    assert page.index("东山第一社区") < page.index("东山第二社区")  # 0% before 100%
    assert "西林吉村" not in page
    assert "/training/?module=community" in page


def test_g5_coverage_in_fixed_queries(
    client, tree, plan_campaign, county_user, second_village, django_assert_max_num_queries
):
    for n in range(6):
        make_member(tree.village_a, f"志愿者{n}", RosterRole.VOLUNTEER)
        make_member(second_village, f"楼栋长{n}", RosterRole.BUILDING_HEAD)
    client.force_login(county_user)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("community:coverage")).status_code == 200
