"""Pages of assistance for people in difficulty: households and their members (A2), the three
responsible people (A1), visits on a phone and the follow-ups other modules open (A2), the
counties' standards and the income assessment shown line by line (A4, A8), temporary assistance
and 一事一议 (A5, A6, A7, A10), the monthly rolls, the bank's files and the arrears (A3)."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.assistance import selectors, services
from shouhu.assistance.forms import (
    ApplicationAcceptForm,
    ApplicationApproveForm,
    ApplicationFilterForm,
    ApplicationForm,
    ApplicationInvestigateForm,
    ApplicationPubliciseForm,
    ApplicationRefuseForm,
    AssessmentForm,
    BankFileForm,
    BankResultForm,
    CareDeliveryForm,
    CareFilterForm,
    FollowUpCloseForm,
    FollowUpFilterForm,
    GrantDocumentsForm,
    GrantEndForm,
    GrantFilterForm,
    GrantForm,
    GrantToDibaoForm,
    HotlineAnswerForm,
    HotlineAssignForm,
    HotlineCallForm,
    HotlineCloseForm,
    HotlineFilterForm,
    HouseholdDetailsForm,
    HouseholdFilterForm,
    HouseholdForm,
    IncomeLineForm,
    IncomeLineFormSet,
    LeaveForm,
    MakeHeadForm,
    MemberForm,
    MemberRelationForm,
    ResponsibilityForm,
    ReviewForm,
    RollGenerateForm,
    StandardForm,
    VisitForm,
)
from shouhu.assistance.models import (
    OPEN_APPLICATION,
    Application,
    ApplicationStatus,
    AssistancePolicy,
    AssistanceReason,
    CaseByCaseReview,
    FollowUp,
    Household,
    HouseholdMember,
    IncomeAssessment,
    Level,
    PaymentRoll,
    Relation,
    ReviewDecision,
    Schedule,
    Standard,
)
from shouhu.assistance.permissions import AssistancePerm
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.exports import Column, xlsx_response
from shouhu.common.forms import add_domain_error, form_problems, form_status
from shouhu.common.listing import render_list
from shouhu.common.modules import Module
from shouhu.common.permissions import require
from shouhu.common.redirects import next_path
from shouhu.common.tabular import upload_bytes
from shouhu.inquiries import selectors as inquiry_selectors
from shouhu.inquiries.selectors import InquiryFilters
from shouhu.orgs.models import OrgUnit
from shouhu.people.models import Person

# --- Households (A1, A2, A4) ----------------------------------------------------------------------


def _standing_label(household: Household) -> str:
    label = household.get_standing_display()
    if household.affected_reason:
        return f"{label}（{household.get_affected_reason_display()}）"
    return str(label)


HOUSEHOLD_COLUMNS: list[Column] = [
    ("户主", lambda h: h.head_name or ""),
    ("村（社区）", lambda h: h.unit.name),
    ("城乡类别", lambda h: h.get_area_type_display()),
    ("救助类别", _standing_label),
    ("人口", lambda h: h.size),
    ("包保", lambda h: f"{h.levels_held}/{len(Level)}"),
    ("最近走访", lambda h: h.last_visit or "未走访"),
    ("最近核算低保金", lambda h: h.latest_amount if h.latest_amount is not None else ""),
]


def _filter_units(request: AuthedHttpRequest) -> QuerySet[OrgUnit]:
    return selectors.filter_units(viewer=request.user)


@login_required
@require_safe
def household_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    form = HouseholdFilterForm(request.GET or None, units=_filter_units(request))
    filters = selectors.HouseholdFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.HouseholdFilters(
            search=data["q"],
            unit=data["unit"].pk if data["unit"] else None,
            standing=data["standing"],
            missing_level=data["missing"],
            visit_overdue=data["overdue"],
            unprotected=data["unprotected"],
        )
    return render_list(
        request,
        template="assistance/household_list.html",
        queryset=selectors.household_list(viewer=request.user, filters=filters),
        columns=HOUSEHOLD_COLUMNS,
        export_name="困难家庭",
        context={
            "form": form,
            "can_record": request.user.has_code(AssistancePerm.RECORD),
            "levels": len(Level),
        },
        filter_form=form,
    )


@login_required
def household_create(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AssistancePerm.RECORD)
    villages = selectors.village_writable(viewer=request.user)
    initial: dict[str, Any] = {"registered_on": clock.today()}
    only = list(villages[:2])
    if len(only) == 1:  # a village clerk: their own village, nothing to choose
        initial["unit"] = only[0]
    form = HouseholdForm(request.POST or None, villages=villages, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = services.household_open(
                actor=request.user,
                data=services.HouseholdInput(
                    unit=data["unit"],
                    area_type=data["area_type"],
                    standing=data["standing"],
                    affected_reason=data["affected_reason"],
                    situation=data["situation"],
                    address=data["address"],
                    registered_on=data["registered_on"],
                ),
                head_name=data["head_name"],
                head_id_type=data["head_id_type"],
                head_id_number=data["head_id_number"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已登记困难家庭"))
            return redirect("assistance:household_detail", household_id=household.pk)
    return render(
        request,
        "assistance/household_form.html",
        {"form": form, "title": _("登记困难家庭")},
        status=form_status(form),
    )


@login_required
@require_safe
def household_detail(request: AuthedHttpRequest, household_id: int) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    household = selectors.access_household(request.user, household_id)
    return _render_detail(request, household)


def _render_detail(
    request: AuthedHttpRequest,
    household: Household,
    *,
    refused_leave: tuple[int, LeaveForm] | None = None,
    refused_close: tuple[int, FollowUpCloseForm] | None = None,
    refused_relation: tuple[int, MemberRelationForm] | None = None,
    status: int | None = None,
) -> HttpResponse:
    """The household with everything kept about it, in a fixed number of statements."""
    user = request.user
    writable = selectors.village_writable(viewer=user).filter(pk=household.unit_id).exists()
    can_record = writable and user.has_code(AssistancePerm.RECORD)
    can_manage = writable and user.has_code(AssistancePerm.MANAGE)
    today = clock.today()

    members = list(selectors.members_of(household))
    current = [m for m in members if m.left_on is None]
    former = [m for m in members if m.left_on is not None]
    leave_forms: list[tuple[HouseholdMember, LeaveForm | None]] = []
    for member in current:
        leave_form = None
        if can_record:
            if refused_leave is not None and refused_leave[0] == member.pk:
                leave_form = refused_leave[1]
            else:
                leave_form = LeaveForm(initial={"left_on": today}, auto_id=f"leave{member.pk}_%s")
        leave_forms.append((member, leave_form))

    responsibilities = list(selectors.responsibilities_of(household))
    held = {r.level: r for r in responsibilities if r.ended_on is None}
    levels = [(level, held.get(level.value)) for level in Level]
    ended = [r for r in responsibilities if r.ended_on is not None]

    visits = list(selectors.visits_of(household))
    last_visit = visits[0].visited_on if visits else None
    policy = current_policy(AssistancePolicy)
    due = services.next_visit_due(household, last_visit=last_visit, policy=policy)

    # A5, A10: the grants (a late 先行救助 flagged by the selector's rule) and the reviews.
    grants = list(selectors.grants_of(household))
    late = set(
        selectors.awaiting_documents(selectors.grants_of(household), today=today).values_list("pk", flat=True)
    )
    reviews: list[CaseByCaseReview] = list(selectors.reviews_of(household))

    # A4: the applications for 低保 and 特困; a new one only when none is open.
    applications = list(selectors.applications_of(household))

    follow_ups = list(selectors.follow_ups_of(household))
    close_forms: list[tuple[FollowUp, FollowUpCloseForm | None]] = []
    for follow_up in follow_ups:
        close_form = None
        if can_manage and follow_up.closed_at is None:
            if refused_close is not None and refused_close[0] == follow_up.pk:
                close_form = refused_close[1]
            else:
                close_form = FollowUpCloseForm(auto_id=f"close{follow_up.pk}_%s")
        close_forms.append((follow_up, close_form))

    return render(
        request,
        "assistance/household_detail.html",
        {
            "household": household,
            "head": next((m for m in current if m.relation == Relation.HEAD), None),
            "members": leave_forms,
            "former": former,
            "levels": levels,
            "levels_missing": sum(1 for _level, r in levels if r is None),
            "ended": ended,
            "visits": visits,
            "last_visit": last_visit,
            "next_due": due,
            "visit_overdue": due < today,
            "follow_ups": close_forms,
            # The lines are read on the assessment's own page, not here.
            "assessments": list(selectors.assessments_of(household)),
            "grants": [(grant, grant.pk in late) for grant in grants],
            "reviews": reviews,
            "can_record": can_record,
            "can_manage": can_manage,
            "head_relations": MakeHeadForm.relation_choices(),
            "member_relations": MemberRelationForm.relation_choices(),
            "refused_relation_id": refused_relation[0] if refused_relation else None,
            "refused_relation_form": refused_relation[1] if refused_relation else None,
            "applications": applications,
            "open_application": next((a for a in applications if a.status in OPEN_APPLICATION), None),
        },
        status=status
        or form_status(
            refused_leave[1] if refused_leave else None,
            refused_close[1] if refused_close else None,
            refused_relation[1] if refused_relation else None,
        ),
    )


@login_required
def household_edit(request: AuthedHttpRequest, household_id: int) -> HttpResponse:
    require(request, AssistancePerm.RECORD)
    household = selectors.access_household_for_recording(request.user, household_id)
    initial = {
        "area_type": household.area_type,
        "standing": household.standing,
        "affected_reason": household.affected_reason,
        "situation": household.situation,
        "address": household.address,
    }
    form = HouseholdDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(actor=request.user, household=household, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已保存家庭信息"))
            return redirect("assistance:household_detail", household_id=household.pk)
    return render(
        request,
        "assistance/household_form.html",
        {"form": form, "household": household, "title": _("修改家庭信息")},
        status=form_status(form),
    )


# --- Members (A2) ---------------------------------------------------------------------------------


@login_required
def member_add(request: AuthedHttpRequest, household_id: int) -> HttpResponse:
    require(request, AssistancePerm.RECORD)
    household = selectors.access_household_for_recording(request.user, household_id)
    form = MemberForm(request.POST or None, initial={"joined_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.member_join(
                actor=request.user,
                household=household,
                name=data["name"],
                relation=data["relation"],
                id_type=data["id_type"],
                id_number=data["id_number"],
                joined_on=data["joined_on"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已添加家庭成员%(name)s") % {"name": member.person.name})
            return redirect("assistance:household_detail", household_id=household.pk)
    return render(
        request,
        "assistance/household_form.html",
        {"form": form, "household": household, "title": _("添加家庭成员")},
        status=form_status(form),
    )


@login_required
@require_POST
def member_leave(request: AuthedHttpRequest, household_member_id: int) -> HttpResponse:
    require(request, AssistancePerm.RECORD)
    member = selectors.access_member_for_recording(request.user, household_member_id)
    form = LeaveForm(request.POST, auto_id=f"leave{member.pk}_%s")
    if form.is_valid():
        try:
            services.member_leave(
                actor=request.user,
                member=member,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["left_reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已将该成员移出家庭"))
            return redirect("assistance:household_detail", household_id=member.household_id)
    messages.error(request, form_problems(form))
    household = selectors.access_household(request.user, member.household_id)
    return _render_detail(request, household, refused_leave=(member.pk, form))


@login_required
@require_POST
def member_make_head(request: AuthedHttpRequest, household_member_id: int) -> HttpResponse:
    """设为户主: the head died or left; a former head still in the household takes a new relation."""
    require(request, AssistancePerm.RECORD)
    member = selectors.access_member_for_recording(request.user, household_member_id)
    form = MakeHeadForm(request.POST)
    if form.is_valid():
        try:
            services.household_head_change(
                actor=request.user,
                member=member,
                former_head_relation=form.cleaned_data["former_head_relation"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已更换户主"))
            return redirect("assistance:household_detail", household_id=member.household_id)
    messages.error(request, form_problems(form))
    household = selectors.access_household(request.user, member.household_id)
    refused = _render_detail(request, household)
    refused.status_code = 400
    return refused


@login_required
@require_POST
def member_relation(request: AuthedHttpRequest, household_member_id: int) -> HttpResponse:
    """与户主关系 corrected (配偶, 子女, …); the head itself changes through 设为户主."""
    require(request, AssistancePerm.RECORD)
    member = selectors.access_member_for_recording(request.user, household_member_id)
    form = MemberRelationForm(request.POST, auto_id=f"relation{member.pk}_%s")
    status = None
    if form.is_valid():
        try:
            services.member_relation_change(
                actor=request.user, member=member, relation=form.cleaned_data["relation"]
            )
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status_code
        else:
            messages.success(request, _("已修改与户主关系"))
            return redirect("assistance:household_detail", household_id=member.household_id)
    messages.error(request, form_problems(form))
    household = selectors.access_household(request.user, member.household_id)
    return _render_detail(request, household, refused_relation=(member.pk, form), status=status)


# --- Three-level responsibility (A1) ------------------------------------------------------------


@login_required
def responsibility_assign(request: AuthedHttpRequest, household_id: int) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    household = selectors.access_household_for_recording(request.user, household_id)
    initial: dict[str, Any] = {"assigned_on": clock.today()}
    if request.GET.get("level") in Level.values:
        initial["level"] = request.GET["level"]
    form = ResponsibilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            responsibility = services.responsibility_assign(
                actor=request.user, household=household, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("已指定%(level)s包保责任人%(name)s")
                % {"level": responsibility.get_level_display(), "name": responsibility.name},
            )
            return redirect("assistance:household_detail", household_id=household.pk)
    return render(
        request,
        "assistance/household_form.html",
        {"form": form, "household": household, "title": _("指定包保责任人")},
        status=form_status(form),
    )


# --- Visits (A2) --------------------------------------------------------------------------------


@login_required
def visit_record(request: AuthedHttpRequest, household_id: int) -> HttpResponse:
    require(request, AssistancePerm.RECORD)
    household = selectors.access_household_for_recording(request.user, household_id)
    form = VisitForm(
        request.POST or None,
        initial={"visited_on": clock.today(), "visitor": request.user.get_full_name() or str(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_record(actor=request.user, household=household, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已记录走访"))
            return redirect("assistance:household_detail", household_id=household.pk)
    return render(
        request,
        "assistance/visit_form.html",
        {"form": form, "household": household, "head": _head(household)},
        status=form_status(form),
    )


def _head(household: Household) -> HouseholdMember | None:
    """The current head, for the page titles (members_of lists the head first)."""
    return next(
        (m for m in selectors.members_of(household) if m.left_on is None and m.relation == Relation.HEAD),
        None,
    )


# --- Follow-ups (A2) ----------------------------------------------------------------------------


FOLLOW_UP_COLUMNS: list[Column] = [
    ("家庭（户主）", lambda f: f.head_name or ""),
    ("村（社区）", lambda f: f.household.unit.name),
    ("成员", lambda f: f.person.name),
    ("事由", lambda f: f.get_kind_display()),
    ("发生日期", lambda f: f.happened_on),
    ("发现时间", lambda f: f.opened_at),
    ("状态", lambda f: "已处理" if f.closed_at else "待处理"),
    ("处理情况", lambda f: f.outcome),
]


@login_required
@require_safe
def follow_up_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    return _render_follow_ups(request)


def _render_follow_ups(
    request: AuthedHttpRequest, *, refused: tuple[int, FollowUpCloseForm] | None = None
) -> HttpResponse:
    form = FollowUpFilterForm(request.GET or None)
    filters = selectors.FollowUpFilters()
    if form.is_valid():
        filters = selectors.FollowUpFilters(
            open_only=not form.cleaned_data["all"], kind=form.cleaned_data["kind"]
        )
    return render_list(
        request,
        template="assistance/follow_up_list.html",
        queryset=selectors.follow_up_list(viewer=request.user, filters=filters).annotate(
            head_name=selectors.head_name(field="household")
        ),
        columns=FOLLOW_UP_COLUMNS,
        export_name="早发现跟进事项",
        context={
            "form": form,
            "can_manage": request.user.has_code(AssistancePerm.MANAGE),
            "refused_id": refused[0] if refused else None,
            "refused_form": refused[1] if refused else None,
        },
        filter_form=form,
        status=form_status(refused[1] if refused else None),
    )


@login_required
@require_POST
def follow_up_close(request: AuthedHttpRequest, follow_up_id: int) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    follow_up = selectors.access_follow_up_for_recording(request.user, follow_up_id)
    form = FollowUpCloseForm(request.POST, auto_id=f"close{follow_up.pk}_%s")
    if form.is_valid():
        try:
            services.follow_up_close(
                actor=request.user, follow_up=follow_up, outcome=form.cleaned_data["outcome"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已记录处理情况"))
            return redirect(next_path(request, default=reverse("assistance:follow_up_list")))
    messages.error(request, form_problems(form))
    return _render_follow_ups(request, refused=(follow_up.pk, form))


# --- Standards (A8) -----------------------------------------------------------------------------


STANDARD_COLUMNS: list[Column] = [
    ("县（市、区）", lambda s: s.county.name),
    ("城乡类别", lambda s: s.get_area_type_display()),
    ("执行日期", lambda s: s.effective_from),
    ("低保标准（元/人·月）", lambda s: s.dibao_standard),
    ("特困人员基本生活标准（元/人·月）", lambda s: s.tekun_standard),
    ("最低工资标准（元/月）", lambda s: s.minimum_wage),
    ("就业成本扣减比例（%）", lambda s: s.employment_cost_percent),
    ("居家隔离生活支出扣减比例（%）", lambda s: s.isolation_living_cost_percent),
    ("文件依据", lambda s: s.document),
]


@login_required
@require_safe
def standard_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    return render_list(
        request,
        template="assistance/standard_list.html",
        queryset=selectors.standard_list(viewer=request.user),
        columns=STANDARD_COLUMNS,
        export_name="救助标准",
        context={"can_manage": request.user.has_code(AssistancePerm.MANAGE)},
    )


@login_required
def standard_create(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    counties = selectors.county_writable(viewer=request.user)
    form = StandardForm(
        request.POST or None,
        counties=counties,
        initial={"effective_from": clock.today(), "county": counties.first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.standard_create(
                actor=request.user, data=services.StandardInput(**form.cleaned_data)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, _("已录入%(standard)s救助标准") % {"standard": _standard_name(standard)}
            )
            return redirect("assistance:standard_list")
    return render(
        request,
        "assistance/standard_form.html",
        {"form": form},
        status=form_status(form),
    )


def _standard_name(standard: Standard) -> str:
    return f"{standard.county.name}{standard.get_area_type_display()}"


# --- Income assessment (A4, A8) -----------------------------------------------------------------


def _current_persons(household: Household) -> QuerySet[Person]:
    """The household's current members, to choose from (the service checks them for the month)."""
    return selectors.current_member_people(household)


