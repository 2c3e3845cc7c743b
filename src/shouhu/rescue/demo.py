"""Demo vagrant and beggar rescue at the region's real rescue stations (the demo tree's
`<county>救助管理站`): staff in the register (two fully vaccinated, one not), today's street
patrol with the people met, people in the station with their provisions, returns home under way
(one overdue at the second station), and incidents (one closed, one open). Everything goes
through the services; run twice, it adds nothing.

Two demo logins are added for the module: `jiuzhuzhan` (加格达奇区救助管理站) and
`jiuzhuzongzhan` (地区救助管理总站, which coordinates the task and reads every county).
"""

import datetime as dt

from shouhu.accounts.demo import DEMO_PASSWORD
from shouhu.accounts.models import User
from shouhu.accounts.roles import Role
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.orgs.models import InstitutionType, OrgUnit
from shouhu.people.models import Category, Person
from shouhu.people.services import PersonInput, person_register
from shouhu.rescue import services
from shouhu.rescue.models import (
    AssignmentKind,
    EncounterAction,
    GuidanceKind,
    IncidentKind,
    ProvisionKind,
    RescuedPerson,
    Transport,
)
from shouhu.vaccination import services as vaccination_services
from shouhu.vaccination.models import VaccineProduct

STATION_LOGIN = ("jiuzhuzhan", "加格达奇区救助管理站", "232718R")
GENERAL_LOGIN = ("jiuzhuzongzhan", "地区救助管理总站", "232700A01")
STAFF = [("张建国", True), ("李卫东", True), ("刘新民", False)]  # (name, fully vaccinated)
PRODUCT = "国药北京生物"
DOSE_DAYS_AGO = (200, 170)  # two doses four weeks apart, months ago
FULL_STATIONS = 2  # the first stations get people, returns and incidents; the rest a patrol
HOUR = dt.timedelta(hours=1)  # not a policy threshold: demo times are counted in hours and days
DAY = dt.timedelta(days=1)  # not a policy threshold: one calendar day


def _logins() -> None:
    for username, name, code in (STATION_LOGIN, GENERAL_LOGIN):
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            continue
        role = Role.INSTITUTION_STAFF if unit.institution_type else Role.DEPARTMENT_COORDINATOR
        user, created = User.objects.get_or_create(
            username=username, defaults={"display_name": name, "role": role, "unit": unit}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])


def _staff(station: OrgUnit, today: dt.date) -> tuple[list[Person], bool]:
    """The station's staff in the register, and whether their doses could be recorded (the
    vaccine products are seeded by a migration; a flushed test database has none)."""
    try:
        product: VaccineProduct | None = vaccination_services.product_find(label=PRODUCT)
    except DomainError:
        product = None
    people = []
    for name, vaccinated in STAFF:
        person = person_register(
            actor=None, data=PersonInput(name=name, home_unit=station, categories=[Category.STAFF])
        ).person
        Person.objects.filter(pk=person.pk).update(is_demo=True)
        if vaccinated and product is not None:
            for number, days_ago in enumerate(DOSE_DAYS_AGO, start=1):
                vaccination_services.dose_record(
                    actor=None,
                    person=person,
                    product=product,
                    dose_number=number,
                    vaccinated_on=today - days_ago * DAY,
                    place=f"{station.name}所在地预防接种门诊",
                )
        people.append(person)
    return people, product is not None


def _patrol(station: OrgUnit, now: dt.datetime, *, persuade: bool) -> RescuedPerson | None:
    patrol = services.patrol_log(
        actor=None,
        station=station,
        data=services.PatrolInput(
            area="火车站广场、站前商业街、人民路地下通道",
            started_at=now - 3 * HOUR,
            ended_at=now - 2 * HOUR,
            staff="张建国、李卫东",
        ),
    )
    services.encounter_record(
        actor=None,
        patrol=patrol,
        data=services.EncounterInput(
            place="站前商业街",
            description="男，约40岁，外地口音，称在此打工未结到工钱",
            action=EncounterAction.RELIEF_ON_SITE,
            note="发放棉衣一件、面包两个，告知救助站地址",
        ),
    )
    if not persuade:
        return None
    encounter = services.encounter_record(
        actor=None,
        patrol=patrol,
        data=services.EncounterInput(
            place="人民路地下通道",
            description="男，约60岁，灰色棉袄，腿脚不便",
            action=EncounterAction.PERSUADED_IN,
            open_record=True,
            gender="male",
            approx_age=60,
        ),
    )
    return encounter.rescued


