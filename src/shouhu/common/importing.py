"""One import mechanism for every register (X4).

An importer names its columns and turns one row into a call of its app's service. The runner
reads the file (common.tabular), runs every row in its own savepoint and collects a per-row
error report. The import is one transaction: a run that met errors when the user did not
choose "import the valid rows" rolls it back, nothing half-written. A dry run checks the rows a
chunk at a time, each chunk written and rolled back in a short transaction of its own, so that
on SQLite, whose write lock covers the whole database, other users can write between chunks.
Both stop and roll back after SHOUHU_IMPORT_MAX_SECONDS.

An importer for large files may also offer `import_rows` (see `BulkImporter`): the runner then
hands it the rows in chunks of `CHUNK_ROWS`, each chunk in its own savepoint, so the importer
can validate a chunk in Python and write it with a few set-based statements. The chunk still
reports one outcome or one error per row; if writing a chunk hits the database's integrity
checks (another user registered the same person meanwhile), the chunk is rolled back to its
savepoint and its rows go through `import_row` one by one, which reports them properly.

Rows that depend on earlier rows (a person's dose 1 before dose 2) can be put in order by the
importer's optional `row_order` (see `OrderedImporter`), which also keeps them in one chunk;
errors keep the file's row numbers. For an importer both ordered and bulk, the import too hands
`import_rows` its chunks only between groups, so rows that make one record together (the income
lines of one household's assessment) always reach it in the same call, with their row numbers if
it asks for them (`NumberedImporter`).
"""

import io
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeGuard

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font

from shouhu.common.errors import DomainError
from shouhu.common.exports import safe_cell
from shouhu.common.tabular import Table, count_rows, read_table


@dataclass(frozen=True)
class ImportColumn:
    header: str
    field: str
    required: bool = False
    help: str = ""
    # Other names the column goes by in the registers people already keep ("身份证号码"); the
    # reader compares them, as the header, without whitespace or line breaks.
    aliases: tuple[str, ...] = ()


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


# How dates are typed in the spreadsheets people keep (2022-01-05, 2022/1/5, 20220105, 2022年1月5日,
# or a date cell read with its midnight): every importer reads its date columns with these.
DATE_PATTERNS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日")

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
        their own row numbers. Rows with the same first part (one person) depend on each other:
        a dry run checks them in the same chunk."""
        ...


def _is_ordered(importer: Importer) -> TypeGuard[OrderedImporter]:
    return callable(getattr(importer, "row_order", None))


def _same_group(importer: Importer, a: dict[str, str], b: dict[str, str]) -> bool:
    """Whether two rows depend on each other: the same first part of an ordered importer's `row_order`."""
    return _is_ordered(importer) and importer.row_order(a)[0] == importer.row_order(b)[0]


class NumberedImporter(BulkImporter, Protocol):
    """A bulk importer whose rows make records in groups and whose messages name the other rows of
    a group ("第 N 行"): the runner also hands it each row's number in the file."""

    numbered_rows: bool

    def import_rows(
        self, *, actor: Any, rows: list[dict[str, str]], numbers: list[int] | None = None
    ) -> list[RowOutcome | DomainError]: ...


def _is_numbered(importer: Importer) -> TypeGuard[NumberedImporter]:
    return _is_bulk(importer) and getattr(importer, "numbered_rows", False) is True


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
            if _is_numbered(importer):
                results = importer.import_rows(
                    actor=actor, rows=[row for _, row in rows], numbers=[number for number, _ in rows]
                )
            else:
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


class ImportTimeout(DomainError):
    """The import ran past SHOUHU_IMPORT_MAX_SECONDS: stopped, and everything rolled back."""

    def __init__(self, seconds: int) -> None:
        minutes = max(1, round(seconds / 60))
        super().__init__(
            gettext("导入超过 %(minutes)s 分钟的时限，已停止，未写入任何数据；请拆分文件后分批导入")
            % {"minutes": minutes},
            code="import_timeout",
        )


class _Deadline:
    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise ImportTimeout(self.seconds)


# A dry run writes each chunk and rolls it back at once. On SQLite a write transaction locks the
# whole database, and a waiting writer only polls (at most every 100 ms): so after holding the
# lock this long, the dry run pauses longer than that poll, and every writer waiting gets in.
# PostgreSQL locks rows, and a dry run there never pauses.
DRY_RUN_HOLD_SECONDS = 1.0
DRY_RUN_PAUSE_SECONDS = 0.15


