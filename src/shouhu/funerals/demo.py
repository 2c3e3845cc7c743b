"""Demo funeral services: a few simplified funerals at every demo funeral home, one COVID-19
patient's remains midway through the workflow, and protective-equipment stock (one item low).
Everything goes through the services; run twice, it adds nothing.
"""

import datetime as dt
import random

from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.funerals import services
from shouhu.funerals.models import CeremonyType, FuneralCase, FuneralPolicy, PPEItem, RemainsStep
from shouhu.orgs.models import InstitutionType, OrgUnit
from shouhu.people.demo import GIVEN, SURNAMES, demo_id_number
from shouhu.people.models import Person

ONE_DAY = dt.timedelta(1)  # not a policy threshold: the calendar's next or previous day
CASES_PER_HOME = 2
STOCK_MULTIPLE = 6  # each item stocked at several times the low-stock threshold
FAMILY_GIVEN = ["立新", "海燕", "振华", "秀云"]
STEP_MINUTES_AGO = 90


def _register(home: OrgUnit, rng: random.Random, *, ceremony: str, covid: bool = False) -> FuneralCase:
    today = clock.today()
    birth = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 30))
    surname = rng.choice(SURNAMES)
    data = services.CaseInput(
        deceased_name=surname + rng.choice(GIVEN),
        deceased_id_number=demo_id_number(rng, birth, rng.random() < 0.5),
        died_on=today - ONE_DAY,
        contact_name=surname + rng.choice(FAMILY_GIVEN),
        contact_phone=f"13{rng.randrange(0, 10)}{rng.randrange(10_000_000, 99_999_999)}",
        service_date=today if covid else today + ONE_DAY,
        ceremony_type=ceremony,
        attendance=0
        if ceremony == CeremonyType.NONE
        else min(8, current_policy(FuneralPolicy).attendance_limit),
        covid_remains=covid,
    )
    try:
        case = services.case_register(actor=None, home=home, data=data)
    except DomainError:
        # The ceremony is suspended at this home on that day (C4): the family opts for a direct cremation.
        data.ceremony_type, data.attendance = CeremonyType.NONE, 0
        case = services.case_register(actor=None, home=home, data=data)
    Person.objects.filter(pk=case.deceased_id).update(is_demo=True)
    return case


def _midway(case: FuneralCase) -> None:
    """Sanitary disposal and transport done within the last hours; cremation is next."""
    now = clock.now()
    for index, step in enumerate([RemainsStep.SANITARY_DISPOSAL, RemainsStep.TRANSPORT]):
        services.remains_step_record(
            actor=None,
            case=case,
            data=services.StepInput(
                step=step,
                done_at=now - dt.timedelta(minutes=STEP_MINUTES_AGO * (2 - index)),
                staff="赵立新、孙宏伟",
                vehicle="黑P·D0101" if step == RemainsStep.TRANSPORT else "",
                protective_equipment="N95 口罩、医用防护服、护目镜、双层手套",
                issues=[services.PPEUse(item=PPEItem.PROTECTIVE_SUIT, quantity=2)],
            ),
        )


def create_funerals(seed: int = 20220105) -> int:
    """Demo cases and stock at every demo funeral home; the number of cases made."""
    if FuneralCase.objects.filter(deceased__is_demo=True).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311  demo data, not security
    threshold = current_policy(FuneralPolicy).ppe_low_stock_threshold
    homes = OrgUnit.objects.filter(institution_type=InstitutionType.FUNERAL_HOME, is_demo=True).order_by(
        "path"
    )
    created = 0
    for index, home in enumerate(homes):
        for item in PPEItem:
            quantity = max(threshold, 1) * STOCK_MULTIPLE
            services.ppe_receive(
                actor=None, home=home, item=item, quantity=quantity, supplier="地区民政局调拨"
            )
        if index == 1:
            # One home has issued most of its goggles: the low-stock warning shows.
            on_hand = max(threshold, 1) * STOCK_MULTIPLE
            services.ppe_issue(
                actor=None,
                home=home,
                item=PPEItem.GOGGLES,
                quantity=on_hand - threshold // 2,
                issued_to="李振华",
            )
        for number in range(CASES_PER_HOME):
            _register(home, rng, ceremony=CeremonyType.SIMPLE if number == 0 else CeremonyType.NONE)
            created += 1
        if index == 0:
            _midway(_register(home, rng, ceremony=CeremonyType.NONE, covid=True))
            created += 1
    return created
