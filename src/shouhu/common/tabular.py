"""Reading uploaded tables (xlsx, CSV in UTF-8 or GB18030) into rows of text.

Decoding is a fixed order — `utf-8-sig`, then `gb18030` — because guessing from a few bytes
is wrong too often. Text that was GBK once decoded as Latin-1 (mojibake such as
`ÓÎ×Ó¹éÀ´»¤ÎÀÐÐ¶¯`) is repaired when the repair is certain and flagged otherwise.

The limits hold before and while reading, never after: a 1.7 KB xlsx may declare `A1:XFD10000`
or really hold a cell at `XFD1048576`, and a reader that trusts the sheet builds every row of
that range before anyone counts. So an xlsx is first checked as a zip (sizes and compression
ratios, against zip bombs), every XML part is refused if it carries a DTD (entity expansion),
and every part is streamed once with expat, keeping nothing but counts of its elements; the
first worksheet's last row and column that hold a value are found on the way (its own
`<dimension>` is ignored). Only a file within the limits reaches the reader (python-calamine;
the limits were set for openpyxl, which read the rows before it and builds more per element),
which then reads that extent and no further. A CSV is counted as it is parsed and refused at the first row past the
limit. The upload form only checks (`count_rows`); the dry run reads the rows (`read_table`).

Rows keep the spreadsheet's own numbers (blank rows are skipped but still counted), so an
error report names the row the clerk sees.

The header is the first row, among the first `HEADER_SEARCH_ROWS` holding a value, that names
every required column (and, when none is required, at least one known one): the registers people
already keep (台账) open with a title ("××县困难群众花名册") and a "填报单位：… 填报日期：…" line,
which are skipped. Headers are compared without whitespace or line breaks ("证件\n号码") and by
the other names a caller knows a column by; a 序号 column is not read, and a 合计 or 总计 row
at the end of the table is not a row. All of this is decided once, on the header and on what
the last rows turn out to be: the per-row path does one cheap test of a row's first cell.
"""

import contextlib
import csv
import datetime as dt
import io
import itertools
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from xml.parsers import expat

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from shouhu.common.errors import DomainError

