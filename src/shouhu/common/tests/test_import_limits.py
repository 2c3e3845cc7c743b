"""X4: uploads that would stop the server are refused before they are read, and the rest are
read only within what they really hold; an import stops at its time limit."""

import csv
import io
import tracemalloc
import zipfile

import pytest

from shouhu.common import import_jobs, importing, tabular
from shouhu.common.errors import DomainError
from shouhu.common.importing import ImportTimeout, importer_for, run_import
from shouhu.common.models import ImportJob, ImportStatus
from shouhu.common.tabular import read_table
from shouhu.people.models import Person
from shouhu.people.tests.test_import import HEADERS, _csv, _rows
from shouhu.vaccination.importers import DoseImporter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _cell(reference: str, value: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>'


def _row(number: int, *values: str, at: str = "A") -> str:
    cells = "".join(_cell(f"{chr(ord(at) + i)}{number}", v) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def _xlsx(rows: str, *, dimension: str | None = "A1:B3", tail: str = "", parts: dict | None = None) -> bytes:
    """An xlsx written part by part, as a hand-made (or hostile) file would be."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">{declared}<sheetData>{rows}</sheetData>{tail}'
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
            '<sheet name="人员" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet + "</worksheet>",
        **(parts or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode() if isinstance(text, str) else text)
    return buffer.getvalue()


HEAD = _row(1, "姓名", "所属单位编码")


@pytest.fixture
def sheet_reads(monkeypatch):
    """The rows the xlsx reader hands over, and the bounds it was asked for."""
    seen: dict = {"calls": [], "widths": []}
    real = tabular._read_sheet

    def read_sheet(data, title, rows):
        seen["calls"].append({"rows": rows})
        values = real(data, title, rows)
        seen["widths"] += [len(row) for row in values]
        return values

    monkeypatch.setattr(tabular, "_read_sheet", read_sheet)
    return seen


@pytest.fixture
def sheet_opened(sheet_reads):
    return sheet_reads["calls"]


def _refusal(data: bytes, name: str = "people.xlsx") -> DomainError:
    with pytest.raises(DomainError) as caught:
        read_table(name, data, required_headers=["姓名"])
    return caught.value


def test_x4_a_sheet_declaring_a1_xfd10000_is_read_within_what_it_holds(sheet_reads):
    """The finding: 1.7 KB declaring A1:XFD10000 cost 35 s and 1.5 GB, openpyxl building 10,000
    rows of 16,384 cells from the declaration alone."""
    data = _xlsx(HEAD + _row(2, "王一", "001") + _row(3, "王二", "002"), dimension="A1:XFD10000")
    tracemalloc.start()
    try:
        table = read_table("people.xlsx", data, required_headers=["姓名"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [row["姓名"] for row in table.rows] == ["王一", "王二"]
    assert table.numbers == [2, 3]
    assert sheet_reads["calls"] == [{"rows": 3}]
    assert sheet_reads["widths"] == [2, 2, 2]  # three rows of two cells, not 10,000 of 16,384
    assert peak < 5 * 1024 * 1024


def test_x4_a_cell_really_at_xfd1048576_is_refused_before_the_sheet_is_read(sheet_opened):
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    error = _refusal(_xlsx(HEAD + _row(2, "王一", "001") + far, dimension="A1:XFD1048576"))
    assert error.code == "too_many_columns"
    assert "16384" in error.message
    assert "1048576" in error.message
    assert sheet_opened == []


def test_x4_a_value_a_million_rows_down_is_refused_before_the_sheet_is_read(sheet_opened):
    far = '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    error = _refusal(_xlsx(HEAD + _row(2, "王一", "001") + far, dimension=None))
    assert error.code == "too_many_rows"
    assert sheet_opened == []


def test_x4_blank_formatted_cells_far_away_cost_nothing(sheet_reads):
    """Cells with a format but no value (Excel writes them for a formatted range) do not widen
    the extent."""
    styled = '<row r="5000"><c r="XFD5000" s="1"/></row>'
    table = read_table("people.xlsx", _xlsx(HEAD + _row(2, "王一", "001") + styled), required_headers=[])
    assert len(table.rows) == 1
    assert sheet_reads["calls"] == [{"rows": 2}]
    assert sheet_reads["widths"] == [2, 2]


def test_x4_xlsx_rows_past_the_limit_are_refused_before_the_rest_is_read(monkeypatch, sheet_opened):
    """The scan stops at the first row past the limit: what follows is never parsed (here it is
    not even XML, and the refusal is still the row limit, not a broken file)."""
    monkeypatch.setattr(tabular, "MAX_ROWS", 5)
    rows = HEAD + "".join(_row(n, f"王{n}", "001") for n in range(2, 8))
    error = _refusal(_xlsx(rows, tail="</sheetData><<<not xml at all", dimension=None))
    assert error.code == "too_many_rows"
    assert "5 行" in error.message
    assert sheet_opened == []
    within = _xlsx(HEAD + "".join(_row(n, f"王{n}", "001") for n in range(2, 7)))
    assert len(read_table("people.xlsx", within, required_headers=[]).rows) == 5


def test_x4_csv_rows_past_the_limit_are_refused_having_read_one_more_than_the_limit(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 5)
    read: list[int] = []
    real = tabular._csv_rows

    def counted(data):
        for record in real(data):
            read.append(record[0])
            yield record

    monkeypatch.setattr(tabular, "_csv_rows", counted)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["姓名", "所属单位编码"])
    writer.writerows([[f"王{n}", "001"] for n in range(1000)])
    error = _refusal(buffer.getvalue().encode(), name="people.csv")
    assert error.code == "too_many_rows"
    assert read == list(range(1, 8))  # the header and limit + 1 rows, not 1,001 records


def test_x4_csv_fields_and_columns_are_capped():
    huge = "姓名,所属单位编码\n王一," + "1" * (tabular.MAX_CELL_CHARS + 1) + "\n"
    assert _refusal(huge.encode(), name="people.csv").code == "bad_file"
    wide = "姓名,所属单位编码\n王一," + ",".join(["x"] * tabular.MAX_COLUMNS) + "\n"
    assert _refusal(wide.encode(), name="people.csv").code == "too_many_columns"
    trailing = "姓名,所属单位编码" + "," * 500 + "\n王一,001" + "," * 500 + "\n"
    table = read_table("people.csv", trailing.encode(), required_headers=["姓名"])
    assert table.rows == [{"姓名": "王一", "所属单位编码": "001"}]


def test_x4_a_zip_bomb_is_refused_before_anything_is_unpacked(sheet_opened, monkeypatch):
    padding = " " * (8 * 1024 * 1024)  # 8 MB of spaces packs into a few KB
    bomb = _xlsx(
        HEAD, parts={"xl/sharedStrings.xml": f'<?xml version="1.0"?><sst xmlns="{MAIN}">{padding}</sst>'}
    )
    assert len(bomb) < 100_000
    error = _refusal(bomb)
    assert (error.code, sheet_opened) == ("file_too_large", [])
    monkeypatch.setattr(tabular, "MAX_UNPACKED_BYTES", 2000)  # a plain file over the unpacked cap
    assert _refusal(_xlsx(HEAD + _row(2, "王一", "001") * 20)).code == "file_too_large"


def test_x4_xml_with_a_dtd_is_refused_wherever_it_hides(sheet_opened):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        f'<sst xmlns="{MAIN}"><si><t>&b;</t></si></sst>'
    )
    error = _refusal(_xlsx(HEAD, parts={"xl/strings.bin": laughs}))  # named as no XML part is
    assert error.code == "bad_file"
    assert "DTD" in error.message
    assert sheet_opened == []


def test_x4_too_many_cells_even_without_values_are_refused(monkeypatch, sheet_opened):
    monkeypatch.setattr(tabular, "MAX_XML_ELEMENTS", 1000)
    styled = "".join(f'<row r="{n}"><c r="A{n}" s="1"/><c r="B{n}" s="1"/></row>' for n in range(2, 600))
    assert _refusal(_xlsx(HEAD + styled)).code == "too_many_cells"
    merges = "<mergeCells>" + '<mergeCell ref="A1:B1"/>' * 200 + "</mergeCells>"
    monkeypatch.setattr(tabular, "MAX_XML_ELEMENTS", 10_000)
    monkeypatch.setattr(tabular, "MAX_PART_ELEMENTS", 100)
    assert _refusal(_xlsx(HEAD, tail=merges)).code == "too_many_cells"
    styles = (
        f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}"><cellXfs>'
        + "<xf/>" * 200
        + "</cellXfs></styleSheet>"
    )
    assert _refusal(_xlsx(HEAD, parts={"xl/styles.xml": styles})).code == "too_many_cells"
    assert sheet_opened == []


def test_x4_a_broken_or_empty_workbook_is_a_clear_refusal():
    assert _refusal(b"PK\x03\x04 not really a zip").code == "bad_file"
    assert _refusal(_xlsx("", dimension=None)).code == "empty_file"
    assert (
        _refusal(_xlsx(HEAD, parts={"xl/workbook.xml": f'<workbook xmlns="{MAIN}"/>'})).code == "empty_file"
    )


def test_x4_row_numbers_are_the_spreadsheets_own_blank_rows_included(tree, county_user):
    """A blank row is skipped but still counted: the report names the row the clerk sees."""
    good, bad = _rows(tree, 2)
    bad[0] = ""  # 姓名 left empty
    sheet = _xlsx(
        _row(1, *HEADERS[:2], "身份证号", *HEADERS[3:]) + _row(2, *good) + _row(4, *bad),  # row 3 left blank
        dimension=None,
    )
    table = read_table("people.xlsx", sheet, required_headers=["姓名", "所属单位编码"])
    assert table.numbers == [2, 4]
    report = run_import(importer=importer_for("people"), actor=county_user, table=table, dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(4, "姓名")]
    text = _csv([good, [], bad]).decode("gb18030").replace("\r\n\r\n", "\r\n\r\n\r\n")
    from_csv = read_table("people.csv", text.encode("gb18030"), required_headers=["姓名", "所属单位编码"])
    assert from_csv.numbers == [2, 5]


def test_x4_an_import_past_its_time_limit_stops_rolls_back_and_the_job_says_so(
    client, tree, county_user, settings, monkeypatch
):
    client.force_login(county_user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post("/imports/people/", {"file": SimpleUploadedFile("p.csv", _csv(_rows(tree, 6)))})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.CHECKED
    settings.SHOUHU_IMPORT_MAX_SECONDS = 60
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    importer = importer_for("people")
    real_import_rows = importer.import_rows
    now = [1000.0]
    monkeypatch.setattr(importing.time, "monotonic", lambda: now[0])

    def slow(**kwargs):
        now[0] += 61  # the first chunk takes longer than the whole import may
        return real_import_rows(**kwargs)

    monkeypatch.setattr(importer, "import_rows", slow)
    client.post(f"/imports/jobs/{job.pk}/", {"mode": "all"})
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "时限" in job.failure
    assert Person.objects.count() == 0  # the chunk written before the limit is gone
    page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "时限" in page
    with pytest.raises(ImportTimeout):
        run_import(importer=importer, actor=county_user, table=import_jobs.table_of(job), dry_run=True)


def test_x4_a_dry_run_in_chunks_keeps_one_persons_doses_together(tree, county_user, monkeypatch):
    """A dry run rolls each chunk back before the next: dose 2 in a later chunk than dose 1
    would be refused as out of order, though the import (one transaction) takes it."""
    from shouhu.vaccination.models import VaccineDose
    from shouhu.vaccination.tests.factories import make_person
    from shouhu.vaccination.tests.test_todo import _import

    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    a = make_person(tree.village_a, "张三")
    b = make_person(tree.village_a, "李四")
    rows = [
        ["李四", b.id_number, "2021-06-01", "国药北京生物", "1", ""],
        ["张三", a.id_number, "2021-06-01", "国药北京生物", "1", ""],
        ["张三", a.id_number, "2021-06-29", "国药北京生物", "2", ""],
        ["张三", a.id_number, "2021-12-30", "国药北京生物", "加强针", ""],
    ]
    chunks = [[number for number, _ in chunk] for chunk in importing._chunks(DoseImporter(), _numbered(rows))]
    assert sorted(map(len, chunks)) == [1, 3]  # the chunk of two grew to hold all of 张三's doses
    checked = _import(county_user, rows, dry_run=True)
    assert (checked.created, checked.errors, VaccineDose.objects.count()) == (4, [], 0)
    imported = _import(county_user, rows)
    assert (imported.created, imported.errors, VaccineDose.objects.count()) == (4, [], 4)


def _numbered(rows: list[list[str]]) -> list[tuple[int, dict[str, str]]]:
    from shouhu.vaccination.tests.test_todo import HEADERS as DOSE_HEADERS

    ordered = sorted(
        ((n, dict(zip(DOSE_HEADERS, r, strict=True))) for n, r in enumerate(rows, start=2)),
        key=lambda item: DoseImporter().row_order(item[1]),
    )
    return ordered


def test_x4_the_upload_form_checks_a_large_workbook_without_reading_it(
    client, tree, county_user, settings, sheet_opened
):
    """The request refuses what it must (limits, columns) from the scan alone and leaves reading
    the rows to the dry run in the background: reading a large sheet takes seconds, and
    opening a sheet that does not declare its size parses all of it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SHOUHU_IMPORT_INLINE_ROWS = 5
    people = _rows(tree, 12)
    sheet = _xlsx(
        _row(1, *HEADERS) + "".join(_row(n, *values) for n, values in enumerate(people, start=2)),
        dimension=None,
    )
    client.force_login(county_user)
    response = client.post("/imports/people/", {"file": SimpleUploadedFile("p.xlsx", sheet)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.QUEUED  # the dry run waits for the worker (after commit)
    assert import_jobs.job_progress(job.pk)["total"] == 12
    assert sheet_opened == []
    refused = client.post(
        "/imports/people/", {"file": SimpleUploadedFile("p.xlsx", _xlsx(_row(1, "姓名"), dimension=None))}
    )
    assert "缺少列：所属单位编码" in refused.content.decode()
    assert ImportJob.objects.count() == 1


def test_x4_the_scan_reads_the_header_as_openpyxl_does():
    """Shared strings (also rich text with a phonetic reading), inline strings and numbers,
    blank rows above the header: the columns the form checks are the ones the dry run reads."""
    strings = (
        f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si><t>备注</t></si><si><t>姓名</t></si>'
        '<si><r><t>所属</t></r><r><rPr><b/></rPr><t>单位编码</t></r><rPh sb="0" eb="2"><t>ダミー</t></rPh></si></sst>'
    )
    header = (
        '<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" t="s"><v>2</v></c>'
        '<c r="C3"><v>2022</v></c><c r="E3" t="inlineStr"><is><t> 电话 </t></is></c></row>'
    )
    data_row = '<row r="4"><c r="A4" t="s"><v>0</v></c></row>'
    content_types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    data = _xlsx(
        '<row r="1"><c r="A1" s="1"/></row>' + header + data_row,
        dimension=None,
        parts={"xl/sharedStrings.xml": strings, "[Content_Types].xml": content_types},
    )
    expected = ["姓名", "所属单位编码", "2022", "", "电话"]
    assert tabular.count_rows("p.xlsx", data, required_headers=["姓名", "所属单位编码"]) == 1
    table = read_table("p.xlsx", data, required_headers=["姓名", "所属单位编码"])
    assert table.headers == expected
    assert table.numbers == [4]
    scanned = tabular._scan_upload(data)
    assert scanned.header is not None
    assert (scanned.header[0], [v.strip() for v in scanned.header[1]]) == (3, expected)


def test_x4_a_job_reading_a_large_file_keeps_reporting_so_it_does_not_look_interrupted(
    client, tree, county_user, settings, monkeypatch
):
    """Reading 200,000 rows of a workbook can take longer than SHOUHU_IMPORT_STALE_SECONDS:
    the reader reports as it goes, so the job is not offered to be started a second time."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SHOUHU_IMPORT_INLINE_ROWS = 5
    client.force_login(county_user)
    client.post("/imports/people/", {"file": SimpleUploadedFile("p.csv", _csv(_rows(tree, 9)))})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.QUEUED
    monkeypatch.setattr(tabular, "ROWS_PER_CALL", 4)
    reported: list[tuple[int, int]] = []
    real = import_jobs._record_progress

    def record(job_id: int, done: int, total: int) -> None:
        reported.append((done, total))
        real(job_id, done, total)

    monkeypatch.setattr(import_jobs, "_record_progress", record)
    import_jobs.execute(job.pk)
    # Twice while reading (rows 4 and 8), then the dry run's start and end.
    assert reported == [(0, 9), (0, 9), (0, 9), (9, 9)]


class _GroupedImporter:
    """Ordered and bulk, as an importer whose rows make one record per group (an assessment's
    income lines): records the rows of each `import_rows` call."""

    kind = "test-grouped"
    title = "分组"
    permission = ""
    columns = [importing.ImportColumn("组", "group"), importing.ImportColumn("值", "value")]

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def row_key(self, row: dict[str, str]) -> str | None:
        return None

    def row_order(self, row: dict[str, str]) -> tuple[str]:
        return (row["组"],)

    def import_row(self, *, actor, row: dict[str, str]) -> importing.RowOutcome:
        raise AssertionError("the chunks of this importer never fall back to one row at a time")

    def import_rows(self, *, actor, rows: list[dict[str, str]]) -> list:
        self.calls.append([row["组"] + row["值"] for row in rows])
        return [importing.RowOutcome.CREATED] * len(rows)


@pytest.mark.django_db
@pytest.mark.parametrize("dry_run", [False, True])
def test_x4_a_group_crossing_the_chunk_size_stays_in_one_call_of_import_rows(monkeypatch, dry_run):
    """The import keeps its pending rows across chunks: it too hands them over only between groups."""
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    importer = _GroupedImporter()
    values = [("A", "1"), ("B", "1"), ("B", "2"), ("C", "1"), ("B", "3"), ("C", "2")]
    table = tabular.Table(
        headers=["组", "值"],
        rows=[{"组": group, "值": value} for group, value in values],
        numbers=list(range(2, 2 + len(values))),
    )
    report = run_import(importer=importer, actor=None, table=table, dry_run=dry_run)
    assert (report.created, report.errors) == (6, [])
    # Sorted A1 B1 B2 B3 C1 C2: a flush every two rows would have parted B (A1 B1 | B2 B3 | …).
    assert importer.calls == [["A1", "B1", "B2", "B3"], ["C1", "C2"]]
