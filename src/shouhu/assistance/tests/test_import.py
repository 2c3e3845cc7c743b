"""A2 × X4: the villages' rosters import through the one import mechanism, every bad row reported."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.assistance import services
from shouhu.assistance.models import (
    AffectedReason,
    Application,
    ApplicationStatus,
    AreaType,
    AssistancePolicy,
    AssistanceReason,
    CareDelivery,
    CareNeed,
    CareTask,
    CaseByCaseReview,
    Household,
    IncomeAssessment,
    Level,
    Relation,
    Responsibility,
    ReviewDecision,
    Schedule,
    Standard,
    Standing,
    TemporaryAssistance,
    Visit,
)
from shouhu.assistance.tests.factories import make_application, make_standard
from shouhu.campaigns.policy import current_policy
from shouhu.common.importing import importer_for, read_import, run_import, template_xlsx
from shouhu.people.idcard import check_digit
from shouhu.people.models import Person
from shouhu.screening.services import isolation_end, isolation_record

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


def open_household(
    village, head_name, head_number="", registered_on=dt.date(2021, 12, 1), standing=Standing.DIBAO
):
    return services.household_open(
        actor=None,
        data=services.HouseholdInput(
            unit=village, area_type=AreaType.URBAN, standing=standing, registered_on=registered_on
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
        ("assistance-responsibilities", "刘村干部（示例）", "乡级"),
        ("assistance-grants", "家中务工人员无法返岗（示例）", "信息把握不准或审批要件不全"),
        ("assistance-reviews", "赵局长（示例）", "不同意"),
        ("assistance-care-deliveries", "陈书记（示例）", "取暖"),
        ("assistance-applications", "家庭成员患病，收入低于低保标准（示例）", "特困供养（集中）"),
        ("assistance-assessments", "按村委会入户核实的收入（示例）", "财产净收入"),
    ],
)
def test_a1_a2_a4_a5_a8_a9_a10_every_template_has_an_example_and_the_allowed_values(
    tree, kind, example, allowed
):
    importer = importer_for(kind)
    assert importer is not None
    workbook = load_workbook(io.BytesIO(template_xlsx(importer)))
    first = list(next(workbook.worksheets[0].iter_rows(values_only=True)))
    assert first == [c.header for c in importer.columns]
    assert workbook.worksheets[0].max_row == 1  # the example is never imported
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
    if kind == "assistance-applications":
        assert "受理、入户调查、公示、审批请在申请页面" in text  # the later steps are the page's


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


# --- Three-level responsibility (A1) and temporary assistance (A5) -------------------------------

RESPONSIBILITY_HEADERS = ["户主证件号码", "层级", "包保责任人", "联系电话", "起始日期"]


def test_a1_responsibilities_import_into_the_households_their_heads_name_and_again_unchanged(
    tree, county_user
):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    rows = [
        [HEAD, "县级", "张县干部", "13800138000", "2022-01-03"],
        [HEAD, "乡镇", "李乡干部", "", ""],  # the usual word; started today
        [HEAD, "村", "刘村干部", "139 0013 9000", ""],
    ]
    report = run("assistance-responsibilities", county_user, RESPONSIBILITY_HEADERS, rows)
    assert (report.created, report.errors, report.written) == (3, [], True)
    current = {r.level: r for r in household.responsibilities.filter(ended_on__isnull=True)}
    assert (current[Level.COUNTY].name, current[Level.COUNTY].phone) == ("张县干部", "13800138000")
    assert current[Level.COUNTY].assigned_on == dt.date(2022, 1, 3)
    assert current[Level.COUNTY].unit == tree.county_a
    assert current[Level.TOWNSHIP].unit == tree.township_a
    assert current[Level.TOWNSHIP].assigned_on == dt.date(2022, 1, 5)  # the fixed clock's day
    assert current[Level.VILLAGE].phone == "13900139000"
    assert current[Level.VILLAGE].assigned_by == county_user

    again = run("assistance-responsibilities", county_user, RESPONSIBILITY_HEADERS, rows)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 3, [])
    assert Responsibility.objects.count() == 3


def test_a1_a_reassignment_by_import_keeps_the_history(tree, county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    services.responsibility_assign(
        actor=None,
        household=household,
        level=Level.VILLAGE,
        name="刘村干部",
        phone="13800138000",
        assigned_on=dt.date(2022, 1, 1),
    )
    rows = [[HEAD, "村级", "陈村干部", "13700137000", "2022-01-04"]]
    report = run("assistance-responsibilities", county_user, RESPONSIBILITY_HEADERS, rows)
    assert (report.created, report.updated, report.errors) == (0, 1, [])
    village = household.responsibilities.filter(level=Level.VILLAGE).order_by("assigned_on")
    assert [(r.name, r.assigned_on, r.ended_on) for r in village] == [
        ("刘村干部", dt.date(2022, 1, 1), dt.date(2022, 1, 4)),
        ("陈村干部", dt.date(2022, 1, 4), None),
    ]
    # The same name without a number says nothing against the one recorded: unchanged.
    same = run(
        "assistance-responsibilities", county_user, RESPONSIBILITY_HEADERS, [[HEAD, "村", "陈村干部", "", ""]]
    )
    assert (same.updated, same.unchanged) == (0, 1)
    # The same name with another number takes the level over again, the old number kept in history.
    moved = run(
        "assistance-responsibilities",
        county_user,
        RESPONSIBILITY_HEADERS,
        [[HEAD, "村", "陈村干部", "13600136000", ""]],
    )
    assert (moved.updated, moved.errors) == (1, [])
    assert household.responsibilities.filter(level=Level.VILLAGE).count() == 3
    assert household.responsibilities.get(level=Level.VILLAGE, ended_on__isnull=True).phone == "13600136000"


def test_a1_every_bad_responsibility_row_is_reported_and_nothing_is_half_written(tree, county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    second = valid_id(10)
    open_household(tree.village_a, "赵老汉", second)
    services.responsibility_assign(
        actor=None, household=household, level=Level.VILLAGE, name="刘村干部", assigned_on=dt.date(2022, 1, 3)
    )
    rows = [
        [HEAD, "县级", "张县干部", "", ""],  # row 2: good
        [HEAD, "省级", "某甲", "", ""],  # 3
        [HEAD, "乡级", "某乙", "12345", ""],  # 4: no phone number
        [HEAD, "村级", "某丙", "", "2022-01-02"],  # 5: before the current holder began
        [valid_id(9), "县级", "某丁", "", ""],  # 6: nobody's head
        ["", "村级", "某戊", "", ""],  # 7: a head without a number
        [HEAD, "县", "某己", "", ""],  # 8: the county level of that household again
        [second, "村级", "", "", ""],  # 9: no name
        [second, "乡级", "某庚", "", "2022-02-01"],  # 10: a future day
        [second, "县级", "某辛", "", "2022-13-01"],  # 11
    ]
    report = run("assistance-responsibilities", county_user, RESPONSIBILITY_HEADERS, rows)
    errors = errors_by_row(report)
    assert sorted({row for row, _ in errors}) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert errors[(3, "层级")] == "层级“省级”应为：县级、乡级、村级"
    assert "电话号码" in errors[(4, "联系电话")]
    assert errors[(5, "起始日期")] == "起始日期不能早于现任责任人的起始日期（2022-01-03）"
    assert valid_id(9) in errors[(6, "户主证件号码")]
    assert "户主没有证件号码的家庭不能导入" in errors[(7, "户主证件号码")]
    assert errors[(8, "")] == "与第 2 行重复"
    assert errors[(9, "包保责任人")] == "不能为空"
    assert "起始日期不能晚于今天" in errors[(10, "起始日期")]
    assert errors[(11, "起始日期")] == "起始日期“2022-13-01”格式应为 2022-01-05"
    assert report.written is False
    assert Responsibility.objects.count() == 1

    partial = run(
        "assistance-responsibilities", county_user, RESPONSIBILITY_HEADERS, rows, import_valid_rows=True
    )
    assert (partial.created, partial.error_rows) == (1, 9)
    assert Responsibility.objects.count() == 2
    assert household.responsibilities.get(level=Level.VILLAGE).name == "刘村干部"  # never ended


def test_a1_responsibilities_cannot_be_imported_outside_the_clerks_scope(tree, other_county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    nobody = valid_id(11)
    rows = [[HEAD, "村级", "某甲", "", ""], [nobody, "村级", "某乙", "", ""]]
    report = run(
        "assistance-responsibilities", other_county_user, RESPONSIBILITY_HEADERS, rows, import_valid_rows=True
    )
    first, second = (e.message for e in report.errors)
    assert first.replace(HEAD, "…") == second.replace(nobody, "…")
    assert "王桂芝" not in first
    assert household.responsibilities.count() == 0
    responsibilities = importer_for("assistance-responsibilities")
    assert responsibilities is not None
    assert responsibilities.permission == "assistance.manage"


GRANT_HEADERS = [
    "户主证件类型",
    "户主证件号码",
    "救助事由",
    "发放方式",
    "救助金额",
    "起始月份",
    "先行救助",
    "困难预计持续月数",
    "备注",
]


def test_a5_grants_import_into_the_households_their_heads_name_and_again_unchanged(tree, county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    rows = [
        ["身份证", HEAD, "确诊病例", "一次性", "2000", "2022-01", "是", "", "隔离期间"],
        ["", HEAD, "无法务工", "按月", "800元", "2022/01/15", "", "6个月", ""],
        ["", HEAD, "要件不全", "按月发放", 500, "2021年12月", "否", "", ""],
    ]
    report = run("assistance-grants", county_user, GRANT_HEADERS, rows)
    assert (report.created, report.errors, report.written) == (3, [], True)
    grants = {g.reason: g for g in household.temporary_assistance.all()}
    once = grants[AssistanceReason.CONFIRMED_CASE]
    assert (once.schedule, once.amount, once.starts_on, once.is_advance, once.note) == (
        Schedule.ONCE,
        Decimal("2000"),
        dt.date(2022, 1, 1),
        True,
        "隔离期间",
    )
    assert once.granted_by == county_user
    monthly = grants[AssistanceReason.LOST_WORK]
    assert (monthly.schedule, monthly.amount, monthly.starts_on, monthly.expected_months) == (
        Schedule.MONTHLY,
        Decimal("800"),
        dt.date(2022, 1, 1),
        6,
    )
    assert grants[AssistanceReason.UNCERTAIN].starts_on == dt.date(2021, 12, 1)

    again = run("assistance-grants", county_user, GRANT_HEADERS, rows)
    assert (again.created, again.unchanged, again.errors) == (0, 3, [])
    assert TemporaryAssistance.objects.count() == 3


def test_a5_every_bad_grant_row_is_reported_and_nothing_is_half_written(tree, county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    affected = valid_id(12)
    services.household_open(
        actor=None,
        data=services.HouseholdInput(
            unit=tree.village_a,
            area_type=AreaType.URBAN,
            standing=Standing.EPIDEMIC_AFFECTED,
            affected_reason=AffectedReason.LOST_WORK,
            registered_on=dt.date(2021, 12, 1),
        ),
        head_name="孙立军",
        head_id_number=affected,
    )
    services.temporary_assistance_grant(
        actor=None,
        household=household,
        data=services.GrantInput(
            reason=AssistanceReason.OTHER,
            schedule=Schedule.ONCE,
            amount=Decimal("1000"),
            starts_on=dt.date(2022, 1, 1),
        ),
    )
    rows = [
        ["", HEAD, "其他", "一次性", "1500", "2022-01", "", "", ""],  # row 2: good
        ["", HEAD, "其他", "一次性", "5000", "2022-01", "", "", ""],  # 3: above the cap
        ["", HEAD, "生病", "每年", "abc", "明年", "可能", "半年", ""],  # 4
        ["", HEAD, "无法务工", "按月", "800", "2022-01", "", "", ""],  # 5: months missing
        ["", HEAD, "其他", "一次性", "800", "2022-02", "", "", ""],  # 6: a later month
        ["", affected, "确诊病例", "一次性", "800", "2022-01", "", "", ""],  # 7: not 低保/特困/低收入
        ["", HEAD, "其他", "一次性", "1000", "2022-01", "是", "", ""],  # 8: recorded, not as an advance
        ["", valid_id(13), "其他", "一次性", "800", "2022-01", "", "", ""],  # 9: nobody's head
        ["", HEAD, "要件不全", "一次性", "800", "2022-01", "", "", ""],  # 10: monthly only
        ["", HEAD, "其他", "一次性", "1000.00", "2022-01-01", "否", "", ""],  # 11: recorded: unchanged
        ["", HEAD, "其他", "一次性", "1500", "2022-01", "", "", ""],  # 12: row 2 again
    ]
    report = run("assistance-grants", county_user, GRANT_HEADERS, rows)
    errors = errors_by_row(report)
    assert sorted({row for row, _ in errors}) == [3, 4, 5, 6, 7, 8, 9, 10, 12]
    cap = current_policy(AssistancePolicy).temporary_assistance_cap
    assert errors[(3, "救助金额")] == f"救助金额超过常规上限 {cap} 元，须先经“一事一议”议定"
    assert [column for row, column in errors if row == 4] == sorted(
        ["救助事由", "发放方式", "救助金额", "起始月份", "先行救助", "困难预计持续月数"]
    )
    assert errors[(4, "救助事由")].startswith("救助事由“生病”应为：确诊病例（低保、特困、低收入家庭）")
    assert errors[(4, "发放方式")] == "发放方式“每年”应为：一次性、按月发放"
    assert errors[(4, "救助金额")] == "救助金额“abc”应为金额，如 1000"
    assert errors[(4, "起始月份")] == "起始月份“明年”格式应为 2022-01"
    assert errors[(4, "先行救助")] == "先行救助“可能”应为：是、否"
    assert errors[(4, "困难预计持续月数")] == "困难预计持续月数“半年”应为 1–120 的整数，如 6"
    assert "请填写困难预计持续月数" in errors[(5, "困难预计持续月数")]
    assert errors[(6, "起始月份")] == "起始月份不能晚于本月"
    assert "限于低保、特困和低收入家庭" in errors[(7, "救助事由")]
    assert "不会被改写" in errors[(8, "先行救助")]
    assert valid_id(13) in errors[(9, "户主证件号码")]
    assert "按月予以临时性生活救助" in errors[(10, "发放方式")]
    assert errors[(12, "")] == "与第 2 行重复"
    assert report.unchanged == 1
    assert report.written is False
    assert TemporaryAssistance.objects.count() == 1

    partial = run("assistance-grants", county_user, GRANT_HEADERS, rows, import_valid_rows=True)
    assert (partial.created, partial.unchanged, partial.error_rows) == (1, 1, 9)
    assert TemporaryAssistance.objects.count() == 2
    assert household.temporary_assistance.get(amount=Decimal("1000")).is_advance is False  # never rewritten


def test_a5_grants_cannot_be_imported_outside_the_clerks_scope(tree, other_county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    nobody = valid_id(14)
    rows = [
        ["", HEAD, "其他", "一次性", "800", "2022-01", "", "", ""],
        ["", nobody, "其他", "一次性", "800", "2022-01", "", "", ""],
    ]
    report = run("assistance-grants", other_county_user, GRANT_HEADERS, rows, import_valid_rows=True)
    first, second = (e.message for e in report.errors)
    assert first.replace(HEAD, "…") == second.replace(nobody, "…")
    assert "王桂芝" not in first
    assert household.temporary_assistance.count() == 0
    grants = importer_for("assistance-grants")
    assert grants is not None
    assert grants.permission == "assistance.manage"


def test_a1_a5_the_pages_link_to_their_imports(client, tree, county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    village_staff = make_user("village_staff", tree.village_a)
    client.force_login(village_staff)
    assert (
        "/imports/assistance-responsibilities/"
        not in client.get(f"/assistance/{household.pk}/").content.decode()
    )
    assert "/imports/assistance-grants/" not in client.get("/assistance/grants/").content.decode()
    assert client.get("/imports/assistance-responsibilities/").status_code == 403
    assert client.get("/imports/assistance-grants/").status_code == 403
    client.force_login(county_user)
    assert (
        "/imports/assistance-responsibilities/" in client.get(f"/assistance/{household.pk}/").content.decode()
    )
    assert "/imports/assistance-grants/" in client.get("/assistance/grants/").content.decode()
    assert client.get("/imports/assistance-responsibilities/").status_code == 200
    assert client.get("/imports/assistance-grants/").status_code == 200


# --- 一事一议 (A10), care deliveries (A9) and applications (A4) ----------------------------------

REVIEW_HEADERS = [
    "户主证件类型",
    "户主证件号码",
    "重大生活困难情况",
    "提议救助金额",
    "议定日期",
    "参加人员",
    "议定结果",
    "议定救助金额",
    "审批人",
    "会议纪要或批文编号",
]


def test_a10_reviews_import_into_the_households_their_heads_name_and_again_unchanged(tree, county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    people = "县民政局、乡镇、村"
    rows = [
        ["身份证", HEAD, "户主重病住院", "6000", "2022-01-03", people, "同意", "5000元", "赵局长", "纪要1号"],
        ["", HEAD, "房屋失火", "8,000", "2022/01/04", "县民政局", "不同意", "", "赵局长", ""],
    ]
    report = run("assistance-reviews", county_user, REVIEW_HEADERS, rows)
    assert (report.created, report.errors, report.written) == (2, [], True)
    reviews = {r.decision: r for r in household.reviews.all()}
    approved = reviews[ReviewDecision.APPROVED]
    assert (approved.met_on, approved.proposed_amount, approved.approved_amount, approved.reference) == (
        dt.date(2022, 1, 3),
        Decimal("6000"),
        Decimal("5000"),
        "纪要1号",
    )
    assert (approved.participants, approved.approved_by, approved.recorded_by) == (
        people,
        "赵局长",
        county_user,
    )
    rejected = reviews[ReviewDecision.REJECTED]
    assert (rejected.met_on, rejected.proposed_amount, rejected.approved_amount) == (
        dt.date(2022, 1, 4),
        Decimal("8000"),
        Decimal("0"),
    )

    again = run("assistance-reviews", county_user, REVIEW_HEADERS, rows)
    assert (again.created, again.unchanged, again.errors) == (0, 2, [])
    assert CaseByCaseReview.objects.count() == 2


def test_a10_every_bad_review_row_is_reported_and_nothing_is_rewritten(tree, county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    for met_on, decision, approved, reference in (
        (dt.date(2022, 1, 2), ReviewDecision.APPROVED, Decimal("5000"), "纪要1号"),
        (dt.date(2022, 1, 1), ReviewDecision.REJECTED, Decimal("0"), ""),
    ):
        services.review_record(
            actor=None,
            household=household,
            data=services.ReviewInput(
                hardship="户主重病住院",
                proposed_amount=Decimal("6000"),
                met_on=met_on,
                participants="县民政局",
                decision=decision,
                approved_by="赵局长",
                approved_amount=approved,
                reference=reference,
            ),
        )
    people, head = "县民政局", "赵局长"
    rows = [
        ["", HEAD, "医疗负担重", "3000", "2022-01-03", people, "同意", "2000", head, ""],  # row 2: good
        ["", HEAD, "困难", "abc", "2022-13-01", people, "待定", "", head, "纪要2号"],  # 3
        ["", HEAD, "困难", "3000", "2022-01-03", people, "同意", "", head, "纪要3号"],  # 4: no amount
        ["", HEAD, "困难", "3000", "2022-01-03", people, "不同意", "2000", head, "纪要4号"],  # 5
        ["", HEAD, "困难", "3000", "2022-02-01", people, "同意", "2000", head, "纪要5号"],  # 6: future
        ["", valid_id(20), "困难", "3000", "2022-01-03", people, "同意", "2000", head, ""],  # 7: nobody's
        ["", HEAD, "困难", "6000", "2022-01-02", people, "同意", "4000", head, "纪要1号"],  # 8: differs
        ["", HEAD, "另写", "6000.00", "2022-01-01", "另一些人", "不同意", "0", "钱局长", ""],  # 9: same
        ["", HEAD, "", "3000", "2022-01-03", people, "同意", "2000", "", "纪要6号"],  # 10
        ["", HEAD, "医疗负担重", "3000", "2022-01-03", people, "同意", "2000", head, ""],  # 11: row 2
        ["", HEAD, "困" * 501, "3000", "2022-01-03", people, "同意", "2000", head, "纪要7号"],  # 12
    ]
    report = run("assistance-reviews", county_user, REVIEW_HEADERS, rows)
    errors = errors_by_row(report)
    assert sorted({row for row, _ in errors}) == [3, 4, 5, 6, 7, 8, 10, 11, 12]
    assert [column for row, column in errors if row == 3] == sorted(["提议救助金额", "议定日期", "议定结果"])
    assert errors[(3, "提议救助金额")] == "提议救助金额“abc”应为金额，如 5000"
    assert errors[(3, "议定日期")] == "议定日期“2022-13-01”格式应为 2022-01-05"
    assert errors[(3, "议定结果")] == "议定结果“待定”应为：同意、不同意"
    assert errors[(4, "议定救助金额")] == "议定结果为同意的，须填写议定救助金额"
    assert "应不填" in errors[(5, "议定救助金额")]
    assert "议定日期不能晚于今天" in errors[(6, "议定日期")]
    assert valid_id(20) in errors[(7, "户主证件号码")]
    assert [column for row, column in errors if row == 8] == ["议定救助金额"]
    assert "为 5000.00 元，文件中为 4000 元" in errors[(8, "议定救助金额")]
    assert "不会被改写" in errors[(8, "议定救助金额")]
    assert errors[(10, "重大生活困难情况")] == "不能为空"
    assert errors[(10, "审批人")] == "不能为空"
    assert errors[(11, "")] == "与第 2 行重复"
    assert (12, "重大生活困难情况") in errors
    assert report.unchanged == 1
    assert report.written is False
    assert CaseByCaseReview.objects.count() == 2

    partial = run("assistance-reviews", county_user, REVIEW_HEADERS, rows, import_valid_rows=True)
    assert (partial.created, partial.unchanged, partial.error_rows) == (1, 1, 9)
    assert CaseByCaseReview.objects.count() == 3
    recorded = household.reviews.get(reference="纪要1号")
    assert recorded.approved_amount == Decimal("5000")  # never rewritten


def test_a10_reviews_cannot_be_imported_outside_the_clerks_scope(tree, other_county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    nobody = valid_id(21)
    rows = [
        ["", HEAD, "困难", "3000", "2022-01-03", "县民政局", "同意", "2000", "赵局长", ""],
        ["", nobody, "困难", "3000", "2022-01-03", "县民政局", "同意", "2000", "赵局长", ""],
    ]
    report = run("assistance-reviews", other_county_user, REVIEW_HEADERS, rows, import_valid_rows=True)
    first, second = (e.message for e in report.errors)
    assert first.replace(HEAD, "…") == second.replace(nobody, "…")
    assert "王桂芝" not in first
    assert household.reviews.count() == 0
    reviews = importer_for("assistance-reviews")
    assert reviews is not None
    assert reviews.permission == "assistance.manage"


CARE_HEADERS = ["人员证件类型", "人员证件号码", "送达日期", "需求类别", "送达物资或服务", "送达人"]


def isolate_head(household, *, starts_on=dt.date(2022, 1, 4), ended_on=None):
    """The head isolated at home, as the isolation register records it: a care task opens (A9)."""
    return isolation_record(
        actor=None,
        person=household.members.get(relation=Relation.HEAD).person,
        kind="home",
        starts_on=starts_on,
        source="排查",
        actual_end_on=ended_on,
    ).record


def test_a9_care_deliveries_import_onto_the_open_care_task_and_again_unchanged(tree):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    isolate_head(household)
    task = CareTask.objects.get()
    worker = make_user("village_staff", tree.village_a)
    rows = [
        ["", HEAD, "2022-01-04", "生活物资、取暖", "米面油，取暖煤 500 斤", "陈书记"],
        ["身份证", HEAD, "2022/01/05", "药品,其他", "感冒药，代缴电费", "刘网格员"],
    ]
    report = run("assistance-care-deliveries", worker, CARE_HEADERS, rows)
    assert (report.created, report.errors, report.written) == (2, [], True)
    first = task.deliveries.get(delivered_by="陈书记")
    assert (first.delivered_on, first.needs, first.items, first.recorded_by) == (
        dt.date(2022, 1, 4),
        [CareNeed.FOOD, CareNeed.HEATING],
        "米面油，取暖煤 500 斤",
        worker,
    )
    assert task.deliveries.get(delivered_by="刘网格员").needs == [CareNeed.MEDICINE, CareNeed.OTHER]

    again = run("assistance-care-deliveries", worker, CARE_HEADERS, rows)
    assert (again.created, again.unchanged, again.errors) == (0, 2, [])
    assert CareDelivery.objects.count() == 2


def test_a9_every_bad_care_delivery_row_is_reported_and_nothing_is_half_written(tree):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    isolate_head(household)
    task = CareTask.objects.get()
    services.care_delivery_record(
        actor=None,
        task=task,
        delivered_on=dt.date(2022, 1, 4),
        needs=[CareNeed.FOOD],
        items="米面油",
        delivered_by="陈书记",
    )
    not_isolated = valid_id(30)
    open_household(tree.village_a, "赵老汉", not_isolated)
    worker = make_user("village_staff", tree.village_a)
    rows = [
        ["", HEAD, "2022-01-05", "药品", "感冒药", "陈书记"],  # 2: good
        ["", HEAD, "2022-01-03", "生活物资", "米面油", "刘网格员"],  # 3: before the isolation began
        ["", HEAD, "明天", "水果、药品", "米面油", "刘网格员"],  # 4
        ["", HEAD, "2022-02-01", "药品", "感冒药", "刘网格员"],  # 5: a future day
        ["军官证", HEAD, "2022-01-05", "药品", "退烧药", "陈书记"],  # 6
        ["", not_isolated, "2022-01-05", "药品", "感冒药", "陈书记"],  # 7: nobody isolated under it
        ["", HEAD, "2022-01-04", "药品", "米面油", "陈书记"],  # 8: recorded, other needs
        ["", HEAD, "2022-01-05", "药品", "", "刘网格员"],  # 9: no items
    ]
    report = run("assistance-care-deliveries", worker, CARE_HEADERS, rows)
    errors = errors_by_row(report)
    assert sorted({row for row, _ in errors}) == [3, 4, 5, 6, 7, 8, 9]
    assert "送达日期不能早于隔离开始日期（2022-01-04）" in errors[(3, "送达日期")]
    assert errors[(4, "送达日期")] == "送达日期“明天”格式应为 2022-01-05"
    assert errors[(4, "需求类别")].startswith("需求类别“水果”应为：生活物资、药品、取暖、其他")
    assert "送达日期不能晚于今天" in errors[(5, "送达日期")]
    assert "军官证" in errors[(6, "人员证件类型")]
    assert not_isolated in errors[(7, "人员证件号码")]
    assert "不会被改写" in errors[(8, "需求类别")]
    assert errors[(9, "送达物资或服务")] == "不能为空"
    assert report.written is False
    assert task.deliveries.count() == 1

    partial = run("assistance-care-deliveries", worker, CARE_HEADERS, rows, import_valid_rows=True)
    assert (partial.created, partial.error_rows) == (1, 7)
    assert task.deliveries.count() == 2
    assert task.deliveries.get(delivered_on=dt.date(2022, 1, 4)).needs == [CareNeed.FOOD]  # never rewritten


def test_a9_care_deliveries_cannot_be_imported_outside_the_clerks_scope(tree, other_county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    isolate_head(household)
    ended = valid_id(31)
    own = open_household(tree.village_b, "孙立军", ended)
    record = isolate_head(own, starts_on=dt.date(2021, 12, 30))
    isolation_end(actor=None, record=record, ended_on=dt.date(2022, 1, 4), reason="期满")
    nobody = valid_id(32)
    rows = [
        ["", HEAD, "2022-01-05", "药品", "感冒药", "陈书记"],  # another county's task
        ["", nobody, "2022-01-05", "药品", "感冒药", "陈书记"],  # nobody's number
        ["", ended, "2022-01-05", "药品", "感冒药", "陈书记"],  # the clerk's own county: care ended
    ]
    report = run("assistance-care-deliveries", other_county_user, CARE_HEADERS, rows, import_valid_rows=True)
    messages = [e.message for e in report.errors]
    assert len(messages) == 3
    assert (
        messages[0].replace(HEAD, "…") == messages[1].replace(nobody, "…") == messages[2].replace(ended, "…")
    )
    assert "王桂芝" not in messages[0]
    assert not CareDelivery.objects.exists()
    care = importer_for("assistance-care-deliveries")
    assert care is not None
    assert care.permission == "assistance.record"


APPLICATION_HEADERS = ["户主证件类型", "户主证件号码", "申请类别", "申请理由", "申请日期"]


def test_a4_applications_import_as_the_step_shenqing_and_again_unchanged(tree):
    household = open_household(tree.village_a, "王桂芝", HEAD, standing=Standing.LOW_INCOME)
    second = valid_id(40)
    other = open_household(tree.village_a, "赵老汉", second, standing=Standing.LOW_INCOME)
    worker = make_user("village_staff", tree.village_a)
    rows = [
        ["", HEAD, "低保", "家庭成员患病，收入低于低保标准", "2022-01-03"],
        ["身份证", second, "分散特困", "无劳动能力、无生活来源", "2022/01/04"],
    ]
    report = run("assistance-applications", worker, APPLICATION_HEADERS, rows)
    assert (report.created, report.errors, report.written) == (2, [], True)
    application = household.applications.get()
    assert (application.standing, application.applied_on, application.status, application.recorded_by) == (
        Standing.DIBAO,
        dt.date(2022, 1, 3),
        ApplicationStatus.APPLIED,
        worker,
    )
    assert application.reason == "家庭成员患病，收入低于低保标准"
    assert other.applications.get().standing == Standing.TEKUN_DISPERSED

    # Taken further on its page meanwhile: the same application again all the same.
    services.application_accept(actor=None, application=application, accepted_on=dt.date(2022, 1, 4))
    again = run("assistance-applications", worker, APPLICATION_HEADERS, rows)
    assert (again.created, again.unchanged, again.errors) == (0, 2, [])
    assert Application.objects.count() == 2


def test_a4_every_bad_application_row_is_reported_and_nothing_is_half_written(tree):
    household = open_household(tree.village_a, "王桂芝", HEAD, standing=Standing.LOW_INCOME)
    dibao = valid_id(41)
    open_household(tree.village_a, "刘淑珍", dibao)
    waiting = valid_id(42)
    pending = open_household(tree.village_a, "赵老汉", waiting, standing=Standing.LOW_INCOME)
    make_application(pending, applied_on=dt.date(2022, 1, 4))
    worker = make_user("village_staff", tree.village_a)
    rows = [
        ["", HEAD, "低保", "患病", "2022-01-03"],  # 2: good
        ["", HEAD, "特困", "患病", "2022-01-03"],  # 3: 分散 or 集中 decides
        ["", HEAD, "低保", "患病", "2022-13-01"],  # 4
        ["", dibao, "低保", "患病", "2022-01-03"],  # 5: already 低保
        ["", waiting, "集中特困", "患病", "2022-01-04"],  # 6: another application open
        ["", HEAD, "低保", "", "2022-01-02"],  # 7: no reason
        ["", HEAD, "低保", "患病", "2022-02-01"],  # 8: a future day
        ["", HEAD, "低保", "患病", "2021-11-01"],  # 9: before the household was registered
        ["", valid_id(43), "低保", "患病", "2022-01-03"],  # 10: nobody's head
        ["", waiting, "低保", "另写的理由", "2022-01-04"],  # 11: recorded: unchanged
    ]
    report = run("assistance-applications", worker, APPLICATION_HEADERS, rows)
    errors = errors_by_row(report)
    assert sorted({row for row, _ in errors}) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert errors[(3, "申请类别")] == "申请类别“特困”应为：低保、特困供养（分散）、特困供养（集中）"
    assert errors[(4, "申请日期")] == "申请日期“2022-13-01”格式应为 2022-01-05"
    assert errors[(5, "申请类别")] == "该户已是低保家庭"
    assert errors[(6, "")] == "该户已有正在办理的申请"
    assert errors[(7, "申请理由")] == "不能为空"
    assert "申请日期不能晚于今天" in errors[(8, "申请日期")]
    assert "申请日期不能早于该户登记日期" in errors[(9, "申请日期")]
    assert valid_id(43) in errors[(10, "户主证件号码")]
    assert report.unchanged == 1
    assert report.written is False
    assert Application.objects.count() == 1

    partial = run("assistance-applications", worker, APPLICATION_HEADERS, rows, import_valid_rows=True)
    assert (partial.created, partial.unchanged, partial.error_rows) == (1, 1, 8)
    assert household.applications.get().applied_on == dt.date(2022, 1, 3)
    assert pending.applications.get().standing == Standing.DIBAO


def test_a4_applications_cannot_be_imported_outside_the_clerks_scope(tree, other_county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD, standing=Standing.LOW_INCOME)
    nobody = valid_id(44)
    rows = [["", HEAD, "低保", "患病", "2022-01-03"], ["", nobody, "低保", "患病", "2022-01-03"]]
    report = run(
        "assistance-applications", other_county_user, APPLICATION_HEADERS, rows, import_valid_rows=True
    )
    first, second = (e.message for e in report.errors)
    assert first.replace(HEAD, "…") == second.replace(nobody, "…")
    assert "王桂芝" not in first
    assert household.applications.count() == 0
    applications = importer_for("assistance-applications")
    assert applications is not None
    assert applications.permission == "assistance.record"


def test_a10_a9_a4_the_pages_link_to_their_imports(client, tree, county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    client.force_login(make_user("leader", tree.region))  # reads, records nothing
    assert "/imports/assistance-care-deliveries/" not in client.get("/assistance/care/").content.decode()
    assert "/imports/assistance-applications/" not in client.get("/assistance/applications/").content.decode()
    for kind in ("assistance-reviews", "assistance-care-deliveries", "assistance-applications"):
        assert client.get(f"/imports/{kind}/").status_code == 403
    client.force_login(make_user("village_staff", tree.village_a))
    assert "/imports/assistance-reviews/" not in client.get(f"/assistance/{household.pk}/").content.decode()
    assert "/imports/assistance-care-deliveries/" in client.get("/assistance/care/").content.decode()
    assert "/imports/assistance-applications/" in client.get("/assistance/applications/").content.decode()
    assert client.get("/imports/assistance-reviews/").status_code == 403
    assert client.get("/imports/assistance-care-deliveries/").status_code == 200
    assert client.get("/imports/assistance-applications/").status_code == 200
    client.force_login(county_user)
    assert "/imports/assistance-reviews/" in client.get(f"/assistance/{household.pk}/").content.decode()
    assert client.get("/imports/assistance-reviews/").status_code == 200


# --- Income assessments (A8) ---------------------------------------------------------------------

ASSESSMENT_HEADERS = [
    "户主证件类型",
    "户主证件号码",
    "核算月份",
    "成员姓名",
    "收入类型",
    "金额",
    "已外出务工或返岗复工",
    "当月居家隔离天数",
    "备注",
]
SECOND_HEAD = valid_id(21)


def two_households(tree):
    """Two households of two members each, and the county's standard (低保 650, minimum wage 1650)."""
    make_standard(tree.county_a)
    first = open_household(tree.village_a, "王桂芝", HEAD)
    services.member_join(actor=None, household=first, name="李秀英", relation="spouse")
    second = open_household(tree.village_a, "孙立军", SECOND_HEAD)
    services.member_join(actor=None, household=second, name="孙小宝", relation="child")
    return first, second


