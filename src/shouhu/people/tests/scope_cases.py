"""How the scope-leak test makes a person in a given county."""

from shouhu.people.models import Person


def make_person_in(county, marker):
    return Person.objects.create(name=f"{marker}人员", home_unit=county)


def make_registration_conflict_in(county, marker):
    """A conflict of the county's own: both the person and the unit that asked inside it."""
    from shouhu.common import clock
    from shouhu.people.models import RegistrationConflict

    return RegistrationConflict.objects.create(
        person=make_person_in(county, marker), requested_unit=county, last_attempt_at=clock.now()
    )


SCOPED_OBJECTS = {"person_id": make_person_in, "registration_conflict_id": make_registration_conflict_in}
