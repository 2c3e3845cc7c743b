"""Pages of training: the list of sessions (filtered by module for the modules that link here),
recording a session, and its page with the attendance list, kept by ID number, by name or by
importing the sign-in sheet (G5, R5)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.exports import Column, attachment_header
from shouhu.common.forms import add_domain_error, form_status
from shouhu.common.importing import ImportReport, count_import_rows, read_import, run_import, template_xlsx
from shouhu.common.listing import render_list
from shouhu.common.modules import Module
from shouhu.common.permissions import require
from shouhu.common.tabular import upload_bytes
from shouhu.training import selectors, services
from shouhu.training.forms import (
    AttendanceImportForm,
    AttendeeByDocumentForm,
    AttendeePickForm,
    AttendeeSearchForm,
    SessionFilterForm,
    SessionForm,
)
from shouhu.training.importers import AttendanceImporter
from shouhu.training.models import Audience, TrainingSession
from shouhu.training.permissions import TrainingPerm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A session's sign-in sheet runs to tens of rows, read in the request; a larger file is not one.
# Not a policy threshold.
MAX_IMPORT_ROWS = 2000

SESSION_COLUMNS: list[Column] = [
    ("培训日期", lambda s: s.held_on),
    ("所属任务", lambda s: s.get_module_display()),
    ("组织单位", lambda s: s.unit.name),
    ("培训内容", lambda s: s.topic),
    ("培训对象", lambda s: "、".join(s.audience_labels)),
    ("授课人", lambda s: s.trainer),
    ("培训地点", lambda s: s.place),
    ("培训时长（小时）", lambda s: s.hours),
    ("参训人数", lambda s: s.attendee_count),
]


def _module_label(value: str) -> str:
    return str(Module(value).label) if value in Module.values else ""


@login_required
@require_safe
def session_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, TrainingPerm.VIEW)
    form = SessionFilterForm(request.GET or None)
    filters = selectors.SessionFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.SessionFilters(
            module=data["module"], search=data["q"], date_from=data["date_from"], date_to=data["date_to"]
        )
    return render_list(
        request,
        template="training/session_list.html",
        queryset=selectors.session_list(viewer=request.user, filters=filters),
        columns=SESSION_COLUMNS,
        export_name="培训记录",
        context={
            "form": form,
            "can_manage": request.user.has_code(TrainingPerm.MANAGE) and request.user.unit_id is not None,
            "module": filters.module,
            "module_label": _module_label(filters.module),
        },
        filter_form=form,
    )


@login_required
def session_create(request: AuthedHttpRequest) -> HttpResponse:
    require(request, TrainingPerm.MANAGE)
    module = request.GET.get("module", "")
    form = SessionForm(
        request.POST or None,
        initial={"held_on": clock.today(), "module": module if module in Module.values else ""},
    )
    unit = request.user.unit
    if request.method == "POST" and form.is_valid() and unit is not None:
        data = form.cleaned_data
        try:
            session = services.session_record(
                actor=request.user,
                module=data["module"],
                unit=unit,
                held_on=data["held_on"],
                topic=data["topic"],
                audience=data["audience"],
                trainer=data["trainer"],
                place=data["place"],
                hours=data["hours"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已登记培训，请添加参训人员"))
            return redirect("training:session_detail", training_session_id=session.pk)
    return render(
        request,
        "training/session_form.html",
        {"form": form, "unit": unit, "session": None},
        status=form_status(form),
    )


@login_required
def session_update(request: AuthedHttpRequest, training_session_id: int) -> HttpResponse:
    require(request, TrainingPerm.MANAGE)
    session = selectors.access_session_for_recording(request.user, training_session_id)
    form = SessionForm(
        request.POST or None,
        fixed_module=True,
        initial={
            "held_on": session.held_on,
            "topic": session.topic,
            "audience": session.audience,
            "trainer": session.trainer,
            "place": session.place,
            "hours": session.hours,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_update(
                actor=request.user,
                session=session,
                held_on=data["held_on"],
                topic=data["topic"],
                audience=data["audience"],
                trainer=data["trainer"],
                place=data["place"],
                hours=data["hours"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已保存"))
            return redirect("training:session_detail", training_session_id=session.pk)
    return render(
        request,
        "training/session_form.html",
        {"form": form, "unit": session.unit, "session": session},
        status=form_status(form),
    )


def _roles(session: TrainingSession) -> list[tuple[str, str]]:
    labels = dict(Audience.choices)
    return [(value, str(labels[value])) for value in Audience.values if value in session.audience]


def _render_detail(
    request: AuthedHttpRequest,
    session: TrainingSession,
    *,
    by_document: AttendeeByDocumentForm | None = None,
    pick: AttendeePickForm | None = None,
) -> HttpResponse:
    attendances = list(selectors.attendances_of(session))
    by_role: dict[str, int] = {}
    for attendance in attendances:
        by_role[attendance.role] = by_role.get(attendance.role, 0) + 1
    recordable = request.user.has_code(TrainingPerm.MANAGE) and selectors.can_record(request.user, session)
    roles = _roles(session)
    search = AttendeeSearchForm(request.GET or None)
    candidates = []
    if recordable and search.is_valid() and search.cleaned_data["q"]:
        candidates = selectors.attendee_candidates(
            viewer=request.user, session=session, search=search.cleaned_data["q"]
        )
    listed = {attendance.person_id for attendance in attendances}
    context = {
        "session": session,
        "attendances": attendances,
        "role_counts": [(label, by_role.get(value, 0)) for value, label in roles],
        "can_record": recordable,
        "by_document": (by_document or AttendeeByDocumentForm(roles=roles)) if recordable else None,
        "pick": pick,
        "search": search,
        "candidates": [(person, person.pk in listed) for person in candidates],
        "roles": roles,
    }
    return render(request, "training/session_detail.html", context, status=form_status(by_document, pick))


@login_required
@require_safe
def session_detail(request: AuthedHttpRequest, training_session_id: int) -> HttpResponse:
    require(request, TrainingPerm.VIEW)
    session = selectors.access_session(request.user, training_session_id)
    return _render_detail(request, session)


@login_required
@require_POST
def attendance_add(request: AuthedHttpRequest, training_session_id: int) -> HttpResponse:
    """By ID number, sent in the body: a number never goes into a URL."""
    require(request, TrainingPerm.MANAGE)
    session = selectors.access_session_for_recording(request.user, training_session_id)
    form = AttendeeByDocumentForm(request.POST, roles=_roles(session))
    if form.is_valid():
        person = selectors.attendee_by_document(
            viewer=request.user, session=session, id_number=form.cleaned_data["id_number"]
        )
        if person is None:
            form.add_error(
                "id_number", _("未找到该证件号码的人员，或其不在本单位及下级单位登记：请先在人员登记中登记")
            )
        else:
            try:
                services.attendance_add(
                    actor=request.user, session=session, person=person, role=form.cleaned_data["role"]
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("已添加：%(name)s") % {"name": person.name})
                return redirect("training:session_detail", training_session_id=session.pk)
    return _render_detail(request, session, by_document=form)


@login_required
@require_POST
def attendance_pick(request: AuthedHttpRequest, training_session_id: int) -> HttpResponse:
    """A person chosen from the name search: found again among those the session may list."""
    require(request, TrainingPerm.MANAGE)
    session = selectors.access_session_for_recording(request.user, training_session_id)
    form = AttendeePickForm(request.POST, roles=_roles(session))
    if form.is_valid():
        person = selectors.attendee_by_pk(
            viewer=request.user, session=session, pk=form.cleaned_data["person"]
        )
        if person is None:
            form.add_error(None, _("未找到该人员，或其不在本单位及下级单位登记"))
        else:
            try:
                services.attendance_add(
                    actor=request.user, session=session, person=person, role=form.cleaned_data["role"]
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("已添加：%(name)s") % {"name": person.name})
                return redirect("training:session_detail", training_session_id=session.pk)
    return _render_detail(request, session, pick=form)


@login_required
@require_POST
def attendance_remove(request: AuthedHttpRequest, training_session_id: int) -> HttpResponse:
    """One line of the list, named in the body (`attendance`), taken off it."""
    require(request, TrainingPerm.MANAGE)
    session = selectors.access_session_for_recording(request.user, training_session_id)
    attendance = selectors.attendance_in(session, request.POST.get("attendance", ""))
    if attendance is None:
        messages.error(request, _("未找到该参训记录，可能已被移除"))
        return redirect("training:session_detail", training_session_id=session.pk)
    try:
        services.attendance_remove(actor=request.user, attendance=attendance)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已从参训名单中移除：%(name)s") % {"name": attendance.person.name})
    return redirect("training:session_detail", training_session_id=session.pk)


@login_required
def attendance_import(request: AuthedHttpRequest, training_session_id: int) -> HttpResponse:
    """The sign-in sheet, checked or imported in the request (a session's list is short)."""
    require(request, TrainingPerm.MANAGE)
    session = selectors.access_session_for_recording(request.user, training_session_id)
    importer = AttendanceImporter(session)
    form = AttendanceImportForm(request.POST or None, request.FILES or None)
    report: ImportReport | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        mode = form.cleaned_data["mode"]
        try:
            data = upload_bytes(upload)
            if count_import_rows(importer, upload.name, data) > MAX_IMPORT_ROWS:
                raise DomainError(
                    _("文件超过 %(rows)s 行：一次培训的签到表请分开导入") % {"rows": MAX_IMPORT_ROWS},
                    code="too_many_rows",
                    field_errors={"file": [_("文件行数过多")]},
                )
            table = read_import(importer, upload.name, data)
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
                    _("已导入：新增 %(created)s，未变 %(unchanged)s")
                    % {"created": report.created, "unchanged": report.unchanged},
                )
    return render(
        request,
        "training/attendance_import.html",
        {"session": session, "form": form, "report": report, "importer": importer},
        status=form_status(form),
    )


@login_required
@require_safe
def attendance_template(request: AuthedHttpRequest, training_session_id: int) -> HttpResponse:
    require(request, TrainingPerm.MANAGE)
    session = selectors.access_session_for_recording(request.user, training_session_id)
    response = HttpResponse(template_xlsx(AttendanceImporter(session)), content_type=XLSX)
    response["Content-Disposition"] = attachment_header("参训名单导入模板.xlsx")
    return response