ASSESSMENT_ROWS = [
    ["", HEAD, "2022-01", "王桂芝", "工资性收入", "600", "是", "", "入户核实"],  # row 2
    ["", SECOND_HEAD, "2022/1", "孙立军", "经营净收入", "300", "", "", ""],  # 3
    ["身份证", HEAD, "2022年1月", "李秀英", "转移净收入", "200元", "否", "10", "第二行的备注不用"],  # 4
    ["", SECOND_HEAD, "2022-01", "孙小宝", "转移收入", "0", "", "", ""],  # 5
]


def test_a8_assessments_import_one_per_household_and_month_and_again_unchanged(tree, county_user):
    first, second = two_households(tree)
    report = run("assistance-assessments", county_user, ASSESSMENT_HEADERS, ASSESSMENT_ROWS)
    assert (report.created, report.errors, report.written) == (4, [], True)
    assert IncomeAssessment.objects.count() == 2
    people = {p.name: p for p in Person.objects.all()}
    expected = {
        first: [
            services.IncomeLineInput(
                person=people["王桂芝"], kind="wage", amount=Decimal("600"), back_at_work=True
            ),
            services.IncomeLineInput(
                person=people["李秀英"], kind="transfer", amount=Decimal("200"), isolation_days=10
            ),
        ],
        second: [
            services.IncomeLineInput(person=people["孙立军"], kind="business", amount=Decimal("300")),
            services.IncomeLineInput(person=people["孙小宝"], kind="transfer", amount=Decimal("0")),
        ],
    }
    imported = {a.household: a for a in IncomeAssessment.objects.all()}
    for household, lines in expected.items():
        direct = services.assessment_record(
            actor=county_user, household=household, month=dt.date(2022, 1, 1), lines=lines
        )
        mine = imported[household]
        assert (mine.dibao_amount, mine.per_capita_income, mine.total_deductions, mine.working) == (
            direct.dibao_amount,
            direct.per_capita_income,
            direct.total_deductions,
            direct.working,
        )
        assert (mine.month, mine.assessed_by, mine.lines.count()) == (dt.date(2022, 1, 1), county_user, 2)
        direct.lines.all().delete()
        direct.delete()
    assert imported[first].note == "入户核实"  # the group's first row's
    assert imported[first].dibao_amount > 0

    again = run("assistance-assessments", county_user, ASSESSMENT_HEADERS, ASSESSMENT_ROWS[::-1])
    assert (again.created, again.unchanged, again.errors) == (0, 4, [])
    assert IncomeAssessment.objects.count() == 2
    changed = [row[:] for row in ASSESSMENT_ROWS]
    changed[0][5] = "700"
    refused = run("assistance-assessments", county_user, ASSESSMENT_HEADERS, changed, import_valid_rows=True)
    errors = errors_by_row(refused)
    assert (
        errors[(2, "核算月份")] == "该户 2022-01 已有核算，已核算的不会被改写；如需重新核算请在该户页面进行"
    )
    assert sorted({row for row, _ in errors}) == [2, 4]
    assert refused.unchanged == 2  # the other household's lines are those assessed
    assert IncomeAssessment.objects.count() == 2


