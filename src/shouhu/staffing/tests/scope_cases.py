"""How the scope-leak test makes staffing objects inside a given county."""

from shouhu.accounts.tests.factories import make_user
from shouhu.staffing.tests.factories import make_leave, make_staff, make_travel


def make_leave_in(county, marker):
    person = make_staff(county, f"{marker}职工")
    return make_leave(person, filed_by=make_user("county_staff", county), reason=f"{marker}事由")


def make_travel_in(county, marker):
    person = make_staff(county, f"{marker}出行")
    return make_travel(person, filed_by=make_user("county_staff", county), purpose=f"{marker}探亲")


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL.
SCOPED_OBJECTS = {
    "staff_leave_id": make_leave_in,
    "travel_report_id": make_travel_in,
}
