"""Reads of the rescue app, scoped to what the viewer may see.

Reads use the rescue scope: a station's staff see their station, the county bureau its county's
stations, and the region's 救助管理总站 (which coordinates the task) every county. Writes are
limited to the viewer's own subtree (`*_for_recording`).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_scope
from shouhu.campaigns.calendar import spring_festival
from shouhu.campaigns.policy import campaign_on, current_policy
from shouhu.campaigns.selectors import key_date_list
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.today import Tally
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind, UnitStatus
from shouhu.people import selectors as people_selectors
from shouhu.people.models import Category, Person
from shouhu.rescue.models import (
    IN_CARE,
    Guidance,
    Incident,
    IncidentReport,
    PatrolEncounter,
    Provision,
    RescuedPerson,
    RescuedStatus,
    RescuePolicy,
    ReturnStatus,
    ReturnTrip,
    StaffAssignment,
    StreetPatrol,
)
from shouhu.vaccination.models import FULLY_VACCINATED, VaccinationStatus
from shouhu.vaccination.selectors import with_status

ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: one calendar day
SPRING_FESTIVAL = "春节"  # the key date's name in the campaign calendar (campaigns.calendar)


def rescue_scope(viewer: User, *, field: str = "station") -> Q:
    return unit_scope(viewer, field=field, module=Module.RESCUE)


def own_subtree(viewer: User, *, field: str) -> Q:
    """Where the viewer may write: their own unit's subtree, whatever they may read."""
    unit = viewer.unit if viewer.is_authenticated else None
    if unit is None:
        return Q(pk__in=[])
    return subtree(unit.path, field=field)


# --- Stations ---------------------------------------------------------------------------------


def _stations() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind=UnitKind.INSTITUTION, institution_type=InstitutionType.RESCUE_STATION)


def station_list(*, viewer: User) -> QuerySet[OrgUnit]:
    return _stations().filter(rescue_scope(viewer, field="")).order_by("path")


def station_writable(*, viewer: User) -> QuerySet[OrgUnit]:
    return _stations().filter(own_subtree(viewer, field="")).order_by("path")


def access_station(viewer: User, pk: object) -> OrgUnit:
    return get_in_scope(station_list(viewer=viewer), pk)


def access_station_for_recording(viewer: User, pk: object) -> OrgUnit:
    return get_in_scope(station_writable(viewer=viewer), pk)


def can_record_at(viewer: User, station: OrgUnit) -> bool:
    """Whether the viewer's own subtree holds the station (no query: the path is at hand)."""
    unit = viewer.unit if viewer.is_authenticated else None
    return unit is not None and station.path.startswith(unit.path)


# --- Patrols (R1) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PatrolFilters:
    station: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def patrol_list(*, viewer: User, filters: PatrolFilters | None = None) -> QuerySet[StreetPatrol]:
    filters = filters or PatrolFilters()
    patrols = StreetPatrol.objects.filter(rescue_scope(viewer))
    if filters.station:
        patrols = patrols.filter(station_id=filters.station)
    if filters.date_from:
        patrols = patrols.filter(started_at__gte=clock.start_of(filters.date_from))
    if filters.date_to:
        patrols = patrols.filter(started_at__lt=clock.start_of(filters.date_to + ONE_DAY))
    return (
        patrols.select_related("station")
        .annotate(encounter_count=Count("encounters"))
        .order_by("-started_at", "-pk")
    )


def access_patrol(viewer: User, pk: object) -> StreetPatrol:
    return get_in_scope(patrol_list(viewer=viewer), pk)


def access_patrol_for_recording(viewer: User, pk: object) -> StreetPatrol:
    patrols = StreetPatrol.objects.filter(own_subtree(viewer, field="station")).select_related("station")
    return get_in_scope(patrols, pk)


def encounters_of(patrol: StreetPatrol) -> QuerySet[PatrolEncounter]:
    return PatrolEncounter.objects.filter(patrol=patrol).select_related("rescued").order_by("pk")


# --- People rescued (R2) ----------------------------------------------------------------------


@dataclass(frozen=True)
class RescuedFilters:
    search: str = ""
    station: int | None = None
    status: str = ""
    unmatched_only: bool = False


def rescued_list(*, viewer: User, filters: RescuedFilters | None = None) -> QuerySet[RescuedPerson]:
    filters = filters or RescuedFilters()
    people = RescuedPerson.objects.filter(rescue_scope(viewer))
    if filters.search:
        text = filters.search.strip()
        people = people.filter(
            Q(temp_number__icontains=text) | Q(name__icontains=text) | Q(person__name__icontains=text)
        )
    if filters.station:
        people = people.filter(station_id=filters.station)
    if filters.status:
        people = people.filter(status=filters.status)
    if filters.unmatched_only:
        people = people.filter(person__isnull=True)
    return people.select_related("station", "person", "entry_screening").order_by("-admitted_at", "-pk")


