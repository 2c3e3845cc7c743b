"""List pages: search, filters, pagination and xlsx export with the same filters applied.

A filter the page cannot use (a date of year 9999, a number past any column) is refused, never
quietly dropped: the page answers 400 with the field's error and exports nothing, since an
export without the filter that was asked for would hand out more than was wanted.
"""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from shouhu.common.exports import Column, xlsx_response
from shouhu.common.forms import form_problems

PAGE_SIZE = 50
EXPORT_ROW_LIMIT = 100_000


def render_list(
    request: HttpRequest,
    *,
    template: str,
    queryset: QuerySet[Any],
    columns: Sequence[Column],
    export_name: str,
    context: dict[str, Any],
    filter_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    refused = refused_filter(request, filter_form)
    if refused is not None:
        return refused
    if request.GET.get("export") == "xlsx" and not filters_invalid(filter_form):
        return xlsx_response(
            filename=f"{export_name}.xlsx",
            sheet_title=export_name,
            columns=columns,
            rows=queryset[:EXPORT_ROW_LIMIT].iterator(chunk_size=2000),
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    context = {**context, "page": page, "query": query.urlencode()}
    if htmx_target(request) == "list-results":
        return render(request, f"{template}#results", context, status=status)
    return render(request, template, context, status=max(status, filter_status(request, filter_form)))


def htmx_target(request: HttpRequest) -> str | None:
    htmx: HtmxDetails | None = getattr(request, "htmx", None)  # set by HtmxMiddleware
    return htmx.target if htmx else None


def filters_invalid(form: forms.Form | None) -> bool:
    return form is not None and form.is_bound and not form.is_valid()


def refused_filter(request: HttpRequest, form: forms.Form | None) -> HttpResponse | None:
    """For htmx, which swaps only 2xx answers into the list, a refused filter sends the browser to
    the full page, which shows the field's error; None otherwise."""
    if filters_invalid(form) and htmx_target(request):
        return HttpResponse(status=400, headers={"HX-Redirect": request.get_full_path()})
    return None


def filter_status(request: HttpRequest, form: forms.Form | None) -> int:
    """200, or 400 with the form's errors shown above the page when its filter is refused."""
    if not filters_invalid(form):
        return 200
    assert form is not None
    messages.error(request, form_problems(form))
    return 400
