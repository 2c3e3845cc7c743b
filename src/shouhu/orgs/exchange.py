"""The org tree to and from xlsx/CSV, so a bureau can load its real townships and villages."""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse

from shouhu.accounts.models import User
from shouhu.accounts.scope import unit_scope
from shouhu.common.errors import DomainError
from shouhu.common.exports import attachment_header, safe_cell, xlsx_response
from shouhu.common.tabular import Table
from shouhu.common.tabular import read_table as read_any_table
from shouhu.orgs import services
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind, UnitStatus

HEADERS = ["上级编码", "编码", "名称", "层级类型", "机构类别", "地址", "联系人", "联系电话", "状态"]
REQUIRED = ["上级编码", "编码", "名称", "层级类型"]
KIND_BY_LABEL = {label: value for value, label in UnitKind.choices}
TYPE_BY_LABEL = {label: value for value, label in InstitutionType.choices}
STATUS_BY_LABEL = {label: value for value, label in UnitStatus.choices}


def read_table(filename: str, data: bytes) -> Table:
    return read_any_table(filename, data, required_headers=REQUIRED)


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    dry_run: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    flagged: list[RowError] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


@dataclass
class _Row:
    number: int
    parent_code: str
    code: str
    fields: dict


def _parse(table: Table, report: ImportReport) -> list[_Row]:
    parsed: list[_Row] = []
    seen: dict[str, int] = {}
    for number, row in table.numbered():
        errors_before = len(report.errors)

        def fail(column: str, message: str, number: int = number) -> None:
            report.errors.append(RowError(number, column, message))

        for column in REQUIRED[1:]:
            if not row.get(column):
                fail(column, "不能为空")
        kind = KIND_BY_LABEL.get(row.get("层级类型", ""))
        if row.get("层级类型") and kind is None:
            fail("层级类型", f"未知的层级类型“{row['层级类型']}”，可选：" + "、".join(KIND_BY_LABEL))
        institution_type = ""
        if row.get("机构类别"):
            institution_type = TYPE_BY_LABEL.get(row["机构类别"], "")
            if not institution_type:
                fail("机构类别", f"未知的机构类别“{row['机构类别']}”")
        if kind == UnitKind.INSTITUTION and not row.get("机构类别"):
            fail("机构类别", "服务机构必须填写机构类别")
        status = STATUS_BY_LABEL.get(row.get("状态") or UnitStatus.ACTIVE.label)
        if status is None:
            fail("状态", f"未知的状态“{row['状态']}”")
        code = row.get("编码", "")
        if code in seen:
            fail("编码", f"编码与第 {seen[code]} 行重复")
        elif code:
            seen[code] = number
        for (repair_row, column), repair in table.repairs.items():
            if repair_row == number and repair.repaired is None:
                fail(column, "疑似乱码（GBK 被误读），无法确定原文，请检查文件编码")
            elif repair_row == number:
                report.flagged.append(
                    RowError(number, column, f"已修复乱码：{repair.original} → {repair.repaired}")
                )
        if len(report.errors) == errors_before:
            parsed.append(
                _Row(
                    number,
                    row.get("上级编码", ""),
                    code,
                    {
                        "name": row["名称"],
                        "kind": kind,
                        "institution_type": institution_type if kind == UnitKind.INSTITUTION else "",
                        "address": row.get("地址", ""),
                        "contact_person": row.get("联系人", ""),
                        "contact_phone": row.get("联系电话", ""),
                        "status": status,
                    },
                )
            )
    return parsed


def _comparable(unit: OrgUnit) -> dict:
    return {
        "name": unit.name,
        "kind": unit.kind,
        "institution_type": unit.institution_type,
        "address": unit.address,
        "contact_person": unit.contact_person,
        "contact_phone": unit.contact_phone,
        "status": unit.status,
    }


