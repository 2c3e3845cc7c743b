"""Pages of the vaccination ledger: baseline, to-do list, field recording, reports, region views."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST, require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.common import bounds, clock
from shouhu.common.errors import DomainError
from shouhu.common.exports import Column, xlsx_response
from shouhu.common.forms import add_domain_error, form_status
from shouhu.common.listing import filter_status, filters_invalid, render_list
from shouhu.common.permissions import require
from shouhu.common.redirects import redirect_next
from shouhu.people.models import Person
from shouhu.vaccination import region, selectors, services
from shouhu.vaccination.figures import FIGURE_LABELS, percent_text
from shouhu.vaccination.forms import (
    CircularForm,
    ContactForm,
    ContraindicationForm,
    DeferralForm,
    DoseFilterForm,
    DoseForm,
    LedgerFilterForm,
    LiftForm,
    MobiliserForm,
    RegionForm,
    ReportSubmitForm,
    TodoFilterForm,
)
from shouhu.vaccination.models import ContactOutcome, VaccinationStatus
from shouhu.vaccination.permissions import VaccinationPerm
from shouhu.vaccination.schedule import report_schedule


def _unit_choices(request: AuthedHttpRequest) -> list[tuple[object, str]]:
    units = selectors.filter_units(viewer=request.user)
    return [(u.pk, f"{'　' * max(0, u.depth - 2)}{u.name}") for u in units]


def _back(request: AuthedHttpRequest, person: Person) -> HttpResponse:
    return redirect_next(
        request, default=reverse("vaccination:person_record", kwargs={"person_id": person.pk})
    )


def _categories(person: Person) -> str:
    return "、".join(c.get_category_display() for c in person.categories.all())


def _exemption(person: Any) -> str:
    if getattr(person, "has_contraindication", False):
        return "禁忌症"
    if getattr(person, "has_deferral", False):
        return "暂缓接种"
    return ""


# --- Baseline (底数台账) ---------------------------------------------------------------------

LEDGER_COLUMNS: list[Column] = [
    ("姓名", lambda p: p.name),
    ("性别", lambda p: p.get_gender_display()),
    ("出生日期", lambda p: p.birth_date),
    ("证件号码", lambda p: p.id_number_masked),
    ("身份信息", lambda p: "完整" if p.has_valid_id else "不清"),
    ("所属单位", lambda p: p.home_unit.name),
    ("人员类别", _categories),
    ("接种状态", selectors.status_label),
    ("已接种剂次", lambda p: p.doses_given),
    ("禁忌或暂缓", _exemption),
]


def _ledger_filters(form: LedgerFilterForm) -> selectors.LedgerFilters:
    if not form.is_valid():
        return selectors.LedgerFilters()
    data = form.cleaned_data
    return selectors.LedgerFilters(
        search=data["q"],
        status=data["status"],
        category=data["category"],
        unit=data["unit"],
        unclear=data["unclear"],
    )


@login_required
@require_safe
def ledger(request: AuthedHttpRequest) -> HttpResponse:
    require(request, VaccinationPerm.VIEW)
    form = LedgerFilterForm(request.GET or None, units=_unit_choices(request))
    people = selectors.ledger_list(viewer=request.user, filters=_ledger_filters(form))
    context: dict[str, Any] = {"form": form, "statuses": VaccinationStatus.choices}
    if not getattr(request, "htmx", None) and request.GET.get("export") != "xlsx":
        base = selectors.breakdown_root(viewer=request.user)
        context |= {
            "figures": selectors.figures_for_viewer(viewer=request.user),
            "base_unit": base,
            "breakdown": selectors.figures_by_child(viewer=request.user, unit=base) if base else [],
            "labels": FIGURE_LABELS,
            "can_record": request.user.has_code(VaccinationPerm.RECORD),
        }
    return render_list(
        request,
        template="vaccination/ledger.html",
        queryset=people,
        columns=LEDGER_COLUMNS,
        export_name="疫苗接种底数台账",
        context=context,
        filter_form=form,
    )


# --- To-do list (动态消号) ----------------------------------------------------------------------


def _mobiliser(person: Person) -> str:
    mobilisation = selectors.mobilisation_of(person)
    return mobilisation.mobiliser_label if mobilisation else ""


def _outcome(person: Any) -> str:
    value = getattr(person, "last_outcome", None)
    return ContactOutcome(value).label if value in ContactOutcome.values else ""


TODO_COLUMNS: list[Column] = [
    ("姓名", lambda p: p.name),
    ("证件号码", lambda p: p.id_number_masked),
    ("所属单位", lambda p: p.home_unit.name),
    ("接种状态", selectors.status_label),
    ("已接种剂次", lambda p: p.doses_given),
    ("动员人", _mobiliser),
    ("最近联系", lambda p: p.last_contact_on),
    ("联系结果", _outcome),
    ("下次联系", lambda p: p.next_contact_on),
]


@login_required
@require_safe
def todo(request: AuthedHttpRequest) -> HttpResponse:
    require(request, VaccinationPerm.VIEW)
    form = TodoFilterForm(request.GET or None, units=_unit_choices(request))
    filters = selectors.TodoFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.TodoFilters(
            search=data["q"], unit=data["unit"], mobiliser=data["mobiliser"], status=data["status"]
        )
    return render_list(
        request,
        template="vaccination/todo.html",
        queryset=selectors.todo_list(viewer=request.user, filters=filters),
        columns=TODO_COLUMNS,
        export_name="待接种名单",
        context={
            "form": form,
            "can_record": request.user.has_code(VaccinationPerm.RECORD),
            "today": clock.today(),
        },
        filter_form=form,
    )


# --- Doses ------------------------------------------------------------------------------------

DOSE_COLUMNS: list[Column] = [
    ("接种日期", lambda d: d.vaccinated_on),
    ("姓名", lambda d: d.person.name),
    ("证件号码", lambda d: d.person.id_number_masked),
    ("所属单位", lambda d: d.person.home_unit.name),
    ("疫苗产品", lambda d: d.product.short_name),
    ("生产企业", lambda d: d.product.manufacturer),
    ("剂次", lambda d: d.dose_number),
    ("接种单位", lambda d: d.place),
    ("登记方式", lambda d: d.get_source_display()),
    ("登记人", lambda d: str(d.recorded_by) if d.recorded_by else ""),
]


def _product_choices() -> list[tuple[object, str]]:
    return [(p.pk, str(p)) for p in selectors.product_list()]


@login_required
@require_safe
def dose_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, VaccinationPerm.VIEW)
    form = DoseFilterForm(request.GET or None, products=_product_choices())
    filters = selectors.DoseFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.DoseFilters(
            search=data["q"], product=data["product"], date_from=data["date_from"], date_to=data["date_to"]
        )
    return render_list(
        request,
        template="vaccination/dose_list.html",
        queryset=selectors.dose_list(viewer=request.user, filters=filters),
        columns=DOSE_COLUMNS,
        export_name="接种记录",
        context={"form": form, "can_import": request.user.has_code(VaccinationPerm.RECORD)},
        filter_form=form,
    )


@login_required
@require_safe
def person_record(request: AuthedHttpRequest, person_id: int) -> HttpResponse:
    """A person's electronic record (电子档案): doses, exemptions, mobiliser and contacts."""
    require(request, VaccinationPerm.VIEW)
    person = selectors.access_person(request.user, person_id)
    can_record = request.user.has_code(VaccinationPerm.RECORD) and selectors.can_record_for(
        request.user, person
    )
    doses = list(selectors.doses_of(person))
    context = {
        "person": person,
        "status_label": selectors.status_label(person),
        "doses": doses,
        "last_dose": doses[-1] if doses else None,
        "schedule": doses[0].product if doses else None,
        "contraindications": selectors.contraindications_of(person),
        "deferrals": selectors.deferrals_of(person),
        "mobilisation": selectors.mobilisation_of(person),
        "contacts": selectors.contacts_of(person)[:50],
        "can_record": can_record,
        "lift_form": LiftForm(),
        "today": clock.today(),
    }
    return render(request, "vaccination/person_record.html", context)


