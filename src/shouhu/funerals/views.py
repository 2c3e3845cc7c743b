"""Pages of funeral services: cases (F1), the remains workflow on a phone (F2), protective
equipment stock per home (F3)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
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
from shouhu.funerals import selectors, services
from shouhu.funerals.forms import CaseFilterForm, CaseForm, IssueForm, ReceiptForm, StepForm
from shouhu.funerals.models import REMAINS_ORDER, FuneralCase, FuneralPolicy, PPEStock, RemainsStep
from shouhu.funerals.permissions import FuneralPerm


def _stage_label(case: FuneralCase) -> str:
    if not case.covid_remains:
        return ""
    if case.remains_stage >= len(REMAINS_ORDER):
        return _("处置完成")
    return _("待%(step)s") % {"step": RemainsStep(REMAINS_ORDER[case.remains_stage]).label}


CASE_COLUMNS: list[Column] = [
    ("逝者", lambda c: c.deceased.name),
    ("证件号码", lambda c: c.deceased.id_number_masked),
    ("殡葬服务机构", lambda c: c.home.name),
    ("死亡日期", lambda c: c.died_on),
    ("治丧日期", lambda c: c.service_date),
    ("仪式类型", lambda c: c.get_ceremony_type_display()),
    ("参加人数", lambda c: c.attendance),
    ("新冠患者遗体", lambda c: "是" if c.covid_remains else "否"),
    ("处置进度", _stage_label),
    ("家属联系人", lambda c: c.contact_name),
    ("家属联系电话", lambda c: c.contact_phone_masked),
]


@login_required
@require_safe
def case_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, FuneralPerm.VIEW)
    homes = selectors.home_list(viewer=request.user)
    form = CaseFilterForm(request.GET or None, homes=homes)
    filters = selectors.CaseFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.CaseFilters(
            search=data["q"],
            home=data["home"],
            ceremony_type=data["ceremony_type"],
            covid_only=data["covid"],
            open_only=data["open"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    policy = current_policy(FuneralPolicy)
    cases = selectors.case_list(viewer=request.user, filters=filters)
    return render_list(
        request,
        template="funerals/case_list.html",
        queryset=selectors.with_policy_flag(cases, policy=policy, today=clock.today()),
        columns=CASE_COLUMNS,
        export_name="治丧记录",
        context={
            "form": form,
            "can_manage": request.user.has_code(FuneralPerm.MANAGE_CASES),
            "policy": policy,
            "workflow_length": len(REMAINS_ORDER),
        },
        filter_form=form,
    )


@login_required
def case_create(request: AuthedHttpRequest) -> HttpResponse:
    require(request, FuneralPerm.MANAGE_CASES)
    homes = selectors.home_writable(viewer=request.user)
    today = clock.today()
    form = CaseForm(
        request.POST or None,
        homes=homes,
        initial={"died_on": today, "service_date": today, "home": homes.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_register(
                actor=request.user,
                home=data["home"],
                data=services.CaseInput(
                    deceased_name=data["deceased_name"],
                    deceased_id_number=data["deceased_id_number"],
                    died_on=data["died_on"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    service_date=data["service_date"],
                    ceremony_type=data["ceremony_type"],
                    attendance=data["attendance"],
                    covid_remains=data["covid_remains"],
                    note=data["note"],
                ),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已登记治丧记录"))
            availability = selectors.ceremony_availability(case)
            if availability is not None and availability.is_limited:
                messages.warning(request, availability.reason)
            return redirect("funerals:case_detail", funeral_case_id=case.pk)
    return render(
        request,
        "funerals/case_form.html",
        {"form": form, "policy": current_policy(FuneralPolicy)},
        status=form_status(form),
    )


def _step_form(case: FuneralCase, data: object = None) -> StepForm | None:
    due = selectors.next_step(case)
    if due is None:
        return None
    now = clock.now().astimezone(clock.local_zone()).replace(second=0, microsecond=0, tzinfo=None)
    return StepForm(data, initial={"step": due.value, "done_at": now})  # type: ignore[arg-type]


@login_required
@require_safe
def case_detail(request: AuthedHttpRequest, funeral_case_id: int) -> HttpResponse:
    require(request, FuneralPerm.VIEW)
    case = selectors.access_case(request.user, funeral_case_id)
    can_record = (
        request.user.has_code(FuneralPerm.MANAGE_CASES)
        and selectors.home_writable(viewer=request.user).filter(pk=case.home_id).exists()
    )
    return _render_detail(request, case, step_form=_step_form(case) if can_record else None)


def _render_detail(
    request: AuthedHttpRequest, case: FuneralCase, *, step_form: StepForm | None
) -> HttpResponse:
    due = selectors.next_step(case)
    policy = current_policy(FuneralPolicy)
    return render(
        request,
        "funerals/case_detail.html",
        {
            "case": case,
            "steps": list(selectors.steps_of(case)),
            "workflow": [RemainsStep(s) for s in REMAINS_ORDER],
            "next_step": due,
            "step_form": step_form,
            "stage_label": _stage_label(case),
            "policy": policy,
            "against_policy": selectors.against_policy(case, policy=policy, today=clock.today()),
            "availability": selectors.ceremony_availability(case),
            "notices": list(selectors.suspension_notices_of(case)),
        },
        status=form_status(step_form),
    )


def _refused_step_form(case: FuneralCase, posted: QueryDict, form: StepForm, error: DomainError) -> StepForm:
    """The refusal above the form; a wrong step is replaced by the one due (the field is hidden)."""
    due = selectors.next_step(case)
    if "step" in error.field_errors:
        if due is not None:
            data = posted.copy()
            data["step"] = due.value
            form = StepForm(data)
            form.is_valid()
        form.add_error(None, error.message)
        return form
    add_domain_error(form, error)
    return form


@login_required
@require_POST
def step_record(request: AuthedHttpRequest, funeral_case_id: int) -> HttpResponse:
    require(request, FuneralPerm.MANAGE_CASES)
    case = selectors.access_case_for_recording(request.user, funeral_case_id)
    form = StepForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done_at: dt.datetime = data["done_at"]
        issues = []
        if data["issue_item"]:
            issues.append(services.PPEUse(item=data["issue_item"], quantity=data["issue_quantity"]))
        try:
            record = services.remains_step_record(
                actor=request.user,
                case=case,
                data=services.StepInput(
                    step=data["step"],
                    done_at=done_at,
                    staff=data["staff"],
                    vehicle=data["vehicle"],
                    protective_equipment=data["protective_equipment"],
                    note=data["note"],
                    issues=issues,
                ),
            )
        except DomainError as error:
            # The refusal rolled the step back: show the case as the database holds it.
            case = selectors.access_case_for_recording(request.user, funeral_case_id)
            form = _refused_step_form(case, request.POST, form, error)
        else:
            messages.success(request, _("已记录“%(step)s”环节") % {"step": record.get_step_display()})
            return redirect("funerals:case_detail", funeral_case_id=case.pk)
    if not case.covid_remains:
        messages.error(request, _("只有新冠肺炎患者遗体需要按环节记录处置过程"))
        return redirect("funerals:case_detail", funeral_case_id=case.pk)
    return _render_detail(request, case, step_form=form)


# --- Protective equipment (F3) -----------------------------------------------------------------


STOCK_COLUMNS: list[Column] = [
    ("殡葬服务机构", lambda s: s.home.name),
    ("物资", lambda s: s.get_item_display()),
    ("库存数量", lambda s: s.quantity),
]


@login_required
@require_safe
def ppe_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, FuneralPerm.VIEW)
    threshold = current_policy(FuneralPolicy).ppe_low_stock_threshold
    homes = list(selectors.home_list(viewer=request.user))
    stock = selectors.stock_list(viewer=request.user)
    low: dict[int, list[PPEStock]] = {}
    for row in stock.filter(quantity__lt=threshold):
        low.setdefault(row.home_id, []).append(row)
    return render_list(
        request,
        template="funerals/ppe_list.html",
        queryset=stock,
        columns=STOCK_COLUMNS,
        export_name="防护物资库存",
        context={
            "homes": [(home, low.get(home.pk, [])) for home in homes],
            "threshold": threshold,
        },
    )


@login_required
@require_safe
def ppe_home(request: AuthedHttpRequest, funeral_home_id: int) -> HttpResponse:
    require(request, FuneralPerm.VIEW)
    home = selectors.access_home(request.user, funeral_home_id)
    return _render_home(request, home.pk)


def _render_home(
    request: AuthedHttpRequest,
    home_id: int,
    *,
    receipt_form: ReceiptForm | None = None,
    issue_form: IssueForm | None = None,
) -> HttpResponse:
    home = selectors.access_home(request.user, home_id)
    threshold = current_policy(FuneralPolicy).ppe_low_stock_threshold
    can_manage = (
        request.user.has_code(FuneralPerm.MANAGE_PPE)
        and selectors.home_writable(viewer=request.user).filter(pk=home.pk).exists()
    )
    return render(
        request,
        "funerals/ppe_home.html",
        {
            "home": home,
            "stock": selectors.stock_of(home, threshold=threshold),
            "threshold": threshold,
            "movements": list(selectors.movements_of(home)[:100]),
            "can_manage": can_manage,
            "receipt_form": receipt_form or ReceiptForm(),
            "issue_form": issue_form or IssueForm(),
        },
        status=form_status(receipt_form, issue_form),
    )


@login_required
@require_POST
def ppe_receive(request: AuthedHttpRequest, funeral_home_id: int) -> HttpResponse:
    require(request, FuneralPerm.MANAGE_PPE)
    home = selectors.access_home_for_recording(request.user, funeral_home_id)
    form = ReceiptForm(request.POST)
    if form.is_valid():
        try:
            movement = services.ppe_receive(actor=request.user, home=home, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("已入库 %(n)s，结存 %(b)s") % {"n": movement.quantity, "b": movement.balance_after}
            )
            return redirect("funerals:ppe_home", funeral_home_id=home.pk)
    return _render_home(request, home.pk, receipt_form=form)


@login_required
@require_POST
def ppe_issue(request: AuthedHttpRequest, funeral_home_id: int) -> HttpResponse:
    require(request, FuneralPerm.MANAGE_PPE)
    home = selectors.access_home_for_recording(request.user, funeral_home_id)
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            movement = services.ppe_issue(actor=request.user, home=home, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("已发放 %(n)s，结存 %(b)s") % {"n": movement.quantity, "b": movement.balance_after}
            )
            return redirect("funerals:ppe_home", funeral_home_id=home.pk)
    return _render_home(request, home.pk, issue_form=form)
