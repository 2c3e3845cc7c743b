"""A gathering's participant list through the import mechanism (X4).

Organisers bring their list as a spreadsheet: name, ID number, phone, the nucleic-acid result and
its sampling time. The importer belongs to one gathering (`ParticipantImporter(gathering)`), so it
is not registered for the generic import page: the gathering's own import page runs it, checking
first and writing only when asked. A row naming an ID number already on the list updates that
participant — the same file imported again once the tests are in is how a list is brought up to
date. Every bad row is reported with its reason; the sampling time must name the hour, since a
date alone cannot be held against a window counted in hours.
"""

import datetime as dt
from typing import Any

from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.importing import ImportColumn, RowOutcome
from shouhu.gatherings import services
from shouhu.gatherings.models import Gathering, TestResult
from shouhu.gatherings.permissions import GatheringPerm

RESULT_BY_LABEL = {
    "阴性": TestResult.NEGATIVE,
    "阴": TestResult.NEGATIVE,
    "阳性": TestResult.POSITIVE,
    "阳": TestResult.POSITIVE,
    "未检测": TestResult.NONE,
    "未检": TestResult.NONE,
    "无": TestResult.NONE,
    "": TestResult.NONE,
}

MOMENT_PATTERNS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日 %H时%M分",
)

OUTCOMES = {"created": RowOutcome.CREATED, "updated": RowOutcome.UPDATED, "unchanged": RowOutcome.UNCHANGED}


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid_row", field_errors={field: [message]})


def parse_moment(text: str) -> dt.datetime:
    """A sampling time as typed or read from a cell, in local time; raises for anything else."""
    text = " ".join(text.split())
    for pattern in MOMENT_PATTERNS:
        try:
            moment = dt.datetime.strptime(text, pattern)  # noqa: DTZ007  made local just below
        except ValueError:
            continue
        return moment.replace(tzinfo=clock.local_zone())
    raise _invalid("sampled_at", f"采样时间“{text}”格式应为 2022-01-04 09:30（须写明几点几分）")


class ParticipantImporter:
    kind = "gathering-participants"
    title = "聚集性活动参加人员"
    permission: str = GatheringPerm.RECORD
    columns = [
        ImportColumn("姓名", "name", required=True),
        ImportColumn(
            "证件号码",
            "id_number",
            help="居民身份证或其他证件号码；已在名单中的按此更新",
            aliases=("身份证号码", "身份证号"),
        ),
        ImportColumn("联系电话", "phone", aliases=("手机号", "电话")),
        ImportColumn(
            "核酸检测结果", "test_result", help="阴性、阳性或未检测（不填视为未检测）", aliases=("检测结果",)
        ),
        ImportColumn(
            "采样时间", "sampled_at", help="如 2022-01-04 09:30；未检测不填", aliases=("采样日期时间",)
        ),
    ]
    example = {
        "姓名": "张示例",
        "证件号码": "232701199001011234",
        "联系电话": "13800000000",
        "核酸检测结果": "阴性",
        "采样时间": "2022-01-04 09:30",
    }
    allowed_values = {"核酸检测结果": ["阴性", "阳性", "未检测"]}

    def __init__(self, gathering: Gathering) -> None:
        self.gathering = gathering

    def row_key(self, row: dict[str, str]) -> str | None:
        return row.get("证件号码", "").strip() or None

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        errors: dict[str, list[str]] = {}
        label = row.get("核酸检测结果", "").strip()
        result = RESULT_BY_LABEL.get(label)
        if result is None:
            errors["test_result"] = [f"核酸检测结果“{label}”应为阴性、阳性或未检测"]
        sampled = None
        text = row.get("采样时间", "").strip()
        if text:
            try:
                sampled = parse_moment(text)
            except DomainError as error:
                errors.update(error.field_errors)
        if errors or result is None:
            raise DomainError(
                "；".join(m for ms in errors.values() for m in ms), code="invalid_row", field_errors=errors
            )
        outcome = services.participant_upsert(
            actor=actor,
            gathering=self.gathering,
            data=services.ParticipantInput(
                name=row.get("姓名", ""),
                id_number=row.get("证件号码", ""),
                phone=row.get("联系电话", ""),
                test_result=result,
                sampled_at=sampled,
            ),
        )
        return OUTCOMES[outcome]
