"""The assistance registers through the import mechanism (X4 × A2, A8).

Households: the rosters (花名册) the villages already keep name the head, their document if any,
the village or community (by code or by name, as the person register's import), urban or rural,
the standing. Each row is one `services.household_open`: a head already in the register is linked
when the clerk may see them (a head who already heads a household of that village is the same row
again: unchanged), a head without a number is registered by name, as on the page.

Members and visits name their household by its head's document number: the one handle a file
has on a household. A household is found only when that person is its current head and it is in a
village the clerk may write; every other case (no such number, a member who is not the head, a
household elsewhere) gets the same answer, so a file cannot test numbers outside the clerk's scope.

Standards: one row per county, urban or rural, and date, as on the page; a row already present is
unchanged when its figures agree and refused when they do not (a standard is never overwritten:
a new one takes a new date).

Responsibilities and temporary grants name their household as members and visits do, and are the
county's (MANAGE, as their pages): a responsible person named again is unchanged, another person
takes the level over as on the page (the one before ends, the history keeps both); a grant already
recorded with the same terms is unchanged, and one above the policy's cap is refused by the service
itself, since a file cannot name the 一事一议 that would allow it.

一事一议 held on paper (MANAGE) and applications for 低保 or 特困 already taken on paper (RECORD,
the step 申请 only: the later steps are the application page's) name their household the same way;
a recorded review is never rewritten. Care deliveries (RECORD) name the isolated person by their
document, and find their open care task only where the clerk may record, with the same neutral
answer for every other case.

Income assessments (MANAGE) take several rows each, one per member and kind of income: the rows
of one household and month are one `services.assessment_record`, all of them or none; an
assessment already made is never rewritten (the same lines again are unchanged).
"""

import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from shouhu.assistance import selectors, services
from shouhu.assistance.models import (
    SUPPORTED_STANDINGS,
    AffectedReason,
    AreaType,
    AssistanceReason,
    CareDelivery,
    CareNeed,
    CareTask,
    CaseByCaseReview,
    Household,
    HouseholdMember,
    IncomeKind,
    Level,
    Relation,
    ReviewDecision,
    Schedule,
    Standard,
    Standing,
    TemporaryAssistance,
    Visit,
)
from shouhu.assistance.permissions import AssistancePerm
from shouhu.common import bounds
from shouhu.common.errors import DomainError
from shouhu.common.importing import DATE_PATTERNS, ImportColumn, RowOutcome, register
from shouhu.people.idcard import InvalidPhone, normalise_phone
from shouhu.people.importers import ID_TYPE_BY_LABEL, id_type_of, unit_lookup
from shouhu.people.services import person_find_by_document

UNIT_COLUMN = "村（社区）"
# The exchange format's labels: Chinese, whatever language the importing clerk reads.
AREA_BY_LABEL = {"城市": AreaType.URBAN, "城镇": AreaType.URBAN, "农村": AreaType.RURAL}
STANDING_BY_LABEL = {
    "低保": Standing.DIBAO,
    "低保户": Standing.DIBAO,
    "特困供养（分散）": Standing.TEKUN_DISPERSED,
    "分散特困": Standing.TEKUN_DISPERSED,
    "特困供养（集中）": Standing.TEKUN_CENTRALISED,
    "集中特困": Standing.TEKUN_CENTRALISED,
    "低收入家庭": Standing.LOW_INCOME,
    "低收入": Standing.LOW_INCOME,
    "受疫情影响": Standing.EPIDEMIC_AFFECTED,
}
REASON_BY_LABEL = {
    "家庭成员确诊": AffectedReason.CONFIRMED_CASE,
    "确诊": AffectedReason.CONFIRMED_CASE,
    "家庭成员隔离": AffectedReason.ISOLATED,
    "隔离": AffectedReason.ISOLATED,
    "无法外出务工或返岗复工": AffectedReason.LOST_WORK,
    "无法务工": AffectedReason.LOST_WORK,
    "其他": AffectedReason.OTHER,
}


def _invalid(errors: dict[str, list[str]]) -> DomainError:
    return DomainError(
        "；".join(m for ms in errors.values() for m in ms), code="invalid_row", field_errors=errors
    )


class HouseholdImporter:
    kind = "assistance-households"
    title = "困难家庭"
    permission: str = AssistancePerm.RECORD
    columns = [
        ImportColumn("户主姓名", "head_name", required=True, aliases=("户主", "姓名")),
        ImportColumn("证件类型", "id_type", help="默认为居民身份证", aliases=("证件种类",)),
        ImportColumn(
            "证件号码",
            "id_number",
            help="无证件的可不填（按姓名登记）",
            aliases=("身份证号", "身份证号码", "公民身份号码", "户主身份证号"),
        ),
        ImportColumn(
            UNIT_COLUMN,
            "unit",
            required=True,
            help="村（社区）的编码或名称，须在您的管辖范围内",
            aliases=("所在村（社区）", "村社区", "所属单位", "单位编码", "所属单位编码"),
        ),
        ImportColumn("城乡类别", "area_type", required=True, help="城市 或 农村", aliases=("城乡",)),
        ImportColumn("救助类别", "standing", required=True, aliases=("保障类别", "类别", "对象类别")),
        ImportColumn("受影响原因", "affected_reason", help="受疫情影响的家庭填写"),
        ImportColumn("困难情况", "situation", aliases=("致困原因",)),
        ImportColumn("家庭住址", "address", aliases=("住址", "现住址")),
        ImportColumn("登记日期", "registered_on", help="如 2022-01-03，不填为今天"),
    ]
    # The template's 填写说明: a fictitious head (GB 11643's own example number), never read.
    example = {
        "户主姓名": "王小红（示例）",
        "证件类型": "居民身份证",
        "证件号码": "11010519491231002X",
        UNIT_COLUMN: "东山第一社区",
        "城乡类别": "城市",
        "救助类别": "低保",
        "受影响原因": "",
        "困难情况": "老人独居，行动不便",
        "家庭住址": "××社区××号",
        "登记日期": "2022-01-03",
    }
    allowed_values = {
        "证件类型": list(ID_TYPE_BY_LABEL),
        "城乡类别": ["城市", "农村"],
        "救助类别": [str(label) for label in Standing.labels],
        "受影响原因": [str(label) for label in AffectedReason.labels],
    }

    def row_key(self, row: dict[str, str]) -> str | None:
        number = row.get("证件号码", "").strip().replace(" ", "").upper()
        return number or None

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        text = row.get(UNIT_COLUMN, "").strip()
        units = unit_lookup(actor, [text])
        unit = units.found.get(text)
        if unit is None:
            errors["unit"] = [units.refusal(text)]
        elif not selectors.village_writable(viewer=actor).filter(pk=unit.pk).exists():
            errors["unit"] = [f"“{text}”不是您可登记困难家庭的村（社区）"]
        area = AREA_BY_LABEL.get(row.get("城乡类别", "").strip())
        if area is None:
            errors["area_type"] = ["城乡类别应为：城市、农村"]
        standing = STANDING_BY_LABEL.get(row.get("救助类别", "").strip())
        if standing is None:
            errors["standing"] = ["救助类别应为：" + "、".join(str(label) for label in Standing.labels)]
        reason_text = row.get("受影响原因", "").strip()
        reason = REASON_BY_LABEL.get(reason_text, "") if reason_text else ""
        if reason_text and not reason:
            errors["affected_reason"] = [
                "受影响原因应为：" + "、".join(str(x) for x in AffectedReason.labels)
            ]
        id_type = id_type_of(row.get("证件类型", ""))
        if id_type is None:
            errors["id_type"] = ["证件类型应为：" + "、".join(ID_TYPE_BY_LABEL)]
        registered_on = None
        date_text = row.get("登记日期", "").strip()
        if date_text:
            registered_on = bounds.parse_typed_day(date_text, DATE_PATTERNS)
            if registered_on is None:
                errors["registered_on"] = [f"登记日期“{date_text}”格式应为 2022-01-05"]
        if errors or unit is None or area is None or standing is None or id_type is None:
            raise _invalid(errors)
        name = row.get("户主姓名", "").strip()
        number = row.get("证件号码", "").strip()
        if number and self._already_heads(id_type, number, unit.pk):
            return RowOutcome.UNCHANGED
        services.household_open(
            actor=actor,
            data=services.HouseholdInput(
                unit=unit,
                area_type=area,
                standing=standing,
                affected_reason=reason,
                situation=row.get("困难情况", ""),
                address=row.get("家庭住址", ""),
                registered_on=registered_on,
            ),
            head_name=name,
            head_id_type=id_type,
            head_id_number=number,
        )
        return RowOutcome.CREATED

    @staticmethod
    def _already_heads(id_type: str, number: str, unit_id: int) -> bool:
        """The same file imported again: its head already heads a household of that village."""
        person = person_find_by_document(id_type=id_type, id_number=number)
        if person is None:
            return False
        household = selectors.household_of(person)
        if household is None or household.unit_id != unit_id:
            return False
        return household.members.filter(person=person, left_on__isnull=True, relation=Relation.HEAD).exists()


register(HouseholdImporter())


# --- Members and visits: the household named by its head's document -----------------------------

