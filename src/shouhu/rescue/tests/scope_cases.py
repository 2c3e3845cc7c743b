"""How the scope-leak test makes rescue objects inside a given county."""

from shouhu.rescue import services
from shouhu.rescue.models import EncounterAction
from shouhu.rescue.tests.factories import make_incident, make_patrol, make_rescued, make_station, make_trip


def _station(county, marker):
    return make_station(county, f"{marker}救助管理站")


def make_patrol_in(county, marker):
    patrol = make_patrol(_station(county, marker), area=f"{marker}火车站")
    services.encounter_record(
        actor=None,
        patrol=patrol,
        data=services.EncounterInput(
            place=f"{marker}桥洞", description=f"{marker}男子", action=EncounterAction.REFUSED_HELP
        ),
    )
    return patrol


def make_rescued_in(county, marker):
    return make_rescued(_station(county, marker), description=f"{marker}受助人员", name=f"{marker}甲")


def make_trip_in(county, marker):
    """Departed: its arrival form answers for the own county."""
    return make_trip(make_rescued_in(county, marker), destination=f"{marker}老家", departed=True)


def make_incident_in(county, marker):
    return make_incident(_station(county, marker), description=f"{marker}事件经过")


# URL keyword → maker(county, marker) returning the object whose pk goes in the URL.
SCOPED_OBJECTS = {
    "rescue_station_id": lambda county, marker: _station(county, marker),
    "street_patrol_id": make_patrol_in,
    "rescued_id": make_rescued_in,
    "return_trip_id": make_trip_in,
    "rescue_incident_id": make_incident_in,
}
