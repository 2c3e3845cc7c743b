"""Demo village prevention: the roster of a few villages of the first county (one left with a
gap, so the county's overview has something to show), a checkpoint and a closure plan with its
posts in the first village, and emergency supplies. No emergency state is switched on (that
would suspend visits): the demo user switches it on the village's page. Everything goes
through the services; run twice, it adds nothing.
"""

import datetime as dt
import random

from shouhu.community import services
from shouhu.community.models import Duty, RosterMember, RosterRole, SupplyItem
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.demo import GIVEN, SURNAMES, demo_id_number
from shouhu.people.models import Person

DEMO_VILLAGES = 3
DEMO_COUNTY_CODE = "232718"
SEED = 52  # not a policy threshold: the demo's random seed (the plan order of the module)

# (role, title, responsible) of a filled roster; the last village lacks the clinic and grid heads.
FULL_ROSTER: list[tuple[str, str, bool]] = [
    (RosterRole.PARTY_ORG, "党支部书记", True),
    (RosterRole.COMMITTEE, "村（居）委会主任", False),
    (RosterRole.CLINIC, "卫生室医生", False),
    (RosterRole.GRID_HEAD, "第一网格网格长", False),
    (RosterRole.GRID_HEAD, "第二网格网格长", False),
    (RosterRole.BUILDING_HEAD, "1号楼楼栋长", False),
    (RosterRole.VOLUNTEER, "志愿者", False),
    (RosterRole.VOLUNTEER, "志愿者", False),
]
PARTIAL_ROSTER = FULL_ROSTER[:2]
STOCK = [(SupplyItem.SURGICAL_MASK, 2000), (SupplyItem.PROTECTIVE_SUIT, 40), (SupplyItem.DISINFECTANT, 15)]


def _villages() -> list[OrgUnit]:
    # 加格达奇区, where the demo's township and village logins (dongshan, dongshan1) work.
    county = OrgUnit.objects.filter(kind=UnitKind.COUNTY, code=DEMO_COUNTY_CODE).first()
    if county is None:
        county = OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("path").first()
    if county is None:
        return []
    return list(
        OrgUnit.objects.filter(path__startswith=county.path, kind=UnitKind.VILLAGE).order_by("path")[
            :DEMO_VILLAGES
        ]
    )


def _roster(village: OrgUnit, rows: list[tuple[str, str, bool]], rng: random.Random) -> list[RosterMember]:
    members = []
    for role, title, responsible in rows:
        birth = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 30))
        member = services.roster_add(
            actor=None,
            village=village,
            data=services.RosterInput(
                role=role,
                phone=f"13{rng.randrange(0, 10)}{rng.randrange(10_000_000, 99_999_999)}",
                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                id_number=demo_id_number(rng, birth, rng.random() < 0.5),
                title=title,
                is_responsible=responsible,
            ),
        )
        Person.objects.filter(pk=member.person_id).update(is_demo=True)
        members.append(member)
    return members


def create_community() -> int:
    """Rosters for the first villages; returns how many roster rows were added."""
    if RosterMember.objects.exists():
        return 0
    villages = _villages()
    if not villages:
        return 0
    rng = random.Random(SEED)  # noqa: S311  demo data, not security
    added = 0
    for index, village in enumerate(villages):
        rows = PARTIAL_ROSTER if index == len(villages) - 1 and len(villages) > 1 else FULL_ROSTER
        members = _roster(village, rows, rng)
        added += len(members)
        if index:
            continue
        by_role: dict[str, list[RosterMember]] = {}
        for member in members:
            by_role.setdefault(member.role, []).append(member)
        services.checkpoint_add(
            actor=None,
            village=village,
            name="主出入口卡口",
            estate="幸福家园小区",
            location="小区南门",
            hours="24 小时",
            staff=by_role[RosterRole.GRID_HEAD] + by_role[RosterRole.VOLUNTEER][:1],
        )
        services.plan_save(
            actor=None,
            village=village,
            organisation="指挥长：党支部书记；副指挥长：村（居）委会主任、卫生室医生；下设信息核查、宣传引导、协助管控、服务群众四个组。",
        )
        posts = [
            (Duty.INFORMATION_CHECK, "主出入口信息核查岗", by_role[RosterRole.GRID_HEAD]),
            (Duty.PUBLICITY, "宣传引导岗", by_role[RosterRole.COMMITTEE]),
            (Duty.ASSIST_CONTROL, "协助管控岗", by_role[RosterRole.BUILDING_HEAD]),
            (Duty.SERVE_RESIDENTS, "代购代办服务岗", by_role[RosterRole.VOLUNTEER]),
        ]
        for duty, name, people in posts:
            services.post_add(actor=None, village=village, duty=duty, name=name, members=people)
        for item, quantity in STOCK:
            services.supply_receive(
                actor=None, village=village, item=item, quantity=quantity, supplier="区民政局调拨"
            )
    return added