HEAD_COLUMN = "户主证件号码"
HEAD_TYPE_COLUMN = "户主证件类型"
HEAD_ALIASES = ("户主身份证号", "户主身份证号码", "户主公民身份号码", "户主证件号")
EXAMPLE_HEAD_NUMBER = "11010519491231002X"  # GB 11643's own example: nobody's number
# The exchange format's labels (see AREA_BY_LABEL); the first of each relation is the one listed.
RELATION_LABELS = {
    Relation.SPOUSE: "配偶",
    Relation.CHILD: "子女",
    Relation.PARENT: "父母",
    Relation.GRANDCHILD: "孙子女",
    Relation.GRANDPARENT: "祖父母",
    Relation.SIBLING: "兄弟姐妹",
    Relation.OTHER: "其他",
}
RELATION_BY_LABEL: dict[str, str] = {
    **{label: relation for relation, label in RELATION_LABELS.items()},
    **dict.fromkeys(("妻子", "丈夫", "妻", "夫"), Relation.SPOUSE),
    **dict.fromkeys(("儿子", "女儿", "子", "女", "长子", "次子", "长女", "次女"), Relation.CHILD),
    **dict.fromkeys(("父亲", "母亲", "父", "母"), Relation.PARENT),
    **dict.fromkeys(("孙子", "孙女", "外孙子", "外孙女"), Relation.GRANDCHILD),
    **dict.fromkeys(("祖父", "祖母", "外祖父", "外祖母"), Relation.GRANDPARENT),
    **dict.fromkeys(("兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"), Relation.SIBLING),
}
HEAD_LABELS = ("户主", "本人")


def _compact(text: str) -> str:
    """A label or a number as compared: without any whitespace ("兄弟 姐妹", "1101 0519…")."""
    return "".join(text.split())


def _head_number(row: dict[str, str]) -> str:
    return _compact(row.get(HEAD_COLUMN, "")).upper()


def _household_headed_by(actor: Any, *, id_type: str, number: str) -> Household | None:
    """The household this document's holder heads now, if it is in a village the actor may write.

    Every other case is None alike (no such number, a member who is not the head, a household
    elsewhere), so that a file learns nothing of people outside the clerk's scope. Written here
    from the existing selectors rather than as a selector of its own: the import is its only user."""
    person = person_find_by_document(id_type=id_type, id_number=number)
    if person is None:
        return None
    household = selectors.household_of(person)
    if household is None:
        return None
    if not selectors.village_writable(viewer=actor).filter(pk=household.unit_id).exists():
        return None
    if not household.members.filter(person=person, left_on__isnull=True, relation=Relation.HEAD).exists():
        return None
    return household


def _head_household(
    actor: Any, row: dict[str, str], errors: dict[str, list[str]], *, on_page: str
) -> Household | None:
    """The row's household, or its refusal in `errors`; `on_page` says how to do it on the page instead."""
    type_text = row.get(HEAD_TYPE_COLUMN, "").strip()
    id_type = id_type_of(type_text)
    if id_type is None:
        errors["head_id_type"] = [f"户主证件类型“{type_text}”应为：" + "、".join(ID_TYPE_BY_LABEL)]
        return None
    number = _head_number(row)
    if not number:
        errors["head_id_number"] = [
            "请填写户主证件号码：导入按户主证件号码查找家庭，户主没有证件号码的家庭不能导入，"
            f"请在该户页面{on_page}"
        ]
        return None
    household = _household_headed_by(actor, id_type=id_type, number=number)
    if household is None:
        errors["head_id_number"] = [
            f"户主证件号码“{number}”：在您可登记的村（社区）中没有以此证件号码登记为户主的困难家庭，"
            "请核对号码，或先登记该户"
        ]
    return household


def _head_columns() -> list[ImportColumn]:
    return [
        ImportColumn(
            HEAD_COLUMN,
            "head_id_number",
            help="必填。该户现任户主的证件号码，用来查找家庭；户主没有证件号码的家庭不能导入，请在该户页面办理",
            aliases=HEAD_ALIASES,
        ),
        ImportColumn(HEAD_TYPE_COLUMN, "head_id_type", help="默认为居民身份证", aliases=("户主证件种类",)),
    ]


def _optional_day(
    row: dict[str, str], header: str, field: str, errors: dict[str, list[str]]
) -> dt.date | None:
    text = row.get(header, "").strip()
    if not text:
        return None
    day = bounds.parse_typed_day(text, DATE_PATTERNS)
    if day is None:
        errors[field] = [f"{header}“{text}”格式应为 2022-01-05"]
    return day


class MemberImporter:
    """Household members (家庭成员) added to households the clerk may write, as on the household page:
    each row is one `services.member_join`, the member linked or registered by `member_person`."""

    kind = "assistance-members"
    title = "家庭成员"
    permission: str = AssistancePerm.RECORD
    columns = [
        *_head_columns(),
        ImportColumn("成员姓名", "name", required=True, aliases=("姓名", "成员")),
        ImportColumn("证件类型", "id_type", help="默认为居民身份证", aliases=("证件种类",)),
        ImportColumn(
            "证件号码",
            "id_number",
            help="无证件的可不填（按姓名登记）",
            aliases=("身份证号", "身份证号码", "公民身份号码", "成员证件号码", "成员身份证号"),
        ),
        ImportColumn(
            "与户主关系",
            "relation",
            required=True,
            help="不能填户主：更换户主请在该户页面点“设为户主”",
            aliases=("关系", "与户主的关系"),
        ),
        ImportColumn("加入日期", "joined_on", help="如 2022-01-03，不填为今天"),
    ]
    example = {
        HEAD_COLUMN: EXAMPLE_HEAD_NUMBER,
        HEAD_TYPE_COLUMN: "居民身份证",
        "成员姓名": "李小明（示例）",
        "证件类型": "居民身份证",
        "证件号码": "",
        "与户主关系": "子女",
        "加入日期": "2022-01-03",
    }
    allowed_values = {
        HEAD_TYPE_COLUMN: list(ID_TYPE_BY_LABEL),
        "证件类型": list(ID_TYPE_BY_LABEL),
        "与户主关系": list(RELATION_LABELS.values()),
    }

    def row_key(self, row: dict[str, str]) -> str | None:
        number = _compact(row.get("证件号码", "")).upper()
        if number:
            type_text = row.get("证件类型", "")
            return f"member:{id_type_of(type_text) or type_text}:{number}"
        name = row.get("成员姓名", "").strip()
        head = _head_number(row)
        return f"household:{head}:{name}" if head and name else None

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        household = _head_household(actor, row, errors, on_page="点“添加成员”")
        relation_text = _compact(row.get("与户主关系", ""))
        relation = None
        if relation_text in HEAD_LABELS:
            errors["relation"] = [
                f"与户主关系不能填“{relation_text}”：导入只添加户主以外的成员；"
                "更换户主请在该户页面的家庭成员中点“设为户主”"
            ]
        else:
            relation = RELATION_BY_LABEL.get(relation_text)
            if relation is None:
                errors["relation"] = [
                    f"与户主关系“{relation_text}”应为：" + "、".join(RELATION_LABELS.values())
                ]
        type_text = row.get("证件类型", "").strip()
        id_type = id_type_of(type_text)
        if id_type is None:
            errors["id_type"] = [f"证件类型“{type_text}”应为：" + "、".join(ID_TYPE_BY_LABEL)]
        joined_on = _optional_day(row, "加入日期", "joined_on", errors)
        if errors or household is None or relation is None or id_type is None:
            raise _invalid(errors)
        name = row.get("成员姓名", "").strip()
        number = _compact(row.get("证件号码", ""))
        current = self._current_member(household, name=name, id_type=id_type, number=number)
        if current is not None:
            if current.relation == relation:
                return RowOutcome.UNCHANGED
            # Never changed silently: the page is where a relation is corrected.
            shown = (
                "户主" if current.relation == Relation.HEAD else RELATION_LABELS[Relation(current.relation)]
            )
            raise _invalid(
                {
                    "relation": [
                        f"{name}已是该户成员，与户主关系为“{shown}”，与文件中的“{relation_text}”不同；"
                        "请在该户页面核对"
                    ]
                }
            )
        services.member_join(
            actor=actor,
            household=household,
            name=name,
            relation=relation,
            id_type=id_type,
            id_number=number,
            joined_on=joined_on,
        )
        return RowOutcome.CREATED

    @staticmethod
    def _current_member(
        household: Household, *, name: str, id_type: str, number: str
    ) -> HouseholdMember | None:
        """The same member imported again: the document's holder (by the same name: another name is
        the service's refusal to report), or without a document the member of that name."""
        current = household.members.filter(left_on__isnull=True)
        if not number:
            return current.filter(person__name=name).first()
        person = person_find_by_document(id_type=id_type, id_number=number)
        if person is None or person.name != name:
            return None
        return current.filter(person=person).first()


register(MemberImporter())


