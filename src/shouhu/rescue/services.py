"""Writes of the rescue app: one validation path for pages and API.

Every function is keyword-only and atomic, names its actor (`acting_as`) and takes its numbers
from `RescuePolicy`. A record that changes state (a trip that departs or arrives, an incident
that closes) is locked first, so two clerks at once cannot confirm an arrival twice.
"""

import contextlib
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.alerts import audience as audiences
from shouhu.alerts.models import Severity
from shouhu.alerts.services import alert_raise
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.common.validation import clean, parse_temperature, raise_all, refuse
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind
from shouhu.people.models import Category, IdType, Person
from shouhu.people.services import PersonInput, person_find_by_document, person_register
from shouhu.rescue import selectors
from shouhu.rescue.models import (
    IN_CARE,
    AssignmentKind,
    EncounterAction,
    Gender,
    Guidance,
    GuidanceKind,
    Incident,
    IncidentKind,
    IncidentReport,
    PatrolEncounter,
    Provision,
    ProvisionKind,
    RescuedPerson,
    RescuedStatus,
    RescuePolicy,
    ReturnStatus,
    ReturnTrip,
    StaffAssignment,
    StreetPatrol,
    Transport,
)
from shouhu.screening.models import ScreeningSource
from shouhu.screening.rules import Facts
from shouhu.screening.services import screening_record

INCIDENT_REPORTED = "rescue.incident_reported"
TEMP_NUMBER_ATTEMPTS = 5  # not a policy threshold: retries when two clerks number at once
MAX_AGE = 120  # not a policy threshold: the oldest plausible age


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _require_station(station: OrgUnit) -> None:
    if station.kind != UnitKind.INSTITUTION or station.institution_type != InstitutionType.RESCUE_STATION:
        raise refuse(
            _("“%(unit)s”不是救助管理机构") % {"unit": station.name},
            code="not_a_rescue_station",
            field="station",
        )


def _not_in_future(moment: dt.datetime, field: str, errors: dict[str, list[str]]) -> None:
    if moment > clock.now():
        errors.setdefault(field, []).append(_("时间不能晚于当前时间"))


# --- Patrols (R1) ------------------------------------------------------------------------------


@dataclass
class PatrolInput:
    area: str
    started_at: dt.datetime
    ended_at: dt.datetime
    staff: str
    note: str = ""


@transaction.atomic
def patrol_log(*, actor: User | None, station: OrgUnit, data: PatrolInput) -> StreetPatrol:
    """Log a street patrol that has happened (R1)."""
    _require_station(station)
    errors: dict[str, list[str]] = {}
    if not data.area.strip():
        errors["area"] = [_("请填写巡查区域")]
    if not data.staff.strip():
        errors["staff"] = [_("请填写巡查人员")]
    _not_in_future(data.started_at, "started_at", errors)
    if data.ended_at < data.started_at:
        errors["ended_at"] = [_("结束时间不能早于开始时间")]
    else:
        _not_in_future(data.ended_at, "ended_at", errors)
    raise_all(errors, code="invalid_patrol")
    patrol = StreetPatrol(
        station=station,
        area=data.area.strip(),
        started_at=data.started_at,
        ended_at=data.ended_at,
        staff=data.staff.strip(),
        note=data.note.strip(),
        recorded_by=_user(actor),
    )
    clean(patrol)
    with acting_as(actor):
        patrol.save()
    return patrol


@dataclass
class EncounterInput:
    place: str
    description: str
    action: str
    note: str = ""
    open_record: bool = False  # persuaded into the station: open a rescued-person record
    name: str = ""
    gender: str = Gender.UNKNOWN
    approx_age: int | None = None


@transaction.atomic
def encounter_record(*, actor: User | None, patrol: StreetPatrol, data: EncounterInput) -> PatrolEncounter:
    """One person met on the patrol; persuaded into the station, their record can open at once."""
    errors: dict[str, list[str]] = {}
    if not data.place.strip():
        errors["place"] = [_("请填写发现地点")]
    if not data.description.strip():
        errors["description"] = [_("请填写人员情况")]
    if data.action not in EncounterAction.values:
        errors["action"] = [_("未知的处置方式")]
    elif data.open_record and data.action != EncounterAction.PERSUADED_IN:
        errors["action"] = [_("只有劝导入站的人员才能开立受助人员记录")]
    raise_all(errors, code="invalid_encounter")
    rescued = None
    if data.open_record:
        rescued = rescued_admit(
            actor=actor,
            station=patrol.station,
            data=RescuedInput(
                name=data.name,
                gender=data.gender,
                approx_age=data.approx_age,
                description=data.description,
                found_place=data.place,
                admitted_at=patrol.ended_at,
            ),
        )
    encounter = PatrolEncounter(
        patrol=patrol,
        place=data.place.strip(),
        description=data.description.strip(),
        action=data.action,
        note=data.note.strip(),
        rescued=rescued,
    )
    clean(encounter)
    with acting_as(actor):
        encounter.save()
    return encounter


