"""X4 for a new user (issue 14): the template shows an example and the allowed values, the
common spellings are read, a unit may be named, and the registers people already keep (台账:
title, reporting line, 序号, headers with line breaks, 合计) import as they are, with errors
reported under the spreadsheet's own row numbers."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from shouhu.common import tabular
from shouhu.common.errors import DomainError
from shouhu.common.importing import read_import, run_import
from shouhu.common.models import ImportJob
from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.people.idcard import parse_resident_id
from shouhu.people.importers import CATEGORY_BY_LABEL, GENDER_BY_LABEL, ID_TYPE_BY_LABEL, PersonImporter
from shouhu.people.models import Category, Gender, IdType, Person
from shouhu.people.tests.test_import import HEADERS, _csv, valid_id

pytestmark = pytest.mark.django_db

PEOPLE = PersonImporter()


def _row(values: dict[str, str]) -> list[str]:
    return [values.get(header, "") for header in HEADERS]


def _gender(number: str) -> str:
    return "男" if int(number[16]) % 2 else "女"


def _dry_run(user, table):
    return run_import(importer=PEOPLE, actor=user, table=table, dry_run=True)


def _import(user, rows: list[list[str]]):
    table = read_import(PEOPLE, "people.csv", _csv(rows))
    return run_import(importer=PEOPLE, actor=user, table=table, dry_run=False)


def test_x4_the_template_shows_an_example_and_the_allowed_values_on_a_sheet_never_read(
    client, tree, county_user
):
    client.force_login(county_user)
    response = client.get("/imports/people/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["人员", "填写说明"]
    first = workbook["人员"]
    assert first.max_row == 1
    assert [c.value for c in first[1]] == HEADERS
    notes = [[c.value or "" for c in row] for row in workbook["填写说明"].iter_rows()]
    header_at = notes.index([*HEADERS, *[""] * (len(notes[0]) - len(HEADERS))][: len(notes[0])])
    example = dict(zip(HEADERS, notes[header_at + 1], strict=False))
    assert "示例" in example["姓名"]
    resident = parse_resident_id(example["身份证号"], today=dt.date(2022, 1, 5))  # a valid format
    assert example["出生日期"] == f"{resident.birth_date:%Y-%m-%d}"
    assert example["性别"] == _gender(example["身份证号"])
    allowed_at = next(i for i, row in enumerate(notes) if row[:3] == ["证件类型", "性别", "人员类别"])
    columns = list(zip(*notes[allowed_at + 1 :], strict=True))
    assert [v for v in columns[0] if v] == list(ID_TYPE_BY_LABEL)
    assert [v for v in columns[1] if v] == list(GENDER_BY_LABEL)
    assert [v for v in columns[2] if v] == list(CATEGORY_BY_LABEL)
    assert any("身份证号码" in cell for row in notes for cell in row)  # the other names columns go by

    # Uploaded as it is, the template imports nothing: the example is never read.
    client.post("/imports/people/", {"file": SimpleUploadedFile("模板.xlsx", response.content)})
    job = ImportJob.objects.get()
    assert (job.report["total"], job.report["errors"]) == (0, [])


def test_x4_common_spellings_of_document_types_genders_and_categories_are_read(tree, county_user):
    numbers = [valid_id(i) for i in range(4)]
    unit = tree.nursing_home_a.code
    rows = [
        _row({"姓名": "王甲", "证件类型": "身份证", "身份证号": numbers[0], "所属单位编码": unit}),
        _row({"姓名": "王乙", "证件类型": "居民 身份证", "身份证号": numbers[1], "所属单位编码": unit}),
        _row(
            {
                "姓名": "王丙",
                "身份证号": numbers[2],
                "性别": _gender(numbers[2]) + "性",
                "所属单位编码": unit,
                "人员类别": "低保户，特困供养人员、低保",
            }
        ),
        _row(
            {
                "姓名": "王丁",
                "证件类型": "护照",
                "身份证号": "E12345678",
                "性别": "不详",
                "所属单位编码": unit,
            }
        ),
        # The same person as the first row, under the full label: a duplicate, not a second person.
        _row({"姓名": "王甲", "证件类型": "居民身份证", "身份证号": numbers[0], "所属单位编码": unit}),
    ]
    report = _import(county_user, rows)
    assert [(e.row, e.message) for e in report.errors] == [(6, "与第 2 行重复")]
    assert report.written is False
    report = _import(county_user, rows[:4])
    assert (report.created, report.errors) == (4, [])
    people = {p.name: p for p in Person.objects.all()}
    assert people["王甲"].id_type == people["王乙"].id_type == IdType.RESIDENT_ID
    assert people["王丙"].gender == (Gender.MALE if _gender(numbers[2]) == "男" else Gender.FEMALE)
    assert {c.category for c in people["王丙"].categories.all()} == {Category.DIBAO, Category.TEKUN}
    assert (people["王丁"].id_type, people["王丁"].gender) == (IdType.PASSPORT, Gender.UNKNOWN)


def test_x4_an_unknown_category_or_document_type_lists_the_valid_ones(tree, county_user):
    unit = tree.nursing_home_a.code
    rows = [
        _row({"姓名": "王甲", "身份证号": valid_id(1), "所属单位编码": unit, "人员类别": "困难户"}),
        _row({"姓名": "王乙", "证件类型": "军官证", "身份证号": "123", "所属单位编码": unit}),
    ]
    report = _import(county_user, rows)
    errors = {(e.row, e.column): e.message for e in report.errors}
    assert errors[(2, "人员类别")] == "未知的人员类别：困难户；可填：" + "、".join(CATEGORY_BY_LABEL)
    assert errors[(3, "证件类型")] == "未知的证件类型“军官证”；可填：" + "、".join(ID_TYPE_BY_LABEL)


def test_x4_a_unit_may_be_named_and_an_ambiguous_or_unknown_name_is_a_row_error(tree, county_user):
    make_unit(tree.township_a, UnitKind.VILLAGE, "向阳村")
    make_unit(tree.county_a, UnitKind.TOWNSHIP, "向阳村")  # the same name twice in the scope
    home_b = tree.nursing_home_b  # a unique name, but outside the county user's scope
    rows = [
        _row({"姓名": "王甲", "身份证号": valid_id(1), "所属单位编码": tree.nursing_home_a.name}),
        _row({"姓名": "王乙", "身份证号": valid_id(2), "所属单位编码": tree.nursing_home_a.code}),
        _row({"姓名": "王丙", "身份证号": valid_id(3), "所属单位编码": "向阳村"}),
        _row({"姓名": "王丁", "身份证号": valid_id(4), "所属单位编码": "不存在的敬老院"}),
        _row({"姓名": "王戊", "身份证号": valid_id(5), "所属单位编码": home_b.name}),
    ]
    table = read_import(PEOPLE, "people.csv", _csv(rows))
    report = _dry_run(county_user, table)
    assert report.created == 2
    errors = {e.row: (e.column, e.message) for e in report.errors}
    assert sorted(errors) == [4, 5, 6]
    assert errors[4][0] == "所属单位编码"
    assert errors[4][1].startswith("名为“向阳村”的单位有 2 个（编码 ")
    assert errors[4][1].endswith("），请改填单位编码")
    unknown = "没有名为“%s”的单位，或不在您的管辖范围内；请填写单位编码或完整的单位名称"
    assert errors[5][1] == unknown % "不存在的敬老院"
    assert errors[6][1] == unknown % home_b.name  # out of scope reads as unknown, as a code does
    # One row at a time (after a chunk met the unique index) resolves names alike.
    person = PEOPLE
    assert person.import_row(actor=county_user, row=table.rows[0]) == "created"
    assert Person.objects.get().home_unit == tree.nursing_home_a
    with pytest.raises(DomainError, match="请改填单位编码"):
        person.import_row(actor=county_user, row=table.rows[2])


# --- A register as people keep it ---------------------------------------------------------------

LEDGER_HEADERS = [
    "序号",
    "姓名",
    "证件\n类型",
    "证件\n号码",
    "性别",
    "出生\n日期",
    "联系电话",
    "家庭住址",
    "户籍地",
    "所属\n单位",
    "人员\n类别",
]


def _ledger(tree) -> list[list[object]]:
    """Rows 1 to 8 of a 花名册: title, reporting line, header, two people, a blank row, a bad
    row (unknown category) and the totals."""
    width = len(LEDGER_HEADERS)
    first, second, third = valid_id(11), valid_id(12), valid_id(13)
    return [
        ["加格达奇区困难群众花名册", *[""] * (width - 1)],
        ["填报单位：加格达奇区民政局", "", "", "", "", "", "", "", "填报日期：2022年1月5日", "", ""],
        LEDGER_HEADERS,
        [
            1,
            "王一",
            "身份证",
            first,
            _gender(first),
            "",
            "13800130001",
            "东山街道",
            "",
            tree.nursing_home_a.name,
            "低保户",
        ],
        [2, "王二", "", second, "", "", "", "", "", tree.nursing_home_a.code, "特困人员"],
        [""] * width,
        [3, "王三", "居民身份证", third, "", "", "", "", "", tree.nursing_home_a.code, "困难户"],
        ["合计", "", "3 人", *[""] * (width - 3)],
    ]


def _ledger_xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    for number, values in enumerate(rows, start=1):
        if any(v != "" for v in values):  # a blank row is no row at all in the sheet
            for column, value in enumerate(values, start=1):
                if value != "":
                    sheet.cell(number, column, value)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(LEDGER_HEADERS))
    sheet.merge_cells("A8:B8")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ledger_csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[str(v) for v in row] for row in rows])
    return buffer.getvalue().encode("gb18030")


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_x4_a_register_as_people_keep_it_imports_with_its_own_row_numbers(client, tree, county_user, kind):
    rows = _ledger(tree)
    data = _ledger_xlsx(rows) if kind == "xlsx" else _ledger_csv(rows)
    table = read_import(PEOPLE, f"花名册.{kind}", data)
    assert table.numbers == [4, 5, 7]  # the blank row 6 counted, the 合计 row 8 dropped
    assert "序号" not in table.rows[0]
    assert table.rows[0]["身份证号"] == valid_id(11)
    assert table.rows[0]["所属单位编码"] == tree.nursing_home_a.name

    client.force_login(county_user)
    response = client.post("/imports/people/", {"file": SimpleUploadedFile(f"花名册.{kind}", data)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.report["total"], job.report["created"]) == (3, 2)
    assert [(e["row"], e["column"]) for e in job.report["errors"]] == [(7, "人员类别")]
    client.post(f"/imports/jobs/{job.pk}/", {"mode": "valid"})
    assert set(Person.objects.values_list("name", flat=True)) == {"王一", "王二"}


def test_x4_a_totals_row_followed_by_data_is_data_and_only_a_trailing_one_is_dropped():
    text = "姓名,所属单位编码\n王一,U1\n合计,U2\n王二,U3\n合 计,2\n\n总计：2人,\n"
    table = tabular.read_table("p.csv", text.encode(), required_headers=["姓名", "所属单位编码"])
    assert [row["姓名"] for row in table.rows] == ["王一", "合计", "王二"]
    assert table.numbers == [2, 3, 4]
    assert tabular.count_rows("p.csv", text.encode(), required_headers=["姓名", "所属单位编码"]) == 3


def test_x4_the_header_is_looked_for_in_the_first_ten_rows_and_a_refusal_names_the_nearest():
    importer = PEOPLE
    furniture = "花名册\n" + "说明,\n" * 8
    with_header = (furniture + "姓名,所属 单位\n王一,U1\n").encode()
    table = read_import(importer, "p.csv", with_header)
    assert (table.numbers, table.rows[0]["所属单位编码"]) == ([11], "U1")
    too_far = ("说明\n" + furniture + "姓名,所属单位\n王一,U1\n").encode()
    with pytest.raises(DomainError, match="缺少列：姓名、所属单位编码"):
        read_import(importer, "p.csv", too_far)
    nearest = ("花名册\n姓名,电话\n王一,138\n").encode()
    with pytest.raises(DomainError, match=r"^缺少列：所属单位编码。"):
        read_import(importer, "p.csv", nearest)
    # Without anything known or required, the first row is the header, as before.
    plain = tabular.read_table("p.csv", "标题\n姓名\n王一\n".encode(), required_headers=[])
    assert (plain.headers, plain.numbers) == (["标题"], [2, 3])
