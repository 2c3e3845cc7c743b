"""How the scope-leak test makes assistance objects inside a given county."""

from decimal import Decimal

from shouhu.assistance import selectors, services
from shouhu.assistance.tests.factories import make_household, make_standard
from shouhu.orgs.models import OrgUnit, UnitKind


def _village(county):
    return (
        OrgUnit.objects.filter(path__startswith=county.path, kind=UnitKind.VILLAGE).order_by("path").first()
    )


def make_household_in(county, marker):
    household = make_household(_village(county), f"{marker}户主")
    services.visit_record(
        actor=None,
        household=household,
        visited_on=household.registered_on,
        visitor=f"{marker}走访人",
        findings=f"{marker}情况",
    )
    return household


def make_member_in(county, marker):
    household = make_household_in(county, marker)
    return services.member_join(actor=None, household=household, name=f"{marker}成员", relation="spouse")


def make_follow_up_in(county, marker):
    """A member isolated: the isolation register opens the follow-up (as in production)."""
    import datetime as dt

    from shouhu.screening.services import isolation_record

    household = make_household_in(county, marker)
    head = household.members.get().person
    isolation_record(
        actor=None, person=head, kind="home", starts_on=dt.date(2022, 1, 3), source=f"{marker}社区排查"
    )
    return household.follow_ups.get()


def make_assessment_in(county, marker):
    household = make_household_in(county, marker)
    if not county.path or not selectors.standard_in_force(
        county_path=county.path, area_type=household.area_type, month=household.registered_on.replace(day=1)
    ):
        make_standard(county, document=f"{marker}标准")
    head = household.members.get().person
    return services.assessment_record(
        actor=None,
        household=household,
        month=household.registered_on.replace(day=1),
        lines=[services.IncomeLineInput(person=head, kind="wage", amount=Decimal("300"))],
        note=f"{marker}核算",
    )


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL.
SCOPED_OBJECTS = {
    "household_id": make_household_in,
    "household_member_id": make_member_in,
    "follow_up_id": make_follow_up_in,
    "income_assessment_id": make_assessment_in,
}


def make_grant_in(county, marker):
    """A 先行救助 monthly grant: its documents and end endpoints answer for the own county."""
    household = make_household_in(county, marker)
    return services.temporary_assistance_grant(
        actor=None,
        household=household,
        data=services.GrantInput(
            reason="uncertain",
            schedule="monthly",
            amount=Decimal("500"),
            starts_on=household.registered_on.replace(day=1),
            is_advance=True,
            note=f"{marker}临时救助",
        ),
    )


def make_roll_in(county, marker):
    """A roll with one payment (a monthly grant) of the county."""
    from shouhu.common import clock

    make_grant_in(county, marker)
    return services.roll_generate(actor=None, county=county, month=clock.today().replace(day=1))


SCOPED_OBJECTS["temporary_assistance_id"] = make_grant_in
SCOPED_OBJECTS["payment_roll_id"] = make_roll_in


def make_care_task_in(county, marker):
    """A 低保 member isolated at home: the isolation register opens the care task."""
    import datetime as dt

    from shouhu.screening.services import isolation_record

    household = make_household_in(county, marker)
    head = household.members.get().person
    isolation_record(
        actor=None, person=head, kind="home", starts_on=dt.date(2022, 1, 4), source=f"{marker}排查"
    )
    return household.care_tasks.get()


SCOPED_OBJECTS["care_task_id"] = make_care_task_in


def make_application_in(county, marker):
    """A household's application for 特困, at its first step: every step's endpoint answers for the
    own county (a refused form), 404 for the other."""
    from shouhu.assistance.tests.factories import make_application

    household = make_household_in(county, marker)
    return make_application(
        household,
        standing="tekun_dispersed",
        reason=f"{marker}申请理由",
        applied_on=household.registered_on,
    )


SCOPED_OBJECTS["application_id"] = make_application_in
