"""Staff pages of entry screening: the desk (phone-first), declarations, records, risk areas,
the isolation register and venue codes."""

import io
from decimal import Decimal
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.exports import Column, xlsx_response
from shouhu.common.forms import add_domain_error, form_problems, form_status
from shouhu.common.listing import PAGE_SIZE, htmx_target, refused_filter, render_list
from shouhu.common.permissions import require
from shouhu.common.validation import parse_temperature
from shouhu.orgs.models import OrgUnit
from shouhu.people import selectors as people_selectors
from shouhu.people.models import Person
from shouhu.screening import selectors, services
from shouhu.screening.forms import (
    ConfirmForm,
    DailyFiguresFilterForm,
    DeskFindForm,
    DeskSearchForm,
    IsolationConfirmForm,
    IsolationEndForm,
    IsolationFilterForm,
    IsolationForm,
    RiskAreaEndForm,
    RiskAreaFilterForm,
    RiskAreaForm,
    RiskAreaLevelForm,
    ScreeningFilterForm,
    ScreeningForm,
    travel_entries,
    travel_formset,
    yes_no,
)
from shouhu.screening.models import (
    IsolationRecord,
    RecordSource,
    RefusalReason,
    RiskArea,
    Screening,
    ScreeningPolicy,
    ScreeningSource,
    VenueCode,
    Verdict,
)
from shouhu.screening.permissions import ScreeningPerm
from shouhu.screening.rules import Facts, person_in_isolation_on

DESK_RESULTS = 20
# The quick temperature buttons run from this far below the policy's limit to this far above it.
QUICK_BELOW = Decimal("1.5")
QUICK_ABOVE = Decimal("0.4")
QUICK_STEP = Decimal("0.1")


def temperature_buttons(policy: ScreeningPolicy) -> list[dict[str, Any]]:
    limit = policy.temperature_limit
    value = limit - QUICK_BELOW
    buttons = []
    while value <= limit + QUICK_ABOVE:
        buttons.append({"value": f"{value:.1f}", "fever": value >= limit})
        value += QUICK_STEP
    return buttons


def _unit_choices(request: AuthedHttpRequest) -> list[tuple[int, str]]:
    return [(u.pk, u.name) for u in selectors.institution_list(viewer=request.user)[:1000]]


# --- The desk (S1, S2) -------------------------------------------------------------------------


@login_required
@require_safe
def desk_home(request: AuthedHttpRequest) -> HttpResponse:
    require(request, ScreeningPerm.SCREEN)
    institutions = list(selectors.institution_writable(viewer=request.user)[:500])
    if len(institutions) == 1:
        return redirect("screening:desk", institution_id=institutions[0].pk)
    return render(request, "screening/desk_home.html", {"institutions": institutions})


def _last_screening(request: AuthedHttpRequest, unit: OrgUnit) -> Screening | None:
    last = request.GET.get("last")
    if not last:
        return None
    try:
        screening = selectors.access_screening_for_screening(request.user, last)
    except Http404:
        return None
    return screening if screening.unit_id == unit.pk else None


@login_required
@require_safe
def desk(request: AuthedHttpRequest, institution_id: int) -> HttpResponse:
    """Tap 1: find the person (name, or exact ID posted) and pick them."""
    require(request, ScreeningPerm.SCREEN)
    unit = selectors.access_institution_for_screening(request.user, institution_id)
    form = DeskSearchForm(request.GET or None)
    people: list[Person] = []
    searched = False
    if form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["id_key"]):
        searched = True
        filters = people_selectors.PersonFilters(
            search=form.cleaned_data["q"], id_key=form.cleaned_data["id_key"]
        )
        people = list(people_selectors.person_list(viewer=request.user, filters=filters)[:DESK_RESULTS])
    context = {
        "unit": unit,
        "form": form,
        "find_form": DeskFindForm(),
        "people": people,
        "searched": searched,
        "last": _last_screening(request, unit),
        "pending_count": selectors.pending_declarations(viewer=request.user, unit=unit).count(),
        "recent": selectors.recent_desk_screenings(viewer=request.user, unit=unit),
    }
    return render(request, "screening/desk.html", context)


