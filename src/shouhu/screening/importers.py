"""Risk areas and isolation records through the import mechanism (X4).

Risk-area lists come from the health authorities as spreadsheets; a row already recorded (same
place, level and dates) is unchanged, so the same file can be imported twice. Isolation lists
name people by ID number: someone not yet in the person register is registered in the unit
named on the row, someone registered elsewhere is refused like someone unknown. A row with a
确诊日期 records a confirmed case, which the other modules learn as from the isolation page; the
same row imported again once the date is known marks the record already there.
"""

import datetime as dt
from typing import Any

from shouhu.common import bounds
from shouhu.common.errors import DomainError
from shouhu.common.importing import DATE_PATTERNS, ImportColumn, RowOutcome, register
from shouhu.orgs.models import OrgUnit
from shouhu.orgs.selectors import unit_visible
from shouhu.people.models import IdType
from shouhu.people.services import PersonInput, RegisteredElsewhere, person_find_by_document, person_register
from shouhu.screening import selectors
from shouhu.screening.models import IsolationKind, RecordSource, RiskLevel
from shouhu.screening.permissions import ScreeningPerm
from shouhu.screening.services import RiskAreaInput, isolation_record, risk_area_create

LEVEL_BY_LABEL = {
    "中风险": RiskLevel.MEDIUM,
    "中": RiskLevel.MEDIUM,
    "中风险地区": RiskLevel.MEDIUM,
    "高风险": RiskLevel.HIGH,
    "高": RiskLevel.HIGH,
    "高风险地区": RiskLevel.HIGH,
}
# The exchange format's labels: Chinese, whatever language the importing clerk reads.
KIND_BY_LABEL = {
    "集中隔离": IsolationKind.CENTRALISED,
    "居家隔离": IsolationKind.HOME,
    "居家健康监测": IsolationKind.HEALTH_MONITORING,
    "健康监测": IsolationKind.HEALTH_MONITORING,
}


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid_row", field_errors={field: [message]})


def parse_date(text: str, *, field: str, label: str) -> dt.date:
    text = text.strip()
    day = bounds.parse_typed_day(text, DATE_PATTERNS)
    if day is None:
        span = f"{bounds.EARLIEST_DAY} 至 {bounds.LATEST_DAY}"
        raise _invalid(field, f"{label}“{text}”格式应为 2022-01-05，且在 {span} 之间")
    return day


def _optional_date(text: str, *, field: str, label: str) -> dt.date | None:
    return parse_date(text, field=field, label=label) if text.strip() else None


class RiskAreaImporter:
    kind = "risk-areas"
    title = "中高风险地区"
    permission: str = ScreeningPerm.MANAGE_RISK_AREAS
    columns = [
        ImportColumn("风险等级", "level", required=True, help="中风险 或 高风险"),
        ImportColumn("省", "province", required=True, help="如 北京市、河北省（可写简称）"),
        ImportColumn("市", "city"),
        ImportColumn("县区", "county"),
        ImportColumn("乡镇街道", "township"),
        ImportColumn("村社区", "community", help="村、社区、小区或具体地点"),
        ImportColumn("行政区划代码", "admin_code", help="已知时填写，6、9 或 12 位"),
        ImportColumn("生效日期", "effective_from", required=True, help="如 2022-01-03"),
        ImportColumn("截止日期", "effective_to", help="仍在生效则不填"),
        ImportColumn("备注", "note"),
    ]

    def row_key(self, row: dict[str, str]) -> str | None:
        parts = [row.get(c.header, "").strip() for c in self.columns[1:8]]
        return "|".join(parts) if any(parts) else None

    def row_order(self, row: dict[str, str]) -> tuple[str]:
        """One area's rows together, in the file's order: a later period of an area is checked
        against its earlier one (overlap), also when a dry run checks the file in chunks."""
        return ("|".join(row.get(c.header, "").strip() for c in self.columns[1:7]),)

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        level = LEVEL_BY_LABEL.get(row.get("风险等级", "").strip())
        if level is None:
            errors["level"] = [f"风险等级“{row.get('风险等级', '').strip()}”应为中风险或高风险"]
        starts = ends = None
        try:
            starts = parse_date(row.get("生效日期", ""), field="effective_from", label="生效日期")
        except DomainError as error:
            errors.update(error.field_errors)
        try:
            ends = _optional_date(row.get("截止日期", ""), field="effective_to", label="截止日期")
        except DomainError as error:
            errors.update(error.field_errors)
        if errors or level is None or starts is None:
            raise DomainError(
                "；".join(m for ms in errors.values() for m in ms), code="invalid_row", field_errors=errors
            )
        recording = risk_area_create(
            actor=actor,
            source=RecordSource.IMPORT,
            data=RiskAreaInput(
                level=level,
                province=row.get("省", ""),
                city=row.get("市", ""),
                county=row.get("县区", ""),
                township=row.get("乡镇街道", ""),
                community=row.get("村社区", ""),
                admin_code=row.get("行政区划代码", ""),
                effective_from=starts,
                effective_to=ends,
                note=row.get("备注", ""),
            ),
        )
        return RowOutcome.CREATED if recording.created else RowOutcome.UNCHANGED