# --- People rescued (R2) -----------------------------------------------------------------------


@dataclass
class RescuedInput:
    description: str = ""
    name: str = ""
    gender: str = Gender.UNKNOWN
    approx_age: int | None = None
    found_place: str = ""
    admitted_at: dt.datetime | None = None
    note: str = ""


def _temp_number(station: OrgUnit, day: dt.date, attempt: int) -> str:
    """The station's own number: its code, the day, and the next serial of that day."""
    prefix = f"{station.code}-{day:%Y%m%d}-"
    taken = RescuedPerson.objects.filter(station=station, temp_number__startswith=prefix).count()
    return f"{prefix}{taken + 1 + attempt:03d}"


@transaction.atomic
def rescued_admit(*, actor: User | None, station: OrgUnit, data: RescuedInput) -> RescuedPerson:
    """Take someone into the station under a temporary number (R2); a name is optional."""
    _require_station(station)
    errors: dict[str, list[str]] = {}
    if not data.name.strip() and not data.description.strip():
        errors["description"] = [_("不知道姓名的，请填写体貌特征")]
    if data.gender not in Gender.values:
        errors["gender"] = [_("未知的性别")]
    if data.approx_age is not None and not 0 <= data.approx_age <= MAX_AGE:
        errors["approx_age"] = [_("年龄不合理")]
    admitted_at = data.admitted_at or clock.now()
    _not_in_future(admitted_at, "admitted_at", errors)
    raise_all(errors, code="invalid_rescued")
    day = admitted_at.astimezone(clock.local_zone()).date()
    for attempt in range(TEMP_NUMBER_ATTEMPTS):
        rescued = RescuedPerson(
            station=station,
            temp_number=_temp_number(station, day, attempt),
            name=data.name.strip(),
            gender=data.gender,
            approx_age=data.approx_age,
            description=data.description.strip(),
            found_place=data.found_place.strip(),
            admitted_at=admitted_at,
            note=data.note.strip(),
            registered_by=_user(actor),
        )
        clean(rescued, validate_unique=False)
        try:
            with transaction.atomic(), acting_as(actor):
                rescued.save()
        except IntegrityError:
            continue  # another clerk took the number a moment ago: the next one
        return rescued
    raise refuse(_("临时编号生成冲突，请重试"), code="temp_number_conflict", conflict=True)


@transaction.atomic
def rescued_match(
    *,
    actor: User,
    rescued: RescuedPerson,
    person: Person | None = None,
    name: str = "",
    id_number: str = "",
) -> RescuedPerson:
    """Link the record to the person register: a person chosen from it, the one holding this ID
    number, or a new entry registered at the station (category 受助人员)."""
    locked = RescuedPerson.objects.select_for_update().select_related("station").get(pk=rescued.pk)
    if locked.person_id is not None:
        raise refuse(_("该受助人员已与人员登记比对"), code="already_matched", conflict=True)
    station = locked.station
    if person is None:
        number = id_number.strip().upper()
        if not number:
            raise refuse(_("请填写身份证号码"), code="invalid_match", field="id_number")
        found = person_find_by_document(id_type=IdType.RESIDENT_ID, id_number=number)
        if found is not None:
            if not selectors.person_in_reach(found, station=station, viewer=actor):
                # Neutral: the form cannot be used to probe another county's register.
                raise refuse(
                    _("该证件号码无法在本站关联，请联系地区救助管理总站办理"),
                    code="person_out_of_reach",
                    field="id_number",
                )
            person = found
        else:
            full_name = (name or locked.name).strip()
            if not full_name:
                raise refuse(_("请填写姓名"), code="invalid_match", field="name")
            person = person_register(
                actor=actor,
                data=PersonInput(
                    name=full_name,
                    home_unit=station,
                    id_number=number,
                    gender=locked.gender if locked.gender != Gender.UNKNOWN else "",
                    categories=[Category.RESCUED],
                ),
            ).person
    elif not selectors.person_in_reach(person, station=station, viewer=actor):
        raise refuse(_("该人员无法在本站关联"), code="person_out_of_reach", field="person")
    locked.person = person
    locked.matched_at = clock.now()
    if not locked.name:
        locked.name = person.name
    with acting_as(actor):
        locked.save(update_fields=["person", "matched_at", "name", "updated_at"])
    rescued.person, rescued.matched_at, rescued.name = locked.person, locked.matched_at, locked.name
    return locked


