"""Funeral reminders (F2, F3 × X6), run by `manage.py run_reminders` (hourly in cron).

- A COVID-19 patient's remains whose next step has not come within the policy's hours: the
  county bureau is told (dedupe per case and stage, so each stalled step alerts once).
- A protective-equipment item under the policy's threshold at a home: the home and its county
  bureau are told; a receipt that lifts the stock resolves the alert at the next run.

Each reminder asks again right before delivery, so a step recorded or stock received between
the check and the delivery tells nobody.
"""

import datetime as dt
from collections.abc import Callable, Iterator

from django.urls import reverse

from shouhu.alerts.audience import UnitRoles, county_bureau
from shouhu.alerts.models import Severity
from shouhu.alerts.registry import DueReminder, register_check, register_kind
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.funerals import selectors
from shouhu.funerals.models import REMAINS_ORDER, FuneralCase, FuneralPolicy, PPEItem, PPEStock, RemainsStep
from shouhu.funerals.services import CEREMONY_SUSPENDED, PPE_LOW_STOCK, low_stock_audience, low_stock_key

REMAINS_STALLED = "funerals.remains_stalled"

register_kind(REMAINS_STALLED, "新冠患者遗体处置环节超时")
register_kind(PPE_LOW_STOCK, "防护物资库存不足")
register_kind(CEREMONY_SUSPENDED, "治丧仪式受暂停或限流影响")


def _stalled_before(hours: int) -> dt.datetime:
    return clock.now() - dt.timedelta(hours=hours)


def _still_stalled(case_id: int, stage: int) -> Callable[[], bool]:
    def still_due() -> bool:
        hours = current_policy(FuneralPolicy).remains_step_stall_hours
        case = (
            FuneralCase.objects.filter(pk=case_id)
            .values("remains_stage", "last_step_at", "registered_at")
            .first()
        )
        if case is None or case["remains_stage"] != stage:
            return False
        since = case["last_step_at"] or case["registered_at"]
        return bool(since <= _stalled_before(hours))

    return still_due


def stalled_cases(today: dt.date) -> Iterator[DueReminder]:
    """Open COVID-19 cases whose last step (or registration) is older than the policy allows."""
    hours = current_policy(FuneralPolicy).remains_step_stall_hours
    cutoff = _stalled_before(hours)
    cases = (
        FuneralCase.objects.filter(covid_remains=True, remains_stage__lt=len(REMAINS_ORDER))
        .select_related("home", "deceased")
        .order_by("pk")
    )
    bureaus: dict[int, UnitRoles | None] = {}  # one look-up per home, not per case
    for case in cases:
        since = case.last_step_at or case.registered_at
        if since > cutoff:
            continue
        if case.home_id not in bureaus:
            try:
                bureaus[case.home_id] = county_bureau(case.home)
            except DomainError:
                bureaus[case.home_id] = None  # a home outside every county has no bureau to tell
        bureau = bureaus[case.home_id]
        if bureau is None:
            continue
        due = RemainsStep(REMAINS_ORDER[case.remains_stage])
        yield DueReminder(
            source=Module.FUNERALS,
            kind=REMAINS_STALLED,
            title=f"遗体处置超时：{case.home.name} {case.deceased.name}",
            body=(
                f"{case.home.name}新冠肺炎患者遗体（{case.deceased.name}）自 "
                f"{since.astimezone(clock.local_zone()):%Y-%m-%d %H:%M} 起超过 {hours} 小时未进入“{due.label}”环节，"
                "请督促尽快处置；记录该环节后本提醒即解除。"
            ),
            unit=case.home,
            audience=[bureau],
            dedupe_key=f"{REMAINS_STALLED}:{case.pk}:{case.remains_stage}",
            still_due=_still_stalled(case.pk, case.remains_stage),
            severity=Severity.URGENT,
            link=reverse("funerals:case_detail", kwargs={"funeral_case_id": case.pk}),
            target=case,
        )


def _still_low(stock_id: int) -> Callable[[], bool]:
    def still_due() -> bool:
        threshold = current_policy(FuneralPolicy).ppe_low_stock_threshold
        return PPEStock.objects.filter(pk=stock_id, quantity__lt=threshold).exists()

    return still_due


def low_stock(today: dt.date) -> Iterator[DueReminder]:
    threshold = current_policy(FuneralPolicy).ppe_low_stock_threshold
    for stock in selectors.low_stock(threshold=threshold):
        label = PPEItem(stock.item).label
        yield DueReminder(
            source=Module.FUNERALS,
            kind=PPE_LOW_STOCK,
            title=f"防护物资库存不足：{stock.home.name} {label}",
            body=f"{stock.home.name}{label}库存 {stock.quantity}，低于预警数量 {threshold}，请及时补充。",
            unit=stock.home,
            audience=low_stock_audience(stock.home),
            dedupe_key=low_stock_key(stock.home, stock.item),
            still_due=_still_low(stock.pk),
            severity=Severity.WARNING,
            link=reverse("funerals:ppe_home", kwargs={"funeral_home_id": stock.home_id}),
        )


register_check(REMAINS_STALLED, stalled_cases)
register_check(PPE_LOW_STOCK, low_stock)
