"""Factories for the rescue tests: everything through the services, so every rule applies."""

import datetime as dt

from shouhu.common import clock
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.rescue import services
from shouhu.rescue.models import (
    EncounterAction,
    Incident,
    IncidentKind,
    RescuedPerson,
    ReturnTrip,
    StreetPatrol,
    Transport,
)

NOW = dt.datetime(2022, 1, 5, 10, 0, tzinfo=clock.local_zone())  # the fixed clock's moment
DAY = NOW.date()


def make_station(county: OrgUnit, name: str = "") -> OrgUnit:
    return make_unit(
        county, UnitKind.INSTITUTION, name or f"{county.name}救助管理站", institution_type="rescue_station"
    )


def make_patrol(station: OrgUnit, *, actor=None, area: str = "火车站广场", **overrides) -> StreetPatrol:
    values = {
        "area": area,
        "started_at": NOW - dt.timedelta(hours=2),
        "ended_at": NOW - dt.timedelta(hours=1),
        "staff": "张建国、李卫东",
    }
    values.update(overrides)
    return services.patrol_log(actor=actor, station=station, data=services.PatrolInput(**values))


def make_rescued(
    station: OrgUnit, *, actor=None, description: str = "男，约50岁，灰色棉袄", **overrides
) -> RescuedPerson:
    values = {"description": description, "admitted_at": NOW - dt.timedelta(hours=3)}
    values.update(overrides)
    return services.rescued_admit(actor=actor, station=station, data=services.RescuedInput(**values))


def make_trip(rescued: RescuedPerson, *, actor=None, departed: bool = False, **overrides) -> ReturnTrip:
    values = {
        "destination": "黑龙江省绥化市北林区",
        "transport": Transport.TRAIN,
        "receiver": "其兄王建华",
        "planned_on": DAY,
    }
    values.update(overrides)
    trip = services.return_arrange(actor=actor, rescued=rescued, data=services.ReturnInput(**values))
    if departed:
        trip = services.return_depart(actor=actor, trip=trip, departed_at=NOW - dt.timedelta(hours=1))
    return trip


def make_incident(station: OrgUnit, *, actor=None, kind: str = IncidentKind.ILLNESS, **overrides) -> Incident:
    values = {
        "kind": kind,
        "occurred_at": NOW - dt.timedelta(minutes=30),
        "description": "受助人员夜间突发高烧",
    }
    values.update(overrides)
    return services.incident_report(actor=actor, station=station, data=services.IncidentInput(**values))


PERSUADED = EncounterAction.PERSUADED_IN