@login_required
@require_POST
def desk_find(request: AuthedHttpRequest, institution_id: int) -> HttpResponse:
    """Exact search by ID number: posted, turned into its search key, never put in a URL."""
    require(request, ScreeningPerm.SCREEN)
    unit = selectors.access_institution_for_screening(request.user, institution_id)
    form = DeskFindForm(request.POST)
    target = reverse("screening:desk", kwargs={"institution_id": unit.pk})
    if not form.is_valid():
        return redirect(target)
    keys = people_selectors.search_keys(id_number=form.cleaned_data["id_number"])
    return redirect(f"{target}?{urlencode({'id_key': keys['id_key']})}")


def _check(request: AuthedHttpRequest, unit: OrgUnit, person: Person | None) -> HttpResponse:
    """Tap 2: what was seen (codes, star, mask — nothing is preselected) and a temperature
    button; tap 3: confirm. A visitor not in the register gives name and phone unless refused."""
    policy = current_policy(ScreeningPolicy)
    form = ScreeningForm(request.POST or None)
    formset = travel_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            facts = Facts(
                health_code=data["health_code"],
                itinerary_code=data["itinerary_code"],
                itinerary_star=data["itinerary_star"],
                temperature=parse_temperature(form.temperature_value()),
                mask=data["mask"],
                refused_checks=data["refused_checks"],
                travel=tuple(travel_entries(formset)),
            )
            screening = services.screening_record(
                actor=request.user,
                unit=unit,
                facts=facts,
                person=person,
                visitor_name=data["visitor_name"],
                visitor_phone=data["visitor_phone"],
                visitor_identity_required=True,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            target = reverse("screening:desk", kwargs={"institution_id": unit.pk})
            return redirect(f"{target}?last={screening.pk}")
    context = {
        "unit": unit,
        "person": person,
        "form": form,
        "formset": formset,
        "buttons": temperature_buttons(policy),
        "policy": policy,
        "isolation": person_in_isolation_on(person, clock.today()) if person else None,
        "chosen_temperature": request.POST.get("temperature", ""),
    }
    return render(request, "screening/check.html", context, status=400 if form.errors else 200)


@login_required
def check_person(request: AuthedHttpRequest, institution_id: int, person_id: int) -> HttpResponse:
    require(request, ScreeningPerm.SCREEN)
    unit = selectors.access_institution_for_screening(request.user, institution_id)
    person = people_selectors.access_person(request.user, person_id)
    return _check(request, unit, person)


@login_required
def check_visitor(request: AuthedHttpRequest, institution_id: int) -> HttpResponse:
    require(request, ScreeningPerm.SCREEN)
    unit = selectors.access_institution_for_screening(request.user, institution_id)
    return _check(request, unit, None)


# --- Self-declarations waiting for staff (S4) --------------------------------------------------


@login_required
@require_safe
def pending_list(request: AuthedHttpRequest, institution_id: int) -> HttpResponse:
    require(request, ScreeningPerm.SCREEN)
    unit = selectors.access_institution_for_screening(request.user, institution_id)
    pending = list(selectors.pending_declarations(viewer=request.user, unit=unit)[:200])
    today = selectors.ScreeningFilters(unit=unit.pk, day=clock.today(), verdict=Verdict.REFUSED)
    refused = [
        s
        for s in selectors.screening_list(viewer=request.user, filters=today)[:50]
        if s.source == ScreeningSource.VENUE_CODE and s.confirmed_at is None
    ]
    return render(request, "screening/pending.html", {"unit": unit, "pending": pending, "refused": refused})


@login_required
def confirm(request: AuthedHttpRequest, screening_id: int) -> HttpResponse:
    require(request, ScreeningPerm.SCREEN)
    screening = selectors.access_screening_for_screening(request.user, screening_id)
    if screening.verdict != Verdict.PENDING:
        messages.info(request, f"该申报已处理：{screening.get_verdict_display()}")
        return redirect("screening:record_detail", screening_id=screening.pk)
    policy = current_policy(ScreeningPolicy)
    initial = {
        "health_code": screening.health_code,
        "itinerary_code": screening.itinerary_code,
        "itinerary_star": yes_no(screening.itinerary_star),
        "mask": yes_no(screening.mask),
    }
    form = ConfirmForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.declaration_confirm(
                actor=request.user,
                screening=screening,
                temperature=form.temperature_value(),
                health_code=data["health_code"],
                itinerary_code=data["itinerary_code"],
                itinerary_star=data["itinerary_star"],
                mask=data["mask"],
                refused_checks=data["refused_checks"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            target = reverse("screening:desk", kwargs={"institution_id": screening.unit_id})
            return redirect(f"{target}?last={screening.pk}")
    context = {
        "screening": screening,
        "unit": screening.unit,
        "form": form,
        "buttons": temperature_buttons(policy),
        "policy": policy,
        "chosen_temperature": request.POST.get("temperature", ""),
    }
    return render(request, "screening/confirm.html", context, status=400 if form.errors else 200)


# --- Records -----------------------------------------------------------------------------------


def _who(s: Screening) -> str:
    return s.who


SCREENING_COLUMNS: list[Column] = [
    ("查验时间", lambda s: localtime(s.screened_at).strftime("%Y-%m-%d %H:%M")),
    ("场所", lambda s: s.unit.name),
    ("姓名", _who),
    ("手机号", lambda s: s.person.phone_masked if s.person else s.visitor_phone_masked),
    ("健康码", lambda s: str(s.get_health_code_display())),
    ("行程码", lambda s: str(s.get_itinerary_code_display()) + ("（带星号）" if s.itinerary_star else "")),
    ("体温", lambda s: s.temperature),
    ("口罩", lambda s: "是" if s.mask else "否"),
    ("结论", lambda s: str(s.get_verdict_display())),
    ("劝返原因", lambda s: "；".join(s.reason_list)),
    ("需核实", lambda s: "；".join(s.note_list) if s.needs_review else ""),
    ("方式", lambda s: str(s.get_source_display())),
    ("查验人", lambda s: str(s.screened_by) if s.screened_by else ""),
]


@login_required
@require_safe
def record_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, ScreeningPerm.VIEW)
    form = ScreeningFilterForm(request.GET or None, units=_unit_choices(request))
    filters = selectors.ScreeningFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ScreeningFilters(
            unit=data["unit"],
            verdict=data["verdict"],
            day=data["day"],
            needs_review=data["review"],
            search=data["q"],
        )
    return render_list(
        request,
        template="screening/record_list.html",
        queryset=selectors.screening_list(viewer=request.user, filters=filters),
        columns=SCREENING_COLUMNS,
        export_name="入口查验记录",
        context={"form": form},
        filter_form=form,
    )


@login_required
@require_safe
def record_detail(request: AuthedHttpRequest, screening_id: int) -> HttpResponse:
    require(request, ScreeningPerm.VIEW)
    screening = selectors.access_screening(request.user, screening_id)
    can_confirm = (
        screening.verdict == Verdict.PENDING
        and request.user.has_code(ScreeningPerm.SCREEN)
        and selectors.institution_writable(viewer=request.user).filter(pk=screening.unit_id).exists()
    )
    return render(
        request, "screening/record_detail.html", {"screening": screening, "can_confirm": can_confirm}
    )


def _figure_state(row: selectors.InstitutionDay) -> str:
    if row.unscreened:
        return _("未查验（漏管）：开放日无查验记录")
    if row.closed:
        return f"未开放：{row.closed}"
    if not row.finished:
        return "当日进行中"
    return ""


DAILY_COLUMNS: list[Column] = [
    ("日期", lambda r: r.day),
    ("场所", lambda r: r.unit.name),
    ("查验人次", lambda r: r.figures.screenings),
    ("准予进入", lambda r: r.figures.admitted),
    ("劝返", lambda r: r.figures.refused),
    *[
        (f"劝返：{label}", lambda r, code=code: r.figures.refusals_for(code))
        for code, label in RefusalReason.choices
    ],
    ("未确认的申报", lambda r: r.figures.pending),
    ("情况", _figure_state),
]


@login_required
@require_safe
def daily_counts(request: AuthedHttpRequest) -> HttpResponse:
    """Figures per institution and day (S5), from the records or, once purged, the kept counts;
    open days without a screening are flagged as gaps (漏管: the plan's 零漏管 is having none)."""
    require(request, ScreeningPerm.VIEW)
    form = DailyFiguresFilterForm(request.GET)
    refused = refused_filter(request, form)
    if refused is not None:
        return refused
    problems = "" if form.is_valid() else form_problems(form)
    if form.is_valid():
        data = form.cleaned_data
    else:
        fallback = DailyFiguresFilterForm({})
        fallback.is_valid()
        data = fallback.cleaned_data
    rows = selectors.completeness(viewer=request.user, start=data["start"], end=data["end"])
    gaps = sum(1 for row in rows if row.unscreened)
    if data.get("gaps"):
        rows = [row for row in rows if row.unscreened]
    if request.GET.get("export") == "xlsx" and not problems:
        return xlsx_response(
            filename="每日查验数量.xlsx", sheet_title="每日查验数量", columns=DAILY_COLUMNS, rows=rows
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    context = {
        "form": form,
        "problems": problems,
        "page": page,
        "query": query.urlencode(),
        "start": data["start"],
        "end": data["end"],
        "gap_count": gaps,
        "reasons": RefusalReason.choices,
        "policy": current_policy(ScreeningPolicy),
    }
    if htmx_target(request) == "list-results":
        return render(request, "screening/daily_counts.html#results", context)
    # The last two weeks per county, drawn above the table; a filter swap leaves it as it is.
    context["chart"] = selectors.screening_chart(viewer=request.user)
    return render(request, "screening/daily_counts.html", context, status=400 if problems else 200)


# --- Risk areas (S3) ---------------------------------------------------------------------------

RISK_AREA_COLUMNS: list[Column] = [
    ("风险等级", lambda a: str(a.get_level_display())),
    ("地点", lambda a: a.place_label),
    ("行政区划代码", lambda a: a.admin_code),
    ("生效日期", lambda a: a.effective_from),
    ("截止日期", lambda a: a.effective_to),
    ("来源", lambda a: str(a.get_source_display())),
    ("备注", lambda a: a.note),
]


@login_required
@require_safe
def risk_area_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, ScreeningPerm.VIEW)
    form = RiskAreaFilterForm(request.GET or None)
    filters = selectors.RiskAreaFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.RiskAreaFilters(
            search=data["q"],
            level=data["level"],
            active_on=data["active_on"],
            include_history=data["history"],
        )
    return render_list(
        request,
        template="screening/risk_area_list.html",
        queryset=selectors.risk_area_list(viewer=request.user, filters=filters),
        columns=RISK_AREA_COLUMNS,
        export_name="中高风险地区",
        context={
            "form": form,
            "can_manage": request.user.has_code(ScreeningPerm.MANAGE_RISK_AREAS),
            "today": clock.today(),
        },
        filter_form=form,
    )


@login_required
def risk_area_create(request: AuthedHttpRequest) -> HttpResponse:
    require(request, ScreeningPerm.MANAGE_RISK_AREAS)
    form = RiskAreaForm(request.POST or None, initial={"effective_from": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            recording = services.risk_area_create(
                actor=request.user,
                data=services.RiskAreaInput(**form.cleaned_data),
                source=RecordSource.TYPED,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"已登记：{recording.area}")
            return redirect("screening:risk_area_detail", risk_area_id=recording.area.pk)
    return render(
        request,
        "screening/form_page.html",
        {"form": form, "title": "登记中高风险地区"},
        status=form_status(form),
    )


@login_required
@require_safe
def risk_area_detail(request: AuthedHttpRequest, risk_area_id: int) -> HttpResponse:
    require(request, ScreeningPerm.VIEW)
    area = selectors.access_risk_area(request.user, risk_area_id)
    today = clock.today()
    context = {
        "area": area,
        "history": selectors.risk_area_history(area),
        "can_manage": request.user.has_code(ScreeningPerm.MANAGE_RISK_AREAS) and area.effective_to is None,
        "end_form": RiskAreaEndForm(initial={"last_day": today}),
        "level_form": RiskAreaLevelForm(initial={"from_day": today}),
    }
    return render(request, "screening/risk_area_detail.html", context)


def _risk_area_action(request: AuthedHttpRequest, area: RiskArea, form: Any, action: Any) -> HttpResponse:
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("screening:risk_area_detail", risk_area_id=area.pk)
    try:
        result = action(form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("screening:risk_area_detail", risk_area_id=area.pk)
    messages.success(request, "已保存，原记录保留在历史中")
    return redirect("screening:risk_area_detail", risk_area_id=result.pk)


@login_required
@require_POST
def risk_area_end(request: AuthedHttpRequest, risk_area_id: int) -> HttpResponse:
    require(request, ScreeningPerm.MANAGE_RISK_AREAS)
    area = selectors.access_risk_area(request.user, risk_area_id)
    return _risk_area_action(
        request,
        area,
        RiskAreaEndForm(request.POST),
        lambda d: services.risk_area_end(
            actor=request.user, area=area, last_day=d["last_day"], note=d["note"]
        ),
    )


@login_required
@require_POST
def risk_area_level(request: AuthedHttpRequest, risk_area_id: int) -> HttpResponse:
    require(request, ScreeningPerm.MANAGE_RISK_AREAS)
    area = selectors.access_risk_area(request.user, risk_area_id)
    return _risk_area_action(
        request,
        area,
        RiskAreaLevelForm(request.POST),
        lambda d: services.risk_area_change_level(
            actor=request.user, area=area, level=d["level"], from_day=d["from_day"], note=d["note"]
        ),
    )


# --- Isolation register -----------------------------------------------------------------------

ISOLATION_COLUMNS: list[Column] = [
    ("姓名", lambda r: r.person.name),
    ("证件号码", lambda r: r.person.id_number_masked),
    ("所属单位", lambda r: r.person.home_unit.name),
    ("类型", lambda r: str(r.get_kind_display())),
    ("开始日期", lambda r: r.starts_on),
    ("计划解除日期", lambda r: r.planned_end_on),
    ("实际解除日期", lambda r: r.actual_end_on),
    ("确诊日期", lambda r: r.confirmed_on),
    ("信息来源", lambda r: r.source),
]


@login_required
@require_safe
def isolation_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, ScreeningPerm.VIEW)
    form = IsolationFilterForm(request.GET or None)
    filters = selectors.IsolationFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.IsolationFilters(
            search=data["q"], kind=data["kind"], active_on=clock.today() if data["active"] else None
        )
    return render_list(
        request,
        template="screening/isolation_list.html",
        queryset=selectors.isolation_list(viewer=request.user, filters=filters),
        columns=ISOLATION_COLUMNS,
        export_name="隔离人员",
        context={
            "form": form,
            "can_manage": request.user.has_code(ScreeningPerm.MANAGE_ISOLATION),
            "today": clock.today(),
        },
        filter_form=form,
    )


@login_required
def isolation_new(request: AuthedHttpRequest) -> HttpResponse:
    """Pick the person (from the register) whose isolation is to be recorded."""
    require(request, ScreeningPerm.MANAGE_ISOLATION)
    if request.method == "POST":
        # An ID number is posted and turned into its search key: it never goes into a URL.
        find = DeskFindForm(request.POST)
        target = reverse("screening:isolation_new")
        if not find.is_valid():
            return redirect(target)
        keys = people_selectors.search_keys(id_number=find.cleaned_data["id_number"])
        return redirect(f"{target}?{urlencode({'id_key': keys['id_key']})}")
    form = DeskSearchForm(request.GET or None)
    people: list[Person] = []
    searched = form.is_valid() and bool(form.cleaned_data["q"] or form.cleaned_data["id_key"])
    if searched:
        found = selectors.person_writable(viewer=request.user)
        if form.cleaned_data["q"]:
            found = found.filter(name__icontains=form.cleaned_data["q"].strip())
        if form.cleaned_data["id_key"]:
            found = found.filter(id_index=form.cleaned_data["id_key"])
        people = list(found.select_related("home_unit").order_by("name", "pk")[:DESK_RESULTS])
    context = {"form": form, "find_form": DeskFindForm(), "people": people, "searched": searched}
    return render(request, "screening/isolation_new.html", context)


@login_required
def isolation_create(request: AuthedHttpRequest, person_id: int) -> HttpResponse:
    require(request, ScreeningPerm.MANAGE_ISOLATION)
    person = selectors.access_person_for_recording(request.user, person_id)
    form = IsolationForm(request.POST or None, initial={"starts_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            recording = services.isolation_record(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            record = recording.record
            messages.success(
                request,
                _("已登记%(kind)s，%(day)s 解除")
                % {"kind": record.get_kind_display(), "day": record.planned_end_on},
            )
            return redirect("screening:isolation_detail", isolation_id=record.pk)
    return render(
        request,
        "screening/form_page.html",
        {
            "form": form,
            "title": _("登记隔离：%(name)s") % {"name": person.name},
            "person": person,
            "policy": current_policy(ScreeningPolicy),
        },
        status=form_status(form),
    )


@login_required
@require_safe
def isolation_detail(request: AuthedHttpRequest, isolation_id: int) -> HttpResponse:
    require(request, ScreeningPerm.VIEW)
    record = selectors.access_isolation(request.user, isolation_id)
    can_write = (
        request.user.has_code(ScreeningPerm.MANAGE_ISOLATION)
        and selectors.person_writable(viewer=request.user).filter(pk=record.person_id).exists()
    )
    return render(
        request,
        "screening/isolation_detail.html",
        {
            "record": record,
            "others": selectors.isolations_of(record.person).exclude(pk=record.pk)[:20],
            "can_manage": can_write and record.actual_end_on is None,
            # A confirmation may come after the release (the report reaches the register late).
            "can_confirm": can_write and record.confirmed_on is None,
            "end_form": IsolationEndForm(initial={"ended_on": clock.today()}),
            "confirm_form": IsolationConfirmForm(initial={"confirmed_on": clock.today()}),
            "today": clock.today(),
        },
    )


@login_required
@require_POST
def isolation_end(request: AuthedHttpRequest, isolation_id: int) -> HttpResponse:
    require(request, ScreeningPerm.MANAGE_ISOLATION)
    record: IsolationRecord = selectors.access_isolation_for_recording(request.user, isolation_id)
    form = IsolationEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写解除日期")
    else:
        try:
            services.isolation_end(actor=request.user, record=record, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已解除")
    return redirect("screening:isolation_detail", isolation_id=record.pk)


@login_required
@require_POST
def isolation_confirm(request: AuthedHttpRequest, isolation_id: int) -> HttpResponse:
    """Mark the person a confirmed case (确诊病例): the other modules learn it (people.lifecycle)."""
    require(request, ScreeningPerm.MANAGE_ISOLATION)
    record: IsolationRecord = selectors.access_isolation_for_recording(request.user, isolation_id)
    form = IsolationConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写确诊日期"))
    else:
        try:
            services.isolation_mark_confirmed(actor=request.user, record=record, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已标记为确诊病例"))
    return redirect("screening:isolation_detail", isolation_id=record.pk)


# --- Venue codes (S4) --------------------------------------------------------------------------


def public_url(request: AuthedHttpRequest, venue: VenueCode) -> str:
    path = reverse("venue:declare", kwargs={"token": venue.token})
    base = settings.SHOUHU_PUBLIC_BASE_URL
    return f"{base.rstrip('/')}{path}" if base else request.build_absolute_uri(path)


def _qr_svg(url: str, *, scale: int) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=scale, omitsize=False))


@login_required
@require_safe
def venue_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, ScreeningPerm.VIEW)
    venues = list(selectors.venue_list(viewer=request.user)[:1000])
    return render(
        request,
        "screening/venue_list.html",
        {"venues": venues, "can_screen": request.user.has_code(ScreeningPerm.SCREEN)},
    )


def _venue_for(request: AuthedHttpRequest, institution_id: int) -> VenueCode:
    unit = selectors.access_institution_for_screening(request.user, institution_id)
    return services.venue_code_issue(actor=request.user, unit=unit)


@login_required
@require_safe
def venue_poster(request: AuthedHttpRequest, institution_id: int) -> HttpResponse:
    """The printable A4 poster: the institution's name and its venue code."""
    require(request, ScreeningPerm.SCREEN)
    venue = _venue_for(request, institution_id)
    url = public_url(request, venue)
    return render(
        request,
        "screening/venue_poster.html",
        {
            "venue": venue,
            "unit": venue.unit,
            "url": url,
            "qr": _qr_svg(url, scale=8),
            "can_rotate": request.user.has_code(ScreeningPerm.MANAGE_VENUES),
        },
    )


@login_required
@require_safe
def venue_qr(request: AuthedHttpRequest, institution_id: int) -> HttpResponse:
    require(request, ScreeningPerm.SCREEN)
    venue = _venue_for(request, institution_id)
    buffer = io.BytesIO()
    segno.make(public_url(request, venue), error="m").save(buffer, kind="svg", scale=10, border=4)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def venue_rotate(request: AuthedHttpRequest, institution_id: int) -> HttpResponse:
    require(request, ScreeningPerm.MANAGE_VENUES)
    venue = _venue_for(request, institution_id)
    services.venue_code_rotate(actor=request.user, venue=venue)
    messages.warning(request, "已更换场所码：此前打印的场所码已失效，请重新打印张贴")
    return redirect("screening:venue_poster", institution_id=venue.unit_id)
