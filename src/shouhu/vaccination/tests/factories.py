"""Factories for the vaccination tests: people through the register, doses through the service."""

import datetime as dt
from itertools import count

import factory
from factory.django import DjangoModelFactory

from shouhu.accounts.tests.factories import make_user
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.people.idcard import check_digit
from shouhu.people.models import Category, Person
from shouhu.people.services import PersonInput, person_register
from shouhu.vaccination import services
from shouhu.vaccination.models import (
    Contraindication,
    Deferral,
    MobilisationContact,
    VaccineDose,
    VaccineProduct,
)

# The products seeded by the data migration.
SINOPHARM = "国药北京生物"
SINOVAC = "北京科兴"
ZHIFEI = "智飞龙科马"
CANSINO = "康希诺"

_ids = count(1)


def valid_id(index: int | None = None, birth: dt.date = dt.date(1960, 3, 8)) -> str:
    number = next(_ids) if index is None else index
    first17 = f"232700{birth:%Y%m%d}{number % 1000:03d}"
    return first17 + check_digit(first17)


def product(short_name: str = SINOPHARM) -> VaccineProduct:
    return VaccineProduct.objects.get(short_name=short_name)


def make_person(
    unit: OrgUnit,
    name: str | None = None,
    *,
    categories: tuple[str, ...] = (Category.STAFF,),
    with_id: bool = True,
    birth: dt.date = dt.date(1960, 3, 8),
) -> Person:
    """A registered person; `with_id=False` makes one whose identity is unclear (no ID number)."""
    serial = next(_ids)
    registration = person_register(
        actor=None,
        data=PersonInput(
            name=name or f"测试{serial}",
            home_unit=unit,
            id_number=valid_id(serial, birth) if with_id else "",
            birth_date=None if with_id else birth,
            categories=list(categories),
        ),
    )
    return registration.person


def vaccinate(
    person: Person, *dates: dt.date, short_name: str = SINOPHARM, first_number: int = 1
) -> list[VaccineDose]:
    """Doses on the given dates, in order, through the service (so every rule applies)."""
    return [
        services.dose_record(
            actor=None,
            person=person,
            product=product(short_name),
            dose_number=number,
            vaccinated_on=day,
        ).dose
        for number, day in enumerate(dates, start=first_number)
    ]


# Two doses three weeks apart, well before the fixed clock (2022-01-05).
FULL_SERIES = (dt.date(2021, 6, 1), dt.date(2021, 6, 29))


def office(tree) -> OrgUnit:
    """The region bureau's 办公室, which coordinates vaccination (SPEC §1)."""
    return make_unit(
        tree.region, UnitKind.DEPARTMENT, "地区民政局办公室", coordinated_modules=["vaccination", "publicity"]
    )


def office_coordinator(tree):
    return make_user("department_coordinator", office(tree))


class VaccineProductFactory(DjangoModelFactory):
    class Meta:
        model = VaccineProduct

    short_name = factory.Sequence(lambda n: f"测试疫苗{n}")
    name = "测试用灭活疫苗"
    manufacturer = "测试生物制品公司"
    doses_for_completion = 2
    min_interval_days = 21
    booster_after_days = 180


class ContraindicationFactory(DjangoModelFactory):
    class Meta:
        model = Contraindication

    condition = "既往疫苗严重过敏史"
    source = "medical_certificate"
    noted_on = dt.date(2022, 1, 3)


class DeferralFactory(DjangoModelFactory):
    class Meta:
        model = Deferral

    reason = "急性发热"
    starts_on = dt.date(2022, 1, 4)
    until = dt.date(2022, 1, 10)


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = MobilisationContact

    contacted_on = dt.date(2022, 1, 4)
    method = "visit"
    outcome = "hesitant"
    next_step = "再次上门"
    next_contact_on = dt.date(2022, 1, 7)