class VisitImporter:
    """Visits (走访记录) to households the clerk may write, each row one `services.visit_record`.

    Visits have no natural key in the database (two visits on one day are possible): the same
    household, day, visitor and findings is taken for the same visit imported again."""

    kind = "assistance-visits"
    title = "走访记录"
    permission: str = AssistancePerm.RECORD
    columns = [
        *_head_columns(),
        ImportColumn(
            "走访日期", "visited_on", required=True, help="如 2022-01-03", aliases=("日期", "走访时间")
        ),
        ImportColumn("走访人", "visitor", required=True, aliases=("走访人员", "走访干部")),
        ImportColumn("走访情况", "findings", required=True, aliases=("走访内容", "情况")),
        ImportColumn("困难诉求", "needs", aliases=("诉求", "需求")),
    ]
    example = {
        HEAD_COLUMN: EXAMPLE_HEAD_NUMBER,
        HEAD_TYPE_COLUMN: "居民身份证",
        "走访日期": "2022-01-03",
        "走访人": "张网格员（示例）",
        "走访情况": "老人身体状况良好，生活物资充足",
        "困难诉求": "需要代购常用药品",
    }
    allowed_values = {HEAD_TYPE_COLUMN: list(ID_TYPE_BY_LABEL)}

    def row_key(self, row: dict[str, str]) -> str | None:
        head = _head_number(row)
        if not head:
            return None
        parts = (row.get(header, "").strip() for header in ("走访日期", "走访人", "走访情况"))
        return "|".join((head, *parts))

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        household = _head_household(actor, row, errors, on_page="点“记录走访”")
        visited_on = _optional_day(row, "走访日期", "visited_on", errors)
        if errors or household is None or visited_on is None:
            raise _invalid(errors)
        visitor = row.get("走访人", "").strip()
        findings = row.get("走访情况", "").strip()
        needs = row.get("困难诉求", "").strip()
        same: Visit | None = household.visits.filter(
            visited_on=visited_on, visitor=visitor, findings=findings
        ).first()
        if same is not None:
            if same.needs == needs:
                return RowOutcome.UNCHANGED
            raise _invalid(
                {
                    "needs": [
                        f"该户 {visited_on} {visitor}的这次走访已记录，困难诉求与文件中的不同；"
                        "已记录的走访不会被改写，请核对"
                    ]
                }
            )
        services.visit_record(
            actor=actor,
            household=household,
            visited_on=visited_on,
            visitor=visitor,
            findings=findings,
            needs=needs,
        )
        return RowOutcome.CREATED


register(VisitImporter())


# --- Standards (A8) -----------------------------------------------------------------------------

COUNTY_COLUMN = "县（市、区）"
AREA_LABELS = {AreaType.URBAN: "城市", AreaType.RURAL: "农村"}
MAX_STANDARD_AMOUNT = Decimal("999999.99")  # the field's 8 digits, 2 after the point
CENT = Decimal("0.01")
# Each figure's column, field and an example value for the messages.
AMOUNT_COLUMNS = (
    ("低保标准", "dibao_standard", "650"),
    ("特困人员基本生活标准", "tekun_standard", "845"),
    ("最低工资标准", "minimum_wage", "1650"),
)
PERCENT_COLUMNS = (
    ("就业成本扣减比例（%）", "employment_cost_percent", "20"),
    ("隔离期间生活支出扣减比例（%）", "isolation_living_cost_percent", "50"),
)


def _amount(
    text: str, header: str, example: str, *, maximum: Decimal = MAX_STANDARD_AMOUNT
) -> tuple[Decimal | None, str]:
    """A sum of money as typed ("650", "1,650", "650元"), or the reason it is not one."""
    typed = text.strip()
    cleaned = _compact(typed).replace(",", "").replace("，", "").removesuffix("元")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        return None, f"{header}“{typed}”应为金额，如 {example}"
    if value <= 0:
        return None, f"{header}“{typed}”应大于 0"
    if value > maximum:
        return None, f"{header}“{typed}”超出范围（最多 {maximum} 元）"
    if value != value.quantize(CENT):
        return None, f"{header}“{typed}”最多保留两位小数"
    return value, ""


def _percent(text: str, header: str, example: str) -> tuple[int | None, str]:
    """A percentage as typed ("20", "20%"), a whole number from 0 to 100, or the reason it is not one."""
    typed = text.strip()
    cleaned = _compact(typed).removesuffix("%").removesuffix("％")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value != value.to_integral_value() or not 0 <= value <= 100:
        return None, f"{header}“{typed}”应为 0–100 的整数，如 {example}"
    return int(value), ""


class StandardImporter:
    """A county's standards (救助标准), as on the standards page: each row one `services.standard_create`
    for a county the clerk may manage (`selectors.county_writable`, the page's own list)."""

    kind = "assistance-standards"
    title = "救助标准"
    permission: str = AssistancePerm.MANAGE
    columns = [
        ImportColumn(
            COUNTY_COLUMN,
            "county",
            required=True,
            help="县（市、区）的编码或名称，须为您可录入救助标准的县（市、区）",
            aliases=("县市区", "县（市）", "县区", "单位编码", "所属单位"),
        ),
        ImportColumn("城乡类别", "area_type", required=True, help="城市 或 农村", aliases=("城乡",)),
        ImportColumn(
            "执行日期", "effective_from", required=True, help="如 2022-01-01", aliases=("起始日期",)
        ),
        ImportColumn(
            "低保标准",
            "dibao_standard",
            required=True,
            help="元/人·月，如 650",
            aliases=("低保标准（元/人·月）",),
        ),
        ImportColumn(
            "特困人员基本生活标准",
            "tekun_standard",
            required=True,
            help="元/人·月，如 845",
            aliases=("特困人员基本生活标准（元/人·月）", "特困标准", "特困供养标准"),
        ),
        ImportColumn(
            "最低工资标准",
            "minimum_wage",
            required=True,
            help="元/月，如 1650",
            aliases=("最低工资标准（元/月）", "最低工资"),
        ),
        ImportColumn(
            "就业成本扣减比例（%）",
            "employment_cost_percent",
            required=True,
            help="占最低工资标准的百分比，0–100 的整数，如 20",
            aliases=("就业成本扣减比例", "就业成本扣减比例（占最低工资标准 %）", "就业成本扣减"),
        ),
        ImportColumn(
            "隔离期间生活支出扣减比例（%）",
            "isolation_living_cost_percent",
            required=True,
            help="占低保标准的百分比，0–100 的整数，如 50",
            # The list's own export calls it 居家隔离…: an exported list imports back.
            aliases=(
                "居家隔离生活支出扣减比例（%）",
                "居家隔离生活支出扣减比例（占低保标准 %）",
                "隔离期间生活支出扣减比例",
                "隔离生活支出扣减",
            ),
        ),
        ImportColumn("文件依据", "document", aliases=("依据文件", "文号")),
    ]
    example = {
        COUNTY_COLUMN: "加格达奇区",
        "城乡类别": "城市",
        "执行日期": "2022-01-01",
        "低保标准": "650",
        "特困人员基本生活标准": "845",
        "最低工资标准": "1650",
        "就业成本扣减比例（%）": "20",
        "隔离期间生活支出扣减比例（%）": "50",
        "文件依据": "××民规〔2021〕×号（示例）",
    }
    allowed_values = {"城乡类别": ["城市", "农村"]}

    def row_key(self, row: dict[str, str]) -> str | None:
        parts = [row.get(header, "").strip() for header in (COUNTY_COLUMN, "城乡类别", "执行日期")]
        return "|".join(parts) if all(parts) else None

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        text = row.get(COUNTY_COLUMN, "").strip()
        units = unit_lookup(actor, [text])
        county = units.found.get(text)
        if county is None:
            errors["county"] = [units.refusal(text)]
        elif not selectors.county_writable(viewer=actor).filter(pk=county.pk).exists():
            errors["county"] = [f"“{text}”不是您可录入救助标准的县（市、区）"]
        area_text = _compact(row.get("城乡类别", ""))
        area = AREA_BY_LABEL.get(area_text)
        if area is None:
            errors["area_type"] = [f"城乡类别“{area_text}”应为：城市、农村"]
        date_text = row.get("执行日期", "").strip()
        effective_from = bounds.parse_typed_day(date_text, DATE_PATTERNS)
        if effective_from is None:
            errors["effective_from"] = [f"执行日期“{date_text}”格式应为 2022-01-01"]
        figures: dict[str, Decimal | int] = {}
        for header, field, example in AMOUNT_COLUMNS:
            amount, problem = _amount(row.get(header, ""), header, example)
            if amount is None:
                errors[field] = [problem]
            else:
                figures[field] = amount
        for header, field, example in PERCENT_COLUMNS:
            percent, problem = _percent(row.get(header, ""), header, example)
            if percent is None:
                errors[field] = [problem]
            else:
                figures[field] = percent
        if errors or county is None or area is None or effective_from is None:
            raise _invalid(errors)
        present = Standard.objects.filter(
            county=county, area_type=area, effective_from=effective_from
        ).first()
        if present is not None:
            differing = self._differences(present, figures)
            if not differing:
                return RowOutcome.UNCHANGED
            raise _invalid(differing)
        services.standard_create(
            actor=actor,
            data=services.StandardInput(
                county=county,
                area_type=area,
                effective_from=effective_from,
                dibao_standard=Decimal(figures["dibao_standard"]),
                tekun_standard=Decimal(figures["tekun_standard"]),
                minimum_wage=Decimal(figures["minimum_wage"]),
                employment_cost_percent=int(figures["employment_cost_percent"]),
                isolation_living_cost_percent=int(figures["isolation_living_cost_percent"]),
                document=row.get("文件依据", ""),
            ),
        )
        return RowOutcome.CREATED

    @staticmethod
    def _differences(present: Standard, figures: dict[str, Decimal | int]) -> dict[str, list[str]]:
        """Each figure of the file that differs from the standard already recorded for that day."""
        name = (
            f"{present.county.name}{AREA_LABELS[AreaType(present.area_type)]}自 {present.effective_from} 起"
        )
        differing: dict[str, list[str]] = {}
        for header, field, _example in (*AMOUNT_COLUMNS, *PERCENT_COLUMNS):
            recorded = getattr(present, field)
            if recorded != figures[field]:
                differing[field] = [
                    f"{name}的{header}已录入为 {recorded}，文件中为 {figures[field]}；"
                    "已录入的标准不会被覆盖，调整标准请按新的执行日期录入"
                ]
        return differing


