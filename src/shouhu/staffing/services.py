"""Writes of staff leave and travel reports (R4): one validation path for pages and API.

Every function is keyword-only and atomic and names its actor (`acting_as`). A request for a
person is filed under the person's row lock, so two clerks filing the same days at once cannot
both pass the overlap check; a decision takes the request's row, so it is decided once.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.validation import clean, raise_all, refuse
from shouhu.people.models import Person
from shouhu.screening.places import province_full_name
from shouhu.staffing import selectors
from shouhu.staffing.models import (
    LeaveKind,
    LeaveRequest,
    LeaveStatus,
    StaffAccount,
    StaffingPolicy,
    Transport,
    TravelReport,
)

# A request's span: a typo in the year (2202) is refused instead of reaching the records.
MAX_SPAN_DAYS = 366  # not a policy threshold: the longest leave or trip one record may hold


def _actor(actor: User | None) -> User:
    if actor is None or not actor.is_authenticated:
        raise refuse(_("请先登录"), code="not_authenticated")
    return actor


def _lock_staff(person: Person, actor: User) -> Person:
    """The person's row, locked; refused unless they are staff of a unit in the actor's subtree."""
    locked = Person.objects.select_for_update().select_related("home_unit").get(pk=person.pk)
    own = actor.unit
    if own is None or not locked.home_unit.path.startswith(own.path):
        raise refuse(_("只能为本单位及下级单位的工作人员办理"), code="person_out_of_scope", field="person")
    if not selectors.is_staff_person(locked) or locked.merged_into_id is not None:
        raise refuse(_("%(name)s不是在册工作人员") % {"name": locked.name}, code="not_staff", field="person")
    return locked


def _span_errors(
    errors: dict[str, list[str]], start: dt.date, end: dt.date, *, start_field: str, end_field: str
) -> None:
    if end < start:
        errors[end_field] = [_("结束日期不能早于开始日期")]
    elif (end - start).days >= MAX_SPAN_DAYS:
        errors[end_field] = [_("时间跨度不能超过 %(days)s 天，请核对") % {"days": MAX_SPAN_DAYS}]
    today = clock.today()
    if abs((start - today).days) > MAX_SPAN_DAYS:
        errors[start_field] = [_("开始日期距今天超过 %(days)s 天，请核对") % {"days": MAX_SPAN_DAYS}]


# --- Staff accounts -----------------------------------------------------------------------------


@transaction.atomic
def staff_account_link(*, actor: User | None, user: User, person: Person) -> StaffAccount:
    """Link an account to the staff person who holds it (their own requests, never their approval)."""
    actor = _actor(actor)
    person = _lock_staff(person, actor)
    if user.unit_id != person.home_unit_id:
        raise refuse(_("账号所属单位与工作人员所在单位不一致"), code="unit_mismatch", field="user")
    if StaffAccount.objects.filter(user_id=user.pk).exists():
        raise refuse(_("该账号已关联工作人员"), code="already_linked", field="user", conflict=True)
    if StaffAccount.objects.filter(person_id=person.pk).exists():
        raise refuse(_("该工作人员已关联账号"), code="already_linked", field="person", conflict=True)
    link = StaffAccount(user=user, person=person, linked_by=actor)
    with acting_as(actor):
        link.save()
    return link


# --- Leave requests (请假) and returns (销假) -------------------------------------------------------


@dataclass
class LeaveInput:
    person: Person
    kind: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str
    destination: str = ""


@transaction.atomic
def leave_file(*, actor: User | None, data: LeaveInput) -> LeaveRequest:
    """File a leave request for a staff person (the person themselves, or a clerk of their unit)."""
    actor = _actor(actor)
    errors: dict[str, list[str]] = {}
    if data.kind not in LeaveKind.values:
        errors["kind"] = [_("未知的请假类型")]
    if not data.reason.strip():
        errors["reason"] = [_("请填写请假事由")]
    _span_errors(errors, data.starts_on, data.ends_on, start_field="starts_on", end_field="ends_on")
    raise_all(errors, code="invalid_leave")
    person = _lock_staff(data.person, actor)
    clash = selectors.overlapping_leaves(person, data.starts_on, data.ends_on).first()
    if clash is not None:
        raise refuse(
            _("%(name)s在 %(start)s 至 %(end)s 已有请假（%(status)s），请勿重复申请")
            % {
                "name": person.name,
                "start": clash.starts_on,
                "end": clash.ends_on,
                "status": clash.get_status_display(),
            },
            code="leave_overlaps",
            field="starts_on",
            conflict=True,
        )
    leave = LeaveRequest(
        person=person,
        unit=person.home_unit,
        kind=data.kind,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        reason=data.reason.strip(),
        destination=data.destination.strip(),
        filed_by=actor,
        filed_at=clock.now(),
    )
    clean(leave, validate_unique=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                leave.save()
        except IntegrityError as error:
            raise refuse(
                _("该工作人员在此期间已有请假"), code="leave_overlaps", field="starts_on", conflict=True
            ) from error
    return leave


def _lock_leave(leave: LeaveRequest) -> LeaveRequest:
    return LeaveRequest.objects.select_for_update().select_related("person", "unit").get(pk=leave.pk)


def _require_decider(actor: User, leave: LeaveRequest) -> None:
    why = selectors.can_decide(actor, unit=leave.unit, filed_by_id=leave.filed_by_id, person=leave.person)
    if why is not None:
        raise refuse(why, code="not_the_approver")


@transaction.atomic
def leave_approve(*, actor: User | None, leave: LeaveRequest) -> LeaveRequest:
    actor = _actor(actor)
    leave = _lock_leave(leave)
    if leave.status != LeaveStatus.PENDING:
        raise refuse(_("该请假已审批"), code="already_decided", conflict=True)
    _require_decider(actor, leave)
    leave.status = LeaveStatus.APPROVED
    leave.decided_by = actor
    leave.decided_at = clock.now()
    clean(leave, validate_unique=False)
    with acting_as(actor):
        leave.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return leave


@transaction.atomic
def leave_refuse(*, actor: User | None, leave: LeaveRequest, reason: str) -> LeaveRequest:
    actor = _actor(actor)
    if not reason.strip():
        raise refuse(_("请填写不批准的理由"), code="reason_required", field="reason")
    leave = _lock_leave(leave)
    if leave.status != LeaveStatus.PENDING:
        raise refuse(_("该请假已审批"), code="already_decided", conflict=True)
    _require_decider(actor, leave)
    leave.status = LeaveStatus.REFUSED
    leave.decided_by = actor
    leave.decided_at = clock.now()
    leave.refusal_reason = reason.strip()
    clean(leave, validate_unique=False)
    with acting_as(actor):
        leave.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason", "updated_at"])
    return leave


@transaction.atomic
def leave_return(*, actor: User | None, leave: LeaveRequest, returned_on: dt.date) -> LeaveRequest:
    """Record the return to work (销假) of an approved leave."""
    actor = _actor(actor)
    leave = _lock_leave(leave)
    if leave.status == LeaveStatus.RETURNED:
        raise refuse(_("该请假已销假"), code="already_returned", conflict=True)
    if leave.status != LeaveStatus.APPROVED:
        raise refuse(_("只有已批准的请假可以销假"), code="not_approved", conflict=True)
    if returned_on < leave.starts_on:
        raise refuse(_("销假日期不能早于请假开始日期"), code="invalid_return", field="returned_on")
    if returned_on > clock.today():
        raise refuse(_("销假日期不能晚于今天"), code="invalid_return", field="returned_on")
    leave.status = LeaveStatus.RETURNED
    leave.returned_on = returned_on
    leave.return_recorded_by = actor
    clean(leave, validate_unique=False)
    with acting_as(actor):
        leave.save(update_fields=["status", "returned_on", "return_recorded_by", "updated_at"])
    return leave


# --- Travel reports (出行报备) ------------------------------------------------------------------


@dataclass
class TravelInput:
    person: Person
    destination_province: str
    destination: str
    departs_on: dt.date
    returns_on: dt.date
    transport: str
    purpose: str
    destination_code: str = ""
    transport_detail: str = ""
    leave: LeaveRequest | None = None


def _apply_risk(report: TravelReport, result: selectors.RiskResult) -> None:
    report.risk_checked_on = result.checked_on
    report.risk_hit = result.hit
    report.risk_level = result.level
    report.risk_areas = "\n".join(result.areas)
    report.risk_possible = "\n".join(result.possible)
    report.acknowledgement_required = report.acknowledgement_required or result.needs_acknowledgement


@transaction.atomic
def travel_report(*, actor: User | None, data: TravelInput) -> TravelReport:
    """Report a trip; the destination is checked against the risk areas in force (screening's
    rules and look-back). A hit, or a place that may lie in a risk area, waits for the unit
    head's acknowledgement."""
    actor = _actor(actor)
    errors: dict[str, list[str]] = {}
    province = province_full_name(data.destination_province)
    if not province:
        errors["destination_province"] = [_("请选择目的地省份")]
    if data.transport not in Transport.values:
        errors["transport"] = [_("未知的交通方式")]
    if not data.purpose.strip():
        errors["purpose"] = [_("请填写出行事由")]
    _span_errors(errors, data.departs_on, data.returns_on, start_field="departs_on", end_field="returns_on")
    raise_all(errors, code="invalid_travel")
    person = _lock_staff(data.person, actor)
    if data.leave is not None and data.leave.person_id != person.pk:
        raise refuse(_("所选请假不是该工作人员的"), code="leave_mismatch", field="leave")
    today = clock.today()
    policy = current_policy(StaffingPolicy, today)
    report = TravelReport(
        person=person,
        unit=person.home_unit,
        leave=data.leave,
        destination_province=province,
        destination=data.destination.strip(),
        destination_code=data.destination_code.strip(),
        departs_on=data.departs_on,
        returns_on=data.returns_on,
        transport=data.transport,
        transport_detail=data.transport_detail.strip(),
        purpose=data.purpose.strip(),
        filed_by=actor,
        filed_at=clock.now(),
        filed_late=(data.departs_on - today).days < policy.travel_report_lead_days,
    )
    _apply_risk(
        report,
        selectors.destination_risk(
            province=province,
            place=report.destination,
            code=report.destination_code,
            departs_on=report.departs_on,
            returns_on=report.returns_on,
            on=today,
        ),
    )
    clean(report, validate_unique=False)
    with acting_as(actor):
        report.save()
    return report


