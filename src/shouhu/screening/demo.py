"""Demo entry screenings: the last few days at the region's first institutions, so the daily
figures, the 漏管 (unscreened-day) flags and the dashboard chart show real rows.

Each screening goes through `services.screening_record` (the rule book decides, closures
included) at a time of its day; one institution skips one finished day, which the figures page
then flags. Run twice, it adds nothing: it stops when the span already has screenings.
"""

import datetime as dt
import random
from dataclasses import replace
from decimal import Decimal

from shouhu.accounts.models import User
from shouhu.common import clock
from shouhu.orgs.models import OrgUnit, UnitKind, UnitStatus
from shouhu.people.demo import GIVEN, SURNAMES
from shouhu.screening import services
from shouhu.screening.models import Screening
from shouhu.screening.rules import Facts

DEMO_DAYS = 5
DEMO_INSTITUTIONS = 12
VISITORS_PER_DAY = (2, 7)
OPENING_HOUR, CLOSING_HOUR = 8, 17
GREEN = Facts(temperature=Decimal("36.5"))
# Now and then a visitor is turned away: what the plan's rules refuse most often.
REFUSALS = [
    replace(GREEN, health_code="yellow"),
    replace(GREEN, temperature=Decimal("37.8")),
    replace(GREEN, itinerary_star=True),
    replace(GREEN, refused_checks=True, temperature=None),
]
REFUSE_EVERY = 6


def record_demo_screenings(*, seed: int = 5) -> int:
    rng = random.Random(seed)  # noqa: S311  demo data, not secrets
    today = clock.today()
    first = today - dt.timedelta(days=DEMO_DAYS - 1)
    yesterday = today - dt.timedelta(1)  # not a policy threshold: the day before
    institutions = list(
        OrgUnit.objects.filter(kind=UnitKind.INSTITUTION, status=UnitStatus.ACTIVE).order_by("path")[
            :DEMO_INSTITUTIONS
        ]
    )
    start = clock.start_of(first)
    if not institutions or Screening.objects.filter(unit__in=institutions, screened_at__gte=start).exists():
        return 0
    created = 0
    for offset in range(DEMO_DAYS):
        day = first + dt.timedelta(offset)
        for number, unit in enumerate(institutions):
            if number == len(institutions) - 1 and day == yesterday:
                continue  # one gap (漏管) for the flag and its reminder
            staff = User.objects.filter(unit=unit).order_by("pk").first()
            last_hour = clock.now().hour if day == today else CLOSING_HOUR
            if last_hour <= OPENING_HOUR:
                continue
            for visit in range(rng.randint(*VISITORS_PER_DAY)):
                moment = dt.datetime.combine(
                    day,
                    dt.time(rng.randrange(OPENING_HOUR, last_hour), rng.randrange(60)),
                    tzinfo=clock.local_zone(),
                )
                facts = REFUSALS[visit % len(REFUSALS)] if rng.randrange(REFUSE_EVERY) == 0 else GREEN
                with clock.frozen(moment):
                    services.screening_record(
                        actor=staff,
                        unit=unit,
                        facts=facts,
                        visitor_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    )
                created += 1
    return created


# One adult of the demo register in centralised isolation, so that the marriage booking's
# refusal of a party in isolation (M3) can be tried at once; docs/marriage.md names him. The
# number is the demo register's (fictitious, like every demo number).
DEMO_ISOLATED_ID_NUMBER = "232700198412071171"
DEMO_ISOLATION_STARTED = dt.timedelta(2)  # not a policy threshold: began two days before the demo


def record_demo_isolation() -> int:
    """Put the demo register's person with `DEMO_ISOLATED_ID_NUMBER` into isolation once; the
    service computes the planned end from the policy."""
    from shouhu.people.models import IdType
    from shouhu.people.services import person_find_by_document
    from shouhu.screening.models import IsolationKind, IsolationRecord

    person = person_find_by_document(id_type=IdType.RESIDENT_ID, id_number=DEMO_ISOLATED_ID_NUMBER)
    if person is None or IsolationRecord.objects.filter(person=person).exists():
        return 0
    services.isolation_record(
        actor=None,
        person=person,
        kind=IsolationKind.CENTRALISED,
        starts_on=clock.today() - DEMO_ISOLATION_STARTED,
        source="卫健部门推送（演示）",
    )
    return 1