register(StandardImporter())


# --- Three-level responsibility (A1) -------------------------------------------------------------

# The exchange format's labels (see AREA_BY_LABEL): the model's own first, then the usual words.
LEVEL_LABELS = {Level.COUNTY: "县级", Level.TOWNSHIP: "乡级", Level.VILLAGE: "村级"}
LEVEL_BY_LABEL: dict[str, str] = {
    **{label: level for level, label in LEVEL_LABELS.items()},
    **dict.fromkeys(("县", "县（市、区）级", "县区级"), Level.COUNTY),
    **dict.fromkeys(("乡镇级", "乡镇", "乡", "镇", "镇级", "街道", "乡镇（街道）级"), Level.TOWNSHIP),
    **dict.fromkeys(("村", "社区", "村（社区）级", "社区级"), Level.VILLAGE),
}


def _phone_as_stored(text: str) -> str | None:
    """The number as the service keeps it, to compare with the one recorded; None when it is no
    number at all (the service then says why)."""
    try:
        return normalise_phone(text)
    except InvalidPhone:
        return None


class ResponsibilityImporter:
    """The responsible people (三级包保责任人) of households the clerk may write, as on the household
    page: each row one `services.responsibility_assign`, which ends whoever held the level until
    then (the history keeps both).

    The person already holding that level, by the same name and number (a blank number says
    nothing against the one recorded), is the same row again: unchanged. Anyone else, or the same
    name with another number, takes the level over as 更换 on the page does: updated."""

    kind = "assistance-responsibilities"
    title = "三级包保责任人"
    permission: str = AssistancePerm.MANAGE
    columns = [
        *_head_columns(),
        ImportColumn(
            "层级", "level", required=True, help="县级、乡级或村级", aliases=("包保层级", "责任层级", "级别")
        ),
        ImportColumn(
            "包保责任人", "name", required=True, aliases=("责任人", "责任人姓名", "包保人", "包保干部")
        ),
        ImportColumn("联系电话", "phone", aliases=("电话", "手机", "手机号码", "联系方式")),
        ImportColumn(
            "起始日期",
            "assigned_on",
            help="如 2022-01-03，不填为今天；更换责任人的，不能早于现任责任人的起始日期",
            aliases=("包保日期", "指定日期"),
        ),
    ]
    example = {
        HEAD_COLUMN: EXAMPLE_HEAD_NUMBER,
        HEAD_TYPE_COLUMN: "居民身份证",
        "层级": "村级",
        "包保责任人": "刘村干部（示例）",
        "联系电话": "138××××××××",
        "起始日期": "2022-01-03",
    }
    allowed_values = {HEAD_TYPE_COLUMN: list(ID_TYPE_BY_LABEL), "层级": list(LEVEL_LABELS.values())}

    def row_key(self, row: dict[str, str]) -> str | None:
        head = _head_number(row)
        if not head:
            return None
        level_text = _compact(row.get("层级", ""))
        return f"{head}|{LEVEL_BY_LABEL.get(level_text, level_text)}"

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        household = _head_household(actor, row, errors, on_page="点“指定包保责任人”")
        level_text = _compact(row.get("层级", ""))
        level = LEVEL_BY_LABEL.get(level_text)
        if level is None:
            errors["level"] = [f"层级“{level_text}”应为：" + "、".join(LEVEL_LABELS.values())]
        assigned_on = _optional_day(row, "起始日期", "assigned_on", errors)
        if errors or household is None or level is None:
            raise _invalid(errors)
        name = row.get("包保责任人", "").strip()
        phone = row.get("联系电话", "").strip()
        current = household.responsibilities.filter(level=level, ended_on__isnull=True).first()
        same_number = not phone or (current is not None and current.phone == _phone_as_stored(phone))
        if current is not None and current.name == name and same_number:
            return RowOutcome.UNCHANGED
        services.responsibility_assign(
            actor=actor,
            household=household,
            level=level,
            name=name,
            phone=phone,
            assigned_on=assigned_on,
        )
        return RowOutcome.CREATED if current is None else RowOutcome.UPDATED


register(ResponsibilityImporter())


# --- Temporary assistance (A5) -------------------------------------------------------------------

# The exchange format's labels (see AREA_BY_LABEL): the model's own first, then the usual words.
GRANT_REASON_LABELS = {
    AssistanceReason.CONFIRMED_CASE: "确诊病例（低保、特困、低收入家庭）",
    AssistanceReason.LOST_WORK: "因疫情无法外出务工或返岗复工",
    AssistanceReason.UNCERTAIN: "信息把握不准或审批要件不全",
    AssistanceReason.OTHER: "其他临时困难",
}
GRANT_REASON_BY_LABEL: dict[str, str] = {
    **{label: reason for reason, label in GRANT_REASON_LABELS.items()},
    **dict.fromkeys(("确诊病例", "确诊", "家庭成员确诊"), AssistanceReason.CONFIRMED_CASE),
    **dict.fromkeys(
        ("无法务工", "因疫情无法务工", "无法外出务工", "无法返岗复工", "无法外出务工或返岗复工"),
        AssistanceReason.LOST_WORK,
    ),
    **dict.fromkeys(("要件不全", "审批要件不全", "信息把握不准"), AssistanceReason.UNCERTAIN),
    **dict.fromkeys(("其他", "其他困难"), AssistanceReason.OTHER),
}
SCHEDULE_LABELS = {Schedule.ONCE: "一次性", Schedule.MONTHLY: "按月发放"}
SCHEDULE_BY_LABEL: dict[str, str] = {
    **{label: schedule for schedule, label in SCHEDULE_LABELS.items()},
    **dict.fromkeys(("一次性发放", "一次"), Schedule.ONCE),
    **dict.fromkeys(("按月", "每月", "每月发放"), Schedule.MONTHLY),
}
YES_NO = {"是": True, "否": False}
MONTH_PATTERNS = ("%Y-%m", "%Y/%m", "%Y.%m", "%Y年%m月", "%Y%m")
MAX_EXPECTED_MONTHS = 120  # as the grant form


def _grant_reason_of(text: str) -> str | None:
    """The reason as typed, half-width brackets too ("确诊病例(低保、特困、低收入家庭)")."""
    return GRANT_REASON_BY_LABEL.get(_compact(text).replace("(", "（").replace(")", "）"))


def _month(text: str) -> dt.date | None:
    """A month as typed (2022-01, 2022年1月), or any day of it: its first day."""
    typed = text.strip()
    day = bounds.parse_typed_day(typed, MONTH_PATTERNS) or bounds.parse_typed_day(typed, DATE_PATTERNS)
    return day.replace(day=1) if day is not None else None


def _expected_months(text: str) -> tuple[int | None, str]:
    """Months as typed ("6", "6个月"), 1 to 120 as on the form, or the reason they are not."""
    typed = text.strip()
    cleaned = _compact(typed).removesuffix("个月").removesuffix("月")
    if cleaned.isascii() and cleaned.isdigit() and 1 <= int(cleaned) <= MAX_EXPECTED_MONTHS:
        return int(cleaned), ""
    return None, f"困难预计持续月数“{typed}”应为 1–{MAX_EXPECTED_MONTHS} 的整数，如 6"


