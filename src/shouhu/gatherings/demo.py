"""Demo gatherings in 东山第一社区 (加格达奇区 东山街道, the demo accounts dongshan1 and dongshan): a
wedding banquet of 40 awaiting the township's approval, a few of whose guests still lack a valid
test, and a small birthday party recorded only. Everything goes through the services; run twice,
it adds nothing.
"""

import datetime as dt
import random

from shouhu.common import clock
from shouhu.gatherings import services
from shouhu.gatherings.models import Gathering, GatheringKind, TestResult
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.demo import GIVEN, SURNAMES, demo_id_number

SEED = 53
VILLAGE_CODE = "232718001001"  # 东山第一社区
BANQUET_GUESTS = 40
UNTESTED = 3  # guests who have not been tested yet
STALE = 2  # guests whose test was sampled before the window
PARTY_GUESTS = 8
SAMPLED_HOURS_AGO = 2  # the valid tests: sampled this morning
STALE_HOURS_AGO = 60  # outside the plan's 48 hours whatever the hour the demo is loaded
ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: the calendar's next day
BANQUET_FROM, BANQUET_TO = 11, 14  # tomorrow's hours of the banquet
PARTY_FROM, PARTY_TO = 17, 20  # tomorrow's hours of the party


def _village() -> OrgUnit | None:
    village = OrgUnit.objects.filter(code=VILLAGE_CODE, kind=UnitKind.VILLAGE).first()
    if village is None:
        village = OrgUnit.objects.filter(kind=UnitKind.VILLAGE).order_by("path").first()
    return village


def _guest(
    rng: random.Random, index: int, *, result: str, sampled_at: dt.datetime | None
) -> services.ParticipantInput:
    male = index % 2 == 0
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 40))
    return services.ParticipantInput(
        name=rng.choice(SURNAMES) + rng.choice(GIVEN),
        id_number=demo_id_number(rng, birth, male),
        phone=f"139{rng.randrange(10_000_000, 99_999_999)}",
        test_result=result,
        sampled_at=sampled_at,
    )


def create_gatherings() -> int:
    """The two demo gatherings; returns how many gatherings were added."""
    if Gathering.objects.filter(is_demo=True).exists():
        return 0
    village = _village()
    if village is None:
        return 0
    rng = random.Random(SEED)  # noqa: S311  demo data, not security
    now = clock.now()
    tomorrow = clock.start_of(clock.today() + ONE_DAY)
    valid = now - dt.timedelta(hours=SAMPLED_HOURS_AGO)
    banquet = services.gathering_register(
        actor=None,
        village=village,
        data=services.GatheringInput(
            kind=GatheringKind.WEDDING,
            title="李志强、王春梅婚宴",
            organiser_name="李长海",
            organiser_phone="13904571288",
            place=f"{village.name}文化活动室",
            starts_at=tomorrow + dt.timedelta(hours=BANQUET_FROM),
            ends_at=tomorrow + dt.timedelta(hours=BANQUET_TO),
            expected_headcount=BANQUET_GUESTS,
            note="演示数据",
        ),
    ).gathering
    for index in range(BANQUET_GUESTS):
        if index < UNTESTED:
            guest = _guest(rng, index, result=TestResult.NONE, sampled_at=None)
        elif index < UNTESTED + STALE:
            guest = _guest(
                rng, index, result=TestResult.NEGATIVE, sampled_at=now - dt.timedelta(hours=STALE_HOURS_AGO)
            )
        else:
            guest = _guest(rng, index, result=TestResult.NEGATIVE, sampled_at=valid)
        services.participant_add(actor=None, gathering=banquet, data=guest)
    party = services.gathering_register(
        actor=None,
        village=village,
        data=services.GatheringInput(
            kind=GatheringKind.BANQUET,
            title="张桂英七十寿辰家宴",
            organiser_name="张国庆",
            organiser_phone="13904571377",
            place="张家（东山第一社区 3 号楼）",
            starts_at=tomorrow + dt.timedelta(hours=PARTY_FROM),
            ends_at=tomorrow + dt.timedelta(hours=PARTY_TO),
            expected_headcount=12,
            note="演示数据",
        ),
    ).gathering
    for index in range(PARTY_GUESTS):
        services.participant_add(
            actor=None,
            gathering=party,
            data=_guest(rng, 100 + index, result=TestResult.NEGATIVE, sampled_at=valid),
        )
    Gathering.objects.filter(pk__in=[banquet.pk, party.pk]).update(is_demo=True)
    return 2
