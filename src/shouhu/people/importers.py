"""The person register through the import mechanism (姓名, 身份证号, 手机号, …)."""

import datetime as dt
from typing import Any

from shouhu.common import bounds
from shouhu.common.errors import DomainError
from shouhu.common.importing import ImportColumn, RowOutcome, register
from shouhu.orgs.models import OrgUnit
from shouhu.orgs.selectors import units_by_code
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
        ImportColumn("证件类型", "id_type", help="默认为居民身份证；可填：" + "、".join(ID_TYPE_BY_LABEL)),
        ImportColumn("身份证号", "id_number", help="或其他证件号码"),
        ImportColumn("性别", "gender", help="男/女，可不填（按身份证号）"),
        ImportColumn("出生日期", "birth_date", help="如 1950-03-08，可不填（按身份证号）"),
        ImportColumn("手机号", "phone"),
        ImportColumn("现住址", "address"),
        ImportColumn("户籍地", "household_registration"),
        ImportColumn("所属单位编码", "home_unit", required=True, help="见组织机构列表的编码"),
        ImportColumn("人员类别", "categories", help="多个用顿号分隔：" + "、".join(CATEGORY_BY_LABEL)),
    ]

    def row_key(self, row: dict[str, str]) -> str | None:
        number = row.get("身份证号", "").strip().replace(" ", "").upper()
        if not number:
            return None
        return f"{row.get('证件类型', '').strip() or RESIDENT_ID_LABEL}:{number}"

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        code = row.get("所属单位编码", "").strip()
        units = units_by_code(viewer=actor, codes=[code])
        registration = person_register(actor=actor, update_existing=True, data=self._input(row, units))
        return _outcome(registration)

    def import_rows(self, *, actor: Any, rows: list[dict[str, str]]) -> list[RowOutcome | DomainError]:
        """The rows of a chunk: units looked up once, the people written in bulk."""
        codes = {row.get("所属单位编码", "").strip() for row in rows}
        units = units_by_code(viewer=actor, codes=codes)
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

    def _input(self, row: dict[str, str], units: dict[str, OrgUnit]) -> PersonInput:
        """The row as the service's input; raise a DomainError naming every bad column."""
        errors: dict[str, list[str]] = {}
        id_type_label = row.get("证件类型", "").strip() or RESIDENT_ID_LABEL
        id_type = ID_TYPE_BY_LABEL.get(id_type_label)
        if id_type is None:
            errors["id_type"] = [f"未知的证件类型“{id_type_label}”"]
        gender_label = row.get("性别", "").strip()
        gender = GENDER_BY_LABEL.get(gender_label, "") if gender_label else ""
        if gender_label and not gender:
            errors["gender"] = ["性别只能填男或女"]
        labels = [
            c.strip()
            for c in row.get("人员类别", "").replace(",", "、").replace("，", "、").split("、")
            if c.strip()
        ]
        unknown = [label for label in labels if label not in CATEGORY_BY_LABEL]
        if unknown:
            errors["categories"] = ["未知的人员类别：" + "、".join(unknown)]
        code = row.get("所属单位编码", "").strip()
        unit = units.get(code)
        if unit is None:
            errors["home_unit"] = [f"单位编码“{code}”不存在或不在您的管辖范围内"]
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
            categories=[CATEGORY_BY_LABEL[label] for label in labels],
        )


def _outcome(registration: Registration) -> RowOutcome:
    if registration.created:
        return RowOutcome.CREATED
    return RowOutcome.UPDATED if registration.changed else RowOutcome.UNCHANGED


def _registration_outcome(result: Registration | DomainError) -> RowOutcome | DomainError:
    return result if isinstance(result, DomainError) else _outcome(result)


register(PersonImporter())
