"""漏管 — the gaps 外防“零漏管” wants none of (S5 × X6): an institution that was open yesterday and recorded no screening is reported.

Discovered at start-up by the alerts app and run by `manage.py run_reminders` (hourly or daily
from cron; `--check screening.unscreened_day` runs this one alone). The day checked is the
last finished one, so an institution is never flagged for a day that is still going on.

Each institution and day alerts once (the dedupe key names both): an open alert is kept while
the day is still the one checked and resolved by the runner the day after; an alert a person
resolved is not raised again. Right before delivery the day is asked again, so a screening
recorded for that day meanwhile (a desk syncing late) or a closure registered meanwhile
cancels the alert.
"""

import datetime as dt
from collections.abc import Callable, Iterator

from django.urls import reverse
from django.utils.http import urlencode

from shouhu.alerts.audience import Target, county_bureau, module_coordinators
from shouhu.alerts.models import Alert, Severity
from shouhu.alerts.registry import DueReminder, register_check, register_kind
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.orgs.models import OrgUnit
from shouhu.screening import selectors

UNSCREENED_DAY = "screening.unscreened_day"

register_kind(UNSCREENED_DAY, "服务机构开放日无入口查验记录")


def dedupe_key(unit_id: int, day: dt.date) -> str:
    return f"{UNSCREENED_DAY}:{unit_id}:{day.isoformat()}"


def _bureau(unit: OrgUnit) -> Target:
    """The county bureau of the institution; for a region-level one, the departments coordinating screening."""
    try:
        return county_bureau(unit)
    except DomainError:  # directly under the region or an affiliated unit: no county
        return module_coordinators(Module.SCREENING)


def _still_unscreened(unit_id: int, day: dt.date) -> Callable[[], bool]:
    def still_due() -> bool:
        return selectors.unscreened_on(unit_id, day)

    return still_due


def unscreened_institutions(today: dt.date) -> Iterator[DueReminder]:
    day = today - dt.timedelta(1)  # not a policy threshold: the last finished day
    gaps = selectors.unscreened_open_institutions(day)
    keys = {dedupe_key(gap.unit.pk, day) for gap in gaps}
    dismissed = set(
        Alert.objects.filter(dedupe_key__in=keys, resolved_at__isnull=False).values_list(
            "dedupe_key", flat=True
        )
    )
    link = (
        f"{reverse('screening:daily_counts')}?{urlencode({'start': day.isoformat(), 'end': day.isoformat()})}"
    )
    for gap in gaps:
        key = dedupe_key(gap.unit.pk, day)
        if key in dismissed:
            continue
        yield DueReminder(
            source=Module.SCREENING,
            kind=UNSCREENED_DAY,
            title=f"{gap.unit.name} {day:%Y-%m-%d} 无入口查验记录",
            body=(
                f"{gap.unit.name}在 {day:%Y-%m-%d} 正常开放，但没有一条入口查验记录（漏管）。"
                "请核实当日是否落实扫码测温查验。"
            ),
            unit=gap.unit,
            audience=[_bureau(gap.unit)],
            dedupe_key=key,
            still_due=_still_unscreened(gap.unit.pk, day),
            severity=Severity.WARNING,
            link=link,
        )


register_check(UNSCREENED_DAY, unscreened_institutions)
