"""Running the reminder checks: overdue and missing items surface by themselves (X6).

A run has two steps. `collect` asks every registered check what is due today; `deliver` then
raises an alert for each reminder, asking its `still_due()` again right before, inside the
transaction that raises it. Time passes between the two (other checks, other reminders), and
a clerk may do the thing in that window: the re-check makes sure they are not told about it.

After delivering a check's reminders, its open alerts that are no longer due are resolved, so
an alert stays open exactly while its condition lasts and the dedupe key can alert again later.
A check that fails is logged and skipped; its open alerts are left as they are.
"""

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction

from shouhu.alerts import services
from shouhu.alerts.models import Alert
from shouhu.alerts.registry import Check, DueReminder, registered_checks
from shouhu.common import clock

logger = logging.getLogger(__name__)

RESOLVED_NOTE = "情况已消除，不再提醒"


@dataclass(frozen=True)
class Scheduled:
    check_name: str
    reminder: DueReminder


@dataclass
class Collected:
    scheduled: list[Scheduled] = field(default_factory=list)
    completed_checks: list[str] = field(default_factory=list)
    failed_checks: list[str] = field(default_factory=list)


@dataclass
class RunReport:
    checks: int = 0
    due: int = 0
    raised: int = 0
    recipients: int = 0
    already_open: int = 0
    no_longer_due: int = 0
    resolved: int = 0
    failed_checks: list[str] = field(default_factory=list)
    failed_reminders: int = 0


def collect(*, today: dt.date | None = None, checks: Mapping[str, Check] | None = None) -> Collected:
    """What every check says is due today (nothing is written)."""
    today = today or clock.today()
    collected = Collected()
    for name, check in (registered_checks() if checks is None else checks).items():
        try:
            reminders = list(check(today))
        except Exception:
            logger.exception("提醒检查 %s 运行失败", name)
            collected.failed_checks.append(name)
            continue
        collected.completed_checks.append(name)
        collected.scheduled += [Scheduled(name, reminder) for reminder in reminders]
    return collected


def _deliver_one(item: Scheduled, report: RunReport) -> bool:
    """Raise one reminder if it is still due; whether it is (still) due."""
    reminder = item.reminder
    with transaction.atomic():
        if not reminder.still_due():
            report.no_longer_due += 1
            return False
        raised = services.alert_raise(
            source=reminder.source,
            kind=reminder.kind,
            title=reminder.title,
            body=reminder.body,
            unit=reminder.unit,
            audience=reminder.audience,
            severity=reminder.severity,
            dedupe_key=reminder.dedupe_key,
            link=reminder.link,
            target=reminder.target,
            actor=None,
            check_name=item.check_name,
        )
    if raised.created:
        report.raised += 1
        report.recipients += raised.recipients
    else:
        report.already_open += 1
    return True


def deliver(collected: Collected) -> RunReport:
    report = RunReport(
        checks=len(collected.completed_checks) + len(collected.failed_checks),
        due=len(collected.scheduled),
        failed_checks=list(collected.failed_checks),
    )
    still_due: dict[str, set[str]] = {name: set() for name in collected.completed_checks}
    for item in collected.scheduled:
        try:
            due = _deliver_one(item, report)
        except Exception:
            logger.exception("提醒 %s 送达失败", item.reminder.dedupe_key)
            report.failed_reminders += 1
            due = True  # unknown: keep any open alert for it open
        if due:
            still_due[item.check_name].add(item.reminder.dedupe_key)
    for name, keys in still_due.items():
        stale = Alert.objects.filter(check_name=name, resolved_at__isnull=True).exclude(dedupe_key__in=keys)
        for alert in stale:
            services.alert_resolve(actor=None, alert=alert, note=RESOLVED_NOTE)
            report.resolved += 1
    return report


def run_reminders(*, today: dt.date | None = None, checks: Mapping[str, Check] | None = None) -> RunReport:
    return deliver(collect(today=today, checks=checks))