class IsolationImporter:
    kind = "isolations"
    title = "隔离人员"
    permission: str = ScreeningPerm.MANAGE_ISOLATION
    columns = [
        ImportColumn("姓名", "name", required=True),
        ImportColumn("身份证号", "id_number", required=True),
        ImportColumn("隔离类型", "kind", required=True, help="、".join(KIND_BY_LABEL)),
        ImportColumn("开始日期", "starts_on", required=True, help="如 2022-01-03"),
        ImportColumn("计划解除日期", "planned_end_on", help="不填则按政策参数的天数计算"),
        ImportColumn("实际解除日期", "actual_end_on", help="已解除时填写"),
        ImportColumn("确诊日期", "confirmed_on", help="确诊病例填写，如 2022-01-04；非确诊病例不填"),
        ImportColumn("信息来源", "source", required=True, help="如 卫健部门推送"),
        ImportColumn("手机号", "phone", help="登记新人员时使用"),
        ImportColumn("所属单位编码", "home_unit", help="此人尚未登记时必填"),
        ImportColumn("备注", "note"),
    ]

    def row_key(self, row: dict[str, str]) -> str | None:
        number = row.get("身份证号", "").strip().replace(" ", "").upper()
        if not number:
            return None
        return f"{number}:{row.get('隔离类型', '').strip()}:{row.get('开始日期', '').strip()}"

    def row_order(self, row: dict[str, str]) -> tuple[str]:
        """One person's rows together, in the file's order: the first may register the person
        and a later one is checked against the first (overlap), also when a dry run checks
        the file in chunks."""
        return (row.get("身份证号", "").strip().replace(" ", "").upper(),)

    def _person(self, *, actor: Any, row: dict[str, str]) -> Any:
        number = row.get("身份证号", "")
        name = row.get("姓名", "").strip()
        person = person_find_by_document(id_type=IdType.RESIDENT_ID, id_number=number)
        if person is not None:
            if not selectors.person_writable(viewer=actor).filter(pk=person.pk).exists():
                # The same words as the register's, and the region sees the attempt to resolve it.
                raise RegisteredElsewhere(person=person, unit=actor.unit, actor=actor)
            if person.name != name:
                raise _invalid("name", f"姓名与人员登记不符（登记为“{person.name}”）")
            return person
        code = row.get("所属单位编码", "").strip()
        if not code:
            raise _invalid("home_unit", "此人尚未在人员登记中登记，请填写所属单位编码")
        unit = unit_visible(viewer=actor).filter(code=code).first()
        writable = OrgUnit.objects.filter(selectors.own_subtree(actor, field=""))
        if unit is None or not writable.filter(pk=unit.pk).exists():
            raise _invalid("home_unit", f"单位编码“{code}”不存在或不在您的管辖范围内")
        return person_register(
            actor=actor,
            data=PersonInput(name=name, home_unit=unit, id_number=number, phone=row.get("手机号", "")),
        ).person

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        kind = KIND_BY_LABEL.get(row.get("隔离类型", "").strip())
        if kind is None:
            errors["kind"] = ["隔离类型应为：" + "、".join(KIND_BY_LABEL)]
        dates: dict[str, dt.date | None] = {}
        for header, field, required in (
            ("开始日期", "starts_on", True),
            ("计划解除日期", "planned_end_on", False),
            ("实际解除日期", "actual_end_on", False),
            ("确诊日期", "confirmed_on", False),
        ):
            try:
                text = row.get(header, "")
                dates[field] = (
                    parse_date(text, field=field, label=header)
                    if required
                    else _optional_date(text, field=field, label=header)
                )
            except DomainError as error:
                errors.update(error.field_errors)
        starts_on = dates.get("starts_on")
        if errors or kind is None or starts_on is None:
            raise DomainError(
                "；".join(m for ms in errors.values() for m in ms), code="invalid_row", field_errors=errors
            )
        person = self._person(actor=actor, row=row)
        recording = isolation_record(
            actor=actor,
            person=person,
            kind=kind,
            starts_on=starts_on,
            planned_end_on=dates.get("planned_end_on"),
            actual_end_on=dates.get("actual_end_on"),
            source=row.get("信息来源", ""),
            note=row.get("备注", ""),
            entered_via=RecordSource.IMPORT,
            confirmed_on=dates.get("confirmed_on"),
        )
        if recording.created:
            return RowOutcome.CREATED
        # The same isolation imported again with its 确诊日期 now filled in marks the record.
        return RowOutcome.UPDATED if recording.confirmed else RowOutcome.UNCHANGED


register(RiskAreaImporter())
register(IsolationImporter())
