from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from shouhu.accounts.scope import sees_whole_region
from shouhu.accounts.types import AuthedHttpRequest
from shouhu.common.audit import history_of
from shouhu.common.errors import DomainError
from shouhu.common.forms import add_domain_error, form_status
from shouhu.common.listing import render_list
from shouhu.common.permissions import require
from shouhu.common.tabular import upload_bytes
from shouhu.orgs import exchange, selectors, services
from shouhu.orgs.forms import TreeImportForm, UnitEditForm, UnitFilterForm
from shouhu.orgs.permissions import OrgPerm

UNIT_COLUMNS = [
    ("编码", lambda u: u.code),
    ("名称", lambda u: u.name),
    ("类型", lambda u: u.kind_label),
    ("地址", lambda u: u.address),
    ("联系人", lambda u: u.contact_person),
    ("联系电话", lambda u: u.contact_phone),
    ("状态", lambda u: u.get_status_display()),
]


@login_required
@require_safe
def unit_list(request: AuthedHttpRequest) -> HttpResponse:
    require(request, OrgPerm.VIEW)
    # Only a viewer above the counties chooses among them (and pays for the query).
    show_counties = sees_whole_region(request.user)
    counties = (
        [(c.pk, c.name) for c in selectors.county_choices(viewer=request.user)] if show_counties else []
    )
    form = UnitFilterForm(request.GET or None, counties=counties)
    filters = selectors.UnitFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.UnitFilters(
            search=data["q"],
            kind=data["kind"],
            institution_type=data["institution_type"],
            status=data["status"],
            county=data["county"],
        )
    return render_list(
        request,
        template="orgs/unit_list.html",
        queryset=selectors.unit_list(viewer=request.user, filters=filters),
        columns=UNIT_COLUMNS,
        export_name="组织机构",
        context={
            "form": form,
            "can_import": request.user.has_code(OrgPerm.IMPORT),
            "show_counties": show_counties,
        },
        filter_form=form,
    )


@login_required
def unit_detail(request: AuthedHttpRequest, unit_id: int) -> HttpResponse:
    require(request, OrgPerm.VIEW)
    if request.method == "POST":
        require(request, OrgPerm.MANAGE)
    unit = selectors.access_unit(request.user, unit_id)
    form = None
    can_edit = request.user.has_code(OrgPerm.MANAGE)
    if can_edit:
        initial = {f: getattr(unit, f) for f in UnitEditForm.base_fields}
        form = UnitEditForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, "已保存")
                return redirect("orgs:unit_detail", unit_id=unit.pk)
    context = {
        "unit": unit,
        "ancestors": selectors.unit_ancestors(viewer=request.user, unit=unit),
        "children": selectors.unit_children(viewer=request.user, unit=unit)[:200],
        "form": form,
        "can_view_history": request.user.has_code(OrgPerm.VIEW_HISTORY),
    }
    return render(request, "orgs/unit_detail.html", context, status=form_status(form))


@login_required
@require_safe
def unit_history(request: AuthedHttpRequest, unit_id: int) -> HttpResponse:
    require(request, OrgPerm.VIEW_HISTORY)
    unit = selectors.access_unit(request.user, unit_id)
    context = {
        "subject": unit.name,
        "back_url": reverse("orgs:unit_detail", kwargs={"unit_id": unit.pk}),
        "entries": history_of(unit),
    }
    return render(request, "includes/history.html", context)


@login_required
@require_safe
def tree_export(request: AuthedHttpRequest) -> HttpResponse:
    require(request, OrgPerm.VIEW)
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return exchange.tree_export_response(units=selectors.unit_list(viewer=request.user), fmt=fmt)


@login_required
def tree_import(request: AuthedHttpRequest) -> HttpResponse:
    require(request, OrgPerm.IMPORT)
    form = TreeImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = exchange.read_table(upload.name, upload_bytes(upload))
            report = exchange.tree_import(
                actor=request.user,
                rows=rows,
                dry_run=request.POST.get("confirm") != "1",
                import_valid_rows=form.cleaned_data["import_valid_rows"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if not report.dry_run:
                messages.success(request, f"已导入 {report.created} 个单位")
                return redirect("orgs:unit_list")
    return render(
        request, "orgs/tree_import.html", {"form": form, "report": report}, status=form_status(form)
    )


@login_required
@require_safe
def template_download(request: HttpRequest) -> HttpResponse:
    return exchange.tree_template_response()