def access_rescued(viewer: User, pk: object) -> RescuedPerson:
    return get_in_scope(rescued_list(viewer=viewer), pk)


def access_rescued_for_recording(viewer: User, pk: object) -> RescuedPerson:
    people = RescuedPerson.objects.filter(own_subtree(viewer, field="station")).select_related(
        "station", "person"
    )
    return get_in_scope(people, pk)


def provisions_of(rescued: RescuedPerson) -> QuerySet[Provision]:
    return Provision.objects.filter(rescued=rescued).order_by("-provided_on", "kind")


def guidance_of(rescued: RescuedPerson) -> QuerySet[Guidance]:
    return Guidance.objects.filter(rescued=rescued).order_by("-done_on", "-pk")


def returns_of(rescued: RescuedPerson) -> QuerySet[ReturnTrip]:
    return ReturnTrip.objects.filter(rescued=rescued).order_by("-planned_on", "-pk")


def live_return(rescued: RescuedPerson) -> ReturnTrip | None:
    return returns_of(rescued).exclude(status=ReturnStatus.CANCELLED).first()


def assignments_of(rescued: RescuedPerson) -> QuerySet[StaffAssignment]:
    return StaffAssignment.objects.filter(rescued=rescued).select_related("staff").order_by("-task_on", "-pk")


def person_in_reach(person: Person, *, station: OrgUnit, viewer: User) -> bool:
    """Whether the station's clerk may link `person`: one of the station's county (the area it
    serves) or one the clerk may see anyway in the register."""
    area = subtree(station.county_path() or station.path, field="home_unit")
    visible = people_selectors.person_visible(viewer=viewer).filter(pk=person.pk).exists()
    return visible or Person.objects.filter(area, pk=person.pk, merged_into__isnull=True).exists()


# --- Staff for escort and tracing (R4) --------------------------------------------------------


def station_staff(station: OrgUnit, *, as_of: dt.date | None = None) -> QuerySet[Person]:
    """People of category staff whose home unit is the station (accounts hold no link to a
    person, so the register's staff of the station are the ones sent out), with their status in
    the vaccination ledger (`vaccination_status`, `has_contraindication`, `has_deferral`)."""
    staff = Person.objects.filter(
        home_unit=station,
        categories__category=Category.STAFF,
        merged_into__isnull=True,
        deceased_on__isnull=True,
    )
    return with_status(staff, as_of=as_of).order_by("name", "pk")


def fully_vaccinated(person: Person) -> bool:
    return getattr(person, "vaccination_status", "") in FULLY_VACCINATED


def vaccination_label(person: Person) -> str:
    value = getattr(person, "vaccination_status", "")
    return str(VaccinationStatus(value).label) if value in VaccinationStatus.values else ""


# --- Returns home (R2) ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnFilters:
    station: int | None = None
    status: str = ""
    overdue_only: bool = False


def arrival_due_before(now: dt.datetime, *, days: int) -> dt.datetime:
    """Trips that left before this moment and are not confirmed arrived are overdue."""
    return now - dt.timedelta(days=days)


def return_list(*, viewer: User, filters: ReturnFilters | None = None) -> QuerySet[ReturnTrip]:
    filters = filters or ReturnFilters()
    trips = ReturnTrip.objects.filter(rescue_scope(viewer))
    if filters.station:
        trips = trips.filter(station_id=filters.station)
    if filters.status:
        trips = trips.filter(status=filters.status)
    if filters.overdue_only:
        days = current_policy(RescuePolicy).return_arrival_days
        trips = trips.filter(
            status=ReturnStatus.DEPARTED, departed_at__lt=arrival_due_before(clock.now(), days=days)
        )
    return trips.select_related("station", "rescued", "rescued__person").order_by("-planned_on", "-pk")


def access_return_for_recording(viewer: User, pk: object) -> ReturnTrip:
    trips = ReturnTrip.objects.filter(own_subtree(viewer, field="station")).select_related(
        "station", "rescued"
    )
    return get_in_scope(trips, pk)