def _lock_travel(report: TravelReport) -> TravelReport:
    return TravelReport.objects.select_for_update().select_related("person", "unit").get(pk=report.pk)


@transaction.atomic
def travel_acknowledge(*, actor: User | None, report: TravelReport, note: str = "") -> TravelReport:
    """The unit head (or the unit above) acknowledges a trip that meets a risk area."""
    actor = _actor(actor)
    report = _lock_travel(report)
    if not report.acknowledgement_required:
        raise refuse(_("该出行未涉及中高风险地区，无需确认"), code="nothing_to_acknowledge", conflict=True)
    if report.acknowledged_at is not None:
        raise refuse(_("该出行已确认"), code="already_acknowledged", conflict=True)
    why = selectors.can_decide(actor, unit=report.unit, filed_by_id=report.filed_by_id, person=report.person)
    if why is not None:
        raise refuse(why, code="not_the_approver")
    report.acknowledged_by = actor
    report.acknowledged_at = clock.now()
    report.acknowledgement_note = note.strip()
    clean(report, validate_unique=False)
    with acting_as(actor):
        report.save(
            update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_note", "updated_at"]
        )
    return report


@transaction.atomic
def travel_return(*, actor: User | None, report: TravelReport, returned_on: dt.date) -> TravelReport:
    """Record the return from a trip; the destination is checked again with the real dates (an
    area declared during the trip is met now, and then waits for acknowledgement too)."""
    actor = _actor(actor)
    report = _lock_travel(report)
    if report.returned_on is not None:
        raise refuse(_("该出行已登记返回"), code="already_returned", conflict=True)
    if returned_on < report.departs_on:
        raise refuse(_("实际返回日期不能早于出发日期"), code="invalid_return", field="returned_on")
    today = clock.today()
    if returned_on > today:
        raise refuse(_("实际返回日期不能晚于今天"), code="invalid_return", field="returned_on")
    report.returned_on = returned_on
    report.return_recorded_by = actor
    result = selectors.destination_risk(
        province=report.destination_province,
        place=report.destination,
        code=report.destination_code,
        departs_on=report.departs_on,
        returns_on=returned_on,
        on=today,
    )
    if result.hit or (result.possible and not report.risk_hit):
        _apply_risk(report, result)
    else:
        report.risk_checked_on = today
    clean(report, validate_unique=False)
    with acting_as(actor):
        report.save()
    return report
