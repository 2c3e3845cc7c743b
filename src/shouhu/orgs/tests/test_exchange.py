"""The org tree through xlsx and CSV: dry run first, every bad row reported, idempotent."""

import csv
import io

import pytest
from openpyxl import Workbook

from shouhu.common.errors import DomainError
from shouhu.orgs import exchange
from shouhu.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

HEADER = exchange.HEADERS


def _csv(rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GOOD_ROWS = [
    ["232718", "232718101", "光明街道", "乡镇（街道）", "", "", "", "", "正常"],
    ["232718101", "232718101001", "光明第一社区", "村（社区）", "", "", "", "", ""],
    [
        "232718",
        "232718N9",
        "加格达奇区光明养老院",
        "服务机构",
        "养老机构",
        "光明路8号",
        "李院长",
        "0457-1234567",
        "",
    ],
]


def _import(actor, data, name="tree.csv", **options):
    return exchange.tree_import(actor=actor, rows=exchange.read_table(name, data), **options)


def test_x4_tree_import_dry_run_then_import_then_idempotent(tree, county_user):
    data = _csv(GOOD_ROWS, encoding="gb18030")
    preview = _import(county_user, data, dry_run=True)
    assert (preview.created, preview.errors) == (3, [])
    assert not OrgUnit.objects.filter(code="232718101").exists()
    done = _import(county_user, data, dry_run=False)
    assert done.created == 3
    home = OrgUnit.objects.get(code="232718N9")
    assert home.institution_type == "nursing_home"
    assert OrgUnit.objects.get_parent(home).code == "232718"
    assert OrgUnit.objects.get_parent(OrgUnit.objects.get(code="232718101001")).code == "232718101"
    again = _import(county_user, data, dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_x4_tree_import_reports_every_bad_row_and_imports_nothing(tree, county_user):
    rows = [
        *GOOD_ROWS,
        ["999999", "232718102", "无上级", "乡镇（街道）", "", "", "", "", ""],
        ["232718", "232718101", "重复编码", "乡镇（街道）", "", "", "", "", ""],
        ["232718", "232718103", "星球", "星球", "", "", "", "", ""],
        ["232718", "232718104", "", "乡镇（街道）", "", "", "", "", ""],
        ["232701", "232701105", "他县乡镇", "乡镇（街道）", "", "", "", "", ""],
        ["232718", "232718N8", "缺类别机构", "服务机构", "", "", "", "", ""],
    ]
    report = _import(county_user, _xlsx(rows), name="tree.xlsx", dry_run=False)
    problems = {(e.row, e.column) for e in report.errors}
    assert problems == {
        (5, "上级编码"),
        (6, "编码"),
        (7, "层级类型"),
        (8, "名称"),
        (9, "上级编码"),
        (10, "机构类别"),
    }
    assert all(e.message for e in report.errors)
    assert not OrgUnit.objects.filter(code__in=["232718101", "232718N9"]).exists()


def test_x4_tree_import_valid_rows_when_asked(tree, county_user):
    rows = [*GOOD_ROWS, ["999999", "232718102", "无上级", "乡镇（街道）", "", "", "", "", ""]]
    report = _import(county_user, _csv(rows), dry_run=False, import_valid_rows=True)
    assert report.created == 3
    assert [e.row for e in report.errors] == [5]
    assert OrgUnit.objects.filter(code="232718N9").exists()
    assert not OrgUnit.objects.filter(code="232718102").exists()


def test_x4_mis_decoded_text_is_repaired_or_flagged(tree, county_user):
    garbled = "光明街道".encode("gb18030").decode("latin-1")
    rows = [["232718", "232718101", garbled, "乡镇（街道）", "", "", "", "", ""]]
    report = _import(county_user, _csv(rows), dry_run=False)
    assert report.created == 1
    assert OrgUnit.objects.get(code="232718101").name == "光明街道"
    assert report.flagged
    assert "已修复乱码" in report.flagged[0].message


def test_x4_bad_files_get_a_clear_message(tree, county_user):
    cases = {
        ("tree.csv", b""): "文件是空的",
        ("tree.pdf", b"%PDF-1.4"): "只支持",
        ("tree.xlsx", b"not a workbook"): "无法读取 Excel 文件",
        ("tree.csv", "名称,编码\n甲,1\n".encode()): "缺少列",
    }
    for (name, data), message in cases.items():
        with pytest.raises(DomainError) as error:
            exchange.read_table(name, data)
        assert message in error.value.message


def test_x4_tree_export_round_trips(client, tree, county_user):
    client.force_login(county_user)
    export = client.get("/orgs/export/", {"format": "csv"})
    text = export.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    assert ["232700", "232718", "加格达奇区", "县（市、区）", "", "", "", "", "正常"] in rows
    assert not any("漠河" in cell for row in rows for cell in row)
    report = _import(county_user, export.content, dry_run=True)
    assert report.errors == [] or {e.column for e in report.errors} == {"上级编码"}


def test_x4_export_neutralises_formulas(client, tree, county_user):
    from shouhu.orgs import services

    services.unit_update(actor=county_user, unit=tree.township_a, address='=HYPERLINK("x")')
    client.force_login(county_user)
    text = client.get("/orgs/export/", {"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
