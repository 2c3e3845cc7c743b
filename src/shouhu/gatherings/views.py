"""Pages of gatherings (G3): the list, taking an application, the township's decision, the
participant list with its check (who still needs a test first), the import, and the door check
on a phone. Every page reaches its gathering through its access check before any permission is
asked, so another township's gathering answers 404 alike for everyone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.exports import Column, attachment_header, xlsx_response
from shouhu.common.forms import add_domain_error, form_problems, form_status
from shouhu.common.importing import ImportReport, read_import, run_import, template_xlsx
from shouhu.common.listing import render_list
from shouhu.common.permissions import require
from shouhu.funerals import selectors as funeral_selectors
from shouhu.gatherings import selectors, services
from shouhu.gatherings.forms import (
    CancelForm,
    DecisionForm,
    DoorForm,
    FromFuneralForm,
    GatheringFilterForm,
    GatheringForm,
    ImportForm,
    ParticipantForm,
)
from shouhu.gatherings.importers import ParticipantImporter
from shouhu.gatherings.models import Gathering, GatheringStatus, Participant, TestResult
from shouhu.gatherings.permissions import GatheringPerm

GATHERING_COLUMNS: list[Column] = [
    ("活动名称", lambda g: g.title),
    ("活动类型", lambda g: g.get_kind_display()),
    ("村（社区）", lambda g: g.unit.name),
    ("举办地点", lambda g: g.place),
    ("开始时间", lambda g: g.starts_at),
    ("结束时间", lambda g: g.ends_at),
    ("预计人数", lambda g: g.expected_headcount),
    ("名单人数", lambda g: g.participant_count),
    ("待检测人数", lambda g: g.pending_tests),
    ("状态", lambda g: g.get_status_display()),
    ("审批意见", lambda g: g.decision_reason),
    ("举办人", lambda g: g.organiser_name),
    ("举办人联系电话", lambda g: g.organiser_phone_masked),
]

PENDING_COLUMNS: list[Column] = [
    ("姓名", lambda r: r.name),
    ("证件号码", lambda r: r.id_masked),
    ("核酸检测结果", lambda r: str(TestResult(r.test_result).label)),
    ("采样时间", lambda r: r.sampled_at),
    ("原因", lambda r: r.reason),
]


@login_required
@require_safe
def gathering_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, GatheringPerm.VIEW)
    villages = selectors.village_choices(viewer=request.user)
    form = GatheringFilterForm(request.GET or None, villages=villages)
    filters = selectors.GatheringFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.GatheringFilters(
            search=data["q"],
            status=data["status"],
            needs_test=data["needs_test"],
            village=data["village"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    rules = selectors.policy()
    return render_list(
        request,
        template="gatherings/gathering_list.html",
        queryset=selectors.gathering_list(viewer=request.user, filters=filters, rules=rules),
        columns=GATHERING_COLUMNS,
        export_name="聚集性活动",
        context={"form": form, "policy": rules, "can_record": request.user.has_code(GatheringPerm.RECORD)},
        filter_form=form,
    )


def _booking(form: GatheringForm) -> object | None:
    code = form.cleaned_data["booking_code"].strip()
    if not code:
        return None
    booking = selectors.booking_for_link(code=code, phone=form.cleaned_data["booking_phone"])
    if booking is None:
        form.add_error("booking_code", _("预约码与手机号不匹配，未找到该婚姻登记预约"))
    return booking


@login_required
def gathering_create(request: AuthedHttpRequest) -> HttpResponse:
    require(request, GatheringPerm.RECORD)
    villages = selectors.village_writable(viewer=request.user)
    form = GatheringForm(request.POST or None, villages=villages, initial={"village": villages.first()})
    if request.method == "POST" and form.is_valid():
        booking = _booking(form)
        data = form.cleaned_data
        if not form.errors:
            try:
                registered = services.gathering_register(
                    actor=request.user,
                    village=data["village"],
                    data=services.GatheringInput(
                        kind=data["kind"],
                        title=data["title"],
                        organiser_name=data["organiser_name"],
                        organiser_phone=data["organiser_phone"],
                        place=data["place"],
                        starts_at=data["starts_at"],
                        ends_at=data["ends_at"],
                        expected_headcount=data["expected_headcount"],
                        note=data["note"],
                    ),
                    marriage_booking=booking,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, registered.message)
                return redirect("gatherings:gathering_detail", gathering_id=registered.gathering.pk)
    return render(
        request,
        "gatherings/gathering_form.html",
        {"form": form, "policy": selectors.policy()},
        status=form_status(form),
    )


@login_required
def gathering_from_funeral(request: AuthedHttpRequest, funeral_case_id: int) -> HttpResponse:
    """A funeral case's ceremony as a gathering, prefilled from the case (its reader's scope)."""
    case = funeral_selectors.access_case(request.user, funeral_case_id)
    require(request, GatheringPerm.RECORD)
    existing = selectors.gathering_for_funeral_case(case)
    if existing is not None and existing.is_live:
        return redirect("gatherings:gathering_detail", gathering_id=existing.pk)
    villages = selectors.village_writable(viewer=request.user)
    form = FromFuneralForm(
        request.POST or None,
        villages=villages,
        initial={"village": villages.first(), "expected_headcount": case.attendance or None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registered = services.gathering_from_funeral_case(
                actor=request.user,
                case=case,
                village=data["village"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                expected_headcount=data["expected_headcount"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, registered.message)
            return redirect("gatherings:gathering_detail", gathering_id=registered.gathering.pk)
    return render(
        request,
        "gatherings/from_funeral.html",
        {"form": form, "case": case, "policy": selectors.policy()},
        status=form_status(form),
    )


def _can_record(request: AuthedHttpRequest, gathering: Gathering) -> bool:
    return (
        request.user.has_code(GatheringPerm.RECORD)
        and selectors.village_writable(viewer=request.user).filter(pk=gathering.unit_id).exists()
    )


def _render_detail(
    request: AuthedHttpRequest,
    gathering: Gathering,
    *,
    participant_form: ParticipantForm | None = None,
    decision_form: DecisionForm | None = None,
) -> HttpResponse:
    rules = selectors.policy()
    can_record = _can_record(request, gathering)
    can_decide = request.user.has_code(GatheringPerm.DECIDE) and can_record
    check = selectors.participant_check(gathering, rules=rules)
    return render(
        request,
        "gatherings/gathering_detail.html",
        {
            "gathering": gathering,
            "check": check,
            "policy": rules,
            "needs_approval": selectors.needs_approval(gathering, rules),
            "refusal": selectors.gathering_refusal(gathering, rules),
            "can_record": can_record and gathering.is_live,
            "can_decide": can_decide and gathering.status == GatheringStatus.APPLIED,
            "participant_form": participant_form or ParticipantForm(),
            "decision_form": decision_form or DecisionForm(),
            "cancel_form": CancelForm(),
        },
        status=form_status(participant_form, decision_form),
    )


@login_required
@require_safe
def gathering_detail(request: AuthedHttpRequest, gathering_id: int) -> HttpResponse:
    gathering = selectors.access_gathering(request.user, gathering_id)
    require(request, GatheringPerm.VIEW)
    return _render_detail(request, gathering)


@login_required
@require_safe
def gathering_pending(request: AuthedHttpRequest, gathering_id: int) -> HttpResponse:
    """Who still needs a test, to print or send to the organiser (who has no account)."""
    gathering = selectors.access_gathering(request.user, gathering_id)
    require(request, GatheringPerm.VIEW)
    check = selectors.participant_check(gathering)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            filename=f"{gathering.title}待检测名单.xlsx",
            sheet_title="待检测名单",
            columns=PENDING_COLUMNS,
            rows=check.pending,
        )
    return render(request, "gatherings/pending.html", {"gathering": gathering, "check": check})


def _decision(request: AuthedHttpRequest, gathering_id: int, *, approve: bool) -> HttpResponse:
    gathering = selectors.access_gathering_for_deciding(request.user, gathering_id)
    require(request, GatheringPerm.DECIDE)
    form = DecisionForm(request.POST)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if approve:
                services.gathering_approve(actor=request.user, gathering=gathering, reason=reason)
            else:
                services.gathering_refuse(actor=request.user, gathering=gathering, reason=reason)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已批准") if approve else _("已不予批准"))
            return redirect("gatherings:gathering_detail", gathering_id=gathering.pk)
    return _render_detail(request, selectors.access_gathering(request.user, gathering_id), decision_form=form)


@login_required
@require_POST
def gathering_approve(request: AuthedHttpRequest, gathering_id: int) -> HttpResponse:
    return _decision(request, gathering_id, approve=True)


@login_required
@require_POST
def gathering_refuse(request: AuthedHttpRequest, gathering_id: int) -> HttpResponse:
    return _decision(request, gathering_id, approve=False)


@login_required
@require_POST
def gathering_cancel(request: AuthedHttpRequest, gathering_id: int) -> HttpResponse:
    gathering = selectors.access_gathering_for_recording(request.user, gathering_id)
    require(request, GatheringPerm.RECORD)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.gathering_cancel(
                actor=request.user, gathering=gathering, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已取消活动"))
    else:
        messages.error(request, form_problems(form))
    return redirect("gatherings:gathering_detail", gathering_id=gathering.pk)


@login_required
@require_POST
def gathering_submit(request: AuthedHttpRequest, gathering_id: int) -> HttpResponse:
    gathering = selectors.access_gathering_for_recording(request.user, gathering_id)
    require(request, GatheringPerm.RECORD)
    try:
        services.gathering_submit(actor=request.user, gathering=gathering)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已转为申请，报乡镇政府审批"))
    return redirect("gatherings:gathering_detail", gathering_id=gathering.pk)


def _participant_input(form: ParticipantForm) -> services.ParticipantInput:
    data = form.cleaned_data
    return services.ParticipantInput(
        name=data["name"],
        id_number=data["id_number"],
        phone=data["phone"],
        test_result=data["test_result"],
        sampled_at=data["sampled_at"],
    )


@login_required
@require_POST
def participant_add(request: AuthedHttpRequest, gathering_id: int) -> HttpResponse:
    gathering = selectors.access_gathering_for_recording(request.user, gathering_id)
    require(request, GatheringPerm.RECORD)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        try:
            change = services.participant_add(
                actor=request.user, gathering=gathering, data=_participant_input(form)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已加入名单：%(name)s") % {"name": form.cleaned_data["name"]})
            if change.now_needs_approval:
                messages.warning(request, change.message)
            return redirect("gatherings:gathering_detail", gathering_id=gathering.pk)
    return _render_detail(
        request, selectors.access_gathering(request.user, gathering_id), participant_form=form
    )


def _participant_initial(participant: Participant) -> dict[str, object]:
    sampled = (
        participant.sampled_at.astimezone(clock.local_zone()).replace(tzinfo=None)
        if participant.sampled_at
        else None
    )
    return {
        "name": participant.name,
        "id_number": participant.id_number,
        "phone": participant.phone,
        "test_result": participant.test_result,
        "sampled_at": sampled,
    }


@login_required
def participant_edit(request: AuthedHttpRequest, participant_id: int) -> HttpResponse:
    participant = selectors.access_participant_for_recording(request.user, participant_id)
    require(request, GatheringPerm.RECORD)
    form = ParticipantForm(request.POST or None, initial=_participant_initial(participant))
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                actor=request.user, participant=participant, data=_participant_input(form)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已更新：%(name)s") % {"name": form.cleaned_data["name"]})
            return redirect("gatherings:gathering_detail", gathering_id=participant.gathering_id)
    return render(
        request,
        "gatherings/participant_form.html",
        {"form": form, "participant": participant, "gathering": participant.gathering},
        status=form_status(form),
    )


@login_required
@require_POST
def participant_remove(request: AuthedHttpRequest, participant_id: int) -> HttpResponse:
    participant = selectors.access_participant_for_recording(request.user, participant_id)
    require(request, GatheringPerm.RECORD)
    try:
        services.participant_remove(actor=request.user, participant=participant)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已移出名单：%(name)s") % {"name": participant.name})
    return redirect("gatherings:gathering_detail", gathering_id=participant.gathering_id)


@login_required
def participant_import(request: AuthedHttpRequest, gathering_id: int) -> HttpResponse:
    """The list from a spreadsheet: checked first, written only when asked; every bad row shown."""
    gathering = selectors.access_gathering_for_recording(request.user, gathering_id)
    require(request, GatheringPerm.RECORD)
    form = ImportForm(request.POST or None, request.FILES or None)
    report: ImportReport | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        mode = form.cleaned_data["mode"]
        importer = ParticipantImporter(gathering)
        was = gathering.status
        try:
            table = read_import(importer, upload.name, upload.read())
            report = run_import(
                importer=importer,
                actor=request.user,
                table=table,
                dry_run=mode == "check",
                import_valid_rows=mode == "valid",
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if report.written:
                messages.success(
                    request,
                    _("已导入：新增 %(created)s 人，更新 %(updated)s 人")
                    % {"created": report.created, "updated": report.updated},
                )
                gathering = selectors.access_gathering(request.user, gathering_id)
                if was == GatheringStatus.RECORDED and gathering.status == GatheringStatus.APPLIED:
                    messages.warning(
                        request,
                        _("名单人数已达到 %(limit)s 人：本活动须经乡镇政府批准，已自动转为申请，请报乡镇审批")
                        % {"limit": selectors.policy().approval_headcount},
                    )
                if not report.errors:
                    return redirect("gatherings:gathering_detail", gathering_id=gathering.pk)
    return render(
        request,
        "gatherings/import.html",
        {"form": form, "gathering": gathering, "report": report, "importer": ParticipantImporter(gathering)},
        status=form_status(form),
    )


@login_required
@require_safe
def participant_import_template(request: AuthedHttpRequest, gathering_id: int) -> HttpResponse:
    gathering = selectors.access_gathering_for_recording(request.user, gathering_id)
    require(request, GatheringPerm.RECORD)
    response = HttpResponse(
        template_xlsx(ParticipantImporter(gathering)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = attachment_header("聚集性活动参加人员导入模板.xlsx")
    return response


@login_required
def door_check(request: AuthedHttpRequest, gathering_id: int) -> HttpResponse:
    """At the door on the day, on a phone: a participant by name or ID number → admit or refuse.
    The query is posted, never put in the URL: an ID number must not reach logs or history."""
    gathering = selectors.access_gathering_for_recording(request.user, gathering_id)
    require(request, GatheringPerm.RECORD)
    form = DoorForm(request.POST or None)
    answer = None
    rules = selectors.policy()
    if request.method == "POST" and form.is_valid() and form.cleaned_data["q"].strip():
        answer = selectors.door_check(gathering=gathering, query=form.cleaned_data["q"], rules=rules)
    return render(
        request,
        "gatherings/door.html",
        {
            "gathering": gathering,
            "form": DoorForm(),
            "answer": answer,
            "refusal": selectors.gathering_refusal(gathering, rules),
        },
        status=form_status(form),
    )
