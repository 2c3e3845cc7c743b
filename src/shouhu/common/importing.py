"""One import mechanism for every register (X4).

An importer names its columns and turns one row into a call of its app's service. The runner
reads the file (common.tabular), runs every row in its own savepoint inside one transaction,
and collects a per-row error report. A dry run, or a run that met errors when the user did
not choose "import the valid rows", rolls the whole transaction back: nothing half-written.

An importer for large files may also offer `import_rows` (see `BulkImporter`): the runner then
hands it the rows in chunks of `CHUNK_ROWS`, each chunk in its own savepoint, so the importer
can validate a chunk in Python and write it with a few set-based statements. The chunk still
reports one outcome or one error per row; if writing a chunk hits the database's integrity
checks (another user registered the same person meanwhile), the chunk is rolled back to its
savepoint and its rows go through `import_row` one by one, which reports them properly.

Rows that depend on earlier rows (a person's dose 1 before dose 2) can be put in order by the
importer's optional `row_order` (see `OrderedImporter`); errors keep the file's row numbers.
"""

import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeGuard

from django.db import IntegrityError, transaction
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
    # The refusals themselves, reported once the import's transaction has ended (not stored).
    refusals: list[DomainError] = field(default_factory=list, repr=False, compare=False)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values.pop("refusals")
        return values

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


# Rows handed to `BulkImporter.import_rows` at a time: large enough that the per-statement
# cost vanishes, small enough that a chunk's objects and audit entries stay small in memory.
CHUNK_ROWS = 500


class BulkImporter(Importer, Protocol):
    def import_rows(self, *, actor: Any, rows: list[dict[str, str]]) -> list[RowOutcome | DomainError]:
        """One outcome, or the DomainError that refused it, per row and in the rows' order.

        Rows are independent: the runner has already refused rows repeating an earlier row's
        `row_key`. Called inside a savepoint; raising rolls the whole chunk back."""
        ...


def _is_bulk(importer: Importer) -> TypeGuard[BulkImporter]:
    return callable(getattr(importer, "import_rows", None))


class OrderedImporter(Importer, Protocol):
    def row_order(self, row: dict[str, str]) -> tuple[Any, ...]:
        """Where the row goes when rows depend on earlier ones (a person's dose 1 before dose 2):
        the runner imports the rows sorted by this key, stably, and still reports them under
        their own row numbers."""
        ...


def _is_ordered(importer: Importer) -> TypeGuard[OrderedImporter]:
    return callable(getattr(importer, "row_order", None))


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


def _import_one(importer: Importer, actor: Any, row: dict[str, str]) -> RowOutcome | DomainError:
    try:
        with transaction.atomic():
            return importer.import_row(actor=actor, row=row)
    except DomainError as error:
        return error


def _import_chunk(
    importer: BulkImporter, actor: Any, rows: list[tuple[int, dict[str, str]]], report: ImportReport
) -> None:
    try:
        with transaction.atomic():
            results = importer.import_rows(actor=actor, rows=[row for _, row in rows])
            if len(results) != len(rows):
                raise RuntimeError(
                    f"{importer.kind}: import_rows gave {len(results)} results for {len(rows)} rows"
                )
    except (IntegrityError, DomainError):
        results = [_import_one(importer, actor, row) for _, row in rows]
    for (row_number, _), result in zip(rows, results, strict=True):
        _record(importer, report, row_number, result)


def _record(
    importer: Importer, report: ImportReport, row_number: int, result: RowOutcome | DomainError
) -> None:
    if isinstance(result, DomainError):
        report.refusals.append(result)
        if result.field_errors:
            for field_name, messages in result.field_errors.items():
                for message in messages:
                    report.errors.append(RowError(row_number, _column_of(importer, field_name), message))
        else:
            report.errors.append(RowError(row_number, "", result.message))
    elif result == RowOutcome.CREATED:
        report.created += 1
    elif result == RowOutcome.UPDATED:
        report.updated += 1
    else:
        report.unchanged += 1


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
    pending: list[tuple[int, dict[str, str]]] = []  # rows waiting for the next bulk chunk
    rows = list(enumerate(table.rows))
    if _is_ordered(importer):
        rows.sort(key=lambda item: importer.row_order(item[1]))
    with transaction.atomic():
        for done, (index, row) in enumerate(rows):
            row_number = index + 2
            if on_progress and done % CHUNK_ROWS == 0:
                on_progress(done, report.total)
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
            if _is_bulk(importer):
                pending.append((row_number, row))
                if len(pending) >= CHUNK_ROWS:
                    _import_chunk(importer, actor, pending, report)
                    pending = []
            else:
                _record(importer, report, row_number, _import_one(importer, actor, row))
        if pending and _is_bulk(importer):
            _import_chunk(importer, actor, pending, report)
        report.errors.sort(key=lambda e: (e.row, e.column))
        if dry_run or (report.errors and not import_valid_rows):
            transaction.set_rollback(True)
        else:
            report.written = True
    # After the transaction, written or rolled back: a refusal that leaves something behind (a
    # conflict for the region to resolve) does so even when the rows were only checked.
    for refusal in report.refusals:
        refusal.on_reported()
    report.refusals.clear()
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
