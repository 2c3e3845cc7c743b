"""The person register through the import mechanism (姓名, 身份证号, 手机号, …)."""

import datetime as dt
import re
from collections.abc import Collection
from typing import Any

from django.utils.translation import gettext as _

from shouhu.common import bounds
from shouhu.common.errors import DomainError
from shouhu.common.importing import ImportColumn, RowOutcome, register
from shouhu.orgs.models import OrgUnit
from shouhu.orgs.selectors import unit_visible, units_by_code
from shouhu.people.models import Category, Gender, IdType
from shouhu.people.permissions import PeoplePerm
from shouhu.people.services import PersonInput, Registration, person_register, person_register_many

# The exchange format's labels are Chinese, whatever language the importing clerk reads (the
# models' labels translate on screen). A test keeps these maps covering every choice.
ID_TYPE_BY_LABEL = {
    "居民身份证": IdType.RESIDENT_ID,
    "港澳居民来往内地通行证": IdType.HK_MACAO_PERMIT,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT,
    "护照": IdType.PASSPORT,
    "外国人永久居留身份证": IdType.FOREIGN_PERMANENT,
}
RESIDENT_ID_LABEL = "居民身份证"
GENDER_BY_LABEL = {"男": Gender.MALE, "女": Gender.FEMALE, "未知": Gender.UNKNOWN}
CATEGORY_BY_LABEL = {
    "工作人员": Category.STAFF,
    "养老机构入住老人": Category.NURSING_HOME_RESIDENT,
    "低保对象": Category.DIBAO,
    "特困人员": Category.TEKUN,
    "低收入人员": Category.LOW_INCOME,
    "受助人员": Category.RESCUED,
    "其他服务对象": Category.SERVICE_OBJECT,
}
# The other spellings the registers people keep use (台账: "身份证", "低保户", "男性"). The maps
# above stay one label per choice (the template lists those); these are only read.
ID_TYPE_SYNONYMS = {
    "身份证": IdType.RESIDENT_ID,
    "居民身份证号": IdType.RESIDENT_ID,
    "身份证号": IdType.RESIDENT_ID,
    "二代身份证": IdType.RESIDENT_ID,
    "第二代居民身份证": IdType.RESIDENT_ID,
    "港澳通行证": IdType.HK_MACAO_PERMIT,
    "回乡证": IdType.HK_MACAO_PERMIT,
    "港澳居民来往内地通行证（回乡证）": IdType.HK_MACAO_PERMIT,
    "台胞证": IdType.TAIWAN_PERMIT,
    "台湾居民来往大陆通行证（台胞证）": IdType.TAIWAN_PERMIT,
    "外国护照": IdType.PASSPORT,
    "外国人永久居留证": IdType.FOREIGN_PERMANENT,
    "外国人永久居留身份证（永居证）": IdType.FOREIGN_PERMANENT,
    "永居证": IdType.FOREIGN_PERMANENT,
}
GENDER_SYNONYMS = {"男性": Gender.MALE, "女性": Gender.FEMALE, "不详": Gender.UNKNOWN}
CATEGORY_SYNONYMS = {
    "工作人员（职工）": Category.STAFF,
    "职工": Category.STAFF,
    "入住老人": Category.NURSING_HOME_RESIDENT,
    "养老机构老人": Category.NURSING_HOME_RESIDENT,
    "低保": Category.DIBAO,
    "低保户": Category.DIBAO,
    "低保人员": Category.DIBAO,
    "特困": Category.TEKUN,
    "特困供养人员": Category.TEKUN,
    "特困供养": Category.TEKUN,
    "五保户": Category.TEKUN,
    "低收入": Category.LOW_INCOME,
    "低收入人口": Category.LOW_INCOME,
    "受助": Category.RESCUED,
    "服务对象": Category.SERVICE_OBJECT,
}
_ID_TYPES: dict[str, str] = {**ID_TYPE_SYNONYMS, **ID_TYPE_BY_LABEL}
_GENDERS: dict[str, str] = {**GENDER_SYNONYMS, **GENDER_BY_LABEL}
_CATEGORIES: dict[str, str] = {**CATEGORY_SYNONYMS, **CATEGORY_BY_LABEL}
_WHITESPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
UNIT_COLUMN = "所属单位编码"


