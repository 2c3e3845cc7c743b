"""How the scope-leak test makes a person in a given county."""

from shouhu.people.models import Person


def make_person_in(county, marker):
    return Person.objects.create(name=f"{marker}人员", home_unit=county)


SCOPED_OBJECTS = {"person_id": make_person_in}
