"""Attendance lists (签到表) imported into one session (X4 × G5, R5).

The file names each attendee by name, document number and role. A person is found by the
number, among the people the clerk sees who are registered under the session's organising unit
(through the people app's selectors); a number nobody holds and one held outside that scope get
the same answer, so a file cannot test numbers outside the clerk's scope. Every bad row is
reported with its reason; the run is the shared one (`common.importing`), all or nothing unless
the clerk chooses to import the valid rows.

The importer belongs to one session, so it is made per session and run from the session's page
(not registered among the background imports, whose jobs know no session).
"""

from typing import Any

from shouhu.common.errors import DomainError
from shouhu.common.importing import ImportColumn, RowOutcome
from shouhu.training import selectors, services
from shouhu.training.models import Attendance, Audience, TrainingSession
from shouhu.training.permissions import TrainingPerm

NAME_COLUMN = "姓名"
NUMBER_COLUMN = "证件号码"
ROLE_COLUMN = "参训身份"
EXAMPLE_NUMBER = "11010519491231002X"  # GB 11643's own example: nobody's number

# The exchange format's labels: Chinese, whatever language the importing clerk reads. The first
# spelling of each role is the one the template lists.
ROLE_BY_LABEL: dict[str, str] = {
    "社区工作者": Audience.COMMUNITY_WORKER,
    "村（社区）工作者": Audience.COMMUNITY_WORKER,
    "村干部": Audience.COMMUNITY_WORKER,
    "楼长": Audience.BUILDING_HEAD,
    "楼栋长": Audience.BUILDING_HEAD,
    "单元长": Audience.BUILDING_HEAD,
    "网格长": Audience.GRID_HEAD,
    "网格员": Audience.GRID_HEAD,
    "联户长": Audience.HOUSEHOLD_GROUP_HEAD,
    "户组长": Audience.HOUSEHOLD_GROUP_HEAD,
    "十户长": Audience.HOUSEHOLD_GROUP_HEAD,
    "志愿者": Audience.VOLUNTEER,
    "工作人员": Audience.STAFF,
    "职工": Audience.STAFF,
}


def _compact(text: str) -> str:
    return "".join(text.split())


def role_of(text: str) -> str | None:
    typed = _compact(text)
    return ROLE_BY_LABEL.get(typed) or (typed if typed in Audience.values else None)


def _first_labels() -> list[str]:
    seen: dict[str, str] = {}
    for label, role in ROLE_BY_LABEL.items():
        seen.setdefault(role, label)
    return list(seen.values())


class AttendanceImporter:
    kind = "training-attendance"
    title = "参训名单"
    permission: str = TrainingPerm.MANAGE
    columns = [
        ImportColumn(NAME_COLUMN, "name", required=True, aliases=("参训人员", "参训人")),
        ImportColumn(
            NUMBER_COLUMN,
            "id_number",
            required=True,
            help="已在人员登记中登记的证件号码",
            aliases=("身份证号", "身份证号码", "公民身份号码"),
        ),
        ImportColumn(
            ROLE_COLUMN,
            "role",
            required=True,
            help="须是本次培训的培训对象之一",
            aliases=("身份", "人员类别"),
        ),
    ]
    example = {NAME_COLUMN: "张网格员（示例）", NUMBER_COLUMN: EXAMPLE_NUMBER, ROLE_COLUMN: "网格长"}
    allowed_values = {ROLE_COLUMN: _first_labels()}

    def __init__(self, session: TrainingSession) -> None:
        self.session = session

    def row_key(self, row: dict[str, str]) -> str | None:
        number = _compact(row.get(NUMBER_COLUMN, "")).upper()
        return number or None

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        name = _compact(row.get(NAME_COLUMN, ""))
        number = _compact(row.get(NUMBER_COLUMN, "")).upper()
        typed_role = row.get(ROLE_COLUMN, "").strip()
        role = role_of(typed_role)
        if role is None:
            errors["role"] = [f"参训身份“{typed_role}”无法识别，可填：{'、'.join(_first_labels())}"]
        elif role not in self.session.audience:
            errors["role"] = [
                f"本次培训的对象不含“{typed_role}”，可填：{'、'.join(self.session.audience_labels)}"
            ]
        person = selectors.attendee_by_document(viewer=actor, session=self.session, id_number=number)
        if person is None:
            errors["id_number"] = [
                "未找到该证件号码的人员，或其不在本单位及下级单位登记：请先在人员登记中登记"
            ]
        elif person.name != name:
            errors["name"] = ["姓名与该证件号码登记的姓名不符，请核对"]
        if errors or person is None or role is None:
            raise DomainError(
                "；".join(m for ms in errors.values() for m in ms), code="invalid_row", field_errors=errors
            )
        listed: Attendance | None = selectors.attendances_of(self.session).filter(person=person).first()
        if listed is not None:
            if listed.role == role:
                return RowOutcome.UNCHANGED
            raise DomainError(
                f"该人员已以“{listed.get_role_display()}”身份在参训名单中；如需更改，请在页面上移除后重新添加",
                code="invalid_row",
                field_errors={"role": [f"已以“{listed.get_role_display()}”身份在参训名单中"]},
            )
        services.attendance_add(actor=actor, session=self.session, person=person, role=role)
        return RowOutcome.CREATED
