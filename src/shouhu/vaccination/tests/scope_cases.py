"""How the scope-leak test makes vaccination objects inside a given county."""

import datetime as dt

from shouhu.accounts.tests.factories import make_user
from shouhu.people.models import Person
from shouhu.vaccination.models import (
    Contraindication,
    Deferral,
    VaccinationReport,
    VaccineDose,
    VaccineProduct,
)


def _person(county, marker):
    return Person.objects.create(name=f"{marker}接种对象", home_unit=county)


def make_dose_in(county, marker):
    return VaccineDose.objects.create(
        person=_person(county, marker),
        dose_number=1,
        vaccinated_on=dt.date(2021, 6, 1),
        product=VaccineProduct.objects.order_by("pk").first(),
        place=f"{marker}接种点",
    )


def make_contraindication_in(county, marker):
    return Contraindication.objects.create(
        person=_person(county, marker),
        condition=f"{marker}禁忌",
        source="medical_certificate",
        noted_on=dt.date(2022, 1, 1),
    )


def make_deferral_in(county, marker):
    return Deferral.objects.create(
        person=_person(county, marker),
        reason=f"{marker}暂缓",
        starts_on=dt.date(2022, 1, 1),
        until=dt.date(2022, 1, 20),
    )


def make_report_in(county, marker):
    return VaccinationReport.objects.create(
        unit=county,
        period_start=dt.date(2021, 12, 13),
        period_end=dt.date(2021, 12, 19),
        due_on=dt.date(2021, 12, 19),
        as_of=dt.date(2021, 12, 19),
        baseline=0,
        completed=0,
        booster=0,
        in_progress=0,
        not_vaccinated=0,
        contraindicated=0,
        deferred=0,
        unclear=0,
        note=f"{marker}说明",
        submitted_by=make_user("county_staff", county),
        submitted_at=dt.datetime(2021, 12, 19, 16, 0, tzinfo=dt.UTC),
    )


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL.
# (person_id is made by the people app.)
SCOPED_OBJECTS = {
    "dose_id": make_dose_in,
    "contraindication_id": make_contraindication_in,
    "deferral_id": make_deferral_in,
    "report_id": make_report_in,
}
