"""How the scope-leak test makes community objects inside a given county."""

import datetime as dt

from shouhu.community import services
from shouhu.community.tests.factories import make_member, make_plan
from shouhu.orgs.models import OrgUnit, UnitKind


def _village(county):
    return (
        OrgUnit.objects.filter(path__startswith=county.path, kind=UnitKind.VILLAGE).order_by("path").first()
    )


def make_village_in(county, marker):
    village = _village(county)
    make_member(village, f"{marker}网格长")
    return village


def make_roster_member_in(county, marker):
    return make_member(_village(county), f"{marker}志愿者", "volunteer")


def make_checkpoint_in(county, marker):
    village = _village(county)
    member = make_member(village, f"{marker}卡口值守")
    return services.checkpoint_add(
        actor=None, village=village, name=f"{marker}卡口", hours="24 小时", staff=[member]
    )


def make_post_in(county, marker):
    village = _village(county)
    return make_plan(village, [make_member(village, f"{marker}岗位人员")], marker)


def make_visit_in(county, marker):
    return services.visit_record(
        actor=None,
        data=services.VisitInput(
            place=_village(county),
            visited_on=dt.date(2022, 1, 4),
            staff=f"{marker}检查组",
            checked=f"{marker}卡口值守",
        ),
    )


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL.
SCOPED_OBJECTS = {
    "village_id": make_village_in,
    "roster_member_id": make_roster_member_in,
    "checkpoint_id": make_checkpoint_in,
    "plan_post_id": make_post_in,
    "field_visit_id": make_visit_in,
}
