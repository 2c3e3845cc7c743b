"""Pages of staff leave (请销假), travel reports (出行报备) and staff education (R4, R5).

Phone-first: a member of staff files on the phone, the head approves on the phone."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.exports import Column, xlsx_response
from shouhu.common.forms import add_domain_error, form_problems, form_status
from shouhu.common.listing import render_list
from shouhu.common.permissions import require
from shouhu.staffing import selectors, services
from shouhu.staffing.forms import (
    AcknowledgeForm,
    EducationFilterForm,
    LeaveFilterForm,
    LeaveForm,
    RefuseForm,
    ReturnForm,
    TravelFilterForm,
    TravelForm,
    TravelReturnForm,
)
from shouhu.staffing.models import LeaveRequest, LeaveStatus, StaffingPolicy, TravelReport
from shouhu.staffing.permissions import StaffingPerm


def _yes(value: bool) -> str:
    return "是" if value else "否"


LEAVE_COLUMNS: list[Column] = [
    ("工作人员", lambda leave: leave.person.name),
    ("单位", lambda leave: leave.unit.name),
    ("请假类型", lambda leave: leave.get_kind_display()),
    ("开始日期", lambda leave: leave.starts_on),
    ("结束日期", lambda leave: leave.ends_on),
    ("天数", lambda leave: leave.days),
    ("事由", lambda leave: leave.reason),
    ("前往地点", lambda leave: leave.destination),
    ("状态", lambda leave: leave.get_status_display()),
    ("审批人", lambda leave: str(leave.decided_by) if leave.decided_by else ""),
    ("不批准理由", lambda leave: leave.refusal_reason),
    ("销假日期", lambda leave: leave.returned_on),
    ("提交人", lambda leave: str(leave.filed_by)),
]


@login_required
@require_safe
def leave_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, StaffingPerm.VIEW)
    form = LeaveFilterForm(request.GET or None, units=selectors.staff_units(viewer=request.user))
    filters = selectors.LeaveFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.LeaveFilters(
            search=data["q"],
            unit=data["unit"],
            status=data["status"],
            kind=data["kind"],
            overdue_only=data["overdue"],
            mine=data["mine"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    policy = current_policy(StaffingPolicy)
    return render_list(
        request,
        template="staffing/leave_list.html",
        queryset=selectors.leave_list(viewer=request.user, filters=filters),
        columns=LEAVE_COLUMNS,
        export_name="请销假记录",
        context={
            "form": form,
            "can_request": request.user.has_code(StaffingPerm.REQUEST),
            "today": clock.today(),
            "overdue_before": clock.today() - dt.timedelta(days=policy.return_grace_days),
            "policy": policy,
        },
        filter_form=form,
    )


@login_required
def leave_create(request: AuthedHttpRequest) -> HttpResponse:
    require(request, StaffingPerm.REQUEST)
    people = selectors.staff_people(viewer=request.user)
    own = selectors.own_person(request.user)
    today = clock.today()
    form = LeaveForm(
        request.POST or None,
        people=people,
        initial={"person": own, "starts_on": today, "ends_on": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            leave = services.leave_file(
                actor=request.user,
                data=services.LeaveInput(
                    person=data["person"],
                    kind=data["kind"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    reason=data["reason"],
                    destination=data["destination"],
                ),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已提交请假申请，等待审批"))
            return redirect("staffing:leave_detail", staff_leave_id=leave.pk)
    return render(request, "staffing/leave_form.html", {"form": form}, status=form_status(form))


def _render_leave(
    request: AuthedHttpRequest,
    leave: LeaveRequest,
    *,
    refuse_form: RefuseForm | None = None,
    return_form: ReturnForm | None = None,
) -> HttpResponse:
    policy = current_policy(StaffingPolicy)
    today = clock.today()
    why_not = selectors.can_decide(
        request.user, unit=leave.unit, filed_by_id=leave.filed_by_id, person=leave.person
    )
    can_decide = leave.status == LeaveStatus.PENDING and why_not is None
    can_return = leave.status == LeaveStatus.APPROVED and request.user.has_code(StaffingPerm.REQUEST)
    return render(
        request,
        "staffing/leave_detail.html",
        {
            "leave": leave,
            "policy": policy,
            "can_decide": can_decide,
            "why_not": why_not if leave.status == LeaveStatus.PENDING else None,
            "can_return": can_return,
            "overdue": selectors.leave_is_overdue(leave, today=today, policy=policy),
            "return_due_on": selectors.return_due_on(leave, policy),
            "refuse_form": refuse_form or RefuseForm(),
            "return_form": return_form or ReturnForm(initial={"returned_on": today}),
            "trips": list(leave.travel_reports.order_by("departs_on")),
        },
        status=form_status(refuse_form, return_form),
    )


@login_required
@require_safe
def leave_detail(request: AuthedHttpRequest, staff_leave_id: int) -> HttpResponse:
    require(request, StaffingPerm.VIEW)
    return _render_leave(request, selectors.access_leave(request.user, staff_leave_id))


@login_required
@require_POST
def leave_approve(request: AuthedHttpRequest, staff_leave_id: int) -> HttpResponse:
    require(request, StaffingPerm.APPROVE)
    leave = selectors.access_leave(request.user, staff_leave_id)
    try:
        services.leave_approve(actor=request.user, leave=leave)
    except DomainError as error:
        messages.error(request, error.message)
        return _refused(request, leave, error)
    messages.success(request, _("已批准请假"))
    return redirect("staffing:leave_detail", staff_leave_id=leave.pk)


def _refused(request: AuthedHttpRequest, leave: LeaveRequest, error: DomainError) -> HttpResponse:
    response = _render_leave(request, selectors.access_leave(request.user, leave.pk))
    response.status_code = error.status_code
    return response


@login_required
@require_POST
def leave_refuse(request: AuthedHttpRequest, staff_leave_id: int) -> HttpResponse:
    require(request, StaffingPerm.APPROVE)
    leave = selectors.access_leave(request.user, staff_leave_id)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.leave_refuse(actor=request.user, leave=leave, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已退回请假申请（不批准）"))
            return redirect("staffing:leave_detail", staff_leave_id=leave.pk)
    return _render_leave(request, selectors.access_leave(request.user, leave.pk), refuse_form=form)


@login_required
@require_POST
def leave_return(request: AuthedHttpRequest, staff_leave_id: int) -> HttpResponse:
    require(request, StaffingPerm.REQUEST)
    leave = selectors.access_leave(request.user, staff_leave_id)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.leave_return(
                actor=request.user, leave=leave, returned_on=form.cleaned_data["returned_on"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已销假"))
            return redirect("staffing:leave_detail", staff_leave_id=leave.pk)
    return _render_leave(request, selectors.access_leave(request.user, leave.pk), return_form=form)


# --- Travel reports -----------------------------------------------------------------------------


TRAVEL_COLUMNS: list[Column] = [
    ("工作人员", lambda r: r.person.name),
    ("单位", lambda r: r.unit.name),
    ("目的地", lambda r: r.destination_label),
    ("出发日期", lambda r: r.departs_on),
    ("计划返回日期", lambda r: r.returns_on),
    ("交通方式", lambda r: r.get_transport_display()),
    ("车次、航班或车牌", lambda r: r.transport_detail),
    ("事由", lambda r: r.purpose),
    ("涉及中高风险地区", lambda r: _yes(r.risk_hit)),
    ("风险等级", lambda r: selectors.level_text(r.risk_level)),
    ("涉及的风险地区", lambda r: "；".join(r.risk_area_list)),
    ("可能涉及、需核实", lambda r: "；".join(r.risk_possible_list)),
    ("单位负责人确认", lambda r: str(r.acknowledged_by) if r.acknowledged_by else ""),
    ("实际返回日期", lambda r: r.returned_on),
    ("未按时报备", lambda r: _yes(r.filed_late)),
]


@login_required
@require_safe
def travel_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, StaffingPerm.VIEW)
    form = TravelFilterForm(request.GET or None, units=selectors.staff_units(viewer=request.user))
    filters = selectors.TravelFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.TravelFilters(
            search=data["q"],
            unit=data["unit"],
            risk_only=data["risk"],
            awaiting_only=data["awaiting"],
            away_only=data["away"],
            mine=data["mine"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    return render_list(
        request,
        template="staffing/travel_list.html",
        queryset=selectors.travel_list(viewer=request.user, filters=filters),
        columns=TRAVEL_COLUMNS,
        export_name="出行报备",
        context={"form": form, "can_request": request.user.has_code(StaffingPerm.REQUEST)},
        filter_form=form,
    )


@login_required
def travel_create(request: AuthedHttpRequest) -> HttpResponse:
    require(request, StaffingPerm.REQUEST)
    people = selectors.staff_people(viewer=request.user)
    own = selectors.own_person(request.user)
    today = clock.today()
    form = TravelForm(
        request.POST or None,
        people=people,
        initial={"person": own, "departs_on": today, "returns_on": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.travel_report(
                actor=request.user,
                data=services.TravelInput(
                    person=data["person"],
                    destination_province=data["destination_province"],
                    destination=data["destination"],
                    departs_on=data["departs_on"],
                    returns_on=data["returns_on"],
                    transport=data["transport"],
                    transport_detail=data["transport_detail"],
                    purpose=data["purpose"],
                ),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if report.acknowledgement_required:
                messages.warning(request, _("已报备。目的地涉及或可能涉及中高风险地区，须单位负责人确认"))
            else:
                messages.success(request, _("已报备，目的地未涉及中高风险地区"))
            return redirect("staffing:travel_detail", travel_report_id=report.pk)
    policy = current_policy(StaffingPolicy)
    return render(
        request, "staffing/travel_form.html", {"form": form, "policy": policy}, status=form_status(form)
    )


def _render_travel(
    request: AuthedHttpRequest,
    report: TravelReport,
    *,
    acknowledge_form: AcknowledgeForm | None = None,
    return_form: TravelReturnForm | None = None,
) -> HttpResponse:
    today = clock.today()
    why_not = selectors.can_decide(
        request.user, unit=report.unit, filed_by_id=report.filed_by_id, person=report.person
    )
    return render(
        request,
        "staffing/travel_detail.html",
        {
            "report": report,
            "level": selectors.level_text(report.risk_level),
            "can_acknowledge": report.awaiting_acknowledgement and why_not is None,
            "why_not": why_not if report.awaiting_acknowledgement else None,
            "can_return": report.returned_on is None
            and report.departs_on <= today
            and request.user.has_code(StaffingPerm.REQUEST),
            "after_return": selectors.after_return(report, today=today),
            "acknowledge_form": acknowledge_form or AcknowledgeForm(),
            "return_form": return_form or TravelReturnForm(initial={"returned_on": today}),
        },
        status=form_status(acknowledge_form, return_form),
    )


@login_required
@require_safe
def travel_detail(request: AuthedHttpRequest, travel_report_id: int) -> HttpResponse:
    require(request, StaffingPerm.VIEW)
    return _render_travel(request, selectors.access_travel(request.user, travel_report_id))


@login_required
@require_POST
def travel_acknowledge(request: AuthedHttpRequest, travel_report_id: int) -> HttpResponse:
    require(request, StaffingPerm.APPROVE)
    report = selectors.access_travel(request.user, travel_report_id)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.travel_acknowledge(actor=request.user, report=report, note=form.cleaned_data["note"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已确认"))
            return redirect("staffing:travel_detail", travel_report_id=report.pk)
    return _render_travel(request, selectors.access_travel(request.user, report.pk), acknowledge_form=form)


@login_required
@require_POST
def travel_return(request: AuthedHttpRequest, travel_report_id: int) -> HttpResponse:
    require(request, StaffingPerm.REQUEST)
    report = selectors.access_travel(request.user, travel_report_id)
    form = TravelReturnForm(request.POST)
    if form.is_valid():
        try:
            report = services.travel_return(
                actor=request.user, report=report, returned_on=form.cleaned_data["returned_on"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已登记返回"))
            return redirect("staffing:travel_detail", travel_report_id=report.pk)
    return _render_travel(request, selectors.access_travel(request.user, report.pk), return_form=form)


# --- Units and education ------------------------------------------------------------------------


UNIT_COLUMNS: list[Column] = [
    ("单位", lambda line: line.unit.name),
    ("工作人员", lambda line: line.staff),
    ("今日在假", lambda line: line.on_leave),
    ("请假待审批", lambda line: line.pending),
    ("逾期未销假", lambda line: line.overdue_returns),
    ("外出未返回", lambda line: line.away),
    ("涉风险出行待确认", lambda line: line.awaiting_acknowledgement),
]


@login_required
@require_safe
def unit_overview(request: AuthedHttpRequest) -> HttpResponse:
    require(request, StaffingPerm.VIEW)
    lines = selectors.unit_overview(viewer=request.user, today=clock.today())
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            filename="工作人员在岗情况.xlsx", sheet_title="在岗情况", columns=UNIT_COLUMNS, rows=lines
        )
    return render(request, "staffing/unit_overview.html", {"lines": lines, "today": clock.today()})


COVERAGE_COLUMNS: list[Column] = [
    ("单位", lambda line: line.unit.name),
    ("工作人员", lambda line: line.staff),
    ("已参加培训", lambda line: line.trained),
    ("覆盖率（%）", lambda line: line.percent),
]


@login_required
@require_safe
def education(request: AuthedHttpRequest) -> HttpResponse:
    require(request, StaffingPerm.VIEW)
    form = EducationFilterForm(request.GET or None)
    since = form.cleaned_data["since"] if form.is_valid() else None
    if form.is_bound and not form.is_valid():
        messages.error(request, form_problems(form))
        return render(request, "staffing/education.html", {"form": form, "lines": []}, status=400)
    lines = selectors.education_coverage(viewer=request.user, since=since)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            filename="工作人员防疫教育覆盖.xlsx", sheet_title="教育覆盖", columns=COVERAGE_COLUMNS, rows=lines
        )
    return render(request, "staffing/education.html", {"form": form, "lines": lines})