@dataclass
class EntryScreeningInput:
    health_code: str
    itinerary_code: str
    itinerary_star: bool
    temperature: Decimal | str | None
    mask: bool = True
    refused_checks: bool = False


@transaction.atomic
def rescued_screen(*, actor: User | None, rescued: RescuedPerson, data: EntryScreeningInput) -> RescuedPerson:
    """The entry screening of the admission, recorded by the screening app's own service at the
    station (so it counts in the station's screening figures) and linked to the record."""
    locked = (
        RescuedPerson.objects.select_for_update(of=("self",))
        .select_related("station", "person")
        .get(pk=rescued.pk)
    )
    if locked.entry_screening_id is not None:
        raise refuse(_("入站查验已记录"), code="already_screened", conflict=True)
    screening = screening_record(
        actor=_user(actor),
        unit=locked.station,
        facts=Facts(
            health_code=data.health_code,
            itinerary_code=data.itinerary_code,
            itinerary_star=data.itinerary_star,
            temperature=parse_temperature(data.temperature),
            mask=data.mask,
            refused_checks=data.refused_checks,
        ),
        person=locked.person,
        # Often nameless: the station's temporary number is how the screening record knows them.
        visitor_name="" if locked.person else (locked.name or locked.temp_number)[:30],
        source=ScreeningSource.DESK,
    )
    locked.entry_screening = screening
    with acting_as(actor):
        locked.save(update_fields=["entry_screening", "updated_at"])
    rescued.entry_screening = screening
    return locked