def _label(text: str) -> str:
    """A label as looked up: without whitespace ("居民 身份证")."""
    text = text.strip()
    return _WHITESPACE.sub("", text) if " " in text or "\u3000" in text else text


def _id_type_label(row: dict[str, str]) -> str:
    return _label(row.get("证件类型", "")) or RESIDENT_ID_LABEL


def id_type_of(text: str) -> str | None:
    """A document type as files write it ("身份证", "居民身份证", blank for the resident ID)."""
    return _ID_TYPES.get(_label(text) or RESIDENT_ID_LABEL)


def _parse_date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    day = bounds.parse_typed_day(text, ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S"))
    if day is None:
        message = f"日期格式应为 2022-01-05，且在 {bounds.EARLIEST_DAY} 至 {bounds.LATEST_DAY} 之间"
        raise DomainError(message, code="invalid", field_errors={"birth_date": [message]})
    return day


class PersonImporter:
    kind = "people"
    title = "人员"
    permission: str = PeoplePerm.IMPORT
    columns = [
        ImportColumn("姓名", "name", required=True),
        ImportColumn(
            "证件类型",
            "id_type",
            help="默认为居民身份证；可填：" + "、".join(ID_TYPE_BY_LABEL),
            aliases=("证件种类", "证件名称"),
        ),
        ImportColumn(
            "身份证号",
            "id_number",
            help="或其他证件号码",
            aliases=("身份证号码", "公民身份号码", "证件号码", "证件号", "身份证"),
        ),
        ImportColumn("性别", "gender", help="男/女，可不填（按身份证号）"),
        ImportColumn(
            "出生日期", "birth_date", help="如 1950-03-08，可不填（按身份证号）", aliases=("出生年月日",)
        ),
        ImportColumn("手机号", "phone", aliases=("手机号码", "联系电话", "电话", "联系方式")),
        ImportColumn("现住址", "address", aliases=("现居住地址", "居住地址", "家庭住址", "住址")),
        ImportColumn("户籍地", "household_registration", aliases=("户籍地址", "户籍所在地", "户口所在地")),
        ImportColumn(
            UNIT_COLUMN,
            "home_unit",
            required=True,
            help="见组织机构列表的编码；也可填单位名称（须在您的管辖范围内唯一）",
            aliases=("所属单位", "单位编码", "所在单位", "所属单位名称"),
        ),
        ImportColumn(
            "人员类别",
            "categories",
            help="多个用顿号分隔：" + "、".join(CATEGORY_BY_LABEL),
            aliases=("类别", "对象类别", "人员类型"),
        ),
    ]
    # The template's 填写说明: a fictitious person (GB 11643's own example number), never read.
    example = {
        "姓名": "王小红（示例）",
        "证件类型": RESIDENT_ID_LABEL,
        "身份证号": "11010519491231002X",
        "性别": "女",
        "出生日期": "1949-12-31",
        "手机号": "13800138000",
        "现住址": "××县××镇××村××号",
        "户籍地": "××省××县",
        UNIT_COLUMN: "232721000000",
        "人员类别": "低保对象、特困人员",
    }
    allowed_values = {
        "证件类型": list(ID_TYPE_BY_LABEL),
        "性别": list(GENDER_BY_LABEL),
        "人员类别": list(CATEGORY_BY_LABEL),
    }

    def row_key(self, row: dict[str, str]) -> str | None:
        number = row.get("身份证号", "").strip().replace(" ", "").upper()
        if not number:
            return None
        label = _id_type_label(row)
        return f"{_ID_TYPES.get(label, label)}:{number}"

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        units = unit_lookup(actor, [row.get(UNIT_COLUMN, "").strip()])
        registration = person_register(actor=actor, update_existing=True, data=self._input(row, units))
        return _outcome(registration)

    def import_rows(self, *, actor: Any, rows: list[dict[str, str]]) -> list[RowOutcome | DomainError]:
        """The rows of a chunk: units looked up once, the people written in bulk."""
        units = unit_lookup(actor, {row.get(UNIT_COLUMN, "").strip() for row in rows})
        results: list[RowOutcome | DomainError | None] = []
        inputs: list[PersonInput] = []
        for row in rows:
            try:
                inputs.append(self._input(row, units))
            except DomainError as error:
                results.append(error)
            else:
                results.append(None)
        registrations = iter(person_register_many(actor=actor, rows=inputs))
        return [
            result if result is not None else _registration_outcome(next(registrations)) for result in results
        ]

    def _input(self, row: dict[str, str], units: "UnitLookup") -> PersonInput:
        """The row as the service's input; raise a DomainError naming every bad column."""
        errors: dict[str, list[str]] = {}
        id_type_label = _id_type_label(row)
        id_type = _ID_TYPES.get(id_type_label)
        if id_type is None:
            errors["id_type"] = [
                _("未知的证件类型“%(value)s”；可填：%(allowed)s")
                % {"value": id_type_label, "allowed": "、".join(ID_TYPE_BY_LABEL)}
            ]
        gender_label = _label(row.get("性别", ""))
        gender = _GENDERS.get(gender_label, "") if gender_label else ""
        if gender_label and not gender:
            errors["gender"] = ["性别只能填男或女"]
        labels = [
            _label(c)
            for c in row.get("人员类别", "").replace(",", "、").replace("，", "、").split("、")
            if c.strip()
        ]
        unknown = [label for label in labels if label not in _CATEGORIES]
        if unknown:
            errors["categories"] = [
                _("未知的人员类别：%(values)s；可填：%(allowed)s")
                % {"values": "、".join(unknown), "allowed": "、".join(CATEGORY_BY_LABEL)}
            ]
        unit_text = row.get(UNIT_COLUMN, "").strip()
        unit = units.found.get(unit_text)
        if unit is None:
            errors["home_unit"] = [units.refusal(unit_text)]
        try:
            birth_date = _parse_date(row.get("出生日期", ""))
        except DomainError as error:
            errors.update(error.field_errors)
            birth_date = None
        if errors or unit is None or id_type is None:
            raise DomainError(
                "；".join(m for ms in errors.values() for m in ms), code="invalid_row", field_errors=errors
            )
        return PersonInput(
            name=row.get("姓名", ""),
            home_unit=unit,
            id_type=id_type,
            id_number=row.get("身份证号", ""),
            gender=gender,
            birth_date=birth_date,
            phone=row.get("手机号", ""),
            address=row.get("现住址", ""),
            household_registration=row.get("户籍地", ""),
            categories=list(dict.fromkeys(_CATEGORIES[label] for label in labels)),
        )


class UnitLookup:
    """The units a chunk's rows name, by code or by name, within the importing user's scope."""

    def __init__(self, found: dict[str, OrgUnit], ambiguous: dict[str, list[str]]) -> None:
        self.found = found  # a row's text → its unit
        self.ambiguous = ambiguous  # a name several units in the scope bear → their codes

    def refusal(self, text: str) -> str:
        codes = self.ambiguous.get(text)
        if codes:
            shown = "、".join(codes[:5]) + ("…" if len(codes) > 5 else "")
            return _("名为“%(name)s”的单位有 %(count)s 个（编码 %(codes)s），请改填单位编码") % {
                "name": text,
                "count": len(codes),
                "codes": shown,
            }
        if _CJK.search(text):
            return _("没有名为“%(name)s”的单位，或不在您的管辖范围内；请填写单位编码或完整的单位名称") % {
                "name": text
            }
        return f"单位编码“{text}”不存在或不在您的管辖范围内"


def unit_lookup(actor: Any, texts: Collection[str]) -> UnitLookup:
    """Each text as a code first (one query); those that are no code in the scope as a unit's
    name, which must be unique there (a second query, only when a row names a unit)."""
    found: dict[str, OrgUnit] = dict(units_by_code(viewer=actor, codes=texts))
    names = {text for text in texts if text and text not in found}
    ambiguous: dict[str, list[str]] = {}
    if names:
        by_name: dict[str, list[OrgUnit]] = {}
        for unit in unit_visible(viewer=actor).filter(name__in=names).order_by("path"):
            by_name.setdefault(unit.name, []).append(unit)
        for name, units in by_name.items():
            if len(units) == 1:
                found[name] = units[0]
            else:
                ambiguous[name] = [unit.code for unit in units]
    return UnitLookup(found, ambiguous)


def _outcome(registration: Registration) -> RowOutcome:
    if registration.created:
        return RowOutcome.CREATED
    return RowOutcome.UPDATED if registration.changed else RowOutcome.UNCHANGED


def _registration_outcome(result: Registration | DomainError) -> RowOutcome | DomainError:
    return result if isinstance(result, DomainError) else _outcome(result)


register(PersonImporter())