@login_required
def dose_create(request: AuthedHttpRequest, person_id: int) -> HttpResponse:
    """Recording a dose is a field task: one short form, the schedule's next dose filled in."""
    require(request, VaccinationPerm.RECORD)
    person = selectors.access_person_for_recording(request.user, person_id)
    doses = list(selectors.doses_of(person))
    upcoming = selectors.next_dose(doses)
    products = list(selectors.product_list())
    schedule = doses[0].product if doses else None
    primary = (
        schedule.doses_for_completion
        if schedule
        else max((p.doses_for_completion for p in products), default=1)
    )
    form = DoseForm(
        request.POST or None,
        initial={
            "vaccinated_on": clock.today(),
            "dose_number": upcoming.number if upcoming else len(doses) + 1,
            "product": schedule.pk if schedule else None,
        },
        products=[(p.pk, f"{p.short_name} · {p.name}") for p in products],
        max_dose=max(primary + 1, len(doses) + 1),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        product = selectors.product_list().filter(pk=data["product"]).first()
        try:
            if product is None:
                raise DomainError(
                    "未知的疫苗产品", code="unknown_product", field_errors={"product": ["未知的疫苗产品"]}
                )
            recording = services.dose_record(
                actor=request.user,
                person=person,
                product=product,
                dose_number=data["dose_number"],
                vaccinated_on=data["vaccinated_on"],
                place=data["place"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if recording.created:
                messages.success(request, f"已登记 {person.name} 第{recording.dose.dose_number}剂")
            else:
                messages.info(request, "该剂次此前已登记，未重复登记")
            return _back(request, person)
    return render(
        request,
        "vaccination/record_form.html",
        {
            "form": form,
            "person": person,
            "title": f"登记接种：{person.name}",
            "submit": "登记接种",
            "doses": doses,
            "hint": str(upcoming) if upcoming else "已完成全程和加强免疫，无需再接种",
        },
        status=form_status(form),
    )


@login_required
@require_POST
def dose_revoke(request: AuthedHttpRequest, dose_id: int) -> HttpResponse:
    require(request, VaccinationPerm.RECORD)
    dose = selectors.access_dose_for_recording(request.user, dose_id)
    if request.POST.get("confirm") != "1":
        messages.error(request, "请确认撤销")
        return redirect("vaccination:person_record", person_id=dose.person_id)
    try:
        services.dose_revoke(actor=request.user, dose=dose)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已撤销第{dose.dose_number}剂")
    return redirect("vaccination:person_record", person_id=dose.person_id)


# --- Contraindications, deferrals, mobilisation -------------------------------------------------


@login_required
def contraindication_create(request: AuthedHttpRequest, person_id: int) -> HttpResponse:
    require(request, VaccinationPerm.RECORD)
    person = selectors.access_person_for_recording(request.user, person_id)
    form = ContraindicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contraindication_record(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "已登记禁忌症，此人不再列入待接种名单")
            return _back(request, person)
    return render(
        request,
        "vaccination/record_form.html",
        {"form": form, "person": person, "title": f"登记禁忌症：{person.name}", "submit": "保存"},
        status=form_status(form),
    )


@login_required
@require_POST
def contraindication_lift(request: AuthedHttpRequest, contraindication_id: int) -> HttpResponse:
    require(request, VaccinationPerm.RECORD)
    item = selectors.access_contraindication_for_recording(request.user, contraindication_id)
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写解除原因")
    else:
        try:
            services.contraindication_lift(
                actor=request.user, contraindication=item, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "已解除禁忌症，此人重新列入待接种名单")
    return redirect("vaccination:person_record", person_id=item.person_id)


@login_required
def deferral_create(request: AuthedHttpRequest, person_id: int) -> HttpResponse:
    require(request, VaccinationPerm.RECORD)
    person = selectors.access_person_for_recording(request.user, person_id)
    form = DeferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deferral = services.deferral_record(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"已暂缓接种至 {deferral.until}，到期后自动列回待接种名单")
            return _back(request, person)
    return render(
        request,
        "vaccination/record_form.html",
        {"form": form, "person": person, "title": f"暂缓接种：{person.name}", "submit": "保存"},
        status=form_status(form),
    )


@login_required
@require_POST
def deferral_end(request: AuthedHttpRequest, deferral_id: int) -> HttpResponse:
    require(request, VaccinationPerm.RECORD)
    deferral = selectors.access_deferral_for_recording(request.user, deferral_id)
    try:
        services.deferral_end(actor=request.user, deferral=deferral)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已结束暂缓，此人重新列入待接种名单")
    return redirect("vaccination:person_record", person_id=deferral.person_id)


def _user_choices(request: AuthedHttpRequest) -> list[tuple[object, str]]:
    return [
        (u.pk, f"{u}（{u.unit.name if u.unit else ''}）")
        for u in selectors.mobiliser_candidates(viewer=request.user)[:500]
    ]


@login_required
def mobiliser_assign(request: AuthedHttpRequest, person_id: int) -> HttpResponse:
    require(request, VaccinationPerm.RECORD)
    person = selectors.access_person_for_recording(request.user, person_id)
    current = selectors.mobilisation_of(person)
    initial = {}
    if current is not None:
        initial = {
            "mobiliser_user": current.mobiliser_user_id,
            "mobiliser_name": current.mobiliser_name,
            "mobiliser_role": current.mobiliser_role,
        }
    form = MobiliserForm(request.POST or None, initial=initial, users=_user_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = (
                selectors.access_mobiliser_candidate(request.user, data["mobiliser_user"])
                if data["mobiliser_user"]
                else None
            )
            mobilisation = services.mobiliser_assign(
                actor=request.user,
                person=person,
                mobiliser_user=user,
                mobiliser_name=data["mobiliser_name"],
                mobiliser_role=data["mobiliser_role"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"动员人：{mobilisation.mobiliser_label}")
            return _back(request, person)
    return render(
        request,
        "vaccination/record_form.html",
        {"form": form, "person": person, "title": f"指定动员人：{person.name}", "submit": "保存"},
        status=form_status(form),
    )


@login_required
def contact_create(request: AuthedHttpRequest, person_id: int) -> HttpResponse:
    require(request, VaccinationPerm.RECORD)
    person = selectors.access_person_for_recording(request.user, person_id)
    form = ContactForm(request.POST or None, initial={"contacted_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_log(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "已记录联系情况")
            return _back(request, person)
    return render(
        request,
        "vaccination/record_form.html",
        {"form": form, "person": person, "title": f"记录动员联系：{person.name}", "submit": "保存"},
        status=form_status(form),
    )


# --- Reports ------------------------------------------------------------------------------------

REPORT_COLUMNS: list[Column] = [
    ("报送单位", lambda r: r.unit.name),
    ("周期开始", lambda r: r.period_start),
    ("周期结束", lambda r: r.period_end),
    ("数据截止", lambda r: r.as_of),
    *[(label, lambda r, name=name: getattr(r, name)) for name, label in FIGURE_LABELS.items()],
    ("全程接种率", lambda r: percent_text(r.figures.completion_rate)),
    ("底数完整率", lambda r: percent_text(r.figures.completeness_rate)),
    ("报送时间", lambda r: localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M")),
    ("报送人", lambda r: str(r.submitted_by)),
    ("逾期", lambda r: "逾期" if r.is_late else ""),
]


@login_required
@require_safe
def report_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, VaccinationPerm.VIEW)
    own_unit = selectors.reporting_unit_of(request.user)
    can_submit = own_unit is not None and request.user.has_code(VaccinationPerm.MANAGE_REPORTS)
    late_only = request.GET.get("late") == "1"
    return render_list(
        request,
        template="vaccination/report_list.html",
        queryset=selectors.report_list(viewer=request.user, filters=selectors.ReportFilters(late=late_only)),
        columns=REPORT_COLUMNS,
        export_name="接种进度报告",
        context={
            "own_unit": own_unit,
            "periods": region.periods_of_unit(own_unit) if own_unit else [],
            "can_submit": can_submit,
            "late_only": late_only,
        },
    )


@login_required
def report_submit(request: AuthedHttpRequest) -> HttpResponse:
    require(request, VaccinationPerm.MANAGE_REPORTS)
    unit = selectors.reporting_unit_of(request.user)
    schedule = report_schedule()
    today = clock.today()
    if unit is None or schedule is None:
        messages.error(request, "本账号所在单位不需报送接种进度，或当前没有进行中的行动")
        return redirect("vaccination:report_list")
    form = ReportSubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_submit(
                actor=request.user,
                period_start=form.cleaned_data["period_start"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("vaccination:report_list")
        if report.is_late:
            messages.warning(request, f"已报送；本期截止日期为 {report.due_on}，已标记为逾期报送")
        else:
            messages.success(request, "已报送")
        return redirect("vaccination:report_detail", report_id=report.pk)
    period = schedule.period_on(today)
    wanted = bounds.query_day(request.GET, "period", label="报送周期")
    if wanted:
        period = schedule.period_starting(wanted)
    if period is None or period.starts_on > today:
        messages.error(request, "没有这个报送周期")
        return redirect("vaccination:report_list")
    as_of = min(today, period.ends_on)
    figures = selectors.figures_for_unit(unit=unit, as_of=as_of)
    form = ReportSubmitForm(initial={"period_start": period.starts_on})
    return render(
        request,
        "vaccination/report_submit.html",
        {
            "unit": unit,
            "period": period,
            "as_of": as_of,
            "figures": figures,
            "labels": FIGURE_LABELS,
            "form": form,
            "late": today > period.due_on,
            "already": selectors.report_of(unit=unit, period_start=period.starts_on),
        },
    )


@login_required
@require_safe
def report_detail(request: AuthedHttpRequest, report_id: int) -> HttpResponse:
    require(request, VaccinationPerm.VIEW)
    report = selectors.access_report(request.user, report_id)
    return render(
        request,
        "vaccination/report_detail.html",
        {"report": report, "figures": report.figures, "labels": FIGURE_LABELS},
    )


# --- Region views (条块) and the circular ------------------------------------------------------

RANKING_COLUMNS: list[Column] = [
    ("名次", lambda r: r.rank),
    ("单位", lambda r: r.unit.name),
    *[(label, lambda r, name=name: getattr(r.figures, name)) for name, label in FIGURE_LABELS.items()],
    ("全程接种率", lambda r: percent_text(r.figures.completion_rate)),
    ("底数完整率", lambda r: percent_text(r.figures.completeness_rate)),
    ("按时报送率", lambda r: percent_text(r.reporting.on_time_rate)),
    ("应报期数", lambda r: r.reporting.due),
    ("逾期", lambda r: r.reporting.late),
    ("未报", lambda r: r.reporting.missing),
    ("通报事项", lambda r: "、".join(r.reasons)),
]


def _as_of(form: CircularForm) -> dt.date:
    if form.is_valid() and form.cleaned_data["as_of"]:
        return min(form.cleaned_data["as_of"], clock.today())
    return clock.today()


@login_required
@require_safe
def region_view(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.has_code(VaccinationPerm.VIEW_REGION):
        return _own_place(request)
    form = RegionForm(request.GET or None)
    view, rank_by = region.RegionView.COUNTY, region.RankBy.COMPLETION
    if form.is_valid():
        view = region.RegionView(form.cleaned_data["view"] or view)
        rank_by = region.RankBy(form.cleaned_data["sort"] or rank_by)
    rows = region.region_ranking(viewer=request.user, view=view, rank_by=rank_by)
    if request.GET.get("export") == "xlsx" and not filters_invalid(form):
        return xlsx_response(
            filename=f"接种进度排名（{region.VIEW_LABELS[view]}）.xlsx",
            sheet_title="接种进度排名",
            columns=RANKING_COLUMNS,
            rows=rows,
        )
    policy = region.thresholds()
    return render(
        request,
        "vaccination/region.html",
        {
            "rows": rows,
            "view": view,
            "rank_by": rank_by,
            "views": region.VIEW_LABELS,
            "ranks": region.RANK_LABELS,
            "policy": policy,
            "today": clock.today(),
        },
        status=filter_status(request, form),
    )


def _own_place(request: AuthedHttpRequest) -> HttpResponse:
    """Below the region: the viewer's county (or department) in the ranking, no other's row."""
    require(request, VaccinationPerm.VIEW)
    form = RegionForm(request.GET or None)
    rank_by = region.RankBy.COMPLETION
    if form.is_valid():
        rank_by = region.RankBy(form.cleaned_data["sort"] or rank_by)
    return render(
        request,
        "vaccination/own_place.html",
        {
            "place": region.own_place(viewer=request.user, rank_by=rank_by),
            "rank_by": rank_by,
            "ranks": region.RANK_LABELS,
            "today": clock.today(),
        },
        status=filter_status(request, form),
    )


@login_required
@require_safe
def circular(request: AuthedHttpRequest) -> HttpResponse:
    require(request, VaccinationPerm.VIEW_REGION)
    form = CircularForm(request.GET or None)
    document = region.circular(viewer=request.user, as_of=_as_of(form))
    if request.GET.get("export") == "xlsx" and not filters_invalid(form):
        return xlsx_response(
            filename=f"疫苗接种工作通报（截至{document.as_of}）.xlsx",
            sheet_title="疫苗接种工作通报",
            columns=[
                ("类别", lambda r: "县（市、区）" if r.unit.kind == "county" else "科室和直属单位"),
                *RANKING_COLUMNS,
            ],
            rows=document.rows,
        )
    return render(
        request,
        "vaccination/circular.html",
        {
            "doc": document,
            "form": form if filters_invalid(form) else CircularForm(initial={"as_of": document.as_of}),
            "labels": FIGURE_LABELS,
        },
        status=filter_status(request, form),
    )