def test_a8_a_bad_row_refuses_its_whole_group_and_every_row_is_reported(tree, county_user):
    first, second = two_households(tree)
    rows = [
        ["", HEAD, "2022-01", "王桂芝", "工资性收入", "1800", "是", "", ""],  # row 2: good, its group bad
        ["", SECOND_HEAD, "2022-01", "孙立军", "经营净收入", "300", "", "", ""],  # 3: good group
        ["", HEAD, "2022-01", "王小二", "奖金", "-5", "也许", "40", ""],  # 4: bad on every column
        ["", SECOND_HEAD, "2022-01", "孙小宝", "转移净收入", "0", "", "", ""],  # 5: good group
        ["", HEAD, "2022-01", "李秀英", "转移净收入", "", "", "", ""],  # 6: no amount
    ]
    report = run("assistance-assessments", county_user, ASSESSMENT_HEADERS, rows)
    errors = errors_by_row(report)
    assert sorted({row for row, _ in errors}) == [2, 4, 6]
    assert errors[(2, "")] == "本户本月的其他行有误，整组未导入（第 4、6 行）"
    assert [column for row, column in errors if row == 4] == sorted(
        ["成员姓名", "收入类型", "金额", "已外出务工或返岗复工", "当月居家隔离天数"]
    )
    assert errors[(4, "成员姓名")].startswith("成员姓名“王小二”不是该户当月的家庭成员")
    assert errors[(4, "收入类型")] == "收入类型“奖金”应为：工资性收入、经营净收入、财产净收入、转移净收入"
    assert errors[(4, "金额")].startswith("金额“-5”应为 0 至")
    assert errors[(4, "已外出务工或返岗复工")] == "已外出务工或返岗复工“也许”应为：是、否"
    assert errors[(4, "当月居家隔离天数")] == "当月居家隔离天数“40”应为 0–31 的整数，如 14"
    assert errors[(6, "金额")] == "请填写金额，没有收入的填 0"
    assert report.created == 2  # checked, then rolled back with the rest
    assert report.written is False
    assert IncomeAssessment.objects.count() == 0

    partial = run("assistance-assessments", county_user, ASSESSMENT_HEADERS, rows, import_valid_rows=True)
    assert (partial.created, partial.error_rows, partial.written) == (2, 3, True)
    assert list(IncomeAssessment.objects.values_list("household", flat=True)) == [second.pk]
    assert second.assessments.get().lines.count() == 2
    assert not first.assessments.exists()