def _in_station(station: OrgUnit, rescued: RescuedPerson, today: dt.date) -> None:
    for kind in (ProvisionKind.FOOD, ProvisionKind.SHELTER, ProvisionKind.WARMTH):
        services.provision_record(actor=None, rescued=rescued, kind=kind, provided_on=today)
    services.guidance_record(
        actor=None,
        rescued=rescued,
        kind=GuidanceKind.POLICY_BRIEFING,
        done_on=today,
        note="讲解返乡救助政策，本人愿意春节前返乡",
    )


def _returning(
    station: OrgUnit, staff: list[Person], now: dt.datetime, *, days_ago: int, escorted: bool
) -> None:
    rescued = services.rescued_admit(
        actor=None,
        station=station,
        data=services.RescuedInput(
            name="王德发",
            gender="male",
            approx_age=52,
            description="男，约50岁，自述黑龙江绥化人，务工无钱返乡",
            found_place="火车站候车室",
            admitted_at=now - (days_ago + 2) * DAY,
        ),
    )
    services.provision_record(
        actor=None,
        rescued=rescued,
        kind=ProvisionKind.FOOD,
        provided_on=(now - (days_ago + 1) * DAY).date(),
    )
    trip = services.return_arrange(
        actor=None,
        rescued=rescued,
        data=services.ReturnInput(
            destination="黑龙江省绥化市北林区",
            transport=Transport.TRAIN,
            receiver="其兄王德才",
            planned_on=(now - days_ago * DAY).date(),
            escorted=escorted,
        ),
    )
    if escorted:
        services.assignment_make(
            actor=None,
            rescued=rescued,
            kind=AssignmentKind.ESCORT,
            staff=staff[0],
            task_on=trip.planned_on,
            note="乘K7037次列车护送",
        )
    services.return_depart(actor=None, trip=trip, departed_at=now - days_ago * DAY - HOUR)


def _incidents(station: OrgUnit, now: dt.datetime, *, closed: bool) -> None:
    incident = services.incident_report(
        actor=None,
        station=station,
        data=services.IncidentInput(
            kind=IncidentKind.ILLNESS if closed else IncidentKind.ACCIDENT,
            occurred_at=now - (3 if closed else 0) * DAY - 2 * HOUR,
            description="受助人员夜间突发高烧，值班人员立即送医"
            if closed
            else "受助人员在浴室滑倒，擦伤手臂",
        ),
    )
    if closed:
        services.incident_follow_up(actor=None, incident=incident, text="已在医院留观，体温回落")
        services.incident_close(
            actor=None, incident=incident, liability=False, note="突发疾病，值班人员处置及时，非责任事故"
        )


def create_rescue() -> int:
    """Demo rescue data at every demo rescue station; the number of stations filled."""
    _logins()
    stations = list(
        OrgUnit.objects.filter(institution_type=InstitutionType.RESCUE_STATION, is_demo=True).order_by("path")
    )
    if not stations or RescuedPerson.objects.filter(station__in=stations).exists():
        return 0
    now = clock.now()
    today = clock.today()
    for index, station in enumerate(stations):
        staff, vaccinated = _staff(station, today)
        if index >= FULL_STATIONS:
            _patrol(station, now, persuade=False)
            continue
        rescued = _patrol(station, now, persuade=True)
        if rescued is not None:
            _in_station(station, rescued, today)
        # The first station's return left yesterday; the second's four days ago (overdue).
        _returning(station, staff, now, days_ago=1 if index == 0 else 4, escorted=vaccinated)
        _incidents(station, now, closed=index == 0)
    return len(stations)
