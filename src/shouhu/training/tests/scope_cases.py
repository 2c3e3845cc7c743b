"""How the scope-leak test makes training sessions and attendance inside a given county."""

from shouhu.training import services
from shouhu.training.models import Audience
from shouhu.training.tests.factories import make_person, make_session


def make_session_in(county, marker):
    """A session of the county bureau with one grid head on its list."""
    session = make_session(county, topic=f"{marker}防控培训")
    person = make_person(county, f"{marker}网格员")
    services.attendance_add(actor=None, session=session, person=person, role=Audience.GRID_HEAD)
    return session


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL. A line of
# the attendance list is named in the body of the removal, never in a URL.
SCOPED_OBJECTS = {"training_session_id": make_session_in}