def spring_festival_on(*, viewer: User, day: dt.date | None = None) -> dt.date:
    """The campaign's Spring Festival: the key date "春节" of the campaign in force, else the
    policy's date, else the lunar new year of the day's winter."""
    day = day or clock.today()
    campaign = campaign_on(day)
    if campaign is not None:
        found = (
            key_date_list(viewer=viewer, campaign=campaign)
            .filter(name=SPRING_FESTIVAL)
            .values_list("starts_on", flat=True)
            .first()
        )
        if found is not None:
            return found
    policy = current_policy(RescuePolicy, day)
    if policy.spring_festival_date is not None:
        return policy.spring_festival_date
    this_year = spring_festival(day.year)
    return this_year if this_year >= day else spring_festival(day.year + 1)


# --- Incidents (R3) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentFilters:
    station: int | None = None
    open_only: bool = False
    kind: str = ""


def incident_list(*, viewer: User, filters: IncidentFilters | None = None) -> QuerySet[Incident]:
    filters = filters or IncidentFilters()
    incidents = Incident.objects.filter(rescue_scope(viewer))
    if filters.station:
        incidents = incidents.filter(station_id=filters.station)
    if filters.open_only:
        incidents = incidents.filter(closed_at__isnull=True)
    if filters.kind:
        incidents = incidents.filter(kind=filters.kind)
    return incidents.select_related("station", "rescued").order_by("-occurred_at", "-pk")


def access_incident(viewer: User, pk: object) -> Incident:
    return get_in_scope(incident_list(viewer=viewer), pk)


def access_incident_for_recording(viewer: User, pk: object) -> Incident:
    incidents = Incident.objects.filter(own_subtree(viewer, field="station")).select_related("station")
    return get_in_scope(incidents, pk)


def reports_of(incident: Incident) -> QuerySet[IncidentReport]:
    return (
        IncidentReport.objects.filter(incident=incident).select_related("reported_by").order_by("reported_at")
    )


@dataclass(frozen=True)
class SafetyRecord:
    """The target "no accident with liability" at one station."""

    station: OrgUnit
    last_liable_on: dt.date | None
    days_since: int | None  # None: never one
    liable_this_campaign: int
    open_incidents: int


def safety_records(stations: QuerySet[OrgUnit], *, today: dt.date | None = None) -> list[SafetyRecord]:
    """Per station: days since the last incident found to be a liability accident, how many this
    campaign, and the incidents still open. Two queries whatever the number of stations."""
    today = today or clock.today()
    campaign = campaign_on(today)
    since = clock.start_of(campaign.starts_on) if campaign is not None else None
    liable = Q(rescue_incidents__liability=True)
    this_campaign = liable & Q(rescue_incidents__occurred_at__gte=since) if since else liable
    rows = stations.annotate(
        last_liable=Max("rescue_incidents__occurred_at", filter=liable),
        liable_count=Count("rescue_incidents", filter=this_campaign),
        open_count=Count("rescue_incidents", filter=Q(rescue_incidents__closed_at__isnull=True)),
    )
    records = []
    for station in rows:
        last = station.last_liable.astimezone(clock.local_zone()).date() if station.last_liable else None
        records.append(
            SafetyRecord(
                station=station,
                last_liable_on=last,
                days_since=(today - last).days if last else None,
                liable_this_campaign=station.liable_count,
                open_incidents=station.open_count,
            )
        )
    return records


def follow_up_due_before(now: dt.datetime, *, hours: int) -> dt.datetime:
    return now - dt.timedelta(hours=hours)


# --- Station home ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StationDay:
    patrols: Sequence[StreetPatrol]
    in_station: list[RescuedPerson]
    returns_under_way: list[ReturnTrip]
    open_incidents: list[Incident]
    safety: SafetyRecord
    overdue_before: dt.datetime


def station_day(station: OrgUnit, *, today: dt.date | None = None) -> StationDay:
    today = today or clock.today()
    policy = current_policy(RescuePolicy, today)
    start = clock.start_of(today)
    patrols = list(
        StreetPatrol.objects.filter(station=station, started_at__gte=start, started_at__lt=start + ONE_DAY)
        .annotate(encounter_count=Count("encounters"))
        .order_by("started_at")
    )
    in_station = list(
        RescuedPerson.objects.filter(station=station, status=RescuedStatus.IN_STATION)
        .select_related("person")
        .order_by("admitted_at")
    )
    returns = list(
        ReturnTrip.objects.filter(station=station, status__in=[ReturnStatus.ARRANGED, ReturnStatus.DEPARTED])
        .select_related("rescued", "rescued__person")
        .order_by("planned_on", "pk")
    )
    incidents = list(
        Incident.objects.filter(station=station, closed_at__isnull=True)
        .select_related("rescued")
        .order_by("-occurred_at")
    )
    safety = safety_records(_stations().filter(pk=station.pk), today=today)[0]
    return StationDay(
        patrols=patrols,
        in_station=in_station,
        returns_under_way=returns,
        open_incidents=incidents,
        safety=safety,
        overdue_before=arrival_due_before(clock.now(), days=policy.return_arrival_days),
    )


