"""Vaccination reminders (V4 × X6): a unit that has not reported the last finished period is told.

Discovered at start-up by the alerts app (`autodiscover_modules("reminders")`) and run by
`manage.py run_reminders`. The periods and the reporting units are the ones the region's
ranking uses, so the reminder and the "未报送" flag on the region's pages always agree.
"""

import datetime as dt
from collections.abc import Callable, Iterator

from django.urls import reverse
from django.utils.http import urlencode

from shouhu.accounts.roles import Role
from shouhu.alerts.audience import Target, county_bureau, unit_staff
from shouhu.alerts.models import Severity
from shouhu.alerts.registry import DueReminder, register_check, register_kind
from shouhu.common.modules import Module
from shouhu.orgs.models import OrgUnit, UnitKind, UnitStatus
from shouhu.vaccination.models import VaccinationReport
from shouhu.vaccination.schedule import report_schedule
from shouhu.vaccination.selectors import REPORTING_DEPTH, REPORTING_KINDS

REPORT_MISSING = "vaccination.report_missing"

register_kind(REPORT_MISSING, "接种进度未报送")


def _reporters(unit: OrgUnit) -> Target:
    """Who submits a unit's report: the county bureau's staff, or the department's coordinator."""
    if unit.kind == UnitKind.COUNTY:
        return county_bureau(unit)
    return unit_staff(unit, roles=[Role.DEPARTMENT_COORDINATOR])


def _not_reported(unit_id: int, period_start: dt.date) -> Callable[[], bool]:
    def still_due() -> bool:
        return not VaccinationReport.objects.filter(unit_id=unit_id, period_start=period_start).exists()

    return still_due


def missing_reports(today: dt.date) -> Iterator[DueReminder]:
    """Every reporting unit without a report for the last period whose due date has passed."""
    schedule = report_schedule(today)
    finished = schedule.due_before(today) if schedule else []
    if not finished:
        return
    period = finished[-1]
    submitted = set(
        VaccinationReport.objects.filter(period_start=period.starts_on).values_list("unit_id", flat=True)
    )
    units = (
        OrgUnit.objects.filter(depth=REPORTING_DEPTH, kind__in=REPORTING_KINDS)
        .exclude(status=UnitStatus.INACTIVE)
        .exclude(pk__in=submitted)
        .order_by("path")
    )
    link = f"{reverse('vaccination:report_submit')}?{urlencode({'period': period.starts_on.isoformat()})}"
    for unit in units:
        yield DueReminder(
            source=Module.VACCINATION,
            kind=REPORT_MISSING,
            title=f"接种进度未报送：{period}",
            body=(
                f"{unit.name}尚未报送{period}的疫苗接种进度，报送截止日期为 {period.due_on:%Y-%m-%d}。"
                "请核对本单位接种数据后报送；报送后，下一次自动检查时本提醒即解除。"
            ),
            unit=unit,
            audience=[_reporters(unit)],
            dedupe_key=f"{REPORT_MISSING}:{unit.pk}:{period.starts_on.isoformat()}",
            still_due=_not_reported(unit.pk, period.starts_on),
            severity=Severity.WARNING,
            link=link,
        )


register_check(REPORT_MISSING, missing_reports)