@transaction.atomic
def provision_record(
    *, actor: User | None, rescued: RescuedPerson, kind: str, provided_on: dt.date, note: str = ""
) -> Provision:
    """A basic right provided on a day: food, shelter, medical care, warmth."""
    errors: dict[str, list[str]] = {}
    if kind not in ProvisionKind.values:
        errors["kind"] = [_("未知的保障内容")]
    if provided_on > clock.today():
        errors["provided_on"] = [_("日期不能晚于今天")]
    elif provided_on < rescued.admitted_at.astimezone(clock.local_zone()).date():
        errors["provided_on"] = [_("日期不能早于入站日期")]
    raise_all(errors, code="invalid_provision")
    if Provision.objects.filter(rescued=rescued, kind=kind, provided_on=provided_on).exists():
        raise refuse(_("该日已记录此项保障"), code="duplicate_provision", field="kind", conflict=True)
    provision = Provision(
        rescued=rescued, kind=kind, provided_on=provided_on, note=note.strip(), recorded_by=_user(actor)
    )
    clean(provision, validate_unique=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                provision.save()
        except IntegrityError as error:
            raise refuse(_("该日已记录此项保障"), code="duplicate_provision", conflict=True) from error
    return provision


@transaction.atomic
def guidance_record(
    *, actor: User | None, rescued: RescuedPerson, kind: str, done_on: dt.date, note: str
) -> Guidance:
    """Guided assistance (引导型救助): policy briefings, work, finding the family."""
    errors: dict[str, list[str]] = {}
    if kind not in GuidanceKind.values:
        errors["kind"] = [_("未知的引导内容")]
    if done_on > clock.today():
        errors["done_on"] = [_("日期不能晚于今天")]
    if not note.strip():
        errors["note"] = [_("请填写情况")]
    raise_all(errors, code="invalid_guidance")
    guidance = Guidance(
        rescued=rescued, kind=kind, done_on=done_on, note=note.strip(), recorded_by=_user(actor)
    )
    clean(guidance)
    with acting_as(actor):
        guidance.save()
    return guidance


@transaction.atomic
def rescued_leave(
    *, actor: User | None, rescued: RescuedPerson, status: str, left_on: dt.date, note: str = ""
) -> RescuedPerson:
    """The person left the station otherwise than by a return home (left, transferred, died)."""
    allowed = [RescuedStatus.LEFT, RescuedStatus.TRANSFERRED, RescuedStatus.DECEASED]
    if status not in allowed:
        raise refuse(_("请选择离站方式"), code="invalid_leave", field="status")
    if left_on > clock.today():
        raise refuse(_("离站日期不能晚于今天"), code="invalid_leave", field="left_on")
    locked = RescuedPerson.objects.select_for_update().get(pk=rescued.pk)
    if locked.status not in IN_CARE:
        raise refuse(_("该受助人员已离站"), code="already_left", conflict=True)
    if locked.returns.filter(status=ReturnStatus.DEPARTED).exists():
        raise refuse(_("该受助人员正在返乡途中，请先确认到达"), code="returning", conflict=True)
    locked.status = status
    locked.left_on = left_on
    if note.strip():
        locked.note = note.strip()[:300]
    with acting_as(actor):
        locked.save(update_fields=["status", "left_on", "note", "updated_at"])
    return locked


# --- Returns home (R2) -------------------------------------------------------------------------


@dataclass
class ReturnInput:
    destination: str
    transport: str
    receiver: str
    planned_on: dt.date
    escorted: bool = False


@transaction.atomic
def return_arrange(*, actor: User | None, rescued: RescuedPerson, data: ReturnInput) -> ReturnTrip:
    """Arrange the journey home (返乡) of someone in the station."""
    locked = RescuedPerson.objects.select_for_update().select_related("station").get(pk=rescued.pk)
    errors: dict[str, list[str]] = {}
    if not data.destination.strip():
        errors["destination"] = [_("请填写返乡目的地")]
    if not data.receiver.strip():
        errors["receiver"] = [_("请填写接收方（家属或当地救助站）")]
    if data.transport not in Transport.values:
        errors["transport"] = [_("未知的交通方式")]
    if data.planned_on < locked.admitted_at.astimezone(clock.local_zone()).date():
        errors["planned_on"] = [_("计划出发日期不能早于入站日期")]
    raise_all(errors, code="invalid_return")
    if locked.status != RescuedStatus.IN_STATION:
        raise refuse(_("只有在站的受助人员才能安排返乡"), code="not_in_station", conflict=True)
    if ReturnTrip.objects.filter(rescued=locked).exclude(status=ReturnStatus.CANCELLED).exists():
        raise refuse(_("该受助人员已安排返乡"), code="duplicate_return", conflict=True)
    trip = ReturnTrip(
        rescued=locked,
        station=locked.station,
        destination=data.destination.strip(),
        transport=data.transport,
        escorted=data.escorted,
        receiver=data.receiver.strip(),
        planned_on=data.planned_on,
        arranged_by=_user(actor),
    )
    clean(trip, validate_unique=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                trip.save()
        except IntegrityError as error:
            raise refuse(_("该受助人员已安排返乡"), code="duplicate_return", conflict=True) from error
    return trip


def _locked_trip(trip: ReturnTrip) -> ReturnTrip:
    return ReturnTrip.objects.select_for_update().select_related("rescued", "station").get(pk=trip.pk)


@transaction.atomic
def return_depart(*, actor: User | None, trip: ReturnTrip, departed_at: dt.datetime) -> ReturnTrip:
    """The person set off: tracked from now until the receiving side confirms the arrival."""
    locked = _locked_trip(trip)
    if locked.status != ReturnStatus.ARRANGED:
        raise refuse(_("该返乡已出发或已取消"), code="not_arranged", conflict=True)
    if departed_at > clock.now():
        raise refuse(_("出发时间不能晚于当前时间"), code="invalid_departure", field="departed_at")
    if departed_at < locked.rescued.admitted_at:
        raise refuse(_("出发时间不能早于入站时间"), code="invalid_departure", field="departed_at")
    if (
        locked.escorted
        and not StaffAssignment.objects.filter(rescued=locked.rescued, kind=AssignmentKind.ESCORT).exists()
    ):
        raise refuse(
            _("该返乡须派员护送，请先安排护送人员"), code="escort_missing", field="departed_at", conflict=True
        )
    locked.status = ReturnStatus.DEPARTED
    locked.departed_at = departed_at
    rescued = RescuedPerson.objects.select_for_update().get(pk=locked.rescued_id)
    rescued.status = RescuedStatus.RETURNING
    with acting_as(actor):
        locked.save(update_fields=["status", "departed_at", "updated_at"])
        rescued.save(update_fields=["status", "updated_at"])
    return locked


@transaction.atomic
def return_confirm_arrival(
    *, actor: User | None, trip: ReturnTrip, arrived_at: dt.datetime, confirmed_by_name: str, note: str = ""
) -> ReturnTrip:
    """The receiving side confirmed the arrival (接收方确认到达): the return is done."""
    locked = _locked_trip(trip)
    if locked.status == ReturnStatus.ARRIVED:
        raise refuse(_("该返乡已确认到达"), code="already_arrived", conflict=True)
    if locked.status != ReturnStatus.DEPARTED:
        raise refuse(_("尚未出发的返乡不能确认到达"), code="not_departed", conflict=True)
    errors: dict[str, list[str]] = {}
    if not confirmed_by_name.strip():
        errors["confirmed_by_name"] = [_("到达须由接收方确认，请填写确认人")]
    if arrived_at > clock.now():
        errors["arrived_at"] = [_("到达时间不能晚于当前时间")]
    elif locked.departed_at is not None and arrived_at < locked.departed_at:
        errors["arrived_at"] = [_("到达时间不能早于出发时间")]
    raise_all(errors, code="invalid_arrival")
    locked.status = ReturnStatus.ARRIVED
    locked.arrived_at = arrived_at
    locked.confirmed_by_name = confirmed_by_name.strip()
    locked.confirmation_note = note.strip()
    locked.confirmed_by = _user(actor)
    clean(locked, validate_unique=False)
    rescued = RescuedPerson.objects.select_for_update().get(pk=locked.rescued_id)
    rescued.status = RescuedStatus.RETURNED
    rescued.left_on = arrived_at.astimezone(clock.local_zone()).date()
    with acting_as(actor):
        locked.save(
            update_fields=[
                "status",
                "arrived_at",
                "confirmed_by_name",
                "confirmation_note",
                "confirmed_by",
                "updated_at",
            ]
        )
        rescued.save(update_fields=["status", "left_on", "updated_at"])
    return locked


@transaction.atomic
def return_cancel(*, actor: User | None, trip: ReturnTrip) -> ReturnTrip:
    locked = _locked_trip(trip)
    if locked.status != ReturnStatus.ARRANGED:
        raise refuse(_("只有尚未出发的返乡可以取消"), code="not_arranged", conflict=True)
    locked.status = ReturnStatus.CANCELLED
    with acting_as(actor):
        locked.save(update_fields=["status", "updated_at"])
    return locked


# --- Staff sent out (R4) -----------------------------------------------------------------------


def vaccination_refusal(person: Person, *, policy: RescuePolicy) -> str | None:
    """Why `person` (annotated by `selectors.station_staff`) may not be sent out, or None.

    The plan: "对未接种新冠病毒疫苗人员，原则上不安排护送返乡、外出溯源". Fully vaccinated is the
    ledger's COMPLETED or BOOSTER. A contraindication or a deferral does not count as
    vaccinated — the person is no better protected on a train for it — so they are refused too,
    with the reason named so that the station sends someone else."""
    if not policy.escort_requires_full_vaccination or selectors.fully_vaccinated(person):
        return None
    status = selectors.vaccination_label(person) or _("未接种")
    if getattr(person, "has_contraindication", False):
        why = _("有接种禁忌（%(status)s）") % {"status": status}
    elif getattr(person, "has_deferral", False):
        why = _("暂缓接种（%(status)s）") % {"status": status}
    else:
        why = str(status)
    return _("%(name)s新冠病毒疫苗%(why)s，未完成全程接种，按方案不安排护送返乡、外出寻亲等工作") % {
        "name": person.name,
        "why": why,
    }


@transaction.atomic
def assignment_make(
    *,
    actor: User | None,
    rescued: RescuedPerson,
    kind: str,
    staff: Person,
    task_on: dt.date,
    note: str = "",
) -> StaffAssignment:
    """Send a member of the station's staff to escort someone home or trace a family (R4);
    anyone not fully vaccinated according to the ledger is refused with the reason."""
    if kind not in AssignmentKind.values:
        raise refuse(_("未知的任务类型"), code="invalid_assignment", field="kind")
    station = rescued.station
    annotated = selectors.station_staff(station, as_of=task_on).filter(pk=staff.pk).first()
    if annotated is None:
        raise refuse(
            _("%(name)s不是本站登记的工作人员") % {"name": staff.name},
            code="not_station_staff",
            field="staff",
        )
    policy = current_policy(RescuePolicy, task_on)
    reason = vaccination_refusal(annotated, policy=policy)
    if reason is not None:
        raise refuse(reason, code="staff_not_vaccinated", field="staff")
    if StaffAssignment.objects.filter(rescued=rescued, kind=kind, staff=staff, task_on=task_on).exists():
        raise refuse(_("该工作人员已安排此任务"), code="duplicate_assignment", field="staff", conflict=True)
    assignment = StaffAssignment(
        rescued=rescued, kind=kind, staff=staff, task_on=task_on, note=note.strip(), assigned_by=_user(actor)
    )
    clean(assignment, validate_unique=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError as error:
            raise refuse(_("该工作人员已安排此任务"), code="duplicate_assignment", conflict=True) from error
    return assignment


# --- Incidents (R3) ----------------------------------------------------------------------------


def incident_audience(station: OrgUnit) -> list[audiences.Target]:
    """Up at once: the county bureau and the region's coordinators of the task (救助管理总站)."""
    targets: list[audiences.Target] = [audiences.module_coordinators(Module.RESCUE)]
    with contextlib.suppress(DomainError):  # a station directly under the region has no county
        targets.insert(0, audiences.county_bureau(station))
    return targets


@dataclass
class IncidentInput:
    kind: str
    occurred_at: dt.datetime
    description: str
    rescued: RescuedPerson | None = None


@transaction.atomic
def incident_report(*, actor: User | None, station: OrgUnit, data: IncidentInput) -> Incident:
    """Log an incident and report it up at once (urgent alert to the county bureau and region)."""
    _require_station(station)
    errors: dict[str, list[str]] = {}
    if data.kind not in IncidentKind.values:
        errors["kind"] = [_("未知的事件类型")]
    if not data.description.strip():
        errors["description"] = [_("请填写事件经过")]
    _not_in_future(data.occurred_at, "occurred_at", errors)
    if data.rescued is not None and data.rescued.station_id != station.pk:
        errors["rescued"] = [_("该受助人员不在本站")]
    raise_all(errors, code="invalid_incident")
    now = clock.now()
    incident = Incident(
        station=station,
        rescued=data.rescued,
        kind=data.kind,
        occurred_at=data.occurred_at,
        description=data.description.strip(),
        reported_at=now,
        last_report_at=now,
        reported_by=_user(actor),
    )
    clean(incident)
    with acting_as(actor):
        incident.save()
    who = f"（{data.rescued.display_name}）" if data.rescued is not None else ""
    kind = IncidentKind(data.kind).label
    alert_raise(
        source=Module.RESCUE,
        kind=INCIDENT_REPORTED,
        title=f"救助站安全事件：{station.name} {kind}",
        body=(
            f"{station.name}于 {data.occurred_at.astimezone(clock.local_zone()):%Y-%m-%d %H:%M} 发生{kind}{who}："
            f"{incident.description[:200]}。请督促处置并按时续报。"
        ),
        unit=station,
        audience=incident_audience(station),
        severity=Severity.URGENT,
        dedupe_key=f"{INCIDENT_REPORTED}:{incident.pk}",
        link=reverse("rescue:incident_detail", kwargs={"rescue_incident_id": incident.pk}),
        target=incident,
        actor=_user(actor),
    )
    return incident


@transaction.atomic
def incident_follow_up(*, actor: User | None, incident: Incident, text: str) -> IncidentReport:
    """A follow-up report (续报) on an open incident."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.closed_at is not None:
        raise refuse(_("该事件已结案"), code="incident_closed", conflict=True)
    if not text.strip():
        raise refuse(_("请填写续报情况"), code="invalid_report", field="text")
    now = clock.now()
    report = IncidentReport(incident=locked, reported_at=now, text=text.strip(), reported_by=_user(actor))
    clean(report)
    locked.last_report_at = now
    with acting_as(actor):
        report.save()
        locked.save(update_fields=["last_report_at", "updated_at"])
    incident.last_report_at = now
    return report


@transaction.atomic
def incident_close(*, actor: User | None, incident: Incident, liability: bool | None, note: str) -> Incident:
    """Close an incident with the finding on liability (责任事故：是/否), decided now."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.closed_at is not None:
        raise refuse(_("该事件已结案"), code="incident_closed", conflict=True)
    errors: dict[str, list[str]] = {}
    if liability is None:
        errors["liability"] = [_("结案时须认定是否为责任事故")]
    if not note.strip():
        errors["note"] = [_("请填写结案意见")]
    raise_all(errors, code="invalid_closing")
    locked.closed_at = clock.now()
    locked.liability = liability
    locked.closing_note = note.strip()
    locked.closed_by = _user(actor)
    clean(locked)
    with acting_as(actor):
        locked.save(update_fields=["closed_at", "liability", "closing_note", "closed_by", "updated_at"])
    return locked
