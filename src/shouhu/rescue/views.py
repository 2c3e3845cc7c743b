"""Pages of vagrant and beggar rescue. Station staff work on phones in the street: every entry
page is one narrow column, one form at a time, big buttons."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import ChoiceField
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.exports import Column
from shouhu.common.forms import add_domain_error, form_status
from shouhu.common.listing import render_list
from shouhu.common.permissions import require
from shouhu.orgs.models import OrgUnit
from shouhu.rescue import selectors, services
from shouhu.rescue.forms import (
    ArrivalForm,
    AssignmentForm,
    CloseForm,
    DepartForm,
    EncounterForm,
    FollowUpForm,
    GuidanceForm,
    IncidentFilterForm,
    IncidentForm,
    LeaveForm,
    MatchForm,
    PatrolForm,
    ProvisionForm,
    RescuedFilterForm,
    RescuedForm,
    ReturnFilterForm,
    ReturnForm,
    ScreeningForm,
)
from shouhu.rescue.models import (
    Incident,
    RescuedPerson,
    RescuedStatus,
    RescuePolicy,
    ReturnStatus,
    ReturnTrip,
    StreetPatrol,
)
from shouhu.rescue.permissions import RescuePerm

ONE_HOUR = dt.timedelta(hours=1)  # not a policy threshold: a patrol's usual length, as a default


def _now_local() -> dt.datetime:
    """Now, to the minute, as a datetime-local input shows it."""
    return clock.now().astimezone(clock.local_zone()).replace(second=0, microsecond=0, tzinfo=None)


def _can_record(request: AuthedHttpRequest, station: OrgUnit) -> bool:
    return request.user.has_code(RescuePerm.RECORD) and selectors.can_record_at(request.user, station)


# --- Home and station -------------------------------------------------------------------------


@login_required
@require_safe
def home(request: AuthedHttpRequest) -> HttpResponse:
    require(request, RescuePerm.VIEW)
    stations = selectors.station_list(viewer=request.user)
    records = selectors.safety_records(stations)
    if len(records) == 1:
        return redirect("rescue:station", rescue_station_id=records[0].station.pk)
    return render(request, "rescue/home.html", {"records": records})


@login_required
@require_safe
def station(request: AuthedHttpRequest, rescue_station_id: int) -> HttpResponse:
    require(request, RescuePerm.VIEW)
    unit = selectors.access_station(request.user, rescue_station_id)
    return render(
        request,
        "rescue/station.html",
        {
            "station": unit,
            "day": selectors.station_day(unit),
            "policy": current_policy(RescuePolicy),
            "spring_festival": selectors.spring_festival_on(viewer=request.user),
            "can_record": _can_record(request, unit),
        },
    )


# --- Patrols (R1) -----------------------------------------------------------------------------


@login_required
def patrol_create(request: AuthedHttpRequest, rescue_station_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    unit = selectors.access_station_for_recording(request.user, rescue_station_id)
    now = _now_local()
    form = PatrolForm(request.POST or None, initial={"started_at": now - ONE_HOUR, "ended_at": now})
    if request.method == "POST" and form.is_valid():
        try:
            patrol = services.patrol_log(
                actor=request.user, station=unit, data=services.PatrolInput(**form.cleaned_data)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已登记街面巡查，请记录遇到的人员"))
            return redirect("rescue:patrol_detail", street_patrol_id=patrol.pk)
    return render(
        request, "rescue/patrol_form.html", {"form": form, "station": unit}, status=form_status(form)
    )


def _render_patrol(
    request: AuthedHttpRequest, patrol: StreetPatrol, *, form: EncounterForm | None = None
) -> HttpResponse:
    can_record = _can_record(request, patrol.station)
    return render(
        request,
        "rescue/patrol_detail.html",
        {
            "patrol": patrol,
            "encounters": list(selectors.encounters_of(patrol)),
            "form": (form or EncounterForm()) if can_record else None,
        },
        status=form_status(form),
    )


@login_required
@require_safe
def patrol_detail(request: AuthedHttpRequest, street_patrol_id: int) -> HttpResponse:
    require(request, RescuePerm.VIEW)
    return _render_patrol(request, selectors.access_patrol(request.user, street_patrol_id))


@login_required
@require_POST
def encounter_add(request: AuthedHttpRequest, street_patrol_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    patrol = selectors.access_patrol_for_recording(request.user, street_patrol_id)
    form = EncounterForm(request.POST)
    if form.is_valid():
        try:
            encounter = services.encounter_record(
                actor=request.user, patrol=patrol, data=services.EncounterInput(**form.cleaned_data)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if encounter.rescued_id:
                messages.success(
                    request,
                    _("已劝导入站，受助人员临时编号 %(number)s")
                    % {"number": encounter.rescued.temp_number if encounter.rescued else ""},
                )
            else:
                messages.success(request, _("已记录"))
            return redirect("rescue:patrol_detail", street_patrol_id=patrol.pk)
    return _render_patrol(request, selectors.access_patrol(request.user, patrol.pk), form=form)


PATROL_COLUMNS: list[Column] = [
    ("救助管理机构", lambda p: p.station.name),
    ("巡查区域", lambda p: p.area),
    ("开始时间", lambda p: p.started_at),
    ("结束时间", lambda p: p.ended_at),
    ("巡查人员", lambda p: p.staff),
    ("遇到人员数", lambda p: p.encounter_count),
    ("备注", lambda p: p.note),
]


@login_required
@require_safe
def patrol_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, RescuePerm.VIEW)
    return render_list(
        request,
        template="rescue/patrol_list.html",
        queryset=selectors.patrol_list(viewer=request.user),
        columns=PATROL_COLUMNS,
        export_name="街面巡查",
        context={"tab": "patrols"},
    )


# --- People rescued (R2) ----------------------------------------------------------------------


def _live_return(person: RescuedPerson) -> ReturnTrip | None:
    trips = getattr(person, "live_returns", [])
    return trips[0] if trips else None


RESCUED_COLUMNS: list[Column] = [
    ("临时编号", lambda r: r.temp_number),
    ("姓名", lambda r: r.person.name if r.person else r.name),
    ("证件号码", lambda r: r.person.id_number_masked if r.person else ""),
    ("性别", lambda r: r.get_gender_display()),
    ("大致年龄", lambda r: r.approx_age),
    ("体貌特征", lambda r: r.description),
    ("发现地点", lambda r: r.found_place),
    ("救助管理机构", lambda r: r.station.name),
    ("入站时间", lambda r: r.admitted_at),
    ("状态", lambda r: r.get_status_display()),
    ("已比对人员登记", lambda r: "是" if r.person_id else "否"),
    ("入站查验", lambda r: r.entry_screening.get_verdict_display() if r.entry_screening else ""),
    ("返乡目的地", lambda r: t.destination if (t := _live_return(r)) else ""),
    ("返乡状态", lambda r: t.get_status_display() if (t := _live_return(r)) else ""),
    ("离站日期", lambda r: r.left_on),
]


@login_required
@require_safe
def rescued_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, RescuePerm.VIEW)
    stations = selectors.station_list(viewer=request.user)
    form = RescuedFilterForm(request.GET or None, stations=stations)
    filters = selectors.RescuedFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.RescuedFilters(
            search=data["q"], station=data["station"], status=data["status"], unmatched_only=data["unmatched"]
        )
    people = selectors.rescued_with_returns(selectors.rescued_list(viewer=request.user, filters=filters))
    return render_list(
        request,
        template="rescue/rescued_list.html",
        queryset=people,
        columns=RESCUED_COLUMNS,
        export_name="受助人员",
        context={
            "form": form,
            "tab": "rescued",
            "writable": list(selectors.station_writable(viewer=request.user)),
        },
        filter_form=form,
    )


@login_required
def rescued_create(request: AuthedHttpRequest, rescue_station_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    unit = selectors.access_station_for_recording(request.user, rescue_station_id)
    form = RescuedForm(request.POST or None, initial={"admitted_at": _now_local()})
    if request.method == "POST" and form.is_valid():
        try:
            rescued = services.rescued_admit(
                actor=request.user, station=unit, data=services.RescuedInput(**form.cleaned_data)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已登记，临时编号 %(number)s") % {"number": rescued.temp_number})
            return redirect("rescue:rescued_detail", rescued_id=rescued.pk)
    return render(
        request, "rescue/rescued_form.html", {"form": form, "station": unit}, status=form_status(form)
    )


def _render_rescued(request: AuthedHttpRequest, rescued_id: int, **forms: Any) -> HttpResponse:
    rescued = selectors.access_rescued(request.user, rescued_id)
    can_record = _can_record(request, rescued.station)
    trip = selectors.live_return(rescued)
    today = clock.today()
    now = _now_local()
    context: dict[str, Any] = {
        "rescued": rescued,
        "provisions": list(selectors.provisions_of(rescued)),
        "guidance": list(selectors.guidance_of(rescued)),
        "trips": list(selectors.returns_of(rescued)),
        "trip": trip,
        "assignments": list(selectors.assignments_of(rescued)),
        "can_record": can_record,
        "in_station": rescued.status == RescuedStatus.IN_STATION,
        "spring_festival": selectors.spring_festival_on(viewer=request.user),
        "policy": current_policy(RescuePolicy),
        "overdue": trip is not None
        and trip.status == ReturnStatus.DEPARTED
        and trip.departed_at is not None
        and trip.departed_at
        < selectors.arrival_due_before(clock.now(), days=current_policy(RescuePolicy).return_arrival_days),
    }
    if can_record:
        staff = selectors.station_staff(rescued.station)
        assignment_form = forms.get("assignment_form") or AssignmentForm(
            staff=staff, initial={"task_on": trip.planned_on if trip else today}
        )
        field = assignment_form.fields["staff"]
        assert isinstance(field, ChoiceField)
        field.choices = [
            ("", "---------"),
            *((p.pk, f"{p.name}（{selectors.vaccination_label(p) or _('未接种')}）") for p in staff),
        ]
        context.update(
            provision_form=forms.get("provision_form") or ProvisionForm(initial={"provided_on": today}),
            guidance_form=forms.get("guidance_form") or GuidanceForm(initial={"done_on": today}),
            match_form=forms.get("match_form") or MatchForm(initial={"name": rescued.name}),
            screening_form=forms.get("screening_form") or ScreeningForm(),
            leave_form=forms.get("leave_form") or LeaveForm(initial={"left_on": today}),
            return_form=forms.get("return_form") or ReturnForm(initial={"planned_on": today}),
            depart_form=forms.get("depart_form") or DepartForm(initial={"departed_at": now}),
            arrival_form=forms.get("arrival_form") or ArrivalForm(initial={"arrived_at": now}),
            assignment_form=assignment_form,
        )
    return render(request, "rescue/rescued_detail.html", context, status=form_status(*forms.values()))


@login_required
@require_safe
def rescued_detail(request: AuthedHttpRequest, rescued_id: int) -> HttpResponse:
    require(request, RescuePerm.VIEW)
    return _render_rescued(request, rescued_id)


def _done(request: AuthedHttpRequest, rescued: RescuedPerson, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("rescue:rescued_detail", rescued_id=rescued.pk)


@login_required
@require_POST
def provision_add(request: AuthedHttpRequest, rescued_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    rescued = selectors.access_rescued_for_recording(request.user, rescued_id)
    form = ProvisionForm(request.POST)
    if form.is_valid():
        try:
            services.provision_record(actor=request.user, rescued=rescued, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, rescued, _("已记录基本权益保障"))
    return _render_rescued(request, rescued.pk, provision_form=form)


@login_required
@require_POST
def guidance_add(request: AuthedHttpRequest, rescued_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    rescued = selectors.access_rescued_for_recording(request.user, rescued_id)
    form = GuidanceForm(request.POST)
    if form.is_valid():
        try:
            services.guidance_record(actor=request.user, rescued=rescued, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, rescued, _("已记录引导型救助"))
    return _render_rescued(request, rescued.pk, guidance_form=form)


@login_required
@require_POST
def rescued_match(request: AuthedHttpRequest, rescued_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    rescued = selectors.access_rescued_for_recording(request.user, rescued_id)
    form = MatchForm(request.POST)
    if form.is_valid():
        try:
            services.rescued_match(actor=request.user, rescued=rescued, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, rescued, _("已与人员登记比对关联"))
    return _render_rescued(request, rescued.pk, match_form=form)


@login_required
@require_POST
def rescued_screen(request: AuthedHttpRequest, rescued_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    rescued = selectors.access_rescued_for_recording(request.user, rescued_id)
    form = ScreeningForm(request.POST)
    if form.is_valid():
        try:
            done = services.rescued_screen(
                actor=request.user, rescued=rescued, data=services.EntryScreeningInput(**form.cleaned_data)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            verdict = done.entry_screening.get_verdict_display() if done.entry_screening else ""
            return _done(request, rescued, _("已记录入站查验：%(verdict)s") % {"verdict": verdict})
    return _render_rescued(request, rescued.pk, screening_form=form)


@login_required
@require_POST
def rescued_leave(request: AuthedHttpRequest, rescued_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    rescued = selectors.access_rescued_for_recording(request.user, rescued_id)
    form = LeaveForm(request.POST)
    if form.is_valid():
        try:
            services.rescued_leave(actor=request.user, rescued=rescued, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, rescued, _("已登记离站"))
    return _render_rescued(request, rescued.pk, leave_form=form)


@login_required
@require_POST
def return_arrange(request: AuthedHttpRequest, rescued_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    rescued = selectors.access_rescued_for_recording(request.user, rescued_id)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.return_arrange(
                actor=request.user, rescued=rescued, data=services.ReturnInput(**form.cleaned_data)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, rescued, _("已安排返乡"))
    return _render_rescued(request, rescued.pk, return_form=form)


@login_required
@require_POST
def assignment_add(request: AuthedHttpRequest, rescued_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    rescued = selectors.access_rescued_for_recording(request.user, rescued_id)
    form = AssignmentForm(request.POST, staff=selectors.station_staff(rescued.station))
    if form.is_valid():
        try:
            services.assignment_make(actor=request.user, rescued=rescued, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, rescued, _("已安排工作人员"))
    return _render_rescued(request, rescued.pk, assignment_form=form)


@login_required
@require_POST
def return_depart(request: AuthedHttpRequest, return_trip_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    trip = selectors.access_return_for_recording(request.user, return_trip_id)
    form = DepartForm(request.POST)
    if form.is_valid():
        try:
            services.return_depart(actor=request.user, trip=trip, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, trip.rescued, _("已登记出发，到达后请由接收方确认"))
    return _render_rescued(request, trip.rescued_id, depart_form=form)


@login_required
@require_POST
def return_arrive(request: AuthedHttpRequest, return_trip_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    trip = selectors.access_return_for_recording(request.user, return_trip_id)
    form = ArrivalForm(request.POST)
    if form.is_valid():
        try:
            services.return_confirm_arrival(actor=request.user, trip=trip, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _done(request, trip.rescued, _("已确认到达"))
    return _render_rescued(request, trip.rescued_id, arrival_form=form)


@login_required
@require_POST
def return_cancel(request: AuthedHttpRequest, return_trip_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    trip = selectors.access_return_for_recording(request.user, return_trip_id)
    try:
        services.return_cancel(actor=request.user, trip=trip)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已取消返乡安排"))
    return redirect("rescue:rescued_detail", rescued_id=trip.rescued_id)


RETURN_COLUMNS: list[Column] = [
    ("临时编号", lambda t: t.rescued.temp_number),
    ("姓名", lambda t: t.rescued.person.name if t.rescued.person else t.rescued.name),
    ("救助管理机构", lambda t: t.station.name),
    ("返乡目的地", lambda t: t.destination),
    ("交通方式", lambda t: t.get_transport_display()),
    ("派员护送", lambda t: "是" if t.escorted else "否"),
    ("接收方", lambda t: t.receiver),
    ("计划出发日期", lambda t: t.planned_on),
    ("出发时间", lambda t: t.departed_at),
    ("到达时间", lambda t: t.arrived_at),
    ("到达确认人", lambda t: t.confirmed_by_name),
    ("状态", lambda t: t.get_status_display()),
]


@login_required
@require_safe
def return_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, RescuePerm.VIEW)
    stations = selectors.station_list(viewer=request.user)
    form = ReturnFilterForm(request.GET or None, stations=stations)
    filters = selectors.ReturnFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ReturnFilters(
            station=data["station"], status=data["status"], overdue_only=data["overdue"]
        )
    policy = current_policy(RescuePolicy)
    return render_list(
        request,
        template="rescue/return_list.html",
        queryset=selectors.return_list(viewer=request.user, filters=filters),
        columns=RETURN_COLUMNS,
        export_name="返乡",
        context={
            "form": form,
            "tab": "returns",
            "overdue_before": selectors.arrival_due_before(clock.now(), days=policy.return_arrival_days),
            "spring_festival": selectors.spring_festival_on(viewer=request.user),
        },
        filter_form=form,
    )


# --- Incidents (R3) ---------------------------------------------------------------------------


INCIDENT_COLUMNS: list[Column] = [
    ("救助管理机构", lambda i: i.station.name),
    ("类型", lambda i: i.get_kind_display()),
    ("发生时间", lambda i: i.occurred_at),
    ("涉及受助人员", lambda i: i.rescued.temp_number if i.rescued else ""),
    ("经过", lambda i: i.description),
    ("上报时间", lambda i: i.reported_at),
    ("结案时间", lambda i: i.closed_at),
    ("责任事故", lambda i: "" if i.liability is None else ("是" if i.liability else "否")),
]


@login_required
@require_safe
def incident_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, RescuePerm.VIEW)
    stations = selectors.station_list(viewer=request.user)
    form = IncidentFilterForm(request.GET or None, stations=stations)
    filters = selectors.IncidentFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.IncidentFilters(
            station=data["station"], open_only=data["open"], kind=data["kind"]
        )
    return render_list(
        request,
        template="rescue/incident_list.html",
        queryset=selectors.incident_list(viewer=request.user, filters=filters),
        columns=INCIDENT_COLUMNS,
        export_name="安全事件",
        context={
            "form": form,
            "tab": "incidents",
            "records": selectors.safety_records(stations),
            "writable": list(selectors.station_writable(viewer=request.user)),
        },
        filter_form=form,
    )


@login_required
def incident_create(request: AuthedHttpRequest, rescue_station_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    unit = selectors.access_station_for_recording(request.user, rescue_station_id)
    rescued = selectors.rescued_list(viewer=request.user, filters=selectors.RescuedFilters(station=unit.pk))
    form = IncidentForm(request.POST or None, rescued=rescued, initial={"occurred_at": _now_local()})
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_report(
                actor=request.user, station=unit, data=services.IncidentInput(**form.cleaned_data)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已登记并即时上报县级民政局和地区救助管理总站"))
            return redirect("rescue:incident_detail", rescue_incident_id=incident.pk)
    return render(
        request, "rescue/incident_form.html", {"form": form, "station": unit}, status=form_status(form)
    )


def _render_incident(
    request: AuthedHttpRequest,
    incident: Incident,
    *,
    follow_up_form: FollowUpForm | None = None,
    close_form: CloseForm | None = None,
) -> HttpResponse:
    can_record = _can_record(request, incident.station) and incident.is_open
    can_close = can_record and request.user.has_code(RescuePerm.CLOSE_INCIDENTS)
    hours = current_policy(RescuePolicy).incident_follow_up_hours
    return render(
        request,
        "rescue/incident_detail.html",
        {
            "incident": incident,
            "reports": list(selectors.reports_of(incident)),
            "follow_up_form": (follow_up_form or FollowUpForm()) if can_record else None,
            "close_form": (close_form or CloseForm()) if can_close else None,
            "hours": hours,
            "follow_up_late": incident.is_open
            and incident.last_report_at < selectors.follow_up_due_before(clock.now(), hours=hours),
        },
        status=form_status(follow_up_form, close_form),
    )


@login_required
@require_safe
def incident_detail(request: AuthedHttpRequest, rescue_incident_id: int) -> HttpResponse:
    require(request, RescuePerm.VIEW)
    return _render_incident(request, selectors.access_incident(request.user, rescue_incident_id))


@login_required
@require_POST
def incident_follow_up(request: AuthedHttpRequest, rescue_incident_id: int) -> HttpResponse:
    require(request, RescuePerm.RECORD)
    incident = selectors.access_incident_for_recording(request.user, rescue_incident_id)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.incident_follow_up(actor=request.user, incident=incident, text=form.cleaned_data["text"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已续报"))
            return redirect("rescue:incident_detail", rescue_incident_id=incident.pk)
    return _render_incident(
        request, selectors.access_incident(request.user, incident.pk), follow_up_form=form
    )


@login_required
@require_POST
def incident_close(request: AuthedHttpRequest, rescue_incident_id: int) -> HttpResponse:
    require(request, RescuePerm.CLOSE_INCIDENTS)
    incident = selectors.access_incident_for_recording(request.user, rescue_incident_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.incident_close(actor=request.user, incident=incident, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已结案"))
            return redirect("rescue:incident_detail", rescue_incident_id=incident.pk)
    return _render_incident(request, selectors.access_incident(request.user, incident.pk), close_form=form)
