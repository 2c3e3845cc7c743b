"""Demo people with made-up but well-formed ID and phone numbers, marked demo."""

import datetime as dt
import random

from shouhu.orgs.models import OrgUnit
from shouhu.people.idcard import check_digit
from shouhu.people.models import Category, Person
from shouhu.people.services import PersonInput, person_register

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗"
GIVEN = ["秀兰", "桂英", "建国", "玉珍", "志强", "淑华", "国庆", "凤芝", "长海", "丽娟", "德胜", "春梅"]
PEOPLE_PER_UNIT = 6


def demo_id_number(rng: random.Random, birth: dt.date, male: bool) -> str:
    sequence = rng.randrange(0, 50) * 2 + (1 if male else 0)
    first17 = f"232700{birth:%Y%m%d}{rng.randrange(0, 10)}{sequence:02d}"
    return first17 + check_digit(first17)


def create_people(seed: int = 20211213) -> int:
    if Person.objects.filter(is_demo=True).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311  demo data, not security
    created = 0
    homes = OrgUnit.objects.filter(institution_type__in=["nursing_home", "bureau_office"]).order_by("path")
    for unit in homes:
        for number in range(PEOPLE_PER_UNIT):
            male = rng.random() < 0.5
            resident = unit.institution_type == "nursing_home" and number > 1
            age_years = rng.randrange(62, 95) if resident else rng.randrange(24, 58)
            birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 60))
            birth = birth.replace(year=max(1930, 2021 - age_years))
            registration = person_register(
                actor=None,
                data=PersonInput(
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    home_unit=unit,
                    id_number=demo_id_number(rng, birth, male),
                    phone=f"13{rng.randrange(0, 10)}{rng.randrange(10_000_000, 99_999_999)}",
                    address=unit.address,
                    categories=[Category.NURSING_HOME_RESIDENT if resident else Category.STAFF],
                ),
            )
            if registration.created:
                Person.objects.filter(pk=registration.person.pk).update(is_demo=True)
                created += 1
    return created