class GrantImporter:
    """Temporary assistance (临时救助) granted to households the clerk may write, as on the household
    page: each row one `services.temporary_assistance_grant`, with its rules (A5–A7).

    A file cannot name a 一事一议, so a grant above the policy's cap is refused on its row, in the
    service's own words: the household page grants it with its approval. A grant of the household
    with the same reason, schedule, amount and first month is the same grant again: unchanged,
    unless the file states another 先行救助 or number of months for it, which is refused (a grant
    recorded is never rewritten)."""

    kind = "assistance-grants"
    title = "临时救助"
    permission: str = AssistancePerm.MANAGE
    columns = [
        *_head_columns(),
        ImportColumn(
            "救助事由",
            "reason",
            required=True,
            help="可简写为：确诊病例、无法务工、要件不全、其他",
            aliases=("事由", "救助原因"),
        ),
        ImportColumn("发放方式", "schedule", required=True, help="一次性 或 按月", aliases=("方式",)),
        ImportColumn(
            "救助金额",
            "amount",
            required=True,
            help="元，按月发放的为每月金额，如 1000；超过常规上限须经一事一议的，请在该户页面办理",
            aliases=("金额", "救助金额（元）", "救助金额（元，按月的为每月）"),
        ),
        ImportColumn(
            "起始月份", "starts_on", required=True, help="如 2022-01", aliases=("起始日期", "发放月份")
        ),
        ImportColumn("先行救助", "is_advance", help="是 或 否，不填为否", aliases=("是否先行救助",)),
        ImportColumn(
            "困难预计持续月数",
            "expected_months",
            help=f"因疫情无法外出务工或返岗复工的必填，1–{MAX_EXPECTED_MONTHS}",
            aliases=("预计持续月数", "持续月数"),
        ),
        ImportColumn("备注", "note", help="最多 200 字"),
    ]
    example = {
        HEAD_COLUMN: EXAMPLE_HEAD_NUMBER,
        HEAD_TYPE_COLUMN: "居民身份证",
        "救助事由": "因疫情无法外出务工或返岗复工",
        "发放方式": "按月发放",
        "救助金额": "800",
        "起始月份": "2022-01",
        "先行救助": "否",
        "困难预计持续月数": "6",
        "备注": "家中务工人员无法返岗（示例）",
    }
    allowed_values = {
        HEAD_TYPE_COLUMN: list(ID_TYPE_BY_LABEL),
        "救助事由": list(GRANT_REASON_LABELS.values()),
        "发放方式": list(SCHEDULE_LABELS.values()),
        "先行救助": list(YES_NO),
    }

    def row_key(self, row: dict[str, str]) -> str | None:
        head = _head_number(row)
        if not head:
            return None
        parts = (_compact(row.get(header, "")) for header in ("救助事由", "发放方式", "救助金额", "起始月份"))
        return "|".join((head, *parts))

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        household = _head_household(actor, row, errors, on_page="点“临时救助”")
        reason_text = row.get("救助事由", "").strip()
        reason = _grant_reason_of(reason_text)
        if reason is None:
            errors["reason"] = [f"救助事由“{reason_text}”应为：" + "、".join(GRANT_REASON_LABELS.values())]
        schedule_text = _compact(row.get("发放方式", ""))
        schedule = SCHEDULE_BY_LABEL.get(schedule_text)
        if schedule is None:
            errors["schedule"] = [f"发放方式“{schedule_text}”应为：一次性、按月发放"]
        amount, problem = _amount(row.get("救助金额", ""), "救助金额", "1000", maximum=services.MAX_AMOUNT)
        if amount is None:
            errors["amount"] = [problem]
        month_text = row.get("起始月份", "").strip()
        starts_on = _month(month_text)
        if starts_on is None:
            errors["starts_on"] = [f"起始月份“{month_text}”格式应为 2022-01"]
        advance_text = _compact(row.get("先行救助", ""))
        is_advance = YES_NO.get(advance_text) if advance_text else None
        if advance_text and is_advance is None:
            errors["is_advance"] = [f"先行救助“{advance_text}”应为：是、否"]
        months_text = row.get("困难预计持续月数", "").strip()
        expected_months = None
        if months_text:
            expected_months, problem = _expected_months(months_text)
            if expected_months is None:
                errors["expected_months"] = [problem]
        if (
            errors
            or household is None
            or reason is None
            or schedule is None
            or amount is None
            or starts_on is None
        ):
            raise _invalid(errors)
        same = household.temporary_assistance.filter(
            reason=reason, schedule=schedule, amount=amount, starts_on=starts_on
        ).first()
        if same is not None:
            differing = self._differences(same, is_advance=is_advance, expected_months=expected_months)
            if not differing:
                return RowOutcome.UNCHANGED
            raise _invalid(differing)
        services.temporary_assistance_grant(
            actor=actor,
            household=household,
            data=services.GrantInput(
                reason=reason,
                schedule=schedule,
                amount=amount,
                starts_on=starts_on,
                is_advance=bool(is_advance),
                expected_months=expected_months,
                note=row.get("备注", ""),
            ),
        )
        return RowOutcome.CREATED

    @staticmethod
    def _differences(
        present: TemporaryAssistance, *, is_advance: bool | None, expected_months: int | None
    ) -> dict[str, list[str]]:
        """What the file states of a grant already recorded that differs from the record (a blank
        cell states nothing)."""
        name = f"该户自 {present.starts_on:%Y-%m} 起的这笔临时救助已记录"
        never = "；已记录的临时救助不会被改写，请在该户页面核对"
        differing: dict[str, list[str]] = {}
        if is_advance is not None and is_advance != present.is_advance:
            recorded, typed = ("是" if v else "否" for v in (present.is_advance, is_advance))
            differing["is_advance"] = [f"{name}，先行救助为“{recorded}”，文件中为“{typed}”{never}"]
        if expected_months is not None and expected_months != present.expected_months:
            recorded_months = present.expected_months if present.expected_months else "未填"
            differing["expected_months"] = [
                f"{name}，困难预计持续月数为 {recorded_months}，文件中为 {expected_months}{never}"
            ]
        return differing


register(GrantImporter())


# --- 一事一议 (A10) ------------------------------------------------------------------------------

# The exchange format's labels (see AREA_BY_LABEL): the model's own first, then the usual words.
DECISION_LABELS = {ReviewDecision.APPROVED: "同意", ReviewDecision.REJECTED: "不同意"}
DECISION_BY_LABEL: dict[str, str] = {
    **{label: decision for decision, label in DECISION_LABELS.items()},
    **dict.fromkeys(("通过", "批准", "予以救助"), ReviewDecision.APPROVED),
    **dict.fromkeys(("不通过", "不批准", "不予救助"), ReviewDecision.REJECTED),
}
NO_AMOUNT = ("0", "0元", "-", "—", "无")  # what a 不同意 row may hold in 议定救助金额 besides a blank


