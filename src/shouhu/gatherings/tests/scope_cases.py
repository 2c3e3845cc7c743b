"""How the scope-leak test makes gatherings objects inside a given county."""

from shouhu.gatherings.tests.factories import add, make_gathering, make_village, participant


def make_gathering_in(county, marker):
    return make_gathering(
        make_village(county, f"{marker}村"), title=f"{marker}婚宴", organiser_name=f"{marker}王"
    )


def make_participant_in(county, marker):
    gathering = make_gathering_in(county, marker)
    (change,) = add(gathering, participant(f"{marker}参加人", serial=1))
    return change.participant


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL.
SCOPED_OBJECTS = {
    "gathering_id": make_gathering_in,
    "participant_id": make_participant_in,
}
