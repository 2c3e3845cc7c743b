"""xlsx exports of any list, with spreadsheet formulas neutralised."""

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Column = tuple[str, Callable[[Any], Any]]


def safe_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula is kept as plain text."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def attachment_header(filename: str) -> str:
    """The Content-Disposition value that makes the browser download `filename`."""
    header = content_disposition_header(True, filename)
    # Django returns None only when as_attachment is False and there is no filename.
    assert header is not None
    return header


def xlsx_response(
    *, filename: str, sheet_title: str, columns: Sequence[Column], rows: Iterable[Any]
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([header for header, _ in columns])
    for row in rows:
        sheet.append([safe_cell(getter(row)) for _, getter in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = attachment_header(filename)
    return response