def _lines_formset(data: Any, household: Household) -> Any:
    return IncomeLineFormSet(data, prefix="lines", form_kwargs={"persons": _current_persons(household)})


def _place_line_errors(forms: list[IncomeLineForm], error: DomainError) -> None:
    """`lines.<n>.<field>` errors of the service beside the n-th filled row's field."""
    for key, texts in error.field_errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(forms):
            row = forms[int(parts[1])]
            if parts[2] in row.fields:
                for text in texts:
                    row.add_error(parts[2], text)


@login_required
def assessment_create(request: AuthedHttpRequest, household_id: int) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    household = selectors.access_household_for_recording(request.user, household_id)
    form = AssessmentForm(request.POST or None, initial={"month": clock.today().replace(day=1)})
    formset = _lines_formset(request.POST or None, household)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        filled: list[IncomeLineForm] = [row for row in formset.forms if row.is_filled()]
        lines = [
            services.IncomeLineInput(
                person=row.cleaned_data["person"],
                kind=row.cleaned_data["kind"],
                amount=row.cleaned_data["amount"],
                back_at_work=row.cleaned_data["back_at_work"],
                isolation_days=row.cleaned_data["isolation_days"] or 0,
            )
            for row in filled
        ]
        month: dt.date = form.cleaned_data["month"]
        try:
            assessment = services.assessment_record(
                actor=request.user,
                household=household,
                month=month,
                lines=lines,
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            add_domain_error(form, error)
            _place_line_errors(filled, error)
        else:
            messages.success(request, _("已完成收入核算"))
            return redirect("assistance:assessment_detail", income_assessment_id=assessment.pk)
    return render(
        request,
        "assistance/assessment_form.html",
        {"form": form, "formset": formset, "household": household, "head": _head(household)},
        status=form_status(form, *formset.forms) if request.method == "POST" else 200,
    )


@login_required
@require_safe
def assessment_detail(request: AuthedHttpRequest, income_assessment_id: int) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    assessment = selectors.access_assessment(request.user, income_assessment_id)
    steps = [
        {"label": step["label"], "formula": step["formula"], "amount": Decimal(step["amount"])}
        for step in assessment.working
    ]
    if request.GET.get("export") == "xlsx":
        return _working_xlsx(assessment, steps)
    return render(
        request,
        "assistance/assessment_detail.html",
        {
            "assessment": assessment,
            "household": assessment.household,
            "head": _head(assessment.household),
            "steps": steps,
        },
    )


def _working_xlsx(assessment: IncomeAssessment, steps: list[dict[str, Any]]) -> HttpResponse:
    columns: list[Column] = [
        ("项目", lambda s: s["label"]),
        ("计算方法", lambda s: s["formula"]),
        ("金额（元）", lambda s: s["amount"]),
    ]
    name = f"{assessment.household.unit.name}{assessment.month:%Y年%m月}收入核算"
    return xlsx_response(filename=f"{name}.xlsx", sheet_title=name, columns=columns, rows=steps)


# --- Temporary assistance (A5, A6, A7) ----------------------------------------------------------


def _documents_label(grant: Any) -> str:
    """先行救助's documents: completed (when), or still awaited — late past the policy's days."""
    if not grant.is_advance:
        return ""
    if grant.documents_completed_on:
        return f"已补齐（{grant.documents_completed_on:%Y-%m-%d}）"
    return "待补（已超时限）" if getattr(grant, "awaiting", False) else "待补"


def _review_label(review: CaseByCaseReview | None) -> str:
    if review is None:
        return ""
    return f"{review.met_on:%Y-%m-%d} {review.approved_amount} 元 {review.reference}".strip()


GRANT_COLUMNS: list[Column] = [
    ("户主", lambda g: g.head_name or ""),
    ("村（社区）", lambda g: g.household.unit.name),
    ("事由", lambda g: g.get_reason_display()),
    ("发放方式", lambda g: g.get_schedule_display()),
    ("金额", lambda g: g.amount),
    ("起始月份", lambda g: f"{g.starts_on:%Y-%m}"),
    ("停发月份", lambda g: f"{g.ended_on:%Y-%m}" if g.ended_on else ""),
    ("先行救助/要件", _documents_label),
    ("一事一议", lambda g: _review_label(g.review)),
]

GrantRefusal = tuple[int, str, GrantDocumentsForm | GrantEndForm | GrantToDibaoForm]


@login_required
@require_safe
def grant_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    return _render_grants(request)


def _render_grants(request: AuthedHttpRequest, *, refused: GrantRefusal | None = None) -> HttpResponse:
    form = GrantFilterForm(request.GET or None)
    filters = selectors.GrantFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.GrantFilters(
            reason=data["reason"], in_force_only=data["in_force"], awaiting_documents=data["awaiting"]
        )
    grants = selectors.grant_list(viewer=request.user, filters=filters)
    # Each row says whether its documents are late, by the selector's rule, in the same statement.
    late = selectors.awaiting_documents(grants, today=clock.today())
    grants = grants.annotate(awaiting=Exists(late.filter(pk=OuterRef("pk"))))
    return render_list(
        request,
        template="assistance/grant_list.html",
        queryset=grants,
        columns=GRANT_COLUMNS,
        export_name="临时救助",
        context={
            "form": form,
            "can_manage": request.user.has_code(AssistancePerm.MANAGE),
            "today": clock.today(),
            "this_month": clock.today().replace(day=1),
            "monthly": Schedule.MONTHLY,
            "lost_work": AssistanceReason.LOST_WORK,
            "refused_id": refused[0] if refused else None,
            "refused_action": refused[1] if refused else None,
            "refused_form": refused[2] if refused else None,
        },
        filter_form=form,
        status=form_status(refused[2] if refused else None),
    )


def _grant_back(request: AuthedHttpRequest) -> HttpResponse:
    return redirect(next_path(request, default=reverse("assistance:grant_list")))


@login_required
@require_POST
def grant_documents(request: AuthedHttpRequest, temporary_assistance_id: int) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    grant = selectors.access_grant_for_recording(request.user, temporary_assistance_id)
    form = GrantDocumentsForm(request.POST, auto_id=f"docs{grant.pk}_%s")
    if form.is_valid():
        try:
            services.temporary_assistance_documents_completed(
                actor=request.user, grant=grant, completed_on=form.cleaned_data["completed_on"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已记录要件补齐"))
            return _grant_back(request)
    messages.error(request, form_problems(form))
    return _render_grants(request, refused=(grant.pk, "documents", form))


@login_required
@require_POST
def grant_end(request: AuthedHttpRequest, temporary_assistance_id: int) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    grant = selectors.access_grant_for_recording(request.user, temporary_assistance_id)
    form = GrantEndForm(request.POST, auto_id=f"end{grant.pk}_%s")
    if form.is_valid():
        try:
            services.temporary_assistance_end(
                actor=request.user,
                grant=grant,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            add_domain_error(form, _renamed(error, {"end_reason": "reason"}))
        else:
            messages.success(request, _("已停发该临时救助"))
            return _grant_back(request)
    messages.error(request, form_problems(form))
    return _render_grants(request, refused=(grant.pk, "end", form))


def _renamed(error: DomainError, names: dict[str, str]) -> DomainError:
    """The service's error with its field names as the page's form calls them."""
    renamed = DomainError(
        error.message,
        code=error.code,
        field_errors={names.get(key, key): texts for key, texts in error.field_errors.items()},
    )
    return renamed


@login_required
@require_POST
def grant_to_dibao(request: AuthedHttpRequest, temporary_assistance_id: int) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    grant = selectors.access_grant_for_recording(request.user, temporary_assistance_id)
    form = GrantToDibaoForm(request.POST)
    if form.is_valid():
        try:
            application = services.temporary_assistance_to_dibao(actor=request.user, grant=grant)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已提出低保申请，请按程序受理、调查、公示、审批"))
            return redirect("assistance:application_detail", application_id=application.pk)
    messages.error(request, form_problems(form))
    return _render_grants(request, refused=(grant.pk, "to_dibao", form))


@login_required
def grant_create(request: AuthedHttpRequest, household_id: int) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    household = selectors.access_household_for_recording(request.user, household_id)
    reviews = selectors.reviews_of(household).filter(decision=ReviewDecision.APPROVED)
    # Opened from a hotline call (`?inquiry=`): the grant records where it came from.
    inquiry_id = request.GET.get("inquiry") or request.POST.get("inquiry")
    call = (
        inquiry_selectors.access_inquiry(request.user, inquiry_id, module=Module.ASSISTANCE)
        if inquiry_id
        else None
    )
    form = GrantForm(
        request.POST or None, reviews=reviews, initial={"starts_on": clock.today().replace(day=1)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.temporary_assistance_grant(
                actor=request.user,
                household=household,
                data=services.GrantInput(
                    reason=data["reason"],
                    schedule=data["schedule"],
                    amount=data["amount"],
                    starts_on=data["starts_on"],
                    is_advance=data["is_advance"],
                    expected_months=data["expected_months"],
                    review=data["review"],
                    inquiry=call,
                    note=data["note"],
                ),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已审批临时救助"))
            return redirect("assistance:household_detail", household_id=household.pk)
    return render(
        request,
        "assistance/grant_form.html",
        {
            "form": form,
            "household": household,
            "head": _head(household),
            "cap": current_policy(AssistancePolicy).temporary_assistance_cap,
            "lost_work": AssistanceReason.LOST_WORK,
            "call": call,
        },
        status=form_status(form),
    )


# --- 一事一议 (A10) ------------------------------------------------------------------------------


@login_required
def review_create(request: AuthedHttpRequest, household_id: int) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    household = selectors.access_household_for_recording(request.user, household_id)
    form = ReviewForm(request.POST or None, initial={"met_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_record(
                actor=request.user,
                household=household,
                data=services.ReviewInput(
                    hardship=data["hardship"],
                    proposed_amount=data["proposed_amount"],
                    met_on=data["met_on"],
                    participants=data["participants"],
                    decision=data["decision"],
                    approved_by=data["approved_by"],
                    approved_amount=data["approved_amount"] or Decimal("0"),
                    reference=data["reference"],
                ),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已记录一事一议"))
            default = reverse("assistance:household_detail", kwargs={"household_id": household.pk})
            return redirect(next_path(request, default=default))
    return render(
        request,
        "assistance/household_form.html",
        {"form": form, "household": household, "title": _("记录一事一议")},
        status=form_status(form),
    )


# --- Applications for 低保 and 特困 (A4, A7) -----------------------------------------------------


def _deadline_label(application: Any) -> str:
    """时限: an open application past a deadline (the selector's rule) is 逾期."""
    if application.status not in OPEN_APPLICATION:
        return f"已办结（{application.decided_on:%Y-%m-%d}）"
    return "逾期" if application.late else "未逾期"


def _publicity_label(application: Application) -> str:
    if application.publicised_from is None or application.publicised_until is None:
        return ""
    return f"{application.publicised_from:%Y-%m-%d} 至 {application.publicised_until:%Y-%m-%d}"


APPLICATION_COLUMNS: list[Column] = [
    ("户主", lambda a: a.head_name or ""),
    ("村（社区）", lambda a: a.household.unit.name),
    ("申请类别", lambda a: a.get_standing_display()),
    ("申请日期", lambda a: a.applied_on),
    ("当前环节", lambda a: a.get_status_display()),
    ("时限", _deadline_label),
    ("受理日期", lambda a: a.accepted_on or ""),
    ("入户调查日期", lambda a: a.investigated_on or ""),
    ("公示期", _publicity_label),
    ("办结日期", lambda a: a.decided_on or ""),
    ("不予通过理由", lambda a: a.refusal_reason),
]


def _late_applications(request: AuthedHttpRequest) -> QuerySet[Application]:
    return selectors.application_list(
        viewer=request.user, filters=selectors.ApplicationFilters(late_only=True)
    )


@login_required
@require_safe
def application_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    form = ApplicationFilterForm(request.GET or None)
    filters = selectors.ApplicationFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ApplicationFilters(
            status=data["status"], open_only=data["open"], late_only=data["late"]
        )
    # Each row says whether it is late, by the selector's rule, in the same statement.
    late = _late_applications(request)
    applications = selectors.application_list(viewer=request.user, filters=filters).annotate(
        late=Exists(late.filter(pk=OuterRef("pk")))
    )
    return render_list(
        request,
        template="assistance/application_list.html",
        queryset=applications,
        columns=APPLICATION_COLUMNS,
        export_name="低保特困申请",
        context={
            "form": form,
            "policy": current_policy(AssistancePolicy),
            "can_record": request.user.has_code(AssistancePerm.RECORD),
        },
        filter_form=form,
    )


StepForm = (
    ApplicationAcceptForm
    | ApplicationInvestigateForm
    | ApplicationPubliciseForm
    | ApplicationApproveForm
    | ApplicationRefuseForm
)

# The form an application's step calls for; a refusal may end any open step.
STEP_ACTIONS = {
    ApplicationStatus.APPLIED: "accept",
    ApplicationStatus.ACCEPTED: "investigate",
    ApplicationStatus.INVESTIGATED: "publicise",
    ApplicationStatus.PUBLICISED: "approve",
}


def _step_perm(status: str) -> AssistancePerm:
    """Who takes the step (or refuses at it): the village and township up to the publicity, the
    county at the decision."""
    return AssistancePerm.MANAGE if status == ApplicationStatus.PUBLICISED else AssistancePerm.RECORD


def _step_form(action: str, application: Application, data: Any = None) -> StepForm:
    """The form of `action`, bound to `data` when posted, each with its own ids on the page."""
    today = clock.today()
    auto_id = f"{action}_%s"
    if action == "accept":
        return ApplicationAcceptForm(data, initial={"accepted_on": today}, auto_id=auto_id)
    if action == "investigate":
        return ApplicationInvestigateForm(
            data,
            initial={"investigated_on": today},
            assessments=selectors.assessments_of(application.household),
            auto_id=auto_id,
        )
    if action == "publicise":
        return ApplicationPubliciseForm(data, initial={"starts_on": today}, auto_id=auto_id)
    if action == "approve":
        return ApplicationApproveForm(data, initial={"decided_on": today}, auto_id=auto_id)
    return ApplicationRefuseForm(data, initial={"decided_on": today}, auto_id=auto_id)


@login_required
@require_safe
def application_detail(request: AuthedHttpRequest, application_id: int) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    return _render_application(request, application_id)


def _render_application(
    request: AuthedHttpRequest,
    application_id: int,
    *,
    refused: tuple[str, StepForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The application's steps, and the form of its current step for a user who may take it."""
    user = request.user
    application = selectors.access_application(user, application_id)
    household = application.household
    today = clock.today()
    action = STEP_ACTIONS.get(ApplicationStatus(application.status))
    writable = selectors.village_writable(viewer=user).filter(pk=household.unit_id).exists()
    may_act = action is not None and writable and user.has_code(_step_perm(application.status))
    publicity_running = application.publicised_until is not None and application.publicised_until >= today
    step_form = refuse_form = None
    if may_act and action is not None:
        if refused is not None and refused[0] == action:
            step_form = refused[1]
        elif not (action == "approve" and publicity_running):  # the county decides when it ends
            step_form = _step_form(action, application)
        if refused is not None and refused[0] == "refuse":
            refuse_form = refused[1]
        else:
            refuse_form = _step_form("refuse", application)
    return render(
        request,
        "assistance/application_detail.html",
        {
            "application": application,
            "household": household,
            "late": _late_applications(request).filter(pk=application.pk).exists(),
            "is_open": application.status in OPEN_APPLICATION,
            "action": action,
            "may_act": may_act,
            "step_form": step_form,
            "refuse_form": refuse_form,
            "publicity_running": publicity_running,
            "policy": current_policy(AssistancePolicy),
        },
        status=status,
    )


def _take_step(
    request: AuthedHttpRequest,
    application_id: int,
    action: str,
    perform: Callable[[Application, dict[str, Any]], Application],
    done: Callable[[Application], str],
) -> HttpResponse:
    """Validate the step's form and call its service: back to the page with a message, or the
    page again with the refusal (400, or 409 when the application is no longer at that step)."""
    application = selectors.access_application_for_recording(request.user, application_id)
    if action == "refuse":
        require(request, _step_perm(application.status))
    form = _step_form(action, application, request.POST)
    status = 400
    if form.is_valid():
        try:
            application = perform(application, form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status_code
        else:
            messages.success(request, done(application))
            return redirect("assistance:application_detail", application_id=application.pk)
    messages.error(request, form_problems(form))
    return _render_application(request, application.pk, refused=(action, form), status=status)


@login_required
@require_POST
def application_accept(request: AuthedHttpRequest, application_id: int) -> HttpResponse:
    require(request, AssistancePerm.RECORD)
    return _take_step(
        request,
        application_id,
        "accept",
        lambda application, data: services.application_accept(
            actor=request.user, application=application, accepted_on=data["accepted_on"]
        ),
        lambda application: _("已受理申请，请及时入户调查"),
    )


@login_required
@require_POST
def application_investigate(request: AuthedHttpRequest, application_id: int) -> HttpResponse:
    require(request, AssistancePerm.RECORD)
    return _take_step(
        request,
        application_id,
        "investigate",
        lambda application, data: services.application_investigate(
            actor=request.user,
            application=application,
            investigated_on=data["investigated_on"],
            findings=data["findings"],
            assessment=data["assessment"],
        ),
        lambda application: _("已记录入户调查情况"),
    )


@login_required
@require_POST
def application_publicise(request: AuthedHttpRequest, application_id: int) -> HttpResponse:
    require(request, AssistancePerm.RECORD)
    return _take_step(
        request,
        application_id,
        "publicise",
        lambda application, data: services.application_publicise(
            actor=request.user, application=application, starts_on=data["starts_on"]
        ),
        lambda application: _("已开始公示，公示期至 %(day)s") % {"day": application.publicised_until},
    )


@login_required
@require_POST
def application_approve(request: AuthedHttpRequest, application_id: int) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    return _take_step(
        request,
        application_id,
        "approve",
        lambda application, data: services.application_approve(
            actor=request.user,
            application=application,
            decided_on=data["decided_on"],
            objections=data["objections"],
        ),
        lambda application: (
            _("已批准，该户纳入%(standing)s") % {"standing": application.get_standing_display()}
        ),
    )


@login_required
@require_POST
def application_refuse(request: AuthedHttpRequest, application_id: int) -> HttpResponse:
    """Refused at whatever open step it is: by the village or township before the publicity, by
    the county at it (`_take_step` checks which)."""
    require(request, AssistancePerm.RECORD)
    return _take_step(
        request,
        application_id,
        "refuse",
        lambda application, data: services.application_refuse(
            actor=request.user, application=application, decided_on=data["decided_on"], reason=data["reason"]
        ),
        lambda application: _("已记录不予通过及理由"),
    )


@login_required
def application_create(request: AuthedHttpRequest, household_id: int) -> HttpResponse:
    """申请: the village takes a household's application; `?inquiry=` opens it from a hotline call."""
    require(request, AssistancePerm.RECORD)
    household = selectors.access_household_for_recording(request.user, household_id)
    inquiry_id = request.GET.get("inquiry") or request.POST.get("inquiry")
    call = (
        inquiry_selectors.access_inquiry(request.user, inquiry_id, module=Module.ASSISTANCE)
        if inquiry_id
        else None
    )
    initial = {"applied_on": clock.today(), "reason": call.summary[:300] if call else ""}
    form = ApplicationForm(request.POST or None, initial=initial)
    status = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_submit(
                actor=request.user,
                household=household,
                data=services.ApplicationInput(
                    standing=data["standing"],
                    reason=data["reason"],
                    applied_on=data["applied_on"],
                    inquiry=call,
                ),
            )
        except DomainError as error:
            add_domain_error(form, error)
            status = error.status_code
        else:
            messages.success(request, _("已提出申请，请乡镇（街道）按时受理"))
            return redirect("assistance:application_detail", application_id=application.pk)
    return render(
        request,
        "assistance/application_form.html",
        {"form": form, "household": household, "head": _head(household), "call": call},
        status=status or form_status(form),
    )


# --- Payment rolls (A3) -------------------------------------------------------------------------


ROLL_COLUMNS: list[Column] = [
    ("县（市、区）", lambda r: r.county.name),
    ("发放月份", lambda r: f"{r.month:%Y-%m}"),
    ("笔数", lambda r: r.payment_count),
    ("应发总额（元）", lambda r: r.total or Decimal("0")),
    ("已发放笔数", lambda r: r.paid_count),
    ("生成时间", lambda r: r.generated_at),
]


@login_required
@require_safe
def roll_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    return _render_rolls(request)


def _render_rolls(request: AuthedHttpRequest, *, refused: RollGenerateForm | None = None) -> HttpResponse:
    form = refused
    if form is None and request.user.has_code(AssistancePerm.MANAGE):
        counties = selectors.county_writable(viewer=request.user)
        form = RollGenerateForm(
            counties=counties, initial={"county": counties.first(), "month": clock.today().replace(day=1)}
        )
    return render_list(
        request,
        template="assistance/roll_list.html",
        queryset=selectors.roll_list(viewer=request.user),
        columns=ROLL_COLUMNS,
        export_name="发放花名册",
        context={"generate_form": form},
        status=form_status(refused),
    )


@login_required
@require_POST
def roll_generate(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    form = RollGenerateForm(request.POST, counties=selectors.county_writable(viewer=request.user))
    if form.is_valid():
        try:
            roll = services.roll_generate(
                actor=request.user, county=form.cleaned_data["county"], month=form.cleaned_data["month"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("已生成%(county)s %(month)s 发放花名册")
                % {"county": roll.county.name, "month": f"{roll.month:%Y-%m}"},
            )
            return redirect("assistance:roll_detail", payment_roll_id=roll.pk)
    messages.error(request, form_problems(form))
    return _render_rolls(request, refused=form)


PAYMENT_COLUMNS: list[Column] = [
    ("户主", lambda p: p.head_name or ""),
    ("村（社区）", lambda p: p.household.unit.name),
    ("类别", lambda p: p.get_kind_display()),
    ("应发金额（元）", lambda p: p.amount),
    ("状态", lambda p: p.get_status_display()),
    ("实发金额（元）", lambda p: p.paid_amount),
    ("银行处理日期", lambda p: p.settled_on),
    ("银行反馈", lambda p: p.bank_note),
    ("银行账号", lambda p: p.household.bank_account_masked),
]

# The bank's batch file: the one export of this app with ID and account numbers unmasked.
BANK_COLUMNS: list[Column] = [
    ("流水号", lambda r: r.payment_id),
    ("户名", lambda r: r.payee),
    ("证件号码", lambda r: r.id_number),
    ("开户银行", lambda r: r.bank_name),
    ("银行账号", lambda r: r.bank_account),
    ("金额", lambda r: r.amount),
    ("类别", lambda r: r.kind),
    ("村（社区）", lambda r: r.village),
]


def _roll_name(roll: PaymentRoll) -> str:
    return f"{roll.county.name}{roll.month:%Y年%m月}"


@login_required
@require_safe
def roll_detail(request: AuthedHttpRequest, payment_roll_id: int) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    roll = selectors.access_roll(request.user, payment_roll_id)
    return _render_roll(request, roll)


def _render_roll(
    request: AuthedHttpRequest,
    roll: PaymentRoll,
    *,
    bank_form: BankFileForm | None = None,
    result_form: BankResultForm | None = None,
    bad_rows: list[tuple[int, str]] | None = None,
) -> HttpResponse:
    user = request.user
    can_manage = (
        user.has_code(AssistancePerm.MANAGE)
        and selectors.county_writable(viewer=user).filter(pk=roll.county_id).exists()
    )
    summary = selectors.roll_list(viewer=user).filter(pk=roll.pk).first()
    return render_list(
        request,
        template="assistance/roll_detail.html",
        queryset=selectors.payments_of(roll),
        columns=PAYMENT_COLUMNS,
        export_name=f"{_roll_name(roll)}发放花名册",
        context={
            "roll": roll,
            "summary": summary,
            "can_manage": can_manage,
            "bank_form": bank_form or BankFileForm(),
            "result_form": result_form or BankResultForm(),
            "bad_rows": bad_rows or [],
            "list_path": reverse("assistance:roll_detail", kwargs={"payment_roll_id": roll.pk}),
        },
        status=form_status(bank_form, result_form),
    )


@login_required
@require_POST
def roll_bank_file(request: AuthedHttpRequest, payment_roll_id: int) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    roll = selectors.access_roll_for_recording(request.user, payment_roll_id)
    form = BankFileForm(request.POST, auto_id="bank_%s")
    if form.is_valid():
        try:
            # Logged first: the file below carries ID and account numbers unmasked.
            services.roll_bank_file_record(
                actor=request.user,
                roll=roll,
                reason=form.cleaned_data["reason"],
                remote_addr=request.META.get("REMOTE_ADDR"),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            name = f"{_roll_name(roll)}银行代发文件"
            return xlsx_response(
                filename=f"{name}.xlsx",
                sheet_title=name,
                columns=BANK_COLUMNS,
                rows=selectors.bank_file_rows(roll),
            )
    messages.error(request, form_problems(form))
    return _render_roll(request, roll, bank_form=form)


def _row_number(key: str) -> int | None:
    """The spreadsheet's row number of a `row N` error key, else None."""
    parts = key.split()
    return int(parts[1]) if len(parts) == 2 and parts[0] == "row" and parts[1].isdigit() else None


@login_required
@require_POST
def roll_reconcile(request: AuthedHttpRequest, payment_roll_id: int) -> HttpResponse:
    require(request, AssistancePerm.MANAGE)
    roll = selectors.access_roll_for_recording(request.user, payment_roll_id)
    form = BankResultForm(request.POST, request.FILES, auto_id="result_%s")
    bad_rows: list[tuple[int, str]] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            done = services.roll_reconcile_file(
                actor=request.user, roll=roll, filename=upload.name or "", data=upload_bytes(upload)
            )
        except DomainError as error:
            for key, texts in error.field_errors.items():
                number = _row_number(key)
                if number is not None:
                    bad_rows += [(number, text) for text in texts]
            if bad_rows:
                form.add_error(None, error.message)
            else:
                add_domain_error(form, error)
        else:
            messages.success(request, _("已导入 %(n)s 条银行反馈") % {"n": done.updated})
            return redirect("assistance:roll_detail", payment_roll_id=roll.pk)
    messages.error(request, form_problems(form))
    return _render_roll(request, roll, result_form=form, bad_rows=sorted(bad_rows))


# --- Arrears (A3) -------------------------------------------------------------------------------


ARREARS_COLUMNS: list[Column] = [
    ("发放月份", lambda p: f"{p.roll.month:%Y-%m}"),
    ("县（市、区）", lambda p: p.roll.county.name),
    ("户主", lambda p: p.head_name or ""),
    ("村（社区）", lambda p: p.household.unit.name),
    ("类别", lambda p: p.get_kind_display()),
    ("应发金额（元）", lambda p: p.amount),
    ("实发金额（元）", lambda p: p.paid_amount),
    ("欠发金额（元）", lambda p: p.amount - p.paid_amount),
    ("状态", lambda p: p.get_status_display()),
    ("银行反馈", lambda p: p.bank_note),
]


@login_required
@require_safe
def arrears(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    today = clock.today()
    return render_list(
        request,
        template="assistance/arrears.html",
        queryset=selectors.arrears(viewer=request.user, today=today),
        columns=ARREARS_COLUMNS,
        export_name="欠发救助金",
        context={"counties": selectors.arrears_by_county(viewer=request.user, today=today)},
    )


# --- Care of isolated people (A9) ---------------------------------------------------------------


CARE_COLUMNS: list[Column] = [
    ("隔离人员", lambda t: t.person.name),
    ("村（社区）", lambda t: t.household.unit.name),
    ("隔离类型", lambda t: t.isolation),
    ("隔离开始日期", lambda t: t.starts_on),
    ("最近送达", lambda t: t.last_delivery or "未送达"),
    ("状态", lambda t: t.close_reason if t.closed_at else "照料中"),
]


@login_required
@require_safe
def care_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    form = CareFilterForm(request.GET or None)
    filters = selectors.CareFilters()
    if form.is_valid():
        filters = selectors.CareFilters(
            open_only=not form.cleaned_data["all"], overdue_only=form.cleaned_data["overdue"]
        )
    policy = current_policy(AssistancePolicy)
    return render_list(
        request,
        template="assistance/care_list.html",
        queryset=selectors.care_task_list(viewer=request.user, filters=filters),
        columns=CARE_COLUMNS,
        export_name="居家隔离照料",
        context={
            "form": form,
            "can_record": request.user.has_code(AssistancePerm.RECORD),
            "late_before": clock.today() - dt.timedelta(days=policy.care_delivery_days),
            "policy": policy,
        },
        filter_form=form,
    )


@login_required
def care_deliver(request: AuthedHttpRequest, care_task_id: int) -> HttpResponse:
    """On a phone at the door: what was brought today."""
    require(request, AssistancePerm.RECORD)
    task = selectors.access_care_task_for_recording(request.user, care_task_id)
    form = CareDeliveryForm(
        request.POST or None,
        initial={
            "delivered_on": clock.today(),
            "delivered_by": request.user.get_full_name() or str(request.user),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.care_delivery_record(actor=request.user, task=task, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已记录照料送达"))
            return redirect("assistance:care_list")
    return render(
        request,
        "assistance/care_form.html",
        {"form": form, "task": task, "deliveries": list(selectors.deliveries_of(task)[:10])},
        status=form_status(form),
    )


# --- The hotline (A11) --------------------------------------------------------------------------


HOTLINE_COLUMNS: list[Column] = [
    ("受理时间", lambda i: i.received_at),
    ("渠道", lambda i: i.get_channel_display()),
    ("受理单位", lambda i: i.unit.name),
    ("来电（访）人", lambda i: i.caller_name),
    ("联系电话", lambda i: i.caller_phone_masked),
    ("诉求内容", lambda i: i.summary),
    ("首次答复时限", lambda i: i.answer_due_at),
    ("首次答复时间", lambda i: i.first_answer_at or ""),
    ("办结时限", lambda i: i.close_due_at),
    ("办结时间", lambda i: i.closed_at or ""),
    ("办理结果", lambda i: i.outcome),
]


@login_required
@require_safe
def hotline_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, AssistancePerm.VIEW)
    form = HotlineFilterForm(request.GET or None)
    filters = InquiryFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = InquiryFilters(
            open_only=data["open"], breached_only=data["breached"], channel=data["channel"], search=data["q"]
        )
    return render_list(
        request,
        template="assistance/hotline_list.html",
        queryset=inquiry_selectors.inquiry_list(
            viewer=request.user, module=Module.ASSISTANCE, filters=filters
        ),
        columns=HOTLINE_COLUMNS,
        export_name="救助热线来电",
        context={
            "form": form,
            "can_manage": request.user.has_code(AssistancePerm.MANAGE),
            "now": clock.now(),
            "policy": current_policy(AssistancePolicy),
        },
        filter_form=form,
    )


@login_required
def hotline_create(request: AuthedHttpRequest) -> HttpResponse:
    """Log a call as it is taken; `?household=` links a known household (from its page)."""
    require(request, AssistancePerm.MANAGE)
    household_id = request.GET.get("household") or request.POST.get("household")
    household = selectors.access_household(request.user, household_id) if household_id else None
    now = clock.now().astimezone(clock.local_zone()).replace(second=0, microsecond=0, tzinfo=None)
    form = HotlineCallForm(request.POST or None, initial={"received_at": now})
    if request.method == "POST" and form.is_valid():
        if request.user.unit is None:
            raise PermissionDenied
        try:
            call = services.hotline_call_receive(
                actor=request.user, unit=request.user.unit, household=household, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("已登记来电"))
            return redirect("assistance:hotline_detail", inquiry_id=call.pk)
    return render(
        request,
        "assistance/hotline_form.html",
        {"form": form, "household": household, "policy": current_policy(AssistancePolicy)},
        status=form_status(form),
    )


@login_required
def hotline_detail(request: AuthedHttpRequest, inquiry_id: int) -> HttpResponse:
    """A call: its deadlines, the first answer and the closing, each a form until done."""
    require(request, AssistancePerm.VIEW)
    call = inquiry_selectors.access_inquiry(request.user, inquiry_id, module=Module.ASSISTANCE)
    answer_form = HotlineAnswerForm(prefix="answer")
    close_form = HotlineCloseForm(prefix="close")
    assign_form = HotlineAssignForm(prefix="assign", users=selectors.hotline_assignees(call))
    refused: HotlineAnswerForm | HotlineCloseForm | HotlineAssignForm | None = None
    if request.method == "POST":
        require(request, AssistancePerm.MANAGE)
        call = inquiry_selectors.access_inquiry_for_recording(
            request.user, inquiry_id, module=Module.ASSISTANCE
        )
        if "assign-user" in request.POST:
            refused = assign_form = HotlineAssignForm(
                request.POST, prefix="assign", users=selectors.hotline_assignees(call)
            )
            if assign_form.is_valid():
                try:
                    services.hotline_call_assign(
                        actor=request.user, inquiry=call, user=assign_form.cleaned_data["user"]
                    )
                except DomainError as error:
                    add_domain_error(assign_form, error)
                else:
                    messages.success(request, _("已指定承办人"))
                    return redirect("assistance:hotline_detail", inquiry_id=call.pk)
        elif "answer-answer" in request.POST:
            refused = answer_form = HotlineAnswerForm(request.POST, prefix="answer")
            if answer_form.is_valid():
                try:
                    services.hotline_call_answer(actor=request.user, inquiry=call, **answer_form.cleaned_data)
                except DomainError as error:
                    add_domain_error(answer_form, error)
                else:
                    messages.success(request, _("已记录首次答复"))
                    return redirect("assistance:hotline_detail", inquiry_id=call.pk)
        else:
            refused = close_form = HotlineCloseForm(request.POST, prefix="close")
            if close_form.is_valid():
                try:
                    services.hotline_call_close(actor=request.user, inquiry=call, **close_form.cleaned_data)
                except DomainError as error:
                    add_domain_error(close_form, error)
                else:
                    messages.success(request, _("已办结"))
                    return redirect("assistance:hotline_detail", inquiry_id=call.pk)
        call = inquiry_selectors.access_inquiry(request.user, inquiry_id, module=Module.ASSISTANCE)
    return render(
        request,
        "assistance/hotline_detail.html",
        {
            "call": call,
            "answer_form": answer_form,
            "close_form": close_form,
            "assign_form": assign_form,
            "can_manage": request.user.has_code(AssistancePerm.MANAGE),
            "can_record": request.user.has_code(AssistancePerm.RECORD),
            "now": clock.now(),
            "grants": list(selectors.grants_from_call(call)),
            "household_of_person": selectors.household_of(call.person) if call.person else None,
        },
        status=form_status(refused),
    )
