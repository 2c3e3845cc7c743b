"""Demo training (G5, R5) in the real region: 东山街道 trains its communities' grid heads, building
heads, workers and volunteers on the policies; 加格达奇区救助管理站 educates its staff on prevention.

The attendees are demo people of those units (registered here, marked demo, with made-up but
well-formed numbers). Everything goes through the services; run twice, it adds nothing.
"""

import datetime as dt
import random
from decimal import Decimal

from shouhu.accounts.scope import subtree
from shouhu.common import clock
from shouhu.common.modules import Module
from shouhu.orgs.models import OrgUnit
from shouhu.people.demo import GIVEN, SURNAMES, demo_id_number
from shouhu.people.models import Category, Person
from shouhu.people.services import PersonInput, person_register
from shouhu.training import services
from shouhu.training.models import Audience, TrainingSession

TOWNSHIP_CODE = "232718001"  # 加格达奇区东山街道
STATION_CODE = "232718R"  # 加格达奇区救助管理站
COMMUNITY_TOPIC = "疫情防控政策和“两节”期间返乡人员排查工作要求"
RESCUE_TOPIC = "救助管理机构疫情防控知识和个人防护教育"
DAYS_AGO = 3  # not a policy threshold: when the demo sessions were held
# The community roles, in turn, of the demo attendees of each village.
VILLAGE_ROLES = [Audience.GRID_HEAD, Audience.BUILDING_HEAD, Audience.COMMUNITY_WORKER, Audience.VOLUNTEER]
STATION_STAFF = 3  # not a policy threshold: demo attendees at the station


def _demo_person(unit: OrgUnit, rng: random.Random, *, staff: bool = False) -> Person:
    birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 30))
    registration = person_register(
        actor=None,
        data=PersonInput(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            home_unit=unit,
            id_number=demo_id_number(rng, birth, rng.random() < 0.5),
            categories=[Category.STAFF] if staff else [],
        ),
    )
    Person.objects.filter(pk=registration.person.pk).update(is_demo=True)
    return registration.person


def create_training(seed: int = 20220102) -> int:
    """The demo sessions with their attendance; the number of sessions made (0 when present or
    when the demo tree lacks the units)."""
    if TrainingSession.objects.filter(topic__in=[COMMUNITY_TOPIC, RESCUE_TOPIC]).exists():
        return 0
    township = OrgUnit.objects.filter(code=TOWNSHIP_CODE).first()
    station = OrgUnit.objects.filter(code=STATION_CODE).first()
    if township is None or station is None:
        return 0
    rng = random.Random(seed)  # noqa: S311  demo data, not security
    held_on = clock.today() - dt.timedelta(days=DAYS_AGO)
    community = services.session_record(
        actor=None,
        module=Module.COMMUNITY,
        unit=township,
        held_on=held_on,
        topic=COMMUNITY_TOPIC,
        audience=VILLAGE_ROLES,
        trainer="东山街道疫情防控指挥部 刘主任",
        place="东山街道办事处三楼会议室",
        hours=Decimal("2"),
    )
    villages = OrgUnit.objects.filter(subtree(township.path), depth=township.depth + 1).order_by("path")
    for village in villages:
        for role in VILLAGE_ROLES:
            services.attendance_add(
                actor=None, session=community, person=_demo_person(village, rng), role=role
            )
    rescue = services.session_record(
        actor=None,
        module=Module.RESCUE,
        unit=station,
        held_on=held_on,
        topic=RESCUE_TOPIC,
        audience=[Audience.STAFF],
        trainer="加格达奇区疾控中心 王医生",
        place="救助管理站会议室",
        hours=Decimal("1.5"),
    )
    for _ in range(STATION_STAFF):
        services.attendance_add(
            actor=None, session=rescue, person=_demo_person(station, rng, staff=True), role=Audience.STAFF
        )
    return 2