def tree_import(*, actor: User, rows: Table, dry_run: bool, import_valid_rows: bool = False) -> ImportReport:
    """Validate every row first; write nothing if any row is wrong unless told to skip them.

    Re-importing the same file changes nothing: rows are matched by code.
    """
    report = ImportReport(dry_run=dry_run, total=len(rows.rows))
    parsed = _parse(rows, report)
    visible = OrgUnit.objects.filter(unit_scope(actor, field=""))
    with transaction.atomic():
        existing = {
            u.code: u
            for u in OrgUnit.objects.filter(
                code__in=[r.code for r in parsed] + [r.parent_code for r in parsed]
            )
        }
        visible_codes = set(visible.filter(code__in=list(existing)).values_list("code", flat=True))
        pending = list(parsed)
        # How many pending rows carry each code: "is my parent still to come?" in constant time
        # (a scan of the pending rows for each row made a large file quadratic).
        waiting = Counter(r.code for r in pending)
        placed: set[str] = set()
        progress = True
        while pending and progress:
            progress = False
            still_pending = []
            for row in pending:
                parent = existing.get(row.parent_code)
                if (
                    parent is None
                    and row.parent_code
                    and waiting[row.parent_code] > (1 if row.parent_code == row.code else 0)
                ):
                    still_pending.append(row)
                    continue  # its parent is a later row of the file
                waiting[row.code] -= 1
                progress = True
                if parent is None:
                    report.errors.append(
                        RowError(row.number, "上级编码", f"上级单位“{row.parent_code or '（空）'}”不存在")
                    )
                    continue
                if parent.code not in visible_codes and parent.code not in placed:
                    report.errors.append(RowError(row.number, "上级编码", "上级单位不在您的管辖范围内"))
                    continue
                current = existing.get(row.code)
                if current is not None:
                    if current.code not in visible_codes and current.code not in placed:
                        report.errors.append(RowError(row.number, "编码", "编码已被管辖范围外的单位使用"))
                        continue
                    if OrgUnit.objects.get_parent(current) != parent:
                        report.errors.append(
                            RowError(row.number, "上级编码", "该编码的单位已在其他上级单位之下")
                        )
                        continue
                    changes = {
                        k: v for k, v in row.fields.items() if k != "kind" and _comparable(current)[k] != v
                    }
                    if row.fields["kind"] != current.kind:
                        report.errors.append(
                            RowError(row.number, "层级类型", "不能通过导入改变已有单位的层级类型")
                        )
                        continue
                    if not changes:
                        report.unchanged += 1
                        continue
                    try:
                        with transaction.atomic():
                            services.unit_update(actor=actor, unit=current, **changes)
                    except DomainError as error:
                        report.errors.append(RowError(row.number, "", error.message))
                        continue
                    report.updated += 1
                    continue
                try:
                    with transaction.atomic():
                        unit = services.unit_create(
                            actor=actor,
                            parent=parent,
                            code=row.code,
                            **{k: v for k, v in row.fields.items() if k != "status"},
                        )
                        if row.fields["status"] != UnitStatus.ACTIVE:
                            services.unit_update(actor=actor, unit=unit, status=row.fields["status"])
                except DomainError as error:
                    column = next(iter(error.field_errors), "")
                    report.errors.append(
                        RowError(
                            row.number,
                            {"kind": "层级类型", "code": "编码", "name": "名称"}.get(column, column),
                            error.message,
                        )
                    )
                    continue
                existing[unit.code] = unit
                placed.add(unit.code)
                report.created += 1
            pending = still_pending
        for row in pending:
            report.errors.append(RowError(row.number, "上级编码", "上级单位所在行有错误或形成循环"))
        report.errors.sort(key=lambda e: (e.row, e.column))
        if dry_run or (report.errors and not import_valid_rows):
            transaction.set_rollback(True)
    return report


def _export_rows(units: QuerySet[OrgUnit]) -> list[list[str]]:
    parents = {}
    unit_list = list(units.order_by("path"))
    parent_paths = {u.path[: -u.steplen] for u in unit_list if u.depth > 1}
    for parent in OrgUnit.objects.filter(path__in=parent_paths).only("path", "code"):
        parents[parent.path] = parent.code
    return [
        [
            parents.get(u.path[: -u.steplen], ""),
            u.code,
            u.name,
            UnitKind(u.kind).label,
            InstitutionType(u.institution_type).label if u.institution_type else "",
            u.address,
            u.contact_person,
            u.contact_phone,
            UnitStatus(u.status).label,
        ]
        for u in unit_list
    ]


def tree_export_response(*, units: QuerySet[OrgUnit], fmt: str) -> HttpResponse:
    rows = _export_rows(units)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADERS)
        writer.writerows([[safe_cell(v) for v in r] for r in rows])
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = attachment_header("组织机构.csv")
        return response
    columns = [(header, lambda r, i=i: r[i]) for i, header in enumerate(HEADERS)]
    return xlsx_response(filename="组织机构.xlsx", sheet_title="组织机构", columns=columns, rows=rows)


def tree_template_response() -> HttpResponse:
    example = [["232718", "232718999", "示例街道", "乡镇（街道）", "", "", "", "", "正常"]]
    columns = [(header, lambda r, i=i: r[i]) for i, header in enumerate(HEADERS)]
    return xlsx_response(
        filename="组织机构导入模板.xlsx", sheet_title="组织机构", columns=columns, rows=example
    )