# --- Today (X5, X6) ---------------------------------------------------------------------------
#
# Registered in `rescue/today.py`; each counter answers in a fixed number of queries.


def today_returns(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """返乡跟踪, per station: `due` = trips under way (departed, not yet confirmed), `done` =
    trips confirmed arrived today, `overdue` = trips under way past the policy's days."""
    days = current_policy(RescuePolicy, today).return_arrival_days
    as_of = min(clock.now(), clock.start_of(today + ONE_DAY))
    cutoff = arrival_due_before(as_of, days=days)
    start = clock.start_of(today)
    under_way = Q(status=ReturnStatus.DEPARTED)
    late = under_way & Q(departed_at__lt=cutoff)
    arrived_today = Q(status=ReturnStatus.ARRIVED, arrived_at__gte=start, arrived_at__lt=start + ONE_DAY)
    rows = (
        ReturnTrip.objects.filter(subtree(within, field="station"))
        .filter(under_way | arrived_today)
        .values("station_id", "station__path")
        .annotate(
            overdue=Count("pk", filter=late),
            waiting=Count("pk", filter=under_way & ~late),
            done=Count("pk", filter=arrived_today),
        )
        .order_by()
    )
    return [
        Tally(
            row["station_id"],
            row["station__path"],
            done=row["done"],
            due=row["done"] + row["waiting"],
            overdue=row["overdue"],
        )
        for row in rows
    ]


def today_incidents(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """安全事件, per station: `due` = open incidents, `done` = incidents closed today,
    `overdue` = open ones whose last report is older than the policy's hours."""
    hours = current_policy(RescuePolicy, today).incident_follow_up_hours
    as_of = min(clock.now(), clock.start_of(today + ONE_DAY))
    cutoff = follow_up_due_before(as_of, hours=hours)
    start = clock.start_of(today)
    still_open = Q(closed_at__isnull=True)
    stale = still_open & Q(last_report_at__lt=cutoff)
    closed_today = Q(closed_at__gte=start, closed_at__lt=start + ONE_DAY)
    rows = (
        Incident.objects.filter(subtree(within, field="station"))
        .filter(still_open | closed_today)
        .values("station_id", "station__path")
        .annotate(
            overdue=Count("pk", filter=stale),
            waiting=Count("pk", filter=still_open & ~stale),
            done=Count("pk", filter=closed_today),
        )
        .order_by()
    )
    return [
        Tally(
            row["station_id"],
            row["station__path"],
            done=row["done"],
            due=row["done"] + row["waiting"],
            overdue=row["overdue"],
        )
        for row in rows
    ]


def today_patrols(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """街面巡查, per station, when the policy asks for a daily patrol: due 1, done 1 once a patrol
    is logged today. Two queries: the policy, the stations."""
    if not current_policy(RescuePolicy, today).daily_patrol_required:
        return []
    start = clock.start_of(today)
    patrolled = StreetPatrol.objects.filter(
        station=OuterRef("pk"), started_at__gte=start, started_at__lt=start + ONE_DAY
    )
    stations = (
        _stations()
        .filter(subtree(within, field=""))
        .exclude(status=UnitStatus.INACTIVE)
        .annotate(patrolled=Exists(patrolled))
        .values("pk", "path", "patrolled")
    )
    return [Tally(s["pk"], s["path"], done=1 if s["patrolled"] else 0, due=1) for s in stations]


# --- Reminders --------------------------------------------------------------------------------


def overdue_returns(*, days: int) -> QuerySet[ReturnTrip]:
    return (
        ReturnTrip.objects.filter(
            status=ReturnStatus.DEPARTED, departed_at__lt=arrival_due_before(clock.now(), days=days)
        )
        .select_related("station", "rescued", "rescued__person")
        .order_by("pk")
    )


def stale_incidents(*, hours: int) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(
            closed_at__isnull=True, last_report_at__lt=follow_up_due_before(clock.now(), hours=hours)
        )
        .select_related("station")
        .order_by("pk")
    )


def in_care_count(station: OrgUnit) -> int:
    return RescuedPerson.objects.filter(station=station, status__in=[s.value for s in IN_CARE]).count()


def rescued_with_returns(people: QuerySet[RescuedPerson]) -> QuerySet[RescuedPerson]:
    """For the export: each person's live trip, fetched in one more query."""
    return people.prefetch_related(
        Prefetch(
            "returns",
            queryset=ReturnTrip.objects.exclude(status=ReturnStatus.CANCELLED),
            to_attr="live_returns",
        )
    )
