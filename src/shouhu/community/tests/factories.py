from itertools import count

from shouhu.community import services
from shouhu.community.models import Duty, RosterMember, RosterRole
from shouhu.orgs.models import OrgUnit
from shouhu.people.idcard import check_digit

_serials = count(500)


def id_number(serial: int | None = None) -> str:
    """A well-formed resident ID (born 1975-03-01 in the region) for a test person."""
    first17 = f"23270119750301{(serial if serial is not None else next(_serials)):03d}"
    return first17 + check_digit(first17)


def make_member(
    village: OrgUnit,
    name: str = "张三",
    role: str = RosterRole.GRID_HEAD,
    *,
    responsible: bool = False,
    actor=None,
    number: str | None = None,
) -> RosterMember:
    return services.roster_add(
        actor=actor,
        village=village,
        data=services.RosterInput(
            role=role,
            phone="13800138000",
            name=name,
            id_number=number if number is not None else id_number(),
            is_responsible=responsible,
        ),
    )


def fill_roster(village: OrgUnit, marker: str = "") -> list[RosterMember]:
    """A roster holding every role the plan's policy requires, with a responsible."""
    return [
        make_member(village, f"{marker}书记", RosterRole.PARTY_ORG, responsible=True),
        make_member(village, f"{marker}主任", RosterRole.COMMITTEE),
        make_member(village, f"{marker}村医", RosterRole.CLINIC),
        make_member(village, f"{marker}网格长", RosterRole.GRID_HEAD),
        make_member(village, f"{marker}楼栋长", RosterRole.BUILDING_HEAD),
    ]


def make_plan(village: OrgUnit, members: list[RosterMember], marker: str = ""):
    services.plan_save(actor=None, village=village, organisation=f"{marker}指挥长：村党支部书记")
    return services.post_add(
        actor=None,
        village=village,
        duty=Duty.INFORMATION_CHECK,
        name=f"{marker}一号卡口信息核查岗",
        members=members,
    )
