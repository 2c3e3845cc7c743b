"""How the scope-leak test makes an alert in a given county.

An alert is delivered to the users its audience names when it is raised: this one goes to the
county bureau's staff, so the leak test's county-A clerk (made before the objects) receives
county A's alert and never county B's.
"""

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts.tests.factories import raise_alert


def make_alert_in(county, marker):
    make_user("county_staff", county)  # someone in the county to receive it
    return raise_alert(county, title=f"{marker}提醒", body=f"{marker}内容", link="/alerts/")


SCOPED_OBJECTS = {"alert_id": make_alert_in}
