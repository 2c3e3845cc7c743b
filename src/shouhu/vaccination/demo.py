"""Demo vaccination ledger: doses for most demo people, the rest on the to-do list with
mobilisers and contacts, a few contraindications and deferrals, staff of the bureau's departments
(条), and reports for the periods already due — some late, some missing — so the ranking and the
circular show real figures. Everything goes through the services; run twice, it adds nothing.
"""

import datetime as dt
import random

from shouhu.accounts.models import User
from shouhu.accounts.roles import Role
from shouhu.common import clock
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.demo import SURNAMES, demo_id_number
from shouhu.people.models import Category, Person
from shouhu.people.services import PersonInput, person_register
from shouhu.vaccination import selectors, services
from shouhu.vaccination.models import (
    ContactMethod,
    ContactOutcome,
    ContraindicationSource,
    DoseSource,
    VaccineDose,
    VaccineProduct,
)
from shouhu.vaccination.schedule import ONE_DAY, report_schedule

STAFF_PER_DEPARTMENT = 5
GIVEN = ["海燕", "立新", "淑芬", "振华", "秀云", "宏伟", "丽华", "永刚"]
# Share of people fully vaccinated, per county in tree order: some counties fall behind.
COUNTY_COMPLETION = [0.78, 0.93, 0.84, 0.96, 0.88, 0.94, 0.97]
DEPARTMENT_COMPLETION = 0.95
FIRST_DOSE_DAYS_AGO = (200, 330)
DOSE_GAP_EXTRA_DAYS = 20
CONTRAINDICATIONS = ["恶性肿瘤放化疗期间", "既往疫苗严重过敏史", "未控制的癫痫", "免疫功能严重受损"]
MISSING_EVERY = 5
LATE_EVERY = 4
DEFERRALS = ["急性发热，待痊愈后接种", "近期手术恢复期", "慢性病急性发作期"]


def _department_staff(rng: random.Random) -> int:
    """Staff of the bureau's departments and affiliated units, so the 条 view has a baseline."""
    created = 0
    units = OrgUnit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.AFFILIATED]).order_by("path")
    for unit in units:
        for _ in range(STAFF_PER_DEPARTMENT):
            birth = dt.date(1966, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 30))
            registration = person_register(
                actor=None,
                data=PersonInput(
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    home_unit=unit,
                    id_number=demo_id_number(rng, birth, rng.random() < 0.5),
                    categories=[Category.STAFF],
                ),
            )
            if registration.created:
                Person.objects.filter(pk=registration.person.pk).update(is_demo=True)
                created += 1
    return created


def _unclear_residents(rng: random.Random) -> None:
    """A few residents registered without an ID number: their counties' baselines are unclear."""
    homes = list(OrgUnit.objects.filter(institution_type="nursing_home").order_by("path"))
    for home in homes[1::6][:2]:
        registration = person_register(
            actor=None,
            data=PersonInput(
                name=rng.choice(SURNAMES) + "某（无证件）",
                home_unit=home,
                categories=[Category.NURSING_HOME_RESIDENT],
            ),
        )
        Person.objects.filter(pk=registration.person.pk).update(is_demo=True)


def _series(rng: random.Random, person: Person, product: VaccineProduct, today: dt.date) -> None:
    day = today - dt.timedelta(days=rng.randrange(*FIRST_DOSE_DAYS_AGO))
    place = f"{person.home_unit.name.split('（')[0]}所在地预防接种门诊"
    last = day
    for number in range(1, product.doses_for_completion + 1):
        last = day
        services.dose_record(
            actor=None,
            person=person,
            product=product,
            dose_number=number,
            vaccinated_on=day,
            place=place,
            source=DoseSource.IMPORT,
        )
        day += dt.timedelta(days=product.min_interval_days + rng.randrange(0, DOSE_GAP_EXTRA_DAYS))
    if product.booster_after_days is not None and rng.random() < 0.5:
        booster_on = last + dt.timedelta(days=product.booster_after_days + rng.randrange(0, 30))
        if booster_on <= today:
            services.dose_record(
                actor=None,
                person=person,
                product=product,
                dose_number=product.doses_for_completion + 1,
                vaccinated_on=booster_on,
                place=place,
                source=DoseSource.IMPORT,
            )