class ReviewImporter:
    """一事一议 already held on paper, for households the clerk may write (MANAGE, as the household
    page's 一事一议 and its API): each row one `services.review_record`.

    The same household, 议定日期 and 会议纪要或批文编号 is the same review: unchanged when the file
    states its decision and amounts as recorded, refused, figure by figure, when it does not (a
    recorded review is never rewritten). A review imported here is the household's record of the
    deliberation; a grant above the cap that it allows is granted on the household page."""

    kind = "assistance-reviews"
    title = "一事一议"
    permission: str = AssistancePerm.MANAGE
    columns = [
        *_head_columns(),
        ImportColumn(
            "重大生活困难情况",
            "hardship",
            required=True,
            help="最多 500 字",
            aliases=("困难情况", "重大困难情况", "生活困难情况"),
        ),
        ImportColumn(
            "提议救助金额",
            "proposed_amount",
            required=True,
            help="元，如 5000",
            aliases=("提议救助金额（元）", "提议金额", "拟救助金额"),
        ),
        ImportColumn(
            "议定日期", "met_on", required=True, help="如 2022-01-03", aliases=("会议日期", "议定时间")
        ),
        ImportColumn("参加人员", "participants", required=True, aliases=("参会人员", "参加会议人员")),
        ImportColumn(
            "议定结果", "decision", required=True, help="同意 或 不同意", aliases=("结果", "议定意见")
        ),
        ImportColumn(
            "议定救助金额",
            "approved_amount",
            help="元，议定结果为同意的必填；不同意的不填",
            aliases=("议定救助金额（元）", "议定金额", "批准金额"),
        ),
        ImportColumn("审批人", "approved_by", required=True, aliases=("批准人", "审批领导")),
        ImportColumn(
            "会议纪要或批文编号", "reference", help="可不填", aliases=("会议纪要编号", "批文编号", "文号")
        ),
    ]
    example = {
        HEAD_COLUMN: EXAMPLE_HEAD_NUMBER,
        HEAD_TYPE_COLUMN: "居民身份证",
        "重大生活困难情况": "户主突发重病住院，医疗费用负担重（示例）",
        "提议救助金额": "6000",
        "议定日期": "2022-01-03",
        "参加人员": "县民政局、乡镇（街道）、村（社区）相关人员",
        "议定结果": "同意",
        "议定救助金额": "5000",
        "审批人": "赵局长（示例）",
        "会议纪要或批文编号": "××民纪〔2022〕×号",
    }
    allowed_values = {HEAD_TYPE_COLUMN: list(ID_TYPE_BY_LABEL), "议定结果": list(DECISION_LABELS.values())}

    def row_key(self, row: dict[str, str]) -> str | None:
        head = _head_number(row)
        if not head:
            return None
        parts = (_compact(row.get(header, "")) for header in ("议定日期", "会议纪要或批文编号"))
        return "|".join((head, *parts))

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        household = _head_household(actor, row, errors, on_page="点“一事一议”")
        proposed, problem = _amount(
            row.get("提议救助金额", ""), "提议救助金额", "5000", maximum=services.MAX_AMOUNT
        )
        if proposed is None:
            errors["proposed_amount"] = [problem]
        met_on = _optional_day(row, "议定日期", "met_on", errors)
        decision_text = _compact(row.get("议定结果", ""))
        decision = DECISION_BY_LABEL.get(decision_text)
        if decision is None:
            errors["decision"] = [f"议定结果“{decision_text}”应为：同意、不同意"]
        approved = self._approved_amount(row.get("议定救助金额", ""), decision, errors)
        if errors or household is None or proposed is None or met_on is None or decision is None:
            raise _invalid(errors)
        reference = row.get("会议纪要或批文编号", "").strip()
        figures = {"decision": decision, "proposed_amount": proposed, "approved_amount": approved}
        same = household.reviews.filter(met_on=met_on, reference=reference)
        if same.filter(**figures).exists():
            return RowOutcome.UNCHANGED
        present = same.first()
        if present is not None:
            raise _invalid(self._differences(present, figures))
        services.review_record(
            actor=actor,
            household=household,
            data=services.ReviewInput(
                hardship=row.get("重大生活困难情况", ""),
                proposed_amount=proposed,
                met_on=met_on,
                participants=row.get("参加人员", ""),
                decision=decision,
                approved_by=row.get("审批人", ""),
                approved_amount=approved,
                reference=reference,
            ),
        )
        return RowOutcome.CREATED

    @staticmethod
    def _approved_amount(text: str, decision: str | None, errors: dict[str, list[str]]) -> Decimal:
        """The amount agreed: required when 同意; a 不同意 row agrees none (0, as the service keeps it)."""
        typed = _compact(text)
        if decision == ReviewDecision.REJECTED:
            if typed and typed not in NO_AMOUNT:
                errors["approved_amount"] = [f"议定结果为不同意的，议定救助金额应不填（文件中为“{typed}”）"]
            return Decimal("0")
        if not typed:
            if decision == ReviewDecision.APPROVED:
                errors["approved_amount"] = ["议定结果为同意的，须填写议定救助金额"]
            return Decimal("0")
        amount, problem = _amount(text, "议定救助金额", "5000", maximum=services.MAX_AMOUNT)
        if amount is None:
            errors["approved_amount"] = [problem]
            return Decimal("0")
        return amount

    @staticmethod
    def _differences(present: CaseByCaseReview, figures: dict[str, Any]) -> dict[str, list[str]]:
        """Each figure of the file that differs from the review already recorded that day."""
        reference = f"（{present.reference}）" if present.reference else ""
        name = f"该户 {present.met_on} 的一事一议{reference}已记录"
        never = "；已记录的一事一议不会被改写，请在该户页面核对"
        differing: dict[str, list[str]] = {}
        if present.decision != figures["decision"]:
            recorded, typed = (
                DECISION_LABELS[ReviewDecision(v)] for v in (present.decision, figures["decision"])
            )
            differing["decision"] = [f"{name}，议定结果为“{recorded}”，文件中为“{typed}”{never}"]
        for field, header in (("proposed_amount", "提议救助金额"), ("approved_amount", "议定救助金额")):
            if getattr(present, field) != figures[field]:
                differing[field] = [
                    f"{name}，{header}为 {getattr(present, field)} 元，文件中为 {figures[field]} 元{never}"
                ]
        return differing


register(ReviewImporter())


# --- Care deliveries (A9) ------------------------------------------------------------------------

PERSON_COLUMN = "人员证件号码"
PERSON_TYPE_COLUMN = "人员证件类型"
# The exchange format's labels (see AREA_BY_LABEL): the model's own, then the usual words.
CARE_NEED_LABELS = {
    CareNeed.FOOD: "生活物资",
    CareNeed.MEDICINE: "药品",
    CareNeed.HEATING: "取暖",
    CareNeed.OTHER: "其他",
}
CARE_NEED_BY_LABEL: dict[str, str] = {
    **{label: need for need, label in CARE_NEED_LABELS.items()},
    **dict.fromkeys(("物资", "食品", "生活用品"), CareNeed.FOOD),
    **dict.fromkeys(("药", "药物", "医药"), CareNeed.MEDICINE),
    **dict.fromkeys(("供暖", "燃煤", "取暖用煤"), CareNeed.HEATING),
}
NEED_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def _care_needs(text: str) -> tuple[list[str], list[str]]:
    """The needs as typed ("生活物资、药品", "药品,取暖"): the ones known, and the words that are not."""
    known: list[str] = []
    unknown: list[str] = []
    for word in NEED_SEPARATORS.split(text.strip()):
        if not word:
            continue
        need = CARE_NEED_BY_LABEL.get(word)
        if need is None:
            unknown.append(word)
        elif need not in known:
            known.append(need)
    return known, unknown


class CareDeliveryImporter:
    """Deliveries (照料送达记录) already made to people isolated at home, as the care page records them:
    each row one `services.care_delivery_record` on the person's open care task.

    The person is named by their document; the task is found only when it is open and in a village
    the clerk may record on (`selectors.own_subtree`, as `access_care_task_for_recording`). Every
    other case (no such number, nobody isolated under it, a task elsewhere or closed) gets the same
    answer naming only the number typed. The same task, day, items and deliverer is the same
    delivery again: unchanged, or refused when the file states other needs (never rewritten)."""

    kind = "assistance-care-deliveries"
    title = "照料送达记录"
    permission: str = AssistancePerm.RECORD
    columns = [
        ImportColumn(
            PERSON_COLUMN,
            "id_number",
            required=True,
            help="居家隔离人员的证件号码，用来查找其照料任务；没有证件号码的，请在照料页面点“记录送达”",
            aliases=(
                "证件号码",
                "身份证号",
                "身份证号码",
                "公民身份号码",
                "隔离人员证件号码",
                "隔离人员身份证号",
            ),
        ),
        ImportColumn(
            PERSON_TYPE_COLUMN, "id_type", help="默认为居民身份证", aliases=("证件类型", "隔离人员证件类型")
        ),
        ImportColumn(
            "送达日期", "delivered_on", required=True, help="如 2022-01-03", aliases=("日期", "送达时间")
        ),
        ImportColumn(
            "需求类别",
            "needs",
            required=True,
            help="生活物资、药品、取暖、其他，可填多项，用“、”或“,”分隔",
            aliases=("需求", "需求类型"),
        ),
        ImportColumn(
            "送达物资或服务",
            "items",
            required=True,
            help="最多 300 字",
            aliases=("送达物资", "送达内容", "物资或服务"),
        ),
        ImportColumn("送达人", "delivered_by", required=True, aliases=("送达人员", "配送人")),
    ]
    example = {
        PERSON_COLUMN: EXAMPLE_HEAD_NUMBER,
        PERSON_TYPE_COLUMN: "居民身份证",
        "送达日期": "2022-01-03",
        "需求类别": "生活物资、取暖",
        "送达物资或服务": "米面油各一份，取暖煤 500 斤（示例）",
        "送达人": "陈书记（示例）",
    }
    allowed_values = {
        PERSON_TYPE_COLUMN: list(ID_TYPE_BY_LABEL),
        "需求类别": list(CARE_NEED_LABELS.values()),
    }

    def row_key(self, row: dict[str, str]) -> str | None:
        number = _compact(row.get(PERSON_COLUMN, "")).upper()
        if not number:
            return None
        parts = (row.get(header, "").strip() for header in ("送达日期", "送达物资或服务", "送达人"))
        return "|".join((number, *parts))

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        delivered_on = _optional_day(row, "送达日期", "delivered_on", errors)
        task = self._task(actor, row, errors, delivered_on=delivered_on)
        needs_text = row.get("需求类别", "").strip()
        needs, unknown = _care_needs(needs_text)
        if unknown or not needs:
            typed = "、".join(unknown) or needs_text
            errors["needs"] = [
                f"需求类别“{typed}”应为：" + "、".join(CARE_NEED_LABELS.values()) + "（可填多项，用“、”分隔）"
            ]
        if errors or task is None or delivered_on is None:
            raise _invalid(errors)
        items = row.get("送达物资或服务", "").strip()
        delivered_by = row.get("送达人", "").strip()
        same: CareDelivery | None = task.deliveries.filter(
            delivered_on=delivered_on, items=items, delivered_by=delivered_by
        ).first()
        if same is not None:
            if sorted(same.needs) == sorted(needs):
                return RowOutcome.UNCHANGED
            raise _invalid(
                {
                    "needs": [
                        f"{delivered_on} {delivered_by}的这次送达已记录，需求类别与文件中的不同；"
                        "已记录的送达不会被改写，请核对"
                    ]
                }
            )
        services.care_delivery_record(
            actor=actor,
            task=task,
            delivered_on=delivered_on,
            needs=needs,
            items=items,
            delivered_by=delivered_by,
        )
        return RowOutcome.CREATED

    @staticmethod
    def _task(
        actor: Any, row: dict[str, str], errors: dict[str, list[str]], *, delivered_on: dt.date | None
    ) -> CareTask | None:
        """The person's open care task in a village the actor may record on, or the refusal.

        Composed from the care list's selector (open tasks the actor may read) narrowed to where
        they may write, as the delivery page's `access_care_task_for_recording`: the import is its
        only user. With more than one open, the latest begun by the delivery's day."""
        type_text = row.get(PERSON_TYPE_COLUMN, "").strip()
        id_type = id_type_of(type_text)
        if id_type is None:
            errors["id_type"] = [f"人员证件类型“{type_text}”应为：" + "、".join(ID_TYPE_BY_LABEL)]
            return None
        number = _compact(row.get(PERSON_COLUMN, "")).upper()
        person = person_find_by_document(id_type=id_type, id_number=number)
        task = None
        if person is not None:
            tasks = (
                selectors.care_task_list(viewer=actor)
                .filter(selectors.own_subtree(actor, field="household__unit"), person=person)
                .order_by("-starts_on", "-pk")
            )
            if delivered_on is not None:
                task = tasks.filter(starts_on__lte=delivered_on).first()
            task = task or tasks.first()
        if task is None:
            errors["id_number"] = [
                f"人员证件号码“{number}”：在您可记录照料的村（社区）中没有以此证件号码正在照料的居家隔离人员，"
                "请核对号码"
            ]
        return task


