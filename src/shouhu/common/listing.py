"""List pages: search, filters, pagination and xlsx export with the same filters applied."""

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails

from shouhu.common.exports import Column, xlsx_response

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
) -> HttpResponse:
    if request.GET.get("export") == "xlsx":
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
    htmx: HtmxDetails | None = getattr(request, "htmx", None)  # set by HtmxMiddleware
    if htmx and htmx.target == "list-results":
        return render(request, f"{template}#results", context)
    return render(request, template, context)
