from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.campaigns import selectors, services
from shouhu.campaigns.forms import (
    POLICY_FORMS,
    CampaignCreateForm,
    HolidayForm,
    HolidayYearForm,
    KeyDateForm,
    LiftForm,
    PhaseForm,
    SuspensionFilterForm,
    SuspensionForm,
)
from shouhu.campaigns.models import ModulePolicy
from shouhu.campaigns.permissions import CampaignPerm
from shouhu.campaigns.policy import campaign_on, policy_fields
from shouhu.common import clock
from shouhu.common.audit import history_of
from shouhu.common.errors import DomainError
from shouhu.common.forms import add_domain_error, form_status
from shouhu.common.listing import filter_status, render_list
from shouhu.common.permissions import require, require_to_post
from shouhu.orgs.selectors import access_unit, unit_list


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def calendar(request: AuthedHttpRequest) -> HttpResponse:
    require(request, CampaignPerm.VIEW)
    require_to_post(request, CampaignPerm.MANAGE)
    campaign = campaign_on()
    if request.GET.get("campaign"):
        campaign = selectors.access_campaign(request.user, request.GET["campaign"])
    view = selectors.calendar_view(viewer=request.user, campaign=campaign)
    can_manage = request.user.has_code(CampaignPerm.MANAGE)
    key_date_form = KeyDateForm(request.POST or None) if can_manage else None
    if can_manage and campaign and request.method == "POST" and key_date_form and key_date_form.is_valid():
        try:
            services.key_date_create(actor=request.user, campaign=campaign, **key_date_form.cleaned_data)
        except DomainError as error:
            add_domain_error(key_date_form, error)
        else:
            messages.success(request, "已添加重要节点")
            return redirect(f"{request.path}?campaign={campaign.pk}")
    return render(
        request,
        "campaigns/calendar.html",
        {
            "view": view,
            "today": clock.today(),
            "campaigns": selectors.campaign_list(viewer=request.user),
            "key_date_form": key_date_form,
        },
        status=form_status(key_date_form),
    )


@login_required
@require_safe
def campaign_current(request: AuthedHttpRequest) -> HttpResponse:
    campaign = campaign_on()
    if campaign is None:
        return (
            redirect("campaigns:campaign_create")
            if request.user.has_code(CampaignPerm.MANAGE)
            else render(request, "campaigns/campaign_detail.html", {"campaign": None})
        )
    return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)


@dataclass
class PolicySection:
    """One module's policy on the campaign's page: its rules as rows, or its form to edit them."""

    module: str
    title: str
    rows: list[tuple[str, object]]
    form: forms.ModelForm | None


def _policy_rows(policy: ModulePolicy) -> list[tuple[str, object]]:
    """Every rule of the policy with its value, in the model's order: new rules show by themselves."""
    rules = set(policy_fields(type(policy)))
    rows = []
    for field in policy._meta.concrete_fields:
        if field.name not in rules:
            continue
        value = getattr(policy, field.name)
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        rows.append((str(field.verbose_name), "—" if value is None else value))
    return rows


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_detail(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    """The phases and every module's policy, in the plan's order; each module's rules are saved
    on their own (the form names its module)."""
    require(request, CampaignPerm.VIEW)
    require_to_post(request, CampaignPerm.MANAGE_POLICY)
    campaign = selectors.access_campaign(request.user, campaign_id)
    can_edit_policy = request.user.has_code(CampaignPerm.MANAGE_POLICY)
    posted_module = request.POST.get("module") if request.method == "POST" else None
    sections: list[PolicySection] = []
    posted: forms.ModelForm | None = None
    for policy in selectors.campaign_policies(viewer=request.user, campaign=campaign):
        module = policy._meta.app_label
        form = None
        if can_edit_policy:
            is_posted = module == posted_module
            form = POLICY_FORMS[type(policy)](
                request.POST if is_posted else None, instance=policy, prefix=module
            )
            if is_posted:
                posted = form
        sections.append(PolicySection(module, str(policy.plan_title), _policy_rows(policy), form))
    if posted is not None and posted.is_valid():
        changes = {f: posted.cleaned_data[f] for f in posted.changed_data}
        try:
            services.policy_update(
                actor=request.user, campaign=campaign, model=type(posted.instance), values=changes
            )
        except DomainError as error:
            add_domain_error(posted, error)
        else:
            messages.success(request, "政策参数已保存" if changes else "没有改动")
            return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "phases": selectors.phase_list(viewer=request.user, campaign=campaign),
            "policy_sections": sections,
            "campaigns": selectors.campaign_list(viewer=request.user),
            "can_manage": request.user.has_code(CampaignPerm.MANAGE),
            "can_view_history": request.user.has_code(CampaignPerm.VIEW_HISTORY),
        },
        status=form_status(posted),
    )


@login_required
def campaign_create(request: AuthedHttpRequest) -> HttpResponse:
    require(request, CampaignPerm.MANAGE)
    form = CampaignCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "已创建行动及其三个阶段")
            return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)
    return render(
        request, "campaigns/form_page.html", {"form": form, "title": "新建行动"}, status=form_status(form)
    )