register(CareDeliveryImporter())


# --- Applications for 低保 and 特困 (A4): the step 申请 -----------------------------------------

# What an application may ask for, in the household roster's words (分散特困, 集中特困 too).
APPLICATION_STANDING_BY_LABEL = {
    label: standing for label, standing in STANDING_BY_LABEL.items() if standing in SUPPORTED_STANDINGS
}
APPLICATION_STANDING_LABELS = ["低保", "特困供养（分散）", "特困供养（集中）"]


class ApplicationImporter:
    """Applications for 低保 or 特困 already taken on paper before the system, for households the clerk
    may write: each row one `services.application_submit`, the step 申请 only. 受理, 入户调查, 公示
    and 审批 are taken on the application's page, each on its day.

    The same household, category and day of application is the same application again: unchanged
    whatever step it has reached since. A household with another application open gets the
    service's refusal on its row."""

    kind = "assistance-applications"
    title = "低保特困申请"
    permission: str = AssistancePerm.RECORD
    columns = [
        *_head_columns(),
        ImportColumn(
            "申请类别",
            "standing",
            required=True,
            help="低保、特困供养（分散）或特困供养（集中），也可写作 分散特困、集中特困",
            aliases=("申请救助类别", "申请事项"),
        ),
        ImportColumn("申请理由", "reason", required=True, help="最多 300 字", aliases=("理由", "申请原因")),
        ImportColumn(
            "申请日期",
            "applied_on",
            required=True,
            help="如 2022-01-03。导入只登记已收下的纸质申请（“申请”这一步）；受理、入户调查、公示、审批请在申请页面逐步办理",
            aliases=("申请时间",),
        ),
    ]
    example = {
        HEAD_COLUMN: EXAMPLE_HEAD_NUMBER,
        HEAD_TYPE_COLUMN: "居民身份证",
        "申请类别": "低保",
        "申请理由": "家庭成员患病，收入低于低保标准（示例）",
        "申请日期": "2022-01-03",
    }
    allowed_values = {HEAD_TYPE_COLUMN: list(ID_TYPE_BY_LABEL), "申请类别": APPLICATION_STANDING_LABELS}

    def row_key(self, row: dict[str, str]) -> str | None:
        head = _head_number(row)
        if not head:
            return None
        standing_text = _compact(row.get("申请类别", ""))
        parts = (
            APPLICATION_STANDING_BY_LABEL.get(standing_text, standing_text),
            _compact(row.get("申请日期", "")),
        )
        return "|".join((head, *parts))

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        household = _head_household(actor, row, errors, on_page="点“申请低保/特困”")
        standing_text = _compact(row.get("申请类别", ""))
        standing = APPLICATION_STANDING_BY_LABEL.get(standing_text)
        if standing is None:
            errors["standing"] = [f"申请类别“{standing_text}”应为：" + "、".join(APPLICATION_STANDING_LABELS)]
        applied_on = _optional_day(row, "申请日期", "applied_on", errors)
        if errors or household is None or standing is None or applied_on is None:
            raise _invalid(errors)
        if household.applications.filter(standing=standing, applied_on=applied_on).exists():
            return RowOutcome.UNCHANGED
        services.application_submit(
            actor=actor,
            household=household,
            data=services.ApplicationInput(
                standing=standing, reason=row.get("申请理由", ""), applied_on=applied_on
            ),
        )
        return RowOutcome.CREATED


register(ApplicationImporter())


# --- Income assessments (A8) ---------------------------------------------------------------------

# The exchange format's labels (see AREA_BY_LABEL): the model's own first, then the usual words.
INCOME_KIND_LABELS = {
    IncomeKind.WAGE: "工资性收入",
    IncomeKind.BUSINESS: "经营净收入",
    IncomeKind.PROPERTY: "财产净收入",
    IncomeKind.TRANSFER: "转移净收入",
}
INCOME_KIND_BY_LABEL: dict[str, str] = {
    **{label: kind for kind, label in INCOME_KIND_LABELS.items()},
    **dict.fromkeys(("工资", "工资收入", "务工收入"), IncomeKind.WAGE),
    **dict.fromkeys(("经营收入", "经营性收入", "经营净收入"), IncomeKind.BUSINESS),
    **dict.fromkeys(("财产收入", "财产性收入"), IncomeKind.PROPERTY),
    **dict.fromkeys(("转移收入", "转移性收入"), IncomeKind.TRANSFER),
}
MAX_ISOLATION_DAYS = 31
# A line's fields in the service's errors (lines.0.person) → the field of its column here.
LINE_FIELDS = {"person": "member", "kind": "kind", "amount": "amount", "isolation_days": "isolation_days"}
GroupKey = tuple[str, str, str]


def _income(text: str) -> tuple[Decimal | None, str]:
    """A month's income as typed ("1800", "1,800元"); unlike a grant's amount, 0 is an income."""
    typed = text.strip()
    cleaned = _compact(typed).replace(",", "").replace("，", "").removesuffix("元")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        return None, f"金额“{typed}”应为金额，如 1800；没有收入的填 0"
    if not Decimal("0") <= value <= services.MAX_AMOUNT:
        return None, f"金额“{typed}”应为 0 至 {services.MAX_AMOUNT} 元"
    if value != value.quantize(CENT):
        return None, f"金额“{typed}”最多保留两位小数"
    return value, ""


def _isolation_days(text: str) -> tuple[int | None, str]:
    """Days isolated at home as typed ("14", "14天"), 0 to 31; a blank cell is 0."""
    typed = text.strip()
    cleaned = _compact(typed).removesuffix("天")
    if not cleaned:
        return 0, ""
    if cleaned.isascii() and cleaned.isdigit() and int(cleaned) <= MAX_ISOLATION_DAYS:
        return int(cleaned), ""
    return None, f"当月居家隔离天数“{typed}”应为 0–{MAX_ISOLATION_DAYS} 的整数，如 14"


@dataclass(frozen=True)
class _Line:
    """One row as an income line, with the row's number to name it by."""

    number: int
    line: services.IncomeLineInput


