"""One import mechanism for every register (X4).

An importer names its columns and turns one row into a call of its app's service. The runner
reads the file (common.tabular), runs every row in its own savepoint inside one transaction,
and collects a per-row error report. A dry run, or a run that met errors when the user did
not choose "import the valid rows", rolls the whole transaction back: nothing half-written.
"""

import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from django.db import transaction
from openpyxl import Workbook
from openpyxl.comments import Comment

from shouhu.common.errors import DomainError
from shouhu.common.exports import safe_cell
from shouhu.common.tabular import Table


@dataclass(frozen=True)
class ImportColumn:
    header: str
    field: str
    required: bool = False
    help: str = ""


class RowOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    dry_run: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    flagged: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ImportReport":
        values = dict(data)
        values["errors"] = [RowError(**e) for e in values.get("errors", [])]
        values["flagged"] = [RowError(**e) for e in values.get("flagged", [])]
        return cls(**values)


class Importer(Protocol):
    kind: str
    title: str
    columns: list[ImportColumn]
    permission: str

    def row_key(self, row: dict[str, str]) -> str | None: ...

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome: ...


_registry: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    _registry[importer.kind] = importer
    return importer


def importer_for(kind: str) -> Importer | None:
    return _registry.get(kind)


def _column_of(importer: Importer, field_name: str) -> str:
    for column in importer.columns:
        if column.field == field_name:
            return column.header
    return ""


def run_import(
    *,
    importer: Importer,
    actor: Any,
    table: Table,
    dry_run: bool,
    import_valid_rows: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run, total=len(table.rows))
    for (row_number, header), repair in table.repairs.items():
        if repair.repaired is None:
            report.errors.append(
                RowError(row_number, header, "疑似乱码（GBK 被误读），无法确定原文，请检查文件编码")
            )
        else:
            report.flagged.append(
                RowError(row_number, header, f"已修复乱码：{repair.original} → {repair.repaired}")
            )
    bad_rows = {e.row for e in report.errors}
    seen: dict[str, int] = {}
    with transaction.atomic():
        for index, row in enumerate(table.rows):
            row_number = index + 2
            if on_progress and index % 500 == 0:
                on_progress(index, report.total)
            missing = [c.header for c in importer.columns if c.required and not row.get(c.header, "").strip()]
            for header in missing:
                report.errors.append(RowError(row_number, header, "不能为空"))
            key = importer.row_key(row)
            if key and key in seen:
                report.errors.append(RowError(row_number, "", f"与第 {seen[key]} 行重复"))
                continue
            if key:
                seen[key] = row_number
            if missing or row_number in bad_rows:
                continue
            try:
                with transaction.atomic():
                    outcome = importer.import_row(actor=actor, row=row)
            except DomainError as error:
                if error.field_errors:
                    for field_name, messages in error.field_errors.items():
                        for message in messages:
                            report.errors.append(
                                RowError(row_number, _column_of(importer, field_name), message)
                            )
                else:
                    report.errors.append(RowError(row_number, "", error.message))
                continue
            if outcome == RowOutcome.CREATED:
                report.created += 1
            elif outcome == RowOutcome.UPDATED:
                report.updated += 1
            else:
                report.unchanged += 1
        report.errors.sort(key=lambda e: (e.row, e.column))
        if dry_run or (report.errors and not import_valid_rows):
            transaction.set_rollback(True)
        else:
            report.written = True
    if on_progress:
        on_progress(report.total, report.total)
    return report


def template_xlsx(importer: Importer) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = importer.title[:31]
    sheet.append([c.header for c in importer.columns])
    for cell, column in zip(sheet[1], importer.columns, strict=True):
        note = ("必填。" if column.required else "") + column.help
        if note:
            cell.comment = Comment(note, "守护")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_report_xlsx(report: ImportReport) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "错误报告"
    sheet.append(["行号", "列", "问题"])
    for error in report.errors:
        sheet.append([error.row, safe_cell(error.column), safe_cell(error.message)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
