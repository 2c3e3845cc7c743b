"""Dose records through the import mechanism (姓名, 身份证号, 接种日期, 疫苗产品, 剂次, 接种单位).

The person is found by ID number among the people the importing user records for; someone
registered elsewhere is reported exactly like someone not registered at all. A row already
recorded (same person, dose number and date) is unchanged, so a file can be imported twice.
"""

import datetime as dt
import re
from typing import Any

from shouhu.common import bounds
from shouhu.common.errors import DomainError
from shouhu.common.importing import DATE_PATTERNS, ImportColumn, RowOutcome, register
from shouhu.people.models import IdType
from shouhu.people.services import person_find_by_document
from shouhu.vaccination import selectors
from shouhu.vaccination.models import DoseSource
from shouhu.vaccination.permissions import VaccinationPerm
from shouhu.vaccination.services import dose_record, product_find

CHINESE_NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
BOOSTER_WORDS = ("加强",)
# Only for ordering rows: a booster ("加强针") is the dose after the primary series, whose
# length is known once the first dose's product is; any bound above every schedule sorts it last.
SORT_PRIMARY_DOSES = 99


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid_row", field_errors={field: [message]})


def parse_date(text: str) -> dt.date:
    text = text.strip()
    day = bounds.parse_typed_day(text, DATE_PATTERNS)
    if day is None:
        span = f"{bounds.EARLIEST_DAY} 至 {bounds.LATEST_DAY}"
        raise _invalid("vaccinated_on", f"接种日期“{text}”格式应为 2021-06-01，且在 {span} 之间")
    return day


def parse_dose_number(text: str, *, primary_doses: int) -> int:
    """ "2", "第2剂", "第二剂" or "加强针" (the dose after the full primary series)."""
    text = text.strip()
    if any(word in text for word in BOOSTER_WORDS):
        return primary_doses + 1
    digits = re.fullmatch(r"第?\s*(\d+)\s*剂?(次)?", text)
    if digits:
        return int(digits.group(1))
    chinese = re.fullmatch(r"第?\s*([一二两三四五])\s*剂?(次)?", text)
    if chinese:
        return CHINESE_NUMERALS[chinese.group(1)]
    raise _invalid("dose_number", f"剂次“{text}”应填数字（如 1、2）或“加强针”")


class DoseImporter:
    kind = "doses"
    title = "接种记录"
    permission: str = VaccinationPerm.RECORD
    columns = [
        ImportColumn("姓名", "name", required=True),
        ImportColumn("身份证号", "id_number", required=True, help="须已在人员登记中登记"),
        ImportColumn("接种日期", "vaccinated_on", required=True, help="如 2021-06-01"),
        ImportColumn("疫苗产品", "product", required=True, help="疫苗产品简称，如 国药北京生物、北京科兴"),
        ImportColumn("剂次", "dose_number", required=True, help="1、2、3 或“加强针”"),
        ImportColumn("接种单位", "place"),
    ]

    def row_key(self, row: dict[str, str]) -> str | None:
        number = row.get("身份证号", "").strip().replace(" ", "").upper()
        dose = row.get("剂次", "").strip()
        if not number or not dose:
            return None
        return f"{number}:{dose}"

    def row_order(self, row: dict[str, str]) -> tuple[str, int]:
        """A person's doses in their order, whatever the file's: dose 2 above dose 1 would be
        refused as out of order. A booster sorts after any primary dose; a dose number that
        cannot be read sorts first and is reported by import_row."""
        number = row.get("身份证号", "").strip().replace(" ", "").upper()
        try:
            dose = parse_dose_number(row.get("剂次", ""), primary_doses=SORT_PRIMARY_DOSES)
        except DomainError:
            dose = 0
        return number, dose

    def import_row(self, *, actor: Any, row: dict[str, str]) -> RowOutcome:
        number = row.get("身份证号", "")
        person = person_find_by_document(id_type=IdType.RESIDENT_ID, id_number=number)
        if person is None or not selectors.person_writable(viewer=actor).filter(pk=person.pk).exists():
            raise _invalid(
                "id_number", "未找到该身份证号的人员，或此人不在您的管辖范围内；请先在人员登记中登记"
            )
        name = row.get("姓名", "").strip()
        if name != person.name:
            raise _invalid("name", f"姓名与人员登记不符（登记为“{person.name}”）")
        errors: dict[str, list[str]] = {}
        vaccinated_on = product = dose_number = None
        try:
            vaccinated_on = parse_date(row.get("接种日期", ""))
        except DomainError as error:
            errors.update(error.field_errors)
        try:
            product = product_find(label=row.get("疫苗产品", ""))
        except DomainError as error:
            errors.update(error.field_errors)
        if product is not None:
            first = selectors.doses_of(person).filter(dose_number=1).first()
            schedule = first.product if first else product
            try:
                dose_number = parse_dose_number(
                    row.get("剂次", ""), primary_doses=schedule.doses_for_completion
                )
            except DomainError as error:
                errors.update(error.field_errors)
        if errors or vaccinated_on is None or product is None or dose_number is None:
            raise DomainError(
                "；".join(m for ms in errors.values() for m in ms), code="invalid_row", field_errors=errors
            )
        recording = dose_record(
            actor=actor,
            person=person,
            product=product,
            dose_number=dose_number,
            vaccinated_on=vaccinated_on,
            place=row.get("接种单位", ""),
            source=DoseSource.IMPORT,
        )
        return RowOutcome.CREATED if recording.created else RowOutcome.UNCHANGED


register(DoseImporter())
