"""The demo's community data goes through the services and is made once."""

from shouhu.community import selectors
from shouhu.community.demo import create_community
from shouhu.community.models import Checkpoint, ClosurePlan, PlanPost, RosterMember, SupplyStock
from shouhu.orgs.tests.factories import make_unit


def test_g2_the_demo_fills_rosters_a_checkpoint_and_a_plan_once(tree, plan_campaign, county_user):
    second = make_unit(tree.township_a, "village", "东山第二社区")
    made = create_community()
    assert made == RosterMember.objects.count() > 0
    assert Checkpoint.objects.count() == 1
    assert ClosurePlan.objects.count() == 1
    assert PlanPost.objects.count() == 4
    assert SupplyStock.objects.count() == 3
    # The last demo village is left with gaps for the county's overview.
    gaps = selectors.village_list(viewer=county_user, filters=selectors.VillageFilters(gaps_only=True))
    assert list(gaps) == [second]
    assert create_community() == 0
