"""A2 × X4: the villages' rosters import through the one import mechanism, every bad row reported."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.assistance.models import Household, Standing
from shouhu.common.importing import importer_for, read_import, run_import, template_xlsx

pytestmark = pytest.mark.django_db


def roster(rows):
    """A roster as villages keep it: a merged title row, a 序号 column, line-broken headers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["东山第一社区困难群众花名册"])
    sheet.append(
        ["序号", "户主", "身份证号码", "所在村（社区）", "城乡", "保障类别", "受影响原因", "家庭\n住址"]
    )
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a2_a_roster_imports_households_and_reports_every_bad_row(tree):
    worker = make_user("village_staff", tree.village_a)
    importer = importer_for("assistance-households")
    data = roster(
        [
            ["王桂芝", "11010519491231002X", "东山第一社区", "城市", "低保", "", "东山路 1 号"],
            ["赵老汉", "", tree.village_a.code, "城市", "分散特困", "", ""],  # no card: by name
            ["孙立军", "", "东山第一社区", "城市", "受疫情影响", "无法务工", ""],
            ["某甲", "", "西林吉村", "城市", "低保", "", ""],  # another county's village
            ["某乙", "", "东山第一社区", "郊区", "贫困", "", ""],
        ]
    )
    table = read_import(importer, "花名册.xlsx", data)
    report = run_import(importer=importer, actor=worker, table=table, dry_run=False, import_valid_rows=True)
    assert report.created == 3
    # The spreadsheet's own row numbers (title row 1, header row 2).
    assert sorted({error.row for error in report.errors}) == [6, 7]
    assert Household.objects.count() == 3
    assert (
        Household.objects.filter(standing=Standing.TEKUN_DISPERSED).get().members.get().person.name
        == "赵老汉"
    )
    # The same file again: the head with a card is the same household (unchanged).
    again = run_import(
        importer=importer, actor=worker, table=read_import(importer, "花名册.xlsx", data), dry_run=True
    )
    assert again.unchanged == 1


def test_a2_the_template_has_an_example_and_the_allowed_values(tree):
    workbook = load_workbook(io.BytesIO(template_xlsx(importer_for("assistance-households"))))
    text = "\n".join(
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell
    )
    assert "户主姓名" in text
    assert "王小红（示例）" in text
    assert "受疫情影响" in text