def _mobilise(rng: random.Random, person: Person, heads: dict[str, User], today: dt.date) -> None:
    head = heads.get(person.home_unit.path[: 2 * person.home_unit.steplen])
    if head is None:
        return
    if rng.random() < 0.5:
        services.mobiliser_assign(actor=head, person=person, mobiliser_user=head)
    else:
        services.mobiliser_assign(
            actor=head, person=person, mobiliser_name=rng.choice(SURNAMES) + "医生", mobiliser_role="村医"
        )
    services.contact_log(
        actor=head,
        person=person,
        contacted_on=today - dt.timedelta(days=rng.randrange(0, 5)),
        method=rng.choice(ContactMethod.values),
        outcome=rng.choice([ContactOutcome.HESITANT, ContactOutcome.AGREED, ContactOutcome.UNREACHABLE]),
        next_step="再次上门讲解接种政策",
        next_contact_on=today + dt.timedelta(days=rng.randrange(1, 5)),
    )


def _reporting_heads() -> dict[str, User]:
    """One head per reporting unit: a demo login where there is one, else a non-login author."""
    heads: dict[str, User] = {}
    units = OrgUnit.objects.filter(depth=selectors.REPORTING_DEPTH, kind__in=selectors.REPORTING_KINDS)
    for unit in units.order_by("path"):
        user = User.objects.filter(unit=unit, is_active=True).exclude(role="").order_by("pk").first()
        if user is None:
            role = Role.COUNTY_STAFF if unit.kind == UnitKind.COUNTY else Role.DEPARTMENT_COORDINATOR
            user, created = User.objects.get_or_create(
                username=f"report-{unit.code}",
                defaults={"role": role, "unit": unit, "display_name": f"{unit.name}（演示报送人）"},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
        heads[unit.path] = user
    return heads


def _reports(heads: dict[str, User], today: dt.date) -> int:
    schedule = report_schedule(today)
    if schedule is None:
        return 0
    submitted = 0
    for index, head in enumerate(heads.values()):
        for period in schedule.due_before(today):
            if index % MISSING_EVERY == MISSING_EVERY - 1:
                continue  # a few units miss their reports
            late = (index + period.number) % LATE_EVERY == 0
            day = min(period.due_on + ONE_DAY, today) if late else period.due_on
            moment = dt.datetime.combine(day, dt.time(16, 0), tzinfo=clock.local_zone())
            with clock.frozen(moment):
                services.report_submit(actor=head, period_start=period.starts_on, note="")
            submitted += 1
    return submitted


def record_demo_vaccinations(seed: int = 20220105) -> int:
    """Returns the number of doses recorded (0 when the demo ledger exists already)."""
    if VaccineDose.objects.filter(person__is_demo=True).exists() or not Person.objects.filter(is_demo=True):
        return 0
    rng = random.Random(seed)  # noqa: S311  demo data, not security
    today = clock.today()
    _department_staff(rng)
    _unclear_residents(rng)
    products = {p.short_name: p for p in VaccineProduct.objects.all()}
    if not products:
        return 0
    inactivated = [p for p in products.values() if p.booster_after_days is not None]
    others = [p for p in products.values() if p.booster_after_days is None]
    inactivated = inactivated or others
    counties = list(
        OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("path").values_list("path", flat=True)
    )
    heads = _reporting_heads()
    people = Person.objects.filter(is_demo=True, merged_into__isnull=True).select_related("home_unit")
    for person in people.order_by("pk"):
        county_path = person.home_unit.path[: 2 * person.home_unit.steplen]
        rate = (
            COUNTY_COMPLETION[counties.index(county_path) % len(COUNTY_COMPLETION)]
            if county_path in counties
            else DEPARTMENT_COMPLETION
        )
        roll = rng.random()
        if roll < rate:
            pool = inactivated if rng.random() < 0.85 or not others else others
            _series(rng, person, rng.choice(pool), today)
        elif roll < rate + 0.03:
            product = rng.choice(inactivated)
            services.dose_record(
                actor=None,
                person=person,
                product=product,
                dose_number=1,
                vaccinated_on=today - dt.timedelta(days=rng.randrange(3, product.min_interval_days)),
                source=DoseSource.IMPORT,
            )
            _mobilise(rng, person, heads, today)
        elif roll < rate + 0.045:
            services.contraindication_record(
                actor=None,
                person=person,
                condition=rng.choice(CONTRAINDICATIONS),
                source=ContraindicationSource.MEDICAL_CERTIFICATE,
                source_detail="县人民医院",
            )
        elif roll < rate + 0.06:
            services.deferral_record(
                actor=None,
                person=person,
                reason=rng.choice(DEFERRALS),
                until=today + dt.timedelta(days=rng.randrange(3, 30)),
            )
        else:
            _mobilise(rng, person, heads, today)
    _reports(heads, today)
    return VaccineDose.objects.filter(person__is_demo=True).count()