def test_a8_the_services_refusal_reaches_every_row_of_its_group(tree, county_user):
    two_households(tree)
    rows = [
        ["", HEAD, "2022-02", "王桂芝", "工资性收入", "1800", "", "", ""],  # a later month
        ["", HEAD, "2022-02", "李秀英", "转移净收入", "200", "", "", ""],
    ]
    report = run("assistance-assessments", county_user, ASSESSMENT_HEADERS, rows, import_valid_rows=True)
    assert errors_by_row(report) == {
        (2, "核算月份"): "核算月份不能晚于本月",
        (3, "核算月份"): "核算月份不能晚于本月",
    }
    assert IncomeAssessment.objects.count() == 0


def test_a8_assessments_cannot_be_imported_outside_the_clerks_scope(tree, county_user, other_county_user):
    first, _ = two_households(tree)
    nobody = valid_id(22)
    rows = [
        ["", HEAD, "2022-01", "王桂芝", "工资性收入", "1800", "", "", ""],
        ["", nobody, "2022-01", "王桂芝", "工资性收入", "1800", "", "", ""],
    ]
    report = run(
        "assistance-assessments", other_county_user, ASSESSMENT_HEADERS, rows, import_valid_rows=True
    )
    first_error, second_error = (e.message for e in report.errors)
    assert first_error.replace(HEAD, "…") == second_error.replace(nobody, "…")
    assert "王桂芝" not in first_error
    assert IncomeAssessment.objects.count() == 0
    assessments = importer_for("assistance-assessments")
    assert assessments is not None
    assert assessments.permission == "assistance.manage"
    mine = run("assistance-assessments", county_user, ASSESSMENT_HEADERS, rows[:1])
    assert (mine.created, first.assessments.count()) == (1, 1)  # the same row, in scope


def test_a8_the_household_page_links_to_the_assessment_import(client, tree, county_user):
    household = open_household(tree.village_a, "王桂芝", HEAD)
    client.force_login(make_user("village_staff", tree.village_a))
    assert (
        "/imports/assistance-assessments/" not in client.get(f"/assistance/{household.pk}/").content.decode()
    )
    assert client.get("/imports/assistance-assessments/").status_code == 403
    client.force_login(county_user)
    assert "/imports/assistance-assessments/" in client.get(f"/assistance/{household.pk}/").content.decode()
    assert client.get("/imports/assistance-assessments/").status_code == 200