class AssessmentImporter:
    """Income assessments (收入核算) already worked out on paper, for households the clerk may write
    (MANAGE, as the household page's 收入核算 and its API). An assessment is several rows, one per
    member and kind of income: the rows of one household and month (`row_order`, which the runner
    keeps in one call of `import_rows`) are one `services.assessment_record`, which computes the
    低保 amount and its working as on the page.

    A group is all or nothing: one bad row refuses the whole group, every row of it reported. The
    same lines again (member, kind, amount, 外出务工, 隔离天数, in any order) are unchanged; an
    assessment of that month with other lines is never rewritten here: the page reassesses."""

    kind = "assistance-assessments"
    title = "收入核算"
    permission: str = AssistancePerm.MANAGE
    # The runner hands `import_rows` each row's number, for the messages naming a group's other rows.
    numbered_rows = True
    # Every column is checked here, not by the runner's "不能为空": a row the runner set aside would
    # leave the rest of its group to be assessed without it.
    columns = [
        *_head_columns(),
        ImportColumn(
            "核算月份",
            "month",
            help="必填。如 2022-01；同一户同一月份的各行合为一次核算",
            aliases=("月份", "收入月份"),
        ),
        ImportColumn(
            "成员姓名",
            "member",
            help="必填。该户当月家庭成员的姓名；同名的成员请在该户页面核算",
            aliases=("姓名", "成员"),
        ),
        ImportColumn(
            "收入类型",
            "kind",
            help="必填。每位成员每种收入一行",
            aliases=("收入类别", "收入项目"),
        ),
        ImportColumn(
            "金额",
            "amount",
            help="必填。元/月，如 1800；没有收入的填 0",
            aliases=("收入金额", "金额（元/月）", "月收入"),
        ),
        ImportColumn(
            "已外出务工或返岗复工",
            "back_at_work",
            help="是 或 否，不填为否；工资性收入可扣减就业成本",
            aliases=("外出务工或返岗复工", "是否外出务工或返岗复工"),
        ),
        ImportColumn(
            "当月居家隔离天数",
            "isolation_days",
            help=f"0–{MAX_ISOLATION_DAYS} 的整数，不填为 0",
            aliases=("居家隔离天数", "隔离天数"),
        ),
        ImportColumn("备注", "note", help="每户每月取第一行的备注，最多 200 字"),
    ]
    example = {
        HEAD_COLUMN: EXAMPLE_HEAD_NUMBER,
        HEAD_TYPE_COLUMN: "居民身份证",
        "核算月份": "2022-01",
        "成员姓名": "王小红（示例）",
        "收入类型": "工资性收入",
        "金额": "1800",
        "已外出务工或返岗复工": "是",
        "当月居家隔离天数": "0",
        "备注": "按村委会入户核实的收入（示例）",
    }
    allowed_values = {
        HEAD_TYPE_COLUMN: list(ID_TYPE_BY_LABEL),
        "收入类型": list(INCOME_KIND_LABELS.values()),
        "已外出务工或返岗复工": list(YES_NO),
    }

    def row_key(self, row: dict[str, str]) -> str | None:
        # No key: a repeated line is reported within its group (below), so that the runner never
        # sets a row aside and assesses its group without it.
        return None

    def row_order(self, row: dict[str, str]) -> tuple[GroupKey]:
        """One household's month together; the runner's sort is stable, so within the group the
        rows keep the file's order (its first row's 备注 is the assessment's)."""
        return (self._group(row),)

    @staticmethod
    def _group(row: dict[str, str]) -> GroupKey:
        type_text = row.get(HEAD_TYPE_COLUMN, "")
        month_text = _compact(row.get("核算月份", ""))
        month = _month(month_text)
        return (
            id_type_of(type_text) or _compact(type_text),
            _head_number(row),
            f"{month:%Y-%m}" if month is not None else month_text,
        )

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        """A row alone: an assessment of that one line. The runner calls this only when a chunk
        written by `import_rows` fails on the database's checks; `import_rows` never lets that
        happen (each group in its own savepoint, its failure reported on its rows), because a row
        of a group of several, assessed alone here, would be a wrong assessment."""
        (result,) = self.import_rows(actor=actor, rows=[row])
        if isinstance(result, DomainError):
            raise result
        return result

    def import_rows(
        self, *, actor: Any, rows: list[dict[str, str]], numbers: list[int] | None = None
    ) -> list[RowOutcome | DomainError]:
        numbers = numbers or list(range(1, len(rows) + 1))
        groups: dict[GroupKey, list[int]] = {}
        for index, row in enumerate(rows):
            groups.setdefault(self._group(row), []).append(index)
        results: list[RowOutcome | DomainError] = [RowOutcome.UNCHANGED] * len(rows)
        for indexes in groups.values():
            outcomes = self._import_group(actor, [rows[i] for i in indexes], [numbers[i] for i in indexes])
            for index, outcome in zip(indexes, outcomes, strict=True):
                results[index] = outcome
        return results

    def _import_group(
        self, actor: Any, rows: list[dict[str, str]], numbers: list[int]
    ) -> list[RowOutcome | DomainError]:
        shared: dict[str, list[str]] = {}
        household = _head_household(actor, rows[0], shared, on_page="点“收入核算”")
        month_text = rows[0].get("核算月份", "").strip()
        month = _month(month_text)
        if not month_text:
            shared["month"] = ["请填写核算月份，如 2022-01"]
        elif month is None:
            shared["month"] = [f"核算月份“{month_text}”格式应为 2022-01"]
        members = self._members(household, month) if household is not None and month is not None else None
        problems: list[dict[str, list[str]]] = []
        lines: list[_Line] = []
        seen: dict[tuple[int, str], int] = {}
        for row, number in zip(rows, numbers, strict=True):
            errors = dict(shared)
            line = self._line(row, members, errors)
            if line is not None:
                repeated = seen.setdefault((line.person.pk, line.kind), number)
                if repeated != number:
                    errors["kind"] = [
                        f"{line.person.name}的{INCOME_KIND_LABELS[IncomeKind(line.kind)]}与第 {repeated} 行重复；"
                        "同一成员同一类型的收入请合并为一行"
                    ]
                else:
                    lines.append(_Line(number, line))
            problems.append(errors)
        bad = [number for number, errors in zip(numbers, problems, strict=True) if errors]
        if bad or household is None or month is None:
            return self._refused(problems, bad)
        return self._record(actor, household, month, lines, note=rows[0].get("备注", ""))

    @staticmethod
    def _members(household: Household, month: dt.date) -> dict[str, list[Any]]:
        """The household's members of the month (as the service counts them), by name."""
        month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        by_name: dict[str, list[Any]] = {}
        for member in (
            household.members.filter(joined_on__lte=month_end)
            .exclude(left_on__lt=month)
            .select_related("person")
        ):
            by_name.setdefault(member.person.name, []).append(member.person)
        return by_name

    @staticmethod
    def _line(
        row: dict[str, str], members: dict[str, list[Any]] | None, errors: dict[str, list[str]]
    ) -> services.IncomeLineInput | None:
        """The row as an income line, or None with its problems in `errors`, column by column."""
        name = row.get("成员姓名", "").strip()
        person = None
        if not name:
            errors["member"] = ["请填写成员姓名"]
        elif members is not None:
            found = members.get(name, [])
            if not found:
                errors["member"] = [f"成员姓名“{name}”不是该户当月的家庭成员，请核对，或先在该户页面添加成员"]
            elif len(found) > 1:
                errors["member"] = [f"该户当月有 {len(found)} 名成员名为“{name}”，无法区分，请在该户页面核算"]
            else:
                person = found[0]
        kind_text = _compact(row.get("收入类型", ""))
        kind = INCOME_KIND_BY_LABEL.get(kind_text)
        if kind is None:
            errors["kind"] = [f"收入类型“{kind_text}”应为：" + "、".join(INCOME_KIND_LABELS.values())]
        amount_text = row.get("金额", "")
        amount, problem = (
            _income(amount_text) if amount_text.strip() else (None, "请填写金额，没有收入的填 0")
        )
        if amount is None:
            errors["amount"] = [problem]
        work_text = _compact(row.get("已外出务工或返岗复工", ""))
        back_at_work = YES_NO.get(work_text) if work_text else False
        if back_at_work is None:
            errors["back_at_work"] = [f"已外出务工或返岗复工“{work_text}”应为：是、否"]
        days, problem = _isolation_days(row.get("当月居家隔离天数", ""))
        if days is None:
            errors["isolation_days"] = [problem]
        if errors or person is None or kind is None or amount is None or back_at_work is None or days is None:
            return None
        return services.IncomeLineInput(
            person=person, kind=kind, amount=amount, back_at_work=back_at_work, isolation_days=days
        )

    @staticmethod
    def _refused(problems: list[dict[str, list[str]]], bad: list[int]) -> list[RowOutcome | DomainError]:
        """Each bad row with its own problems; each good row refused with its group."""
        others = "本户本月的其他行有误，整组未导入（第 " + "、".join(map(str, bad)) + " 行）"
        return [
            _invalid(errors) if errors else DomainError(others, code="group_refused") for errors in problems
        ]

    def _record(
        self, actor: Any, household: Household, month: dt.date, lines: list[_Line], *, note: str
    ) -> list[RowOutcome | DomainError]:
        wanted = Counter(self._line_key(line.line.person.pk, line.line) for line in lines)
        present = list(household.assessments.filter(month=month).prefetch_related("lines"))
        if any(Counter(self._line_key(x.person_id, x) for x in a.lines.all()) == wanted for a in present):
            return [RowOutcome.UNCHANGED] * len(lines)
        if present:
            refusal = f"该户 {month:%Y-%m} 已有核算，已核算的不会被改写；如需重新核算请在该户页面进行"
            return [_invalid({"month": [refusal]}) for _ in lines]
        try:
            with transaction.atomic():
                services.assessment_record(
                    actor=actor, household=household, month=month, lines=[x.line for x in lines], note=note
                )
        except DomainError as error:
            return self._service_refusal(error, len(lines))
        except IntegrityError:
            # Not handed back to the runner, whose fallback would assess each row alone (see import_row).
            message = "该户本月的核算未能写入（数据已被他人同时修改），请重新导入"
            return [DomainError(message, code="write_conflict") for _ in lines]
        return [RowOutcome.CREATED] * len(lines)

    @staticmethod
    def _line_key(person_id: int, line: Any) -> tuple[int, str, Decimal, bool, int]:
        return (person_id, line.kind, line.amount, line.back_at_work, line.isolation_days)

    @staticmethod
    def _service_refusal(error: DomainError, count: int) -> list[RowOutcome | DomainError]:
        """The service's refusal on every row of the group: a line's own problem on its row and
        column, the rest (the month, the household) on every row."""
        shared = {k: v for k, v in error.field_errors.items() if not k.startswith("lines.")}
        results: list[RowOutcome | DomainError] = []
        for index in range(count):
            own = dict(shared)
            for key, messages in error.field_errors.items():
                parts = key.split(".")
                if len(parts) == 3 and parts[1] == str(index):
                    own[LINE_FIELDS.get(parts[2], parts[2])] = messages
            results.append(_invalid(own) if own else DomainError(error.message, code=error.code))
        return results


register(AssessmentImporter())
