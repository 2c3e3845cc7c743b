"""Pages of the nursing-home app: the overview, closures (movements, shifts), testing rounds
(phone-first result entry, the missing list), health checks (phone-first) and the daily log."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.campaigns.policy import current_policies
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.exports import Column
from shouhu.common.forms import add_domain_error
from shouhu.common.listing import render_list
from shouhu.common.permissions import require
from shouhu.eldercare import selectors, services
from shouhu.eldercare.forms import (
    ChecklistItemForm,
    ClosureEndForm,
    ClosureForm,
    DailyLogForm,
    DayForm,
    HealthCheckForm,
    MovementForm,
    ResultForm,
    RoundForm,
    ShiftForm,
)
from shouhu.eldercare.models import EldercarePolicy, Symptom, TestOutcome
from shouhu.eldercare.permissions import EldercarePerm
from shouhu.orgs.models import OrgUnit
from shouhu.people.models import Category, Person
from shouhu.screening.models import ScreeningPolicy


def _can(request: AuthedHttpRequest, code: str, home: OrgUnit) -> bool:
    return (
        request.user.has_code(code)
        and selectors.home_writable(viewer=request.user).filter(pk=home.pk).exists()
    )


def _form_errors(form: forms.Form) -> str:
    return "；".join(str(m) for ms in form.errors.values() for m in ms)


def _person_of(home: OrgUnit, person_id: int) -> Person | None:
    return selectors.people_of_home(home).filter(pk=person_id).first()


# --- Overview and coverage ---------------------------------------------------------------------


@login_required
@require_safe
def overview(request: AuthedHttpRequest) -> HttpResponse:
    require(request, EldercarePerm.VIEW)
    today = clock.today()
    rows = selectors.home_overview(viewer=request.user, today=today)
    policy, screening_policy = current_policies(EldercarePolicy, ScreeningPolicy, day=today)
    context = {
        "rows": rows,
        "today": today,
        "policy": policy,
        "screening_policy": screening_policy,
        "closed": sum(1 for r in rows if r.closure),
        "abnormal": selectors.abnormal_checks(viewer=request.user, day=today),
    }
    return render(request, "eldercare/overview.html", context)


@login_required
@require_safe
def coverage(request: AuthedHttpRequest) -> HttpResponse:
    require(request, EldercarePerm.VIEW)
    today = clock.today()
    context = {
        "counties": selectors.county_coverage(viewer=request.user, on=today),
        "rows": selectors.home_overview(viewer=request.user, today=today),
        "today": today,
    }
    return render(request, "eldercare/coverage.html", context)


@login_required
@require_safe
def home_detail(request: AuthedHttpRequest, home_id: int) -> HttpResponse:
    require(request, EldercarePerm.VIEW)
    home = selectors.access_home(request.user, home_id)
    today = clock.today()
    context = {
        "home": home,
        "today": today,
        "closure": selectors.closure_on(home, today),
        "closures": list(
            selectors.closure_list(viewer=request.user, filters=selectors.ClosureFilters(unit=home.pk))[:20]
        ),
        "rounds": list(
            selectors.round_list(viewer=request.user, filters=selectors.RoundFilters(unit=home.pk))[:20]
        ),
        "movements": selectors.recent_movements(home=home),
        "logs": selectors.recent_logs(home=home),
        "can_manage": _can(request, EldercarePerm.MANAGE, home),
        "can_record": _can(request, EldercarePerm.RECORD, home),
    }
    return render(request, "eldercare/home_detail.html", context)


# --- E1 Closures, movements, shifts ------------------------------------------------------------


@login_required
def closure_create(request: AuthedHttpRequest, home_id: int) -> HttpResponse:
    require(request, EldercarePerm.MANAGE)
    home = selectors.access_home_for_recording(request.user, home_id)
    form = ClosureForm(request.POST or None, initial={"starts_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            closure = services.closure_start(actor=request.user, home=home, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("%(home)s自%(start)s起封闭管理") % {"home": home.name, "start": closure.starts_on}
            )
            return redirect("eldercare:closure_detail", closure_id=closure.pk)
    title = _("%(home)s：开始封闭管理") % {"home": home.name}
    return render(
        request,
        "eldercare/form_page.html",
        {"form": form, "title": title, "home": home},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def closure_detail(request: AuthedHttpRequest, closure_id: int) -> HttpResponse:
    require(request, EldercarePerm.VIEW)
    closure = selectors.access_closure(request.user, closure_id)
    context = {
        "closure": closure,
        "home": closure.unit,
        "movements": list(selectors.movement_list(closure=closure)[:200]),
        "shifts": list(selectors.shift_list(closure=closure)[:200]),
        "can_manage": _can(request, EldercarePerm.MANAGE, closure.unit),
        "can_record": _can(request, EldercarePerm.RECORD, closure.unit),
    }
    return render(request, "eldercare/closure_detail.html", context)


@login_required
def closure_end(request: AuthedHttpRequest, closure_id: int) -> HttpResponse:
    require(request, EldercarePerm.MANAGE)
    closure = selectors.access_closure_for_recording(request.user, closure_id)
    form = ClosureEndForm(request.POST or None, initial={"last_day": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_end(actor=request.user, closure=closure, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已登记解除封闭管理"))
            return redirect("eldercare:closure_detail", closure_id=closure.pk)
    title = _("%(home)s：解除封闭管理（%(start)s起）") % {
        "home": closure.unit.name,
        "start": closure.starts_on,
    }
    return render(
        request,
        "eldercare/form_page.html",
        {"form": form, "title": title, "home": closure.unit},
        status=400 if form.errors else 200,
    )


@login_required
def shift_create(request: AuthedHttpRequest, closure_id: int) -> HttpResponse:
    require(request, EldercarePerm.RECORD)
    closure = selectors.access_closure_for_recording(request.user, closure_id)
    staff = list(selectors.people_of_home(closure.unit).filter(categories__category=Category.STAFF))
    form = ShiftForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = next(p for p in staff if p.pk == data["person"])
        try:
            services.shift_record(
                actor=request.user,
                closure=closure,
                person=person,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                post=data["post"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已登记%(name)s的排班") % {"name": person.name})
            return redirect("eldercare:closure_detail", closure_id=closure.pk)
    title = _("%(home)s：封闭期排班") % {"home": closure.unit.name}
    return render(
        request,
        "eldercare/form_page.html",
        {"form": form, "title": title, "home": closure.unit},
        status=400 if form.errors else 200,
    )


@login_required
def movement_create(request: AuthedHttpRequest, home_id: int) -> HttpResponse:
    require(request, EldercarePerm.RECORD)
    home = selectors.access_home_for_recording(request.user, home_id)
    people = list(selectors.people_of_home(home))
    form = MovementForm(request.POST or None, people=people)
    closure = selectors.closure_on(home, clock.today())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = next(p for p in people if p.pk == data["person"])
        try:
            movement = services.movement_request(
                actor=request.user,
                home=home,
                person=person,
                direction=data["direction"],
                purpose=data["purpose"],
                approver=data["approver"],
                approval_reason=data["approval_reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s：%(outcome)s") % {"name": person.name, "outcome": movement.get_outcome_display()},
            )
            return redirect("eldercare:home_detail", home_id=home.pk)
    context = {
        "form": form,
        "home": home,
        "closure": closure,
        "title": _("%(home)s：人员进出登记") % {"home": home.name},
    }
    return render(request, "eldercare/movement_form.html", context, status=400 if form.errors else 200)


# --- E2 Testing rounds -------------------------------------------------------------------------

ROUND_COLUMNS: list[Column] = [
    ("检测日期", lambda r: r.tested_on.isoformat()),
    ("养老机构", lambda r: r.unit.name),
    ("检测范围", lambda r: r.get_scope_display()),
    ("应检人数", lambda r: r.member_count),
    ("已采样", lambda r: r.sampled_count),
    ("阳性", lambda r: r.positive_count),
    ("覆盖率（%）", lambda r: selectors.coverage_percent(r.sampled_count, r.member_count)),
]


@login_required
@require_safe
def round_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, EldercarePerm.VIEW)
    return render_list(
        request,
        template="eldercare/round_list.html",
        queryset=selectors.round_list(viewer=request.user),
        columns=ROUND_COLUMNS,
        export_name="核酸检测轮次",
        context={},
    )


@login_required
def round_create(request: AuthedHttpRequest, home_id: int) -> HttpResponse:
    require(request, EldercarePerm.MANAGE)
    home = selectors.access_home_for_recording(request.user, home_id)
    people = list(selectors.people_of_home(home))
    form = RoundForm(request.POST or None, people=people, initial={"tested_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [p for p in people if p.pk in set(data["people"])]
        try:
            test_round = services.round_create(
                actor=request.user,
                home=home,
                tested_on=data["tested_on"],
                scope=data["scope"],
                people=chosen,
                note=data["note"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("eldercare:round_detail", round_id=test_round.pk)
    title = _("%(home)s：新建核酸检测轮次") % {"home": home.name}
    return render(
        request,
        "eldercare/form_page.html",
        {"form": form, "title": title, "home": home},
        status=400 if form.errors else 200,
    )


@login_required
def round_detail(request: AuthedHttpRequest, round_id: int) -> HttpResponse:
    """Result entry on a phone: one person per row, one tap per result."""
    require(request, EldercarePerm.VIEW)
    test_round = selectors.access_round(request.user, round_id)
    can_record = _can(request, EldercarePerm.RECORD, test_round.unit)
    error = ""
    status = 200
    if request.method == "POST":
        require(request, EldercarePerm.RECORD)
        test_round = selectors.access_round_for_recording(request.user, round_id)
        form = ResultForm(request.POST)
        person = selectors.round_member(test_round, form.cleaned_data["person"]) if form.is_valid() else None
        try:
            if not form.is_valid():
                raise DomainError(_form_errors(form))
            if person is None:
                raise DomainError(_("该人员不在本轮检测名单中"), code="not_in_round")
            services.round_result_record(
                actor=request.user,
                test_round=test_round,
                person=person,
                result=form.cleaned_data["result"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            error = exc.message
            status = 400
        else:
            return redirect(
                f"{reverse('eldercare:round_detail', kwargs={'round_id': test_round.pk})}#p{person.pk}"
            )
    context = {
        "round": test_round,
        "results": list(selectors.round_results(test_round)),
        "can_record": can_record and test_round.tested_on <= clock.today(),
        "error": error,
        "percent": selectors.coverage_percent(test_round.sampled_count, test_round.member_count),  # type: ignore[attr-defined]
        "outcomes": TestOutcome,
    }
    return render(request, "eldercare/round_detail.html", context, status=status)


MISSING_COLUMNS: list[Column] = [
    ("姓名", lambda r: r.person.name),
    ("证件号码", lambda r: r.person.id_number_masked),
    ("状态", lambda r: r.get_result_display()),
    ("未采样原因", lambda r: r.reason),
]


@login_required
@require_safe
def round_missing(request: AuthedHttpRequest, round_id: int) -> HttpResponse:
    require(request, EldercarePerm.VIEW)
    test_round = selectors.access_round(request.user, round_id)
    return render_list(
        request,
        template="eldercare/round_missing.html",
        queryset=selectors.missing_list(test_round),
        columns=MISSING_COLUMNS,
        export_name="应检未检名单",
        context={"round": test_round},
    )


# --- E3 Health checks --------------------------------------------------------------------------


@login_required
def health_checks(request: AuthedHttpRequest, home_id: int) -> HttpResponse:
    """Phone-first: every resident and staff member with today's checks, one row each."""
    require(request, EldercarePerm.RECORD)
    home = selectors.access_home_for_recording(request.user, home_id)
    today = clock.today()
    policy, screening_policy = current_policies(EldercarePolicy, ScreeningPolicy, day=today)
    form = HealthCheckForm(request.POST or None)
    status = 200
    if request.method == "POST":
        person = _person_of(home, form.cleaned_data["person"]) if form.is_valid() else None
        try:
            if not form.is_valid():
                raise DomainError(_form_errors(form))
            if person is None:
                raise DomainError(_("该人员不是本机构登记的入住老人或工作人员"), code="not_in_home")
            check = services.health_check_record(
                actor=request.user,
                home=home,
                person=person,
                temperature=form.cleaned_data["temperature"],
                symptoms=form.cleaned_data["symptoms"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            if check.is_abnormal:
                messages.warning(
                    request,
                    _("%(name)s：体温 %(t)s℃ %(symptoms)s 异常，已提醒")
                    % {
                        "name": person.name,
                        "t": check.temperature,
                        "symptoms": "、".join(check.symptom_labels),
                    },
                )
            else:
                messages.success(
                    request, _("%(name)s：%(t)s℃ 已记录") % {"name": person.name, "t": check.temperature}
                )
            return redirect(f"{reverse('eldercare:health_checks', kwargs={'home_id': home.pk})}#p{person.pk}")
    people = list(selectors.people_of_home(home))
    counts = selectors.check_counts(home=home, day=today)
    latest = {}
    for check in selectors.health_checks_on(home=home, day=today).order_by("checked_at"):
        latest[check.person_id] = check
    roles = selectors.person_roles(people)
    per_day = policy.health_checks_per_day
    rows = [
        {
            "person": p,
            "role": roles.get(p.pk, ""),
            "count": counts.get(p.pk, 0),
            "latest": latest.get(p.pk),
            "due": counts.get(p.pk, 0) < per_day,
        }
        for p in people
    ]
    context = {
        "home": home,
        "rows": rows,
        "policy": policy,
        "screening_policy": screening_policy,
        "symptoms": Symptom.choices,
        "due": sum(1 for r in rows if r["due"]),
        "today": today,
    }
    return render(request, "eldercare/health_checks.html", context, status=status)


# --- E4 Daily log ------------------------------------------------------------------------------


@login_required
def daily_log(request: AuthedHttpRequest, home_id: int) -> HttpResponse:
    require(request, EldercarePerm.RECORD)
    home = selectors.access_home_for_recording(request.user, home_id)
    today = clock.today()
    asked = DayForm(request.GET)
    day = (asked.cleaned_data["day"] if asked.is_valid() else None) or today
    existing = selectors.daily_log_on(home=home, day=day) if day <= today else None
    initial = {"day": day}
    if existing is not None:
        initial |= {"done_items": list(existing.done_items.all()), "note": existing.note}
    form = DailyLogForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            log = services.daily_log_record(
                actor=request.user,
                home=home,
                day=data["day"],
                done_items=list(data["done_items"]),
                note=data["note"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(day)s 防控日志已保存") % {"day": log.day})
            return redirect("eldercare:home_detail", home_id=home.pk)
    context = {
        "form": form,
        "home": home,
        "existing": existing,
        "logs": selectors.recent_logs(home=home),
        "today": today,
    }
    return render(request, "eldercare/daily_log.html", context, status=400 if form.errors else 200)


@login_required
def checklist(request: AuthedHttpRequest) -> HttpResponse:
    """The region's checklist: every item, and a form to add one."""
    require(request, EldercarePerm.MANAGE_CHECKLIST)
    form = ChecklistItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_item_save(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("eldercare:checklist")
    items = list(selectors.checklist_items(include_inactive=True))
    context = {"form": form, "items": items}
    return render(request, "eldercare/checklist.html", context, status=400 if form.errors else 200)


@login_required
def checklist_item_edit(request: AuthedHttpRequest, checklist_item_id: int) -> HttpResponse:
    require(request, EldercarePerm.MANAGE_CHECKLIST)
    item = selectors.access_checklist_item(request.user, checklist_item_id)
    initial = {"label": item.label, "hint": item.hint, "order": item.order, "is_active": item.is_active}
    form = ChecklistItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.checklist_item_save(actor=request.user, item=item, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("eldercare:checklist")
    title = _("修改检查事项：%(label)s") % {"label": item.label}
    context = {"form": form, "title": title, "home": None}
    return render(request, "eldercare/form_page.html", context, status=400 if form.errors else 200)
