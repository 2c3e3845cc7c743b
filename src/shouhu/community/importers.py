"""The roster of the prevention organisation through the import mechanism (G2 × X4).

One row per person and role: 村（社区）(code or name, within the importing user's own units),
姓名, 身份证号, 角色, 职务, 小区/网格, 联系电话, 两委负责人. The person is found in the register by ID
number (or registered in the village), exactly as when added on the village's page; a row
already on the roster (same village, person and role) is unchanged, so a file imports twice.
"""

from typing import Any

from shouhu.common.errors import DomainError
from shouhu.common.importing import ImportColumn, RowOutcome, register
from shouhu.community import selectors, services
from shouhu.community.models import RosterMember, RosterRole
from shouhu.community.permissions import CommunityPerm
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.models import IdType
from shouhu.people.services import person_find_by_document

ROLE_SYNONYMS = {
    "党组织书记": RosterRole.PARTY_ORG,
    "党支部": RosterRole.PARTY_ORG,
    "村委会": RosterRole.COMMITTEE,
    "居委会": RosterRole.COMMITTEE,
    "村（居）委会成员": RosterRole.COMMITTEE,
    "村医": RosterRole.CLINIC,
    "楼栋长": RosterRole.BUILDING_HEAD,
    "户组长": RosterRole.HOUSEHOLD_GROUP_HEAD,
    "十户长": RosterRole.HOUSEHOLD_GROUP_HEAD,
    "卫生室": RosterRole.CLINIC,
    "社区卫生服务站": RosterRole.CLINIC,
    "户长": RosterRole.HOUSEHOLD_GROUP_HEAD,
    "社工": RosterRole.COMMUNITY_WORKER,
}
YES = {"是", "√", "Y", "y", "1", "负责"}


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid_row", field_errors={field: [message]})


def parse_role(text: str) -> str:
    text = text.strip()
    for role in RosterRole:
        if text in (role.value, str(role.label)):
            return role.value
    if text in ROLE_SYNONYMS:
        return ROLE_SYNONYMS[text].value
    labels = "、".join(str(r.label) for r in RosterRole)
    raise _invalid("role", f"角色“{text}”无效，应为：{labels}")


def _village(actor: Any, text: str) -> OrgUnit:
    text = text.strip()
    villages = OrgUnit.objects.filter(selectors.own_subtree(actor, field=""), kind=UnitKind.VILLAGE)
    found = villages.filter(code=text).first() or None
    if found is None:
        named = list(villages.filter(name=text)[:2])
        if len(named) > 1:
            raise _invalid("village", f"有多个名为“{text}”的村（社区），请填写单位编码")
        found = named[0] if named else None
    if found is None:
        raise _invalid("village", f"未找到村（社区）“{text}”，或不在您的管辖范围内")
    return found


class RosterImporter:
    kind = "community_roster"
    title = "村（社区）防控组织名单"
    permission: str = CommunityPerm.MANAGE
    columns = [
        ImportColumn(
            "村（社区）", "village", required=True, help="单位编码或名称", aliases=("村社区", "所属单位")
        ),
        ImportColumn("姓名", "name", required=True),
        ImportColumn(
            "身份证号", "id_number", help="已登记的人员按身份证号关联", aliases=("身份证号码", "证件号码")
        ),
        ImportColumn(
            "角色", "role", required=True, help="党组织、村（居）委会、网格长、楼长、联户长、志愿者等"
        ),
        ImportColumn("职务", "title"),
        ImportColumn("小区/网格", "estate", aliases=("负责区域",)),
        ImportColumn("联系电话", "phone", required=True, aliases=("手机号", "电话")),
        ImportColumn("两委负责人", "is_responsible", help="是 / 否"),
    ]
    example = {
        "村（社区）": "东山第一社区",
        "姓名": "张三（示例）",
        "身份证号": "11010519491231002X",
        "角色": "网格长",
        "职务": "第一网格网格长",
        "小区/网格": "第一网格",
        "联系电话": "13800000000",
        "两委负责人": "否",
    }
    allowed_values = {"角色": [str(r.label) for r in RosterRole], "两委负责人": ["是", "否"]}

    def row_key(self, row: dict[str, str]) -> str | None:
        number = row.get("身份证号", "").strip().upper()
        name = row.get("姓名", "").strip()
        return f"{row.get('村（社区）', '').strip()}:{number or name}:{row.get('角色', '').strip()}"

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        village = _village(actor, row.get("村（社区）", ""))
        role = parse_role(row.get("角色", ""))
        number = row.get("身份证号", "").strip()
        found = person_find_by_document(id_type=IdType.RESIDENT_ID, id_number=number) if number else None
        if (
            found is not None
            and RosterMember.objects.filter(village=village, person=found, role=role).exists()
        ):
            return RowOutcome.UNCHANGED
        services.roster_add(
            actor=actor,
            village=village,
            data=services.RosterInput(
                role=role,
                phone=row.get("联系电话", ""),
                name=row.get("姓名", ""),
                id_number=number,
                title=row.get("职务", ""),
                estate=row.get("小区/网格", ""),
                is_responsible=row.get("两委负责人", "").strip() in YES,
            ),
        )
        return RowOutcome.CREATED


register(RosterImporter())
