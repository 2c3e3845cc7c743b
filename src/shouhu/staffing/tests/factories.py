import datetime as dt
from itertools import count

from shouhu.accounts.tests.factories import make_user
from shouhu.orgs.models import OrgUnit
from shouhu.people.models import Person
from shouhu.people.services import PersonInput, person_register
from shouhu.staffing import services

_numbers = count(1)


def make_staff(unit: OrgUnit, name: str = "") -> Person:
    return person_register(
        actor=None,
        data=PersonInput(name=name or f"职工{next(_numbers)}", home_unit=unit, categories=["staff"]),
    ).person


def make_leave(person: Person, *, filed_by=None, starts_on=dt.date(2022, 1, 10), days: int = 3, **extra):
    filed_by = filed_by or make_user("county_staff", person.home_unit)
    return services.leave_file(
        actor=filed_by,
        data=services.LeaveInput(
            person=person,
            kind=extra.pop("kind", "personal"),
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=days - 1),
            reason=extra.pop("reason", "家中有事"),
            **extra,
        ),
    )


def make_travel(person: Person, *, filed_by=None, province="北京市", destination="朝阳区", **extra):
    filed_by = filed_by or make_user("county_staff", person.home_unit)
    return services.travel_report(
        actor=filed_by,
        data=services.TravelInput(
            person=person,
            destination_province=province,
            destination=destination,
            departs_on=extra.pop("departs_on", dt.date(2022, 1, 8)),
            returns_on=extra.pop("returns_on", dt.date(2022, 1, 12)),
            transport=extra.pop("transport", "train"),
            purpose=extra.pop("purpose", "探亲"),
            **extra,
        ),
    )
