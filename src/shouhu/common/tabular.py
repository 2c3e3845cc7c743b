"""Reading uploaded tables (xlsx, CSV in UTF-8 or GB18030) into rows of text.

Decoding is a fixed order — `utf-8-sig`, then `gb18030` — because guessing from a few bytes
is wrong too often. Text that was GBK once decoded as Latin-1 (mojibake such as
`ÓÎ×Ó¹éÀ´»¤ÎÀÐÐ¶¯`) is repaired when the repair is certain and flagged otherwise.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.conf import settings

from shouhu.common.errors import DomainError

MAX_UPLOAD_BYTES = getattr(settings, "SHOUHU_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
MAX_ROWS = getattr(settings, "SHOUHU_MAX_IMPORT_ROWS", 200_000)

_LATIN1_HIGH = re.compile(r"[\u00a1-\u00ff]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class CellRepair:
    original: str
    repaired: str | None  # None: looks garbled but could not be repaired with certainty


@dataclass
class Table:
    headers: list[str]
    rows: list[dict[str, str]]  # each row keyed by header
    repairs: dict[tuple[int, str], CellRepair] = field(default_factory=dict)


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


def _read_csv(data: bytes) -> list[list[str]]:
    text = decode_csv(data)
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise DomainError(f"CSV 文件格式错误：{error}", code="bad_file") from error


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken file
        raise DomainError("无法读取 Excel 文件，请确认是 .xlsx 格式且未损坏", code="bad_file") from error
    sheet = workbook.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else str(v).strip() for v in values])
    workbook.close()
    return rows


def read_table(filename: str, data: bytes, *, required_headers: list[str]) -> Table:
    if not data:
        raise DomainError("文件是空的", code="empty_file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError(f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB 的上限", code="file_too_large")
    name = filename.lower()
    if name.endswith(".csv"):
        raw_rows = _read_csv(data)
    elif name.endswith(".xlsx"):
        raw_rows = _read_xlsx(data)
    else:
        raise DomainError("只支持 .xlsx 和 .csv 文件", code="wrong_type")
    raw_rows = [r for r in raw_rows if any(cell.strip() for cell in r)]
    if not raw_rows:
        raise DomainError("文件是空的", code="empty_file")
    headers = [h.strip() for h in raw_rows[0]]
    missing = [h for h in required_headers if h not in headers]
    if missing:
        raise DomainError("缺少列：" + "、".join(missing) + "。请使用下载的模板", code="missing_columns")
    body = raw_rows[1:]
    if len(body) > MAX_ROWS:
        raise DomainError(f"文件超过 {MAX_ROWS} 行的上限，请拆分后导入", code="too_many_rows")
    table = Table(headers=headers, rows=[])
    for index, values in enumerate(body, start=2):
        row = {}
        for position, header in enumerate(headers):
            value = values[position].strip() if position < len(values) else ""
            repair = repair_mojibake(value)
            if repair is not None:
                table.repairs[(index, header)] = repair
                if repair.repaired is not None:
                    value = repair.repaired
            row[header] = value
        table.rows.append(row)
    return table
