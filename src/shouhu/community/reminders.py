"""Community reminders (G2, G4/G6 × X6), run by `manage.py run_reminders` (hourly in cron).

- A village whose roster still lacks a required role once the policy's days from the campaign's
  start have passed: its township and the county bureau are told (once per village; resolved
  when the roster is filled).
- An emergency supply under the policy's threshold at a village: the village and its township are
  told; a receipt that lifts the stock resolves the alert at the next run.

Each reminder asks again right before delivery.
"""

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator

from django.urls import reverse

from shouhu.accounts.roles import Role
from shouhu.alerts import audience as audiences
from shouhu.alerts.models import Severity
from shouhu.alerts.registry import DueReminder, register_check, register_kind
from shouhu.campaigns.policy import current_policy
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.community import selectors
from shouhu.community.models import CommunityPolicy, SupplyItem, SupplyStock
from shouhu.community.services import (
    EMERGENCY_ENDED,
    EMERGENCY_STARTED,
    SUPPLY_LOW_STOCK,
    low_stock_audience,
    low_stock_key,
)
from shouhu.orgs.models import OrgUnit

ROSTER_GAPS = "community.roster_gaps"

register_kind(ROSTER_GAPS, "村（社区）防控组织名单未填齐")
register_kind(SUPPLY_LOW_STOCK, "村（社区）应急物资库存不足")
register_kind(EMERGENCY_STARTED, "村（社区）进入应急状态")
register_kind(EMERGENCY_ENDED, "村（社区）结束应急状态")


def _still_gaps(village_id: int) -> Callable[[], bool]:
    def still_due() -> bool:
        return selectors.gap_villages().filter(pk=village_id).exists()

    return still_due


def _gap_audience(village: OrgUnit) -> list[audiences.Target]:
    targets: list[audiences.Target] = []
    township = selectors.township_of(village)
    if township is not None:
        targets.append(audiences.unit_staff(township, roles=[Role.TOWNSHIP_STAFF]))
    with contextlib.suppress(DomainError):
        targets.append(audiences.county_bureau(village))
    return targets


def roster_gaps(today: dt.date) -> Iterator[DueReminder]:
    if not selectors.today_is_past_roster_deadline(today):
        return
    required = current_policy(CommunityPolicy, today).required_roles()
    for village in selectors.gap_villages():
        audience = _gap_audience(village)
        if not audience:
            continue
        gaps = "、".join(selectors.roster_gaps(village, required=required))
        yield DueReminder(
            source=Module.COMMUNITY,
            kind=ROSTER_GAPS,
            title=f"防控组织名单未填齐：{village.name}",
            body=f"{village.name}的防控组织名单仍缺：{gaps}，已超过填报期限，请督促补齐。",
            unit=village,
            audience=audience,
            dedupe_key=f"{ROSTER_GAPS}:{village.pk}",
            still_due=_still_gaps(village.pk),
            severity=Severity.WARNING,
            link=reverse("community:village_home", kwargs={"village_id": village.pk}) + "#roster",
        )


def _still_low(stock_id: int) -> Callable[[], bool]:
    def still_due() -> bool:
        threshold = current_policy(CommunityPolicy).supply_low_stock_threshold
        return SupplyStock.objects.filter(pk=stock_id, quantity__lt=threshold).exists()

    return still_due


def low_stock(today: dt.date) -> Iterator[DueReminder]:
    threshold = current_policy(CommunityPolicy, today).supply_low_stock_threshold
    for stock in selectors.low_stock(threshold=threshold):
        label = SupplyItem(stock.item).label
        yield DueReminder(
            source=Module.COMMUNITY,
            kind=SUPPLY_LOW_STOCK,
            title=f"应急物资库存不足：{stock.village.name} {label}",
            body=f"{stock.village.name}{label}库存 {stock.quantity}，低于预警数量 {threshold}，请及时补充。",
            unit=stock.village,
            audience=low_stock_audience(stock.village),
            dedupe_key=low_stock_key(stock.village, stock.item),
            still_due=_still_low(stock.pk),
            severity=Severity.WARNING,
            link=reverse("community:village_home", kwargs={"village_id": stock.village_id}) + "#supplies",
        )


register_check(ROSTER_GAPS, roster_gaps)
register_check(SUPPLY_LOW_STOCK, low_stock)
