"""Households in difficulty through the import mechanism (X4 × A2).

The rosters (花名册) the villages already keep name the head, their document if any, the village or
community (by code or by name, as the person register's import), urban or rural, the standing.
Each row is one `services.household_open`: a head already in the register is linked when the
clerk may see them (a head who already heads a household of that village is the same row again:
unchanged), a head without a number is registered by name, as on the page.
"""

from typing import Any

from shouhu.assistance import selectors, services
from shouhu.assistance.models import AffectedReason, AreaType, Relation, Standing
from shouhu.assistance.permissions import AssistancePerm
from shouhu.common import bounds
from shouhu.common.errors import DomainError
from shouhu.common.importing import ImportColumn, RowOutcome, register
from shouhu.people.importers import ID_TYPE_BY_LABEL, id_type_of, unit_lookup
from shouhu.people.services import person_find_by_document

DATE_PATTERNS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日")
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