@login_required
def phase_edit(request: AuthedHttpRequest, phase_id: int) -> HttpResponse:
    require(request, CampaignPerm.MANAGE)
    phase = selectors.access_phase(request.user, phase_id)
    initial = {f: getattr(phase, f) for f in PhaseForm.base_fields}
    form = PhaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.phase_update(actor=request.user, phase=phase, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "阶段已保存")
            return redirect("campaigns:campaign_detail", campaign_id=phase.campaign_id)
    context = {"form": form, "title": f"编辑{phase}"}
    return render(request, "campaigns/form_page.html", context, status=form_status(form))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def holiday_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, CampaignPerm.VIEW)
    require_to_post(request, CampaignPerm.MANAGE)
    year_form = HolidayYearForm(request.GET or None)
    year_number = (year_form.is_valid() and year_form.cleaned_data["year"]) or clock.today().year
    can_manage = request.user.has_code(CampaignPerm.MANAGE)
    form = HolidayForm(request.POST or None) if can_manage else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.holiday_set(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "已保存")
            return redirect(f"{request.path}?year={form.cleaned_data['date'].year}")
    holidays = selectors.holiday_list(viewer=request.user, year=year_number)
    context = {"holidays": holidays, "year": year_number, "year_form": year_form, "form": form}
    return render(
        request,
        "campaigns/holiday_list.html",
        context,
        status=max(form_status(form), filter_status(request, year_form)),
    )


SUSPENSION_COLUMNS = [
    ("单位", lambda s: s.unit.name),
    ("服务类型", lambda s: s.get_service_display()),
    ("方式", lambda s: s.get_mode_display()),
    ("开始日期", lambda s: s.starts_on),
    ("结束日期", lambda s: s.ends_on),
    ("原因", lambda s: s.reason),
    ("限流措施", lambda s: s.limit_note),
    ("提前解除", lambda s: s.lift_reason),
]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def suspension_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, CampaignPerm.VIEW_SUSPENSIONS)
    require_to_post(request, CampaignPerm.MANAGE_SUSPENSIONS)
    filter_form = SuspensionFilterForm(request.GET or None)
    filters = selectors.SuspensionFilters()
    if filter_form.is_valid():
        filters = selectors.SuspensionFilters(
            service=filter_form.cleaned_data["service"], active_on=filter_form.cleaned_data["active_on"]
        )
    can_manage = request.user.has_code(CampaignPerm.MANAGE_SUSPENSIONS)
    form = None
    if can_manage:
        units = [(u.pk, f"{'　' * (u.depth - 1)}{u.name}") for u in unit_list(viewer=request.user)[:2000]]
        form = SuspensionForm(request.POST or None, units=units)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            data["unit"] = access_unit(request.user, data["unit"])
            try:
                suspension = services.suspension_create(actor=request.user, **data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "已登记")
                return redirect("campaigns:suspension_detail", suspension_id=suspension.pk)
    return render_list(
        request,
        template="campaigns/suspension_list.html",
        queryset=selectors.suspension_list(viewer=request.user, filters=filters),
        columns=SUSPENSION_COLUMNS,
        export_name="服务暂停",
        context={"filter_form": filter_form, "form": form},
        filter_form=filter_form,
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def suspension_detail(request: AuthedHttpRequest, suspension_id: int) -> HttpResponse:
    require(request, CampaignPerm.VIEW_SUSPENSIONS)
    require_to_post(request, CampaignPerm.MANAGE_SUSPENSIONS)
    suspension = selectors.access_suspension(request.user, suspension_id)
    can_manage = request.user.has_code(CampaignPerm.MANAGE_SUSPENSIONS)
    form = LiftForm(request.POST or None) if can_manage and suspension.lifted_at is None else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.suspension_lift(actor=request.user, suspension=suspension, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "已解除")
            return redirect("campaigns:suspension_detail", suspension_id=suspension.pk)
    return render(
        request,
        "campaigns/suspension_detail.html",
        {
            "suspension": suspension,
            "affected": selectors.suspension_affected(suspension),
            "form": form,
            "can_view_history": request.user.has_code(CampaignPerm.VIEW_HISTORY),
        },
        status=form_status(form),
    )


@login_required
@require_safe
def campaign_history(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    require(request, CampaignPerm.VIEW_HISTORY)
    campaign = selectors.access_campaign(request.user, campaign_id)
    context = {
        "subject": campaign.name,
        "back_url": reverse("campaigns:campaign_detail", kwargs={"campaign_id": campaign.pk}),
        "entries": history_of(*selectors.campaign_records(viewer=request.user, campaign=campaign)),
    }
    return render(request, "includes/history.html", context)


@login_required
@require_safe
def suspension_history(request: AuthedHttpRequest, suspension_id: int) -> HttpResponse:
    require(request, CampaignPerm.VIEW_HISTORY)
    suspension = selectors.access_suspension(request.user, suspension_id)
    context = {
        "subject": str(suspension),
        "back_url": reverse("campaigns:suspension_detail", kwargs={"suspension_id": suspension.pk}),
        "entries": history_of(suspension),
    }
    return render(request, "includes/history.html", context)