MAX_UPLOAD_BYTES = getattr(settings, "SHOUHU_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
MAX_ROWS = getattr(settings, "SHOUHU_MAX_IMPORT_ROWS", 200_000)
# A register has a few dozen columns; anything far right of that is stray input or an attack.
MAX_COLUMNS = getattr(settings, "SHOUHU_MAX_IMPORT_COLUMNS", 200)
# openpyxl builds an object per XML element it reads (and keeps some: a sheet's merged cells,
# every shared string), so elements are what reading costs, whatever their text. Counted over
# every XML part: 200,000 rows of 20 filled columns with as many distinct strings is about
# 16 million (a row, a cell and its value; a string and its text).
MAX_XML_ELEMENTS = 20_000_000
# A sheet's `<row>` elements, filled or not: openpyxl keeps each one (cleared) while it looks
# for a sheet's size when the sheet does not declare it. Blank rows with formatting are fine.
MAX_SHEET_ROW_ELEMENTS = 2 * MAX_ROWS
# Elements of a sheet outside its cells (merged cells, validations, links, formats), or of any
# part but the sheets and shared strings (workbook, styles, theme): openpyxl builds each of
# them whole. A register has a handful.
MAX_PART_ELEMENTS = 100_000
# Elements of one row (its cells, values, rich text): openpyxl builds a row whole. Excel's
# widest row is 16,384 cells.
MAX_ROW_ELEMENTS = 100_000
# Sheet XML written by Excel or openpyxl unpacks to 5–15 times its compressed size: a 20 MB
# upload is at most a few hundred MB of XML. A zip bomb unpacks to thousands of times.
MAX_UNPACKED_BYTES = 20 * MAX_UPLOAD_BYTES
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024  # tiny parts compress absurdly well and cost nothing
MAX_ARCHIVE_MEMBERS = 1000
# Excel's own limit for one cell. csv's limit is process-wide; nothing else here reads CSV.
MAX_CELL_CHARS = 32_767
csv.field_size_limit(MAX_CELL_CHARS)

# A file's rows, each with its number in the file.
Rows = Generator[tuple[int, list[str]], None, None]

# The header is looked for among this many rows holding a value (title, reporting unit, date …
# above it); past them, the first of those rows that came nearest is named in the refusal.
HEADER_SEARCH_ROWS = 10
# Row-number columns of a register kept by hand: not data, and not read.
_NUMBER_COLUMNS = frozenset({"序号", "序"})
# What the first filled cell of a totals row starts with ("合计", "合  计", "总计：35 人").
_TOTAL_WORDS = ("合计", "总计")
_MAYBE_TOTAL = "合总 \t\u3000"  # what a totals row's first cell may start with ("" too: it is blank)
_WHITESPACE = re.compile(r"\s+")

_LATIN1_HIGH = re.compile(r"[\u00a1-\u00ff]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_COLUMN_LETTERS = re.compile(r"[A-Za-z]{1,7}")


@dataclass
class CellRepair:
    original: str
    repaired: str | None  # None: looks garbled but could not be repaired with certainty


@dataclass
class Table:
    headers: list[str]
    rows: list[dict[str, str]]  # each row keyed by header
    repairs: dict[tuple[int, str], CellRepair] = field(default_factory=dict)
    # The spreadsheet's own number of each row (the header is usually row 1, so data starts at 2).
    numbers: list[int] = field(default_factory=list)

    def numbered(self) -> Iterator[tuple[int, dict[str, str]]]:
        return zip(self.numbers, self.rows, strict=True)


def repair_mojibake(text: str) -> CellRepair | None:
    """Return a repair if `text` looks like GBK bytes decoded as Latin-1."""
    if not text or _CJK.search(text) or not _LATIN1_HIGH.search(text):
        return None
    high = len(_LATIN1_HIGH.findall(text))
    if high < 2 or high / len(text.replace(" ", "")) < 0.5:
        return None
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return CellRepair(text, None)
    try:
        decoded = raw.decode("gb18030")
    except UnicodeDecodeError:
        return CellRepair(text, None)
    # Certain only if the result is mostly Chinese text and re-encodes to the same bytes.
    cjk_share = len(_CJK.findall(decoded)) / max(1, len(decoded.replace(" ", "")))
    if cjk_share >= 0.5 and decoded.encode("gb18030") == raw:
        return CellRepair(text, decoded)
    return CellRepair(text, None)


def decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError("无法识别文件编码，请另存为 UTF-8 或 GB18030（GBK）编码的 CSV", code="bad_encoding")


# --- Refusals ---------------------------------------------------------------------------------


def _bad_xlsx() -> DomainError:
    return DomainError("无法读取 Excel 文件，请确认是 .xlsx 格式且未损坏", code="bad_file")


def _too_many_rows() -> DomainError:
    return DomainError(
        _("文件超过 %(limit)s 行的上限（空行也计入），请拆分后导入") % {"limit": MAX_ROWS},
        code="too_many_rows",
    )


def _too_many_columns(column: int, row: int) -> DomainError:
    return DomainError(
        _("第 %(row)s 行第 %(column)s 列仍有内容，超过 %(limit)s 列的上限；请删除多余的列后重新上传")
        % {"row": row, "column": column, "limit": MAX_COLUMNS},
        code="too_many_columns",
    )


# --- CSV --------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> Rows:
    """Each CSV record with its number, as it is parsed: nothing past the caller's limit is read."""
    reader = csv.reader(io.StringIO(decode_csv(data)))
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise DomainError(f"CSV 文件格式错误：{error}", code="bad_file") from error
        number += 1
        yield number, record


# --- xlsx: the archive and its parts ----------------------------------------------------------

_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# What openpyxl accepts as the workbook part, in the order it looks for them.
_WORKBOOK_TYPES = [
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
]
_DEFAULT_WORKBOOK_PART = "xl/workbook.xml"
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_XML_START = re.compile(rb"\A(?:\xff\xfe|\xfe\xff|(?:\xef\xbb\xbf)?\s*<)")
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)
# What may stand inside <sheetData>: rows, cells, their values and rich text. The first other
# element is past it.
_DATA_TAGS = frozenset(
    "row c f v is t r rPr rPh phoneticPr extLst ext b i strike condense extend outline shadow u "  # noqa: SIM905
    "vertAlign sz color rFont family charset scheme".split()
)


def _refuse_dtd(*_args: object) -> None:
    # No part of a workbook needs a DTD; one that has it may be an entity-expansion bomb.
    raise DomainError("Excel 文件含有不允许的 XML 声明（DTD），已拒绝", code="bad_file")


class _Stop(Exception):
    """Raised by a handler that has found what it was looking for."""


def _parse_part(
    archive: zipfile.ZipFile,
    name: str,
    start: Callable[[str, dict[str, str]], None],
    *,
    namespaces: bool = False,
    bind: Callable[[expat.XMLParserType], None] | None = None,
) -> None:
    """Stream one XML part through expat, calling `start(tag, attributes)` per element (and
    `bind(parser)` first, for handlers of its own).

    With `namespaces`, a tag or attribute is "namespace local-name"; without, it is as written
    (`c`, or `x:c` with a prefix), which is faster for the large parts."""
    parser = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = start
    if bind is not None:
        bind(parser)
    try:
        with archive.open(name) as stream:
            while chunk := stream.read(1 << 16):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        return
    except (expat.ExpatError, *_READ_ERRORS) as error:
        raise _bad_xlsx() from error


def _check_archive(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The sizes the archive declares bound what reading it can unpack: zipfile stops at a
    member's declared size and refuses a member that holds more (its checksum fails)."""
    members = archive.infolist()
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise _bad_xlsx()
    unpacked = sum(member.file_size for member in members)
    bomb = any(
        member.file_size > RATIO_CHECKED_ABOVE_BYTES
        and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if unpacked > MAX_UNPACKED_BYTES or bomb:
        raise DomainError(
            "Excel 文件解压后过大或压缩比异常，已拒绝；请另存为普通 .xlsx 文件", code="file_too_large"
        )
    return members


def _looks_like_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Whatever its name: openpyxl reads parts by what the file says they are."""
    try:
        with archive.open(member) as stream:
            return bool(_XML_START.match(stream.read(512)))
    except _READ_ERRORS as error:
        raise _bad_xlsx() from error


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as an archive name, resolved as openpyxl resolves it."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.split(folder)[0], target))


def _local(name: str) -> str:
    """A name parsed with `namespaces`, without its namespace."""
    return name.rpartition(" ")[2]


def _workbook_parts(archive: zipfile.ZipFile, names: set[str]) -> tuple[str, str]:
    """The workbook part and the shared strings part ("" if none), found as openpyxl finds them."""
    overrides: dict[str, str] = {}
    defaults: set[str] = set()

    def start(tag: str, attributes: dict[str, str]) -> None:
        if _local(tag) == "Override":
            overrides.setdefault(attributes.get("ContentType", ""), attributes.get("PartName", ""))
        elif _local(tag) == "Default":
            defaults.add(attributes.get("ContentType", ""))

    if "[Content_Types].xml" not in names:
        raise _bad_xlsx()
    _parse_part(archive, "[Content_Types].xml", start, namespaces=True)
    strings = overrides.get(_SHARED_STRINGS_TYPE, "").lstrip("/")
    for content_type in _WORKBOOK_TYPES:
        if overrides.get(content_type):
            return overrides[content_type].lstrip("/"), strings
    if defaults & set(_WORKBOOK_TYPES):
        return _DEFAULT_WORKBOOK_PART, strings
    raise _bad_xlsx()


def _first_worksheet(archive: zipfile.ZipFile, names: set[str], workbook: str) -> tuple[str, str]:
    """The title and part of the sheet openpyxl lists first among its worksheets."""
    sheets: list[tuple[str, str]] = []
    targets: dict[str, tuple[str, str]] = {}

    def on_sheet(tag: str, attributes: dict[str, str]) -> None:
        if _local(tag) == "sheet":
            sheets.append((attributes.get("name", ""), attributes.get(f"{_RELATIONSHIPS_NS} id", "")))

    def on_relationship(tag: str, attributes: dict[str, str]) -> None:
        if _local(tag) == "Relationship" and attributes.get("TargetMode") != "External":
            targets[attributes.get("Id", "")] = (attributes.get("Type", ""), attributes.get("Target", ""))

    folder, part = posixpath.split(workbook)
    relationships = posixpath.join(folder, "_rels", f"{part}.rels")
    if workbook not in names or relationships not in names:
        raise _bad_xlsx()
    _parse_part(archive, workbook, on_sheet, namespaces=True)
    _parse_part(archive, relationships, on_relationship, namespaces=True)
    for title, rel_id in sheets:
        kind, target = targets.get(rel_id, ("", ""))
        path = _resolve(posixpath.dirname(relationships), target) if target else ""
        if path in names and "chartsheet" not in kind:
            return title, path
    raise DomainError("Excel 文件中没有工作表", code="empty_file")


def _column_number(reference: str) -> int:
    letters = _COLUMN_LETTERS.match(reference)
    if letters is None:
        raise _bad_xlsx()
    number = 0
    for letter in letters.group(0).upper():
        number = number * 26 + ord(letter) - 64
    return number


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError as error:
        raise _bad_xlsx() from error
    if not value.is_integer():
        raise _bad_xlsx()
    return int(value)


@dataclass
class _Extent:
    """What a worksheet really holds: its last row and column with a value."""

    rows: int = 0
    columns: int = 0


def _too_many_elements() -> DomainError:
    return DomainError(
        "Excel 文件的单元格或格式过多（含空白但设置了格式的单元格），请只保留数据区域后重新上传",
        code="too_many_cells",
    )


class _Budget:
    """Elements left for the whole file."""

    def __init__(self) -> None:
        self.left = MAX_XML_ELEMENTS


def _local_tag(tag: str) -> str:
    """A tag as written (parsed without `namespaces`), without its prefix."""
    return tag.rpartition(":")[2] if ":" in tag else tag


class _Header:
    """The first `HEADER_SEARCH_ROWS` rows with text in them, taken as the scan passes: where
    the upload form looks for the header and checks its columns without opening the workbook.
    A cell keeps its type and text; a shared string's text is its index, looked up afterwards
    (`_header_values`)."""

    def __init__(self) -> None:
        self.parser: expat.XMLParserType | None = None
        self.row = 0
        self.cells: dict[int, tuple[str, list[str]]] = {}
        self.cell: tuple[int, str] = (0, "n")
        self.text: list[str] | None = None
        self.phonetic = False
        self.rows: list[tuple[int, dict[int, tuple[str, list[str]]]]] = []
        self.found = False

    def bind(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters

    def start(self, tag: str, attributes: dict[str, str], row: int, column: int) -> None:
        if tag == "row":
            self.finish()
            if not self.found:
                self.row, self.cells = row, {}
        elif tag == "c":
            self.cell = (column, attributes.get("t", "n"))
        elif tag == "v" or (tag == "t" and not self.phonetic):
            column, kind = self.cell
            self.text = self.cells.setdefault(column, (kind, []))[1]
        elif tag == "rPh":
            self.phonetic = True  # a reading aid under the text, not part of it

    def end(self, tag: str) -> None:
        tag = _local_tag(tag)
        if tag in ("v", "t"):
            self.text = None
        elif tag == "rPh":
            self.phonetic = False

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def finish(self) -> None:
        """Keep the row just read if it has text in it; stop after `HEADER_SEARCH_ROWS` such rows."""
        if self.found or not any("".join(text).strip() for _, text in self.cells.values()):
            return
        self.rows.append((self.row, self.cells))
        self.cells = {}
        if len(self.rows) < HEADER_SEARCH_ROWS:
            return
        self.found = True
        if self.parser is not None:
            self.parser.EndElementHandler = None
            self.parser.CharacterDataHandler = None


class _PartScan:
    """One XML part, element by element, keeping nothing but counts.

    A worksheet is followed as openpyxl follows it (a `<row>` or `<c>` without `r` is the next
    one) and refused as soon as a limit is passed; any other part only spends the file's
    budget of elements."""

    def __init__(self, budget: _Budget, header: _Header | None = None, *, open_ended: bool = False) -> None:
        self.budget = budget
        self.header = header
        self.open_ended = open_ended  # the shared strings: as many as the cells may need
        self.extent = _Extent()
        self.first_row = 0  # the first row with a value: the header, as far as the limit goes
        self.row = 0
        self.column = 0
        self.in_cell = False
        self.in_data = False
        self.rows = 0
        self.in_row = 0  # elements since the last <row>: openpyxl builds a row whole
        self.other = 0
        self.worksheet: bool | None = None

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        self.budget.left -= 1
        if self.budget.left < 0:
            raise _too_many_elements()
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if self.worksheet is None:
            self.worksheet = tag == "worksheet"
        if not self.worksheet:
            if not self.open_ended:
                self._other()  # openpyxl builds the workbook, styles, … parts whole
            return
        if self.in_data and tag in _DATA_TAGS:
            self.in_row += 1
            if self.in_row > MAX_ROW_ELEMENTS:
                raise _too_many_elements()
            if tag == "c":
                reference = attributes.get("r")
                self.column = _column_number(reference) if reference else self.column + 1
                self.in_cell = True
            elif (tag == "v" or tag == "is") and self.in_cell:
                self._holds_value()
            elif tag == "row":
                self._next_row(attributes.get("r"))
            header = self.header
            if header is not None and header.found:
                self.header = None  # found: the rest of the sheet is only counted
            elif header is not None:
                header.start(tag, attributes, self.row, self.column)
            return
        self.in_data = tag == "sheetData"
        self._other()

    def _other(self) -> None:
        self.other += 1
        if self.other > MAX_PART_ELEMENTS:
            raise _too_many_elements()

    def _next_row(self, reference: str | None) -> None:
        self.rows += 1
        if self.rows > MAX_SHEET_ROW_ELEMENTS:
            raise _too_many_elements()
        self.row = _row_number(reference) if reference else self.row + 1
        self.column = 0
        self.in_cell = False
        self.in_row = 0

    def _holds_value(self) -> None:
        self.in_cell = False
        if self.column > MAX_COLUMNS:
            raise _too_many_columns(self.column, self.row)
        if not self.first_row:
            self.first_row = self.row
        if self.row - self.first_row > MAX_ROWS:
            raise _too_many_rows()
        self.extent.rows = max(self.extent.rows, self.row)
        self.extent.columns = max(self.extent.columns, self.column)


@dataclass
class _Scanned:
    title: str  # of the first worksheet
    extent: _Extent
    head: list[tuple[int, list[str]]]  # the first rows with text, where the header is: numbers and cells

    @property
    def header(self) -> tuple[int, list[str]] | None:
        """The first row with text."""
        return self.head[0] if self.head else None


def _scan_xlsx(archive: zipfile.ZipFile) -> _Scanned:
    """Check every part before openpyxl sees any. It reads parts by what the file says they
    are, whatever their names, and parses the start of every worksheet when it opens the file
    (all of it when a sheet does not declare its size): so every XML part is scanned."""
    members = _check_archive(archive)
    names = {member.filename for member in members}
    workbook, strings = _workbook_parts(archive, names)
    title, first = _first_worksheet(archive, names, workbook)
    budget = _Budget()
    header = _Header()
    extent = _Extent()
    for member in members:
        if not _looks_like_xml(archive, member):
            continue
        if member.filename != first:
            scan = _PartScan(budget, open_ended=member.filename == strings)
            _parse_part(archive, member.filename, scan.start)
            continue
        scan = _PartScan(budget, header)
        try:
            _parse_part(archive, member.filename, scan.start, bind=header.bind)
        except DomainError as error:
            if error.code not in ("too_many_columns", "too_many_rows"):
                raise
            raise DomainError(f"工作表“{title}”：{error.message}", code=error.code) from error
        header.finish()
        extent = scan.extent
    head = _header_values(archive, strings if strings in names else "", header.rows)
    return _Scanned(title, extent, head)


def _header_values(
    archive: zipfile.ZipFile, strings: str, rows: list[tuple[int, dict[int, tuple[str, list[str]]]]]
) -> list[tuple[int, list[str]]]:
    """The rows' cells as text, shared strings looked up (in one pass over them)."""
    indexes: dict[tuple[int, int], int] = {}
    for number, cells in rows:
        for column, (kind, text) in cells.items():
            if kind == "s":
                index = "".join(text).strip()
                if not index.isdigit():
                    raise _bad_xlsx()
                indexes[(number, column)] = int(index)
    shared = _SharedStrings(set(indexes.values()))
    if indexes and strings:
        _parse_part(archive, strings, shared.start, bind=shared.bind)
    head = []
    for number, cells in rows:
        values = [""] * max(cells, default=0)
        for column, (kind, text) in cells.items():
            values[column - 1] = shared.text_of(indexes[(number, column)]) if kind == "s" else "".join(text)
        head.append((number, values))
    return head


class _SharedStrings:
    """The shared strings part, read only as far as the largest index wanted."""

    def __init__(self, wanted: set[int]) -> None:
        self.wanted = wanted
        self.last = max(wanted, default=-1)
        self.index = -1
        self.phonetic = False
        self.text: list[str] | None = None
        self.found: dict[int, list[str]] = {}

    def bind(self, parser: expat.XMLParserType) -> None:
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters

    def start(self, tag: str, _attributes: dict[str, str]) -> None:
        tag = _local_tag(tag)
        if tag == "si":
            self.index += 1
            if self.index > self.last:
                raise _Stop
        elif tag == "rPh":
            self.phonetic = True
        elif tag == "t" and not self.phonetic and self.index in self.wanted:
            self.text = self.found.setdefault(self.index, [])

    def end(self, tag: str) -> None:
        tag = _local_tag(tag)
        if tag == "t":
            self.text = None
        elif tag == "rPh":
            self.phonetic = False

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def text_of(self, index: int) -> str:
        return "".join(self.found.get(index, []))


def _scan_upload(data: bytes) -> _Scanned:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise _bad_xlsx() from error
    with archive:
        return _scan_xlsx(archive)


def _read_sheet(data: bytes, title: str, rows: int) -> list[list[object]]:
    """The cells of worksheet `title` from A1, at most `rows` rows, read by python-calamine (in
    Rust, several times faster than openpyxl). Cells without a value, formatted or not, do not
    widen what it returns."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            worksheets = [m.name for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
            if not worksheets or worksheets[0] != title:
                raise _bad_xlsx()  # parts that contradict each other: not a file anyone saved
            sheet = workbook.get_sheet_by_name(title)
            return sheet.to_python(skip_empty_area=False, nrows=rows)  # type: ignore[return-value]
    except DomainError:
        raise
    except Exception as error:  # calamine raises many types for a broken file
        raise _bad_xlsx() from error


def _xlsx_rows(data: bytes, title: str, extent: _Extent) -> Rows:
    """Each row of the first worksheet with its number, within the extent the scan found."""
    if not extent.rows:
        return
    width = extent.columns
    for number, row in enumerate(_read_sheet(data, title, extent.rows)[: extent.rows], start=1):
        cells = [_cell_text(value) for value in row[:width]]
        yield number, cells + [""] * (width - len(cells))


def _cell_text(value: object) -> str:
    """A cell's value as text, as openpyxl gave it: a whole number without `.0` (Excel writes
    it as an integer) unless Python would print it in exponent form, a date as a midnight
    datetime (openpyxl reads every date cell as a datetime)."""
    if type(value) is str:
        return value
    if type(value) is float:
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else str(value)
    if type(value) is dt.date:
        return str(dt.datetime.combine(value, dt.time()))
    return str(value)


# --- The table --------------------------------------------------------------------------------


def _too_large() -> DomainError:
    return DomainError(f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB 的上限", code="file_too_large")


def upload_bytes(upload: UploadedFile) -> bytes:
    """The uploaded file's content, refused by its size before it is read into memory."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise _too_large()
    return upload.read(MAX_UPLOAD_BYTES + 1)


def _kind(filename: str, data: bytes) -> str:
    if not data:
        raise DomainError("文件是空的", code="empty_file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_large()
    name = filename.lower()
    for kind in ("csv", "xlsx"):
        if name.endswith(f".{kind}"):
            return kind
    raise DomainError("只支持 .xlsx 和 .csv 文件", code="wrong_type")


def _filled(records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """The rows holding a value; blank rows are skipped and still counted in the numbers."""
    for number, values in records:
        last = len(values)
        while last and not values[last - 1].strip():
            last -= 1
        if not last:
            continue
        if last > MAX_COLUMNS:
            raise _too_many_columns(last, number)
        yield number, values[:last]


def header_name(text: str) -> str:
    """A header as compared: without whitespace or line breaks ("证件\n号码"), and without the
    asterisk some templates mark a required column with."""
    return _WHITESPACE.sub("", text).strip("*＊")


def _header(
    filled: Iterator[tuple[int, list[str]]], required_headers: list[str], known_headers: Mapping[str, str]
) -> tuple[int, list[str], list[tuple[int, list[str]]]]:
    """The header row's number and its columns, each under the name the caller knows it by.

    The first of the first `HEADER_SEARCH_ROWS` rows holding a value that names every required
    column and, when none is required, at least one known column (with none known: the first
    row); the rows above it are the sheet's furniture. Also the rows below it already read from
    `filled` (none but when nothing is required and nothing known was found)."""
    known = {header_name(name): header for name, header in known_headers.items()}
    known.update((header_name(header), header) for header in required_headers)
    wanted = set(known.values())
    seen: list[tuple[int, list[str]]] = []
    nearest: tuple[int, list[str]] | None = None
    nearest_matches = -1
    for number, values in filled:
        headers = [known.get(header_name(value), value.strip()) for value in values]
        matches = len(wanted.intersection(headers))
        if all(h in headers for h in required_headers) and (required_headers or matches or not wanted):
            return number, headers, []
        seen.append((number, values))
        if matches > nearest_matches:
            nearest, nearest_matches = (number, headers), matches
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    if nearest is None:
        raise DomainError("文件是空的", code="empty_file")
    if not required_headers:  # nothing required and nothing known in sight: the first row, as always
        number, values = seen[0]
        return number, [value.strip() for value in values], seen[1:]
    missing = [h for h in required_headers if h not in nearest[1]]
    raise DomainError("缺少列：" + "、".join(missing) + "。请使用下载的模板", code="missing_columns")


def _read_columns(headers: list[str], known_headers: Mapping[str, str]) -> list[tuple[int, str]]:
    """The positions read and the header each is kept under: all but a 序号 column (unless the
    caller knows a column by that name)."""
    return [
        (position, header)
        for position, header in enumerate(headers)
        if header_name(header) not in _NUMBER_COLUMNS or header in known_headers.values()
    ]


def _is_total(values: list[str]) -> bool:
    """Whether a row's first filled cell (of its first three) starts a 合计 or 总计 row."""
    for value in values[:3]:
        if value:
            text = value.lstrip()
            if text:
                return text[0] in "合总" and header_name(text).startswith(_TOTAL_WORDS)
    return False


def _data_rows(filled: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    """The rows below the header but a 合计/总计 row at the end: such a row is held back until a
    row follows it (then it was data after all, and is reported as such)."""
    held: list[tuple[int, list[str]]] = []
    for item in filled:
        # The first character alone rules out nearly every row (a filled row has a first cell).
        if item[1][0][:1] in _MAYBE_TOTAL and _is_total(item[1]):
            held.append(item)
            continue
        if held:
            yield from held
            held = []
        yield item


# read_table's `on_rows` is called every so many rows read.
ROWS_PER_CALL = 5000


def read_table(
    filename: str,
    data: bytes,
    *,
    required_headers: list[str],
    known_headers: Mapping[str, str] | None = None,
    on_rows: Callable[[], None] | None = None,
) -> Table:
    """The file's rows, each keyed by its column's header.

    `known_headers` maps every other name a column may go by in a file (as well as its own) to
    the header its values are kept under, e.g. "身份证号码" → "身份证号"."""
    known_headers = known_headers or {}
    if _kind(filename, data) == "csv":
        records = _csv_rows(data)
    else:
        scanned = _scan_upload(data)
        records = _xlsx_rows(data, scanned.title, scanned.extent)
    with contextlib.closing(records):
        filled = _filled(records)
        header_number, headers, read = _header(filled, required_headers, known_headers)
        table = Table(headers=headers, rows=[])
        columns = _read_columns(headers, known_headers)
        for number, values in _data_rows(itertools.chain(read, filled)):
            if number - header_number > MAX_ROWS:
                raise _too_many_rows()
            _add_row(table, columns, number, values)
            if on_rows is not None and len(table.rows) % ROWS_PER_CALL == 0:
                on_rows()
    return table


def count_rows(
    filename: str, data: bytes, *, required_headers: list[str], known_headers: Mapping[str, str] | None = None
) -> int:
    """What the upload form needs before the file is stored, without reading a large workbook
    whole in the request (reading 100,000 rows takes seconds): the file is refused here if
    it breaks a limit, is broken, empty or lacks a column, and the number of its data rows is
    counted — for an xlsx, the rows up to the last holding a value, blank ones included."""
    known_headers = known_headers or {}
    if _kind(filename, data) == "xlsx":
        scanned = _scan_upload(data)
        header_number, _, _ = _header(_filled(iter(scanned.head)), required_headers, known_headers)
        return scanned.extent.rows - header_number
    records = _csv_rows(data)
    with contextlib.closing(records):
        filled = _filled(records)
        header_number, _, read = _header(filled, required_headers, known_headers)
        count = 0
        for number, _values in _data_rows(itertools.chain(read, filled)):
            if number - header_number > MAX_ROWS:
                raise _too_many_rows()
            count += 1
        return count


def _add_row(table: Table, columns: list[tuple[int, str]], number: int, values: list[str]) -> None:
    row = {}
    for position, header in columns:
        value = values[position].strip() if position < len(values) else ""
        repair = repair_mojibake(value)
        if repair is not None:
            table.repairs[(number, header)] = repair
            if repair.repaired is not None:
                value = repair.repaired
        row[header] = value
    table.rows.append(row)
    table.numbers.append(number)
