"""Findings across modules: the list (filters, Excel) and one finding's page, where the
responsible unit reports its rectification with evidence and the finding unit accepts or returns
it. Usable on a phone: the forms are one column and the upload opens the camera or gallery."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.exports import Column
from shouhu.common.forms import add_domain_error, form_status
from shouhu.common.listing import render_list
from shouhu.common.permissions import require
from shouhu.evidence.views import evidence_response
from shouhu.orgs import selectors as org_selectors
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.rectification import selectors, services
from shouhu.rectification.forms import AcceptForm, FindingFilterForm, ReturnForm, SubmitForm
from shouhu.rectification.models import Finding, FindingStatus
from shouhu.rectification.permissions import RectificationPerm

FINDING_COLUMNS: list[Column] = [
    ("所属任务", lambda f: f.get_module_display()),
    ("来源", lambda f: f.origin_label),
    ("发现日期", lambda f: f.found_on),
    ("发现单位", lambda f: f.found_unit.name if f.found_unit else ""),
    ("责任单位", lambda f: f.unit.name),
    ("交办对象", lambda f: f.assigned_to),
    ("问题描述", lambda f: f.description),
    ("整改期限", lambda f: f.deadline),
    ("状态", lambda f: f.get_status_display()),
    ("逾期", lambda f: "是" if f.is_overdue else ""),
    ("整改情况", lambda f: f.submission_note),
    ("验收时间", lambda f: f.accepted_at or ""),
    ("退回次数", lambda f: f.returned_count),
    ("逾期上报", lambda f: f.escalated_to.name if f.escalated_to else ""),
]


def _filter_units(request: AuthedHttpRequest) -> tuple[QuerySet[OrgUnit], QuerySet[OrgUnit]]:
    units = org_selectors.unit_visible(viewer=request.user)
    return units, units.filter(kind__in=(UnitKind.COUNTY, UnitKind.TOWNSHIP)).order_by("path")


@login_required
@require_safe
def finding_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, RectificationPerm.VIEW)
    units, choices = _filter_units(request)
    form = FindingFilterForm(request.GET or None, units=units, choices=choices)
    filters = selectors.FindingFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.FindingFilters(
            module=data["module"],
            status=data["status"],
            overdue_only=data["overdue"],
            unit_path=data["unit"].path if data["unit"] else "",
            search=data["q"],
        )
    return render_list(
        request,
        template="rectification/finding_list.html",
        queryset=selectors.finding_list(viewer=request.user, filters=filters),
        columns=FINDING_COLUMNS,
        export_name="问题整改",
        context={"form": form, "today": clock.today()},
        filter_form=form,
    )


def _steps(request: AuthedHttpRequest, finding: Finding) -> dict[str, object]:
    user = request.user
    is_open = finding.status == FindingStatus.OPEN
    submitted = finding.status == FindingStatus.SUBMITTED
    return {
        "can_submit": is_open
        and user.has_code(RectificationPerm.RECTIFY)
        and not services.rectifying_unit_refusal(user, finding),
        "can_review": submitted
        and user.has_code(RectificationPerm.REVIEW)
        and not services.reviewing_unit_refusal(user, finding),
    }


@login_required
def finding_detail(request: AuthedHttpRequest, finding_id: int) -> HttpResponse:
    require(request, RectificationPerm.VIEW)
    finding = selectors.access_finding(request.user, finding_id)
    submit_form = SubmitForm(prefix="submit")
    accept_form = AcceptForm(prefix="accept")
    return_form = ReturnForm(prefix="return")
    refused: SubmitForm | AcceptForm | ReturnForm | None = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        require(request, RectificationPerm.RECTIFY if action == "submit" else RectificationPerm.REVIEW)
        try:
            if action == "submit":
                refused = submit_form = SubmitForm(request.POST, request.FILES, prefix="submit")
                if submit_form.is_valid():
                    services.finding_submit(
                        actor=request.user,
                        finding=finding,
                        note=submit_form.cleaned_data["note"],
                        evidence=submit_form.cleaned_data["evidence"],
                    )
                    messages.success(request, _("已报送整改情况，等待验收"))
                    return redirect("rectification:finding_detail", finding_id=finding.pk)
            elif action == "accept":
                refused = accept_form = AcceptForm(request.POST, prefix="accept")
                if accept_form.is_valid():
                    services.finding_accept(actor=request.user, finding=finding, **accept_form.cleaned_data)
                    messages.success(request, _("已验收销号"))
                    return redirect("rectification:finding_detail", finding_id=finding.pk)
            else:
                refused = return_form = ReturnForm(request.POST, prefix="return")
                if return_form.is_valid():
                    services.finding_return(actor=request.user, finding=finding, **return_form.cleaned_data)
                    messages.success(request, _("已退回责任单位重新整改"))
                    return redirect("rectification:finding_detail", finding_id=finding.pk)
        except DomainError as error:
            if refused is not None:
                add_domain_error(refused, error)
            status = error.status_code
            messages.error(request, error.message)
        finding = selectors.access_finding(request.user, finding_id)
    return render(
        request,
        "rectification/finding_detail.html",
        {
            "finding": finding,
            "submit_form": submit_form,
            "accept_form": accept_form,
            "return_form": return_form,
            "today": clock.today(),
            **_steps(request, finding),
        },
        status=max(status, form_status(refused)),
    )


@login_required
@require_safe
def finding_evidence(request: AuthedHttpRequest, finding_id: int, evidence_id: int) -> HttpResponseBase:
    """An evidence file of a finding the viewer may see (404 alike for missing and forbidden)."""
    require(request, RectificationPerm.VIEW)
    return evidence_response(selectors.access_finding_evidence(request.user, finding_id, evidence_id))
