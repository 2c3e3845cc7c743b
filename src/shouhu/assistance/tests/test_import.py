"""A2 × X4: the villages' rosters import through the one import mechanism, every bad row reported."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.assistance import services
from shouhu.assistance.models import AreaType, Household, Relation, Standard, Standing, Visit
from shouhu.assistance.tests.factories import make_standard
from shouhu.common.importing import importer_for, read_import, run_import, template_xlsx
from shouhu.people.idcard import check_digit
from shouhu.people.models import Person

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


# --- Members, visits (A2) and standards (A8) ----------------------------------------------------

HEAD = "11010519491231002X"  # GB 11643's example number, as the template's


def valid_id(index: int, birth: dt.date = dt.date(1960, 3, 8)) -> str:
    first17 = f"232718{birth:%Y%m%d}{index % 1000:03d}"
    return first17 + check_digit(first17)


def sheet(headers, rows):
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.append(headers)
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(kind, actor, headers, rows, *, dry_run=False, import_valid_rows=False):
    importer = importer_for(kind)
    assert importer is not None
    table = read_import(importer, f"{kind}.xlsx", sheet(headers, rows))
    return run_import(
        importer=importer, actor=actor, table=table, dry_run=dry_run, import_valid_rows=import_valid_rows
    )


def errors_by_row(report):
    return {(e.row, e.column): e.message for e in report.errors}


def open_household(village, head_name, head_number="", registered_on=dt.date(2021, 12, 1)):
    return services.household_open(
        actor=None,
        data=services.HouseholdInput(
            unit=village, area_type=AreaType.URBAN, standing=Standing.DIBAO, registered_on=registered_on
        ),
        head_name=head_name,
        head_id_number=head_number,
    )


MEMBER_HEADERS = ["户主证件号码", "成员姓名", "证件类型", "证件号码", "与户主关系", "加入日期"]


def test_a2_members_import_into_the_households_their_heads_name_and_again_unchanged(tree):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    worker = make_user("village_staff", tree.village_a)
    spouse = valid_id(1)
    rows = [
        [HEAD, "李建国", "身份证", spouse, "配偶", "2021-12-01"],
        [HEAD, "李小宝", "", "", "儿子", ""],  # no card: registered by name; joined today
    ]
    report = run("assistance-members", worker, MEMBER_HEADERS, rows)
    assert report.errors == []
    assert (report.created, report.written) == (2, True)
    members = {m.person.name: m for m in household.members.select_related("person")}
    assert members["李建国"].relation == Relation.SPOUSE
    assert members["李建国"].joined_on == dt.date(2021, 12, 1)
    assert members["李小宝"].relation == Relation.CHILD
    assert members["李小宝"].joined_on == dt.date(2022, 1, 5)  # the fixed clock's day
    assert members["李小宝"].person.id_number == ""

    again = run("assistance-members", worker, MEMBER_HEADERS, rows)
    assert (again.created, again.unchanged, again.errors) == (0, 2, [])
    assert household.members.count() == 3


def test_a2_every_bad_member_row_is_reported_and_nothing_is_half_written(tree):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    elsewhere = valid_id(2)
    open_household(tree.village_a, "赵老汉", elsewhere)  # heads another household of the village
    worker = make_user("village_staff", tree.village_a)
    late = valid_id(3)
    rows = [
        [HEAD, "李建国", "", valid_id(1), "配偶", ""],  # row 2: good
        [HEAD, "王大", "", "", "户主", ""],  # 3: the head is changed on the page
        [HEAD, "王二", "", "", "表亲", ""],  # 4
        [HEAD, "王三", "", "", "子女", "2022-13-01"],  # 5
        [HEAD, "王四", "", late, "子女", "2022-02-01"],  # 6: a future day, refused by the service
        ["", "王五", "", "", "子女", ""],  # 7: a head without a number
        [valid_id(4), "王六", "", "", "子女", ""],  # 8: nobody's head
        [HEAD, "赵老汉", "", elsewhere, "父母", ""],  # 9: already in another household
        [HEAD, "王七", "军官证", "", "子女", ""],  # 10
        [HEAD, "王桂芝", "", HEAD, "配偶", ""],  # 11: the head as another relation
    ]
    people = Person.objects.count()
    report = run("assistance-members", worker, MEMBER_HEADERS, rows)
    errors = errors_by_row(report)
    assert sorted({row for row, _ in errors}) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "设为户主" in errors[(3, "与户主关系")]
    assert errors[(4, "与户主关系")].startswith("与户主关系“表亲”应为：配偶、子女")
    assert errors[(5, "加入日期")] == "加入日期“2022-13-01”格式应为 2022-01-05"
    assert "加入日期不能晚于今天" in errors[(6, "加入日期")]
    assert "户主没有证件号码的家庭不能导入" in errors[(7, "户主证件号码")]
    assert valid_id(4) in errors[(8, "户主证件号码")]
    assert "须先从原家庭移出" in errors[(9, "")]
    assert "军官证" in errors[(10, "证件类型")]
    assert "户主" in errors[(11, "与户主关系")]
    # Errors and no choice to import the valid rows: nothing written.
    assert report.written is False
    assert household.members.count() == 1
    assert Person.objects.count() == people

    # The valid rows imported: the good member only; the refused rows left nobody behind.
    partial = run("assistance-members", worker, MEMBER_HEADERS, rows, import_valid_rows=True)
    assert (partial.created, partial.written) == (1, True)
    assert partial.error_rows == 9
    assert Person.objects.count() == people + 1
    assert not Person.objects.filter(name="王四").exists()
    assert set(household.members.values_list("person__name", flat=True)) == {"王桂芝", "李建国"}


def test_a2_members_cannot_be_imported_outside_the_clerks_scope_and_the_refusal_is_neutral(
    tree, other_county_user
):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    spouse = valid_id(1)
    services.member_join(
        actor=None, household=household, name="李建国", relation=Relation.SPOUSE, id_number=spouse
    )
    own = open_household(tree.village_b, "孙立军", valid_id(5))
    nobody = valid_id(6)
    rows = [
        [HEAD, "某甲", "", "", "子女", ""],  # another county's household
        [nobody, "某乙", "", "", "子女", ""],  # nobody's number
        [valid_id(5), "某丙", "", "", "子女", ""],  # the clerk's own county: fine
    ]
    report = run("assistance-members", other_county_user, MEMBER_HEADERS, rows, import_valid_rows=True)
    messages = errors_by_row(report)
    assert sorted(messages) == [(2, "户主证件号码"), (3, "户主证件号码")]
    assert messages[(2, "户主证件号码")].replace(HEAD, "…") == messages[(3, "户主证件号码")].replace(
        nobody, "…"
    )
    assert "王桂芝" not in messages[(2, "户主证件号码")]
    assert household.members.count() == 2
    assert own.members.count() == 2

    # In the clerk's own village, a member who is not the head does not name the household either.
    worker = make_user("village_staff", tree.village_a)
    by_member = run("assistance-members", worker, MEMBER_HEADERS, [[spouse, "某丁", "", "", "子女", ""]])
    assert by_member.errors[0].message.replace(spouse, "…") == messages[(3, "户主证件号码")].replace(
        nobody, "…"
    )


VISIT_HEADERS = ["户主证件号码", "走访日期", "走访人", "走访情况", "困难诉求"]


def test_a2_visits_import_and_again_unchanged(tree):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    worker = make_user("village_staff", tree.village_a)
    rows = [
        [HEAD, "2022-01-03", "张网格员", "身体良好，物资充足", "需要代购药品"],
        [HEAD, "2022/01/04", "李书记", "老人咳嗽，已联系村医", ""],
    ]
    report = run("assistance-visits", worker, VISIT_HEADERS, rows)
    assert (report.created, report.errors) == (2, [])
    visit = household.visits.get(visitor="张网格员")
    assert (visit.visited_on, visit.findings, visit.needs, visit.recorded_by) == (
        dt.date(2022, 1, 3),
        "身体良好，物资充足",
        "需要代购药品",
        worker,
    )
    again = run("assistance-visits", worker, VISIT_HEADERS, rows)
    assert (again.created, again.unchanged, again.errors) == (0, 2, [])
    assert Visit.objects.count() == 2


def test_a2_every_bad_visit_row_is_reported_and_nothing_is_half_written(tree):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    services.visit_record(
        actor=None, household=household, visited_on=dt.date(2022, 1, 2), visitor="张网格员", findings="良好"
    )
    worker = make_user("village_staff", tree.village_a)
    rows = [
        [HEAD, "2022-01-03", "张网格员", "良好", ""],  # row 2: good
        [HEAD, "明天", "张网格员", "良好", ""],  # 3
        [HEAD, "2022-02-01", "张网格员", "良好", ""],  # 4: a future day
        [HEAD, "2021-11-01", "张网格员", "良好", ""],  # 5: before the household was registered
        [HEAD, "2022-01-04", "", "良好", ""],  # 6: no visitor
        [valid_id(7), "2022-01-04", "张网格员", "良好", ""],  # 7: nobody's head
        ["", "2022-01-04", "张网格员", "良好", ""],  # 8: a head without a number
        [HEAD, "2022-01-02", "张网格员", "良好", "需要棉被"],  # 9: recorded, other needs
    ]
    report = run("assistance-visits", worker, VISIT_HEADERS, rows)
    errors = errors_by_row(report)
    assert sorted({row for row, _ in errors}) == [3, 4, 5, 6, 7, 8, 9]
    assert errors[(3, "走访日期")] == "走访日期“明天”格式应为 2022-01-05"
    assert "走访日期不能晚于今天" in errors[(4, "走访日期")]
    assert "不能早于家庭登记日期" in errors[(5, "走访日期")]
    assert errors[(6, "走访人")] == "不能为空"
    assert valid_id(7) in errors[(7, "户主证件号码")]
    assert "户主没有证件号码的家庭不能导入" in errors[(8, "户主证件号码")]
    assert "不会被改写" in errors[(9, "困难诉求")]
    assert report.written is False
    assert household.visits.count() == 1

    partial = run("assistance-visits", worker, VISIT_HEADERS, rows, import_valid_rows=True)
    assert (partial.created, partial.error_rows) == (1, 7)
    assert household.visits.count() == 2
    assert household.visits.get(visited_on=dt.date(2022, 1, 2)).needs == ""  # never overwritten


def test_a2_visits_cannot_be_imported_outside_the_clerks_scope(tree):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    other_village = make_user("village_staff", tree.village_b)
    nobody = valid_id(8)
    rows = [[HEAD, "2022-01-03", "张网格员", "良好", ""], [nobody, "2022-01-03", "张网格员", "良好", ""]]
    report = run("assistance-visits", other_village, VISIT_HEADERS, rows, import_valid_rows=True)
    first, second = (e.message for e in report.errors)
    assert first.replace(HEAD, "…") == second.replace(nobody, "…")
    assert household.visits.count() == 0


STANDARD_HEADERS = [
    "县（市、区）",
    "城乡类别",
    "执行日期",
    "低保标准",
    "特困人员基本生活标准",
    "最低工资标准",
    "就业成本扣减比例（%）",
    "隔离期间生活支出扣减比例（%）",
    "文件依据",
]


def test_a8_standards_import_for_the_clerks_county_and_again_unchanged(tree, county_user):
    rows = [
        ["加格达奇区", "城市", "2022-01-01", "650", "845", "1650", "20", "50", "甲县文件"],
        [tree.county_a.code, "农村", "2022/01/01", "520.5元", "676", "1,450", "20%", 50, ""],
    ]
    report = run("assistance-standards", county_user, STANDARD_HEADERS, rows)
    assert (report.created, report.errors) == (2, [])
    rural = Standard.objects.get(county=tree.county_a, area_type=AreaType.RURAL)
    assert (rural.effective_from, rural.dibao_standard, rural.minimum_wage) == (
        dt.date(2022, 1, 1),
        Decimal("520.50"),
        Decimal("1450"),
    )
    assert (rural.employment_cost_percent, rural.isolation_living_cost_percent) == (20, 50)
    assert rural.recorded_by == county_user
    again = run("assistance-standards", county_user, STANDARD_HEADERS, rows)
    assert (again.created, again.unchanged, again.errors) == (0, 2, [])
    assert Standard.objects.count() == 2


def test_a8_every_bad_standard_row_is_reported_and_nothing_is_overwritten(tree, county_user):
    make_standard(tree.county_a)  # 城市 from 2021-07-01: 650 / 845 / 1650 / 20 / 50
    make_standard(tree.county_a, area_type=AreaType.RURAL)
    good = ["加格达奇区", "农村", "2022-01-01", "520", "676", "1450", "20", "50", ""]
    rows = [
        good,  # row 2
        ["加格达奇区", "农村", "2022-02-01", "abc", "676", "1450", "20", "50", ""],  # 3
        ["加格达奇区", "农村", "2022-03-01", "520", "0", "1450.555", "120", "五十", ""],  # 4
        ["加格达奇区", "郊区", "2022-13-01", "520", "676", "1450", "20", "50", ""],  # 5
        ["漠河市", "城市", "2022-01-01", "520", "676", "1450", "20", "50", ""],  # 6: another county
        ["东山第一社区", "城市", "2022-01-01", "520", "676", "1450", "20", "50", ""],  # 7: no county
        ["加格达奇区", "城市", "2021-07-01", "700", "845", "1650", "20", "50", ""],  # 8: differs
        ["加格达奇区", "农村", "2021-07-01", "650.00", "845", "1650", "20", "50", "另一文件"],  # 9: same
    ]
    report = run("assistance-standards", county_user, STANDARD_HEADERS, rows)
    errors = errors_by_row(report)
    assert sorted({row for row, _ in errors}) == [3, 4, 5, 6, 7, 8]
    assert errors[(3, "低保标准")] == "低保标准“abc”应为金额，如 650"
    assert errors[(4, "特困人员基本生活标准")] == "特困人员基本生活标准“0”应大于 0"
    assert errors[(4, "最低工资标准")] == "最低工资标准“1450.555”最多保留两位小数"
    assert errors[(4, "就业成本扣减比例（%）")] == "就业成本扣减比例（%）“120”应为 0–100 的整数，如 20"
    assert errors[(4, "隔离期间生活支出扣减比例（%）")].startswith("隔离期间生活支出扣减比例（%）“五十”")
    assert errors[(5, "城乡类别")] == "城乡类别“郊区”应为：城市、农村"
    assert errors[(5, "执行日期")] == "执行日期“2022-13-01”格式应为 2022-01-01"
    assert "漠河市" in errors[(6, "县（市、区）")]
    assert errors[(7, "县（市、区）")] == "“东山第一社区”不是您可录入救助标准的县（市、区）"
    assert [column for row, column in errors if row == 8] == ["低保标准"]
    assert "已录入为 650.00，文件中为 700" in errors[(8, "低保标准")]
    assert "不会被覆盖" in errors[(8, "低保标准")]
    assert report.unchanged == 1
    assert report.written is False
    assert Standard.objects.count() == 2

    partial = run("assistance-standards", county_user, STANDARD_HEADERS, rows, import_valid_rows=True)
    assert (partial.created, partial.unchanged, partial.error_rows) == (1, 1, 6)
    assert Standard.objects.get(area_type=AreaType.URBAN).dibao_standard == Decimal("650")


def test_a8_a_county_cannot_import_another_countys_standards(tree, county_user, other_county_user):
    rows = [
        ["加格达奇区", "城市", "2022-01-01", "650", "845", "1650", "20", "50", ""],
        ["某某县", "城市", "2022-01-01", "650", "845", "1650", "20", "50", ""],
        [tree.county_a.code, "农村", "2022-01-01", "650", "845", "1650", "20", "50", ""],
        ["999999", "农村", "2022-01-01", "650", "845", "1650", "20", "50", ""],
    ]
    report = run("assistance-standards", other_county_user, STANDARD_HEADERS, rows, import_valid_rows=True)
    messages = [e.message for e in report.errors]
    assert len(messages) == 4
    assert messages[0].replace("加格达奇区", "…") == messages[1].replace("某某县", "…")
    assert messages[2].replace(tree.county_a.code, "…") == messages[3].replace("999999", "…")
    assert Standard.objects.count() == 0
    # A village clerk holds no MANAGE: the import page itself is refused (as the form).
    standards = importer_for("assistance-standards")
    assert standards is not None
    assert standards.permission == "assistance.manage"


@pytest.mark.parametrize(
    ("kind", "example", "allowed"),
    [
        ("assistance-members", "李小明（示例）", "兄弟姐妹"),
        ("assistance-visits", "张网格员（示例）", "护照"),
        ("assistance-standards", "××民规〔2021〕×号（示例）", "农村"),
    ],
)
def test_a2_a8_the_templates_have_an_example_and_the_allowed_values(tree, kind, example, allowed):
    importer = importer_for(kind)
    assert importer is not None
    workbook = load_workbook(io.BytesIO(template_xlsx(importer)))
    first = list(next(workbook.worksheets[0].iter_rows(values_only=True)))
    assert first == [c.header for c in importer.columns]
    text = "\n".join(
        str(cell)
        for sheet in workbook.worksheets[1:]
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell
    )
    assert example in text
    assert allowed in text
    assert HEAD in text or kind == "assistance-standards"


def test_a2_a8_the_pages_link_to_their_imports(client, tree, county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    client.force_login(make_user("village_staff", tree.village_a))
    page = client.get(f"/assistance/{household.pk}/").content.decode()
    assert "/imports/assistance-members/" in page
    assert "/imports/assistance-visits/" in page
    assert "/imports/assistance-standards/" not in client.get("/assistance/standards/").content.decode()
    client.force_login(county_user)
    assert "/imports/assistance-standards/" in client.get("/assistance/standards/").content.decode()
    assert client.get("/imports/assistance-members/").status_code == 200
    assert client.get("/imports/assistance-standards/").status_code == 200
    client.force_login(make_user("village_staff", tree.village_a))
    assert client.get("/imports/assistance-standards/").status_code == 403