class _Run:
    """What carries over from one chunk to the next: the report, the row keys seen, the rows
    waiting for the next bulk chunk, the deadline."""

    def __init__(self, *, importer: Importer, actor: Any, report: ImportReport, deadline: _Deadline) -> None:
        self.importer = importer
        self.actor = actor
        self.report = report
        self.deadline = deadline
        self.bad_rows = {e.row for e in report.errors}
        self.seen: dict[str, int] = {}
        self.pending: list[tuple[int, dict[str, str]]] = []  # rows waiting for the next bulk chunk

    def rows(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        importer, report = self.importer, self.report
        for row_number, row in rows:
            self.deadline.check()
            missing = [c.header for c in importer.columns if c.required and not row.get(c.header, "").strip()]
            for header in missing:
                report.errors.append(RowError(row_number, header, "不能为空"))
            key = importer.row_key(row)
            if key and key in self.seen:
                report.errors.append(RowError(row_number, "", f"与第 {self.seen[key]} 行重复"))
                continue
            if key:
                self.seen[key] = row_number
            if missing or row_number in self.bad_rows:
                continue
            if _is_bulk(importer):
                # A full chunk goes when the next row starts another group (as `_chunks` parts
                # them): a group never straddles two calls of `import_rows`.
                if len(self.pending) >= CHUNK_ROWS and not _same_group(importer, row, self.pending[-1][1]):
                    self.flush()
                self.pending.append((row_number, row))
            else:
                _record(importer, report, row_number, _import_one(importer, self.actor, row))

    def flush(self) -> None:
        if self.pending and _is_bulk(self.importer):
            _import_chunk(self.importer, self.actor, self.pending, self.report)
        self.pending = []


def _chunks(
    importer: Importer, rows: list[tuple[int, dict[str, str]]]
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    """CHUNK_ROWS rows at a time, never parting rows that depend on each other (the first part
    of an ordered importer's `row_order`: one person's doses), so a dry run that checks each
    chunk on its own finds what the import will find."""
    chunk: list[tuple[int, dict[str, str]]] = []
    for item in rows:
        if len(chunk) >= CHUNK_ROWS and not _same_group(importer, item[1], chunk[-1][1]):
            yield chunk
            chunk = []
        chunk.append(item)
    if chunk:
        yield chunk


class _Turns:
    """Lets other writers in during a long dry run on SQLite (see DRY_RUN_HOLD_SECONDS)."""

    def __init__(self) -> None:
        self.needed = connections[DEFAULT_DB_ALIAS].vendor == "sqlite"
        self.since = time.monotonic()

    def between_chunks(self) -> None:
        if self.needed and time.monotonic() - self.since >= DRY_RUN_HOLD_SECONDS:
            time.sleep(DRY_RUN_PAUSE_SECONDS)
            self.since = time.monotonic()


def run_import(
    *,
    importer: Importer,
    actor: Any,
    table: Table,
    dry_run: bool,
    import_valid_rows: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check (`dry_run`) or import the table's rows and report on each.

    A dry run checks chunk by chunk, each in a short transaction rolled back at once, so other
    users can write meanwhile. The import is one transaction, all or nothing (X4): if it meets
    errors and the user did not choose to import the valid rows, nothing is written. Either
    stops, rolled back, after SHOUHU_IMPORT_MAX_SECONDS (ImportTimeout)."""
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
    run = _Run(
        importer=importer,
        actor=actor,
        report=report,
        deadline=_Deadline(settings.SHOUHU_IMPORT_MAX_SECONDS),
    )
    rows = list(table.numbered())
    if _is_ordered(importer):
        ordered = importer
        rows.sort(key=lambda item: ordered.row_order(item[1]))
    try:
        done = 0
        if dry_run:
            turns = _Turns()
            for chunk in _chunks(importer, rows):
                if on_progress:
                    on_progress(done, report.total)
                with transaction.atomic():
                    run.rows(chunk)
                    run.flush()
                    transaction.set_rollback(True)
                done += len(chunk)
                turns.between_chunks()
        else:
            with transaction.atomic():
                for chunk in _chunks(importer, rows):
                    if on_progress:
                        on_progress(done, report.total)
                    run.rows(chunk)
                    done += len(chunk)
                run.flush()
                if report.errors and not import_valid_rows:
                    transaction.set_rollback(True)
                else:
                    report.written = True
    finally:
        # After the transactions, written, rolled back or stopped: a refusal that leaves something
        # behind (a conflict for the region to resolve) does so even when the rows were only checked.
        for refusal in report.refusals:
            refusal.on_reported()
        report.refusals.clear()
    report.errors.sort(key=lambda e: (e.row, e.column))
    if on_progress:
        on_progress(report.total, report.total)
    return report


def known_headers(importer: Importer) -> dict[str, str]:
    """Every name a column of the importer may have in a file (its header, its aliases) → its header."""
    names: dict[str, str] = {}
    for column in importer.columns:
        names.update(dict.fromkeys(column.aliases, column.header))
    names.update((column.header, column.header) for column in importer.columns)
    return names


def read_import(
    importer: Importer, filename: str, data: bytes, *, on_rows: Callable[[], None] | None = None
) -> Table:
    """The file's rows for this importer: its header found among the rows above it, its columns
    known by their aliases too (common.tabular)."""
    required = [c.header for c in importer.columns if c.required]
    return read_table(
        filename, data, required_headers=required, known_headers=known_headers(importer), on_rows=on_rows
    )


def count_import_rows(importer: Importer, filename: str, data: bytes) -> int:
    """What the upload form checks of a file for this importer (see `tabular.count_rows`)."""
    required = [c.header for c in importer.columns if c.required]
    return count_rows(filename, data, required_headers=required, known_headers=known_headers(importer))


class DocumentedImporter(Importer, Protocol):
    """An importer whose template shows an example row and the values its columns allow."""

    # One row as a clerk would fill it in: a fictitious person, clearly marked as an example.
    example: dict[str, str]
    # The columns that take a fixed set of values → those values (the first spelling of each).
    allowed_values: dict[str, list[str]]


def _example(importer: Importer) -> dict[str, str]:
    return dict(getattr(importer, "example", {}) or {})


def _allowed_values(importer: Importer) -> dict[str, list[str]]:
    return dict(getattr(importer, "allowed_values", {}) or {})


def template_xlsx(importer: Importer) -> bytes:
    """The import template: the first sheet, the one read, holds the header alone, so a template
    uploaded unchanged imports nothing; a second sheet (填写说明) explains each column, shows an
    example row and lists the values the columns allow. Only the first sheet is ever read, so
    the example cannot be imported by accident."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = importer.title[:31]
    sheet.append([c.header for c in importer.columns])
    for cell, column in zip(sheet[1], importer.columns, strict=True):
        note = ("必填。" if column.required else "") + column.help
        if note:
            cell.comment = Comment(note, "守护")
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(12, 2 * len(column.header) + 4)
    _instructions(workbook.create_sheet(gettext("填写说明")[:31]), importer, sheet.title)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(sheet: Any, importer: Importer, first_sheet: str) -> None:
    bold = Font(bold=True)
    sheet.append(
        [
            gettext("只导入第一个工作表“%(sheet)s”：从第 2 行起每行填写一条记录。本页仅作说明，不会被导入。")
            % {"sheet": first_sheet}
        ]
    )
    sheet.append(
        [gettext("也可以直接上传已有的台账：表头上方的标题、填报单位等行，序号列和末尾的合计行都会被忽略。")]
    )
    example = _example(importer)
    if example:
        sheet.append([])
        sheet.append([gettext("示例（虚构人员，请勿照抄）")])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.append([c.header for c in importer.columns])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        sheet.append([example.get(c.header, "") for c in importer.columns])
    sheet.append([])
    sheet.append([gettext("各列说明")])
    sheet.cell(sheet.max_row, 1).font = bold
    sheet.append([gettext("列名"), gettext("是否必填"), gettext("说明"), gettext("也可写作")])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for column in importer.columns:
        sheet.append(
            [
                column.header,
                gettext("必填") if column.required else "",
                column.help,
                "、".join(column.aliases),
            ]
        )
    allowed = _allowed_values(importer)
    if allowed:
        sheet.append([])
        sheet.append([gettext("可填的值")])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.append(list(allowed))
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for values in itertools.zip_longest(*allowed.values(), fillvalue=""):
            sheet.append([safe_cell(value) for value in values])
    for letter, width in (("A", 24), ("B", 24), ("C", 40), ("D", 40)):
        sheet.column_dimensions[letter].width = width


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
