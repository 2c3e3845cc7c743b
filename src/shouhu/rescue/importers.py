"""People rescued imported from a station's own register (X4 × R2).

Each row is one person taken in: the station (code or name, among the stations the clerk may
record at), what is known (name, gender, age, description, where found) and the admission day.
Every row goes through `services.rescued_admit`, which numbers it; every bad row is reported with
its reason (the shared runner: all or nothing unless the clerk imports the valid rows). A
station outside the clerk's subtree and one that does not exist get the same answer.
"""

import datetime as dt
from typing import Any

from django.db.models import Q

from shouhu.common import clock
from shouhu.common.bounds import parse_typed_day
from shouhu.common.errors import DomainError
from shouhu.common.importing import DATE_PATTERNS, ImportColumn, RowOutcome, register
from shouhu.orgs.models import OrgUnit
from shouhu.rescue import selectors, services
from shouhu.rescue.models import Gender
from shouhu.rescue.permissions import RescuePerm

STATION = "救助管理机构"
NAME = "姓名"
GENDER = "性别"
AGE = "大致年龄"
DESCRIPTION = "体貌特征"
PLACE = "发现地点"
ADMITTED = "入站日期"
NOTE = "备注"
MAX_AGE = 120  # not a policy threshold: the oldest plausible age
NOON = dt.time(12, 0)  # not a policy threshold: a day without its hour is taken in at midday

GENDERS = {
    "男": Gender.MALE,
    "女": Gender.FEMALE,
    "不详": Gender.UNKNOWN,
    "未知": Gender.UNKNOWN,
    "": Gender.UNKNOWN,
}


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid_row", field_errors={field: [message]})


def _station(actor: Any, text: str) -> OrgUnit:
    typed = text.strip()
    found = (
        selectors.station_writable(viewer=actor).filter(Q(code=typed) | Q(name=typed)).first()
        if typed
        else None
    )
    if found is None:
        raise _invalid("station", f"未找到救助管理机构“{typed}”，或不在您的管辖范围内")
    return found


class RescuedImporter:
    kind = "rescue_rescued"
    title = "受助人员"
    permission: str = RescuePerm.RECORD
    columns = [
        ImportColumn(
            STATION, "station", required=True, help="单位编码或名称", aliases=("救助站", "救助管理站")
        ),
        ImportColumn(NAME, "name", help="不知道姓名的留空，填写体貌特征", aliases=("自报姓名",)),
        ImportColumn(GENDER, "gender", help="男 / 女 / 不详"),
        ImportColumn(AGE, "approx_age", aliases=("年龄",)),
        ImportColumn(DESCRIPTION, "description", help="无姓名时必填", aliases=("人员情况", "外貌特征")),
        ImportColumn(PLACE, "found_place", aliases=("求助地点",)),
        ImportColumn(ADMITTED, "admitted_at", required=True, help="如 2022-01-05", aliases=("入站时间",)),
        ImportColumn(NOTE, "note"),
    ]
    example = {
        STATION: "加格达奇区救助管理站",
        NAME: "",
        GENDER: "男",
        AGE: "50",
        DESCRIPTION: "男，约50岁，灰色棉袄（示例）",
        PLACE: "火车站候车室",
        ADMITTED: "2022-01-05",
        NOTE: "",
    }
    allowed_values = {GENDER: ["男", "女", "不详"]}

    def row_key(self, row: dict[str, str]) -> str | None:
        return None  # nameless people cannot be told apart by a key: every row is a person taken in

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        station = None
        try:
            station = _station(actor, row.get(STATION, ""))
        except DomainError as error:
            errors.update(error.field_errors)
        gender = GENDERS.get(row.get(GENDER, "").strip())
        if gender is None:
            errors["gender"] = ["性别可填：男、女、不详"]
        age_text = row.get(AGE, "").strip()
        age = None
        if age_text:
            age = int(age_text) if age_text.isdigit() and int(age_text) <= MAX_AGE else None
            if age is None:
                errors["approx_age"] = ["年龄应为 0–120 的整数"]
        day = parse_typed_day(row.get(ADMITTED, ""), DATE_PATTERNS)
        if day is None:
            errors["admitted_at"] = ["入站日期应为日期，如 2022-01-05"]
        elif day > clock.today():
            errors["admitted_at"] = ["入站日期不能晚于今天"]
        if errors or station is None or day is None or gender is None:
            raise DomainError(
                "；".join(m for ms in errors.values() for m in ms), code="invalid_row", field_errors=errors
            )
        moment = min(dt.datetime.combine(day, NOON, tzinfo=clock.local_zone()), clock.now())
        services.rescued_admit(
            actor=actor,
            station=station,
            data=services.RescuedInput(
                name=row.get(NAME, ""),
                gender=gender,
                approx_age=age,
                description=row.get(DESCRIPTION, ""),
                found_place=row.get(PLACE, ""),
                admitted_at=moment,
                note=row.get(NOTE, ""),
            ),
        )
        return RowOutcome.CREATED


register(RescuedImporter())
