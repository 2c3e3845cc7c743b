"""Nursing-home reminders (E2–E4 × X6): missing health checks and daily logs, rounds due.

Discovered at start-up by the alerts app and run by `manage.py run_reminders`. Both look at the
previous day, which is complete: a home told at breakfast about yesterday can still fill in a
late entry, and `still_due()` asks again right before delivery, so a late entry silences it.
"""

import datetime as dt
from collections.abc import Callable, Iterator

from django.urls import reverse

from shouhu.alerts.models import Severity
from shouhu.alerts.registry import DueReminder, register_check, register_kind
from shouhu.campaigns.policy import current_policy
from shouhu.common.modules import Module
from shouhu.eldercare import selectors
from shouhu.eldercare.models import DailyLog, EldercarePolicy
from shouhu.eldercare.services import ABNORMAL_CHECK, POSITIVE_RESULT, home_audience
from shouhu.orgs.models import OrgUnit

CHECKS_MISSING = "eldercare.health_checks_missing"
LOG_MISSING = "eldercare.daily_log_missing"
ROUND_DUE = "eldercare.test_round_due"
ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: the previous calendar day
NAMES_SHOWN = 10

register_kind(POSITIVE_RESULT, "养老机构核酸检测阳性")
register_kind(ABNORMAL_CHECK, "养老机构健康监测异常")
register_kind(CHECKS_MISSING, "养老机构健康监测缺测")
register_kind(LOG_MISSING, "养老机构防控日志缺报")
register_kind(ROUND_DUE, "封闭养老机构核酸检测到期")


def _checks_short(home_id: int, day: dt.date, per_day: int) -> Callable[[], bool]:
    def still_due() -> bool:
        home = OrgUnit.objects.get(pk=home_id)
        return bool(selectors.people_short_of_checks(home=home, day=day, per_day=per_day))

    return still_due


def missing_health_checks(today: dt.date) -> Iterator[DueReminder]:
    """Every home where a resident or staff member had fewer checks yesterday than the policy asks."""
    day = today - ONE_DAY
    per_day = current_policy(EldercarePolicy, day).health_checks_per_day
    for home in selectors.homes_needing_watch():
        short = selectors.people_short_of_checks(home=home, day=day, per_day=per_day)
        if not short:
            continue
        names = "、".join(p.name for p in short[:NAMES_SHOWN]) + ("等" if len(short) > NAMES_SHOWN else "")
        yield DueReminder(
            source=Module.ELDERCARE,
            kind=CHECKS_MISSING,
            title=f"健康监测缺测：{home.name} {day}（{len(short)}人）",
            body=(
                f"{home.name}{day}有 {len(short)} 人健康监测不足每日 {per_day} 次：{names}。"
                "请补录或说明原因；补录后，下一次自动检查时本提醒即解除。"
            ),
            unit=home,
            audience=home_audience(home),
            dedupe_key=f"{CHECKS_MISSING}:{home.pk}:{day.isoformat()}",
            still_due=_checks_short(home.pk, day, per_day),
            severity=Severity.WARNING,
            link=reverse("eldercare:health_checks", kwargs={"home_id": home.pk}),
        )


def _log_missing(home_id: int, day: dt.date) -> Callable[[], bool]:
    def still_due() -> bool:
        return not DailyLog.objects.filter(unit_id=home_id, day=day).exists()

    return still_due


def missing_daily_logs(today: dt.date) -> Iterator[DueReminder]:
    """Every home without a prevention log for yesterday."""
    day = today - ONE_DAY
    logged = set(DailyLog.objects.filter(day=day).values_list("unit_id", flat=True))
    for home in selectors.homes_needing_watch().exclude(pk__in=logged):
        yield DueReminder(
            source=Module.ELDERCARE,
            kind=LOG_MISSING,
            title=f"防控日志缺报：{home.name} {day}",
            body=f"{home.name}尚未填写{day}的消杀和人物同防日志。请补填；补填后本提醒即解除。",
            unit=home,
            audience=home_audience(home),
            dedupe_key=f"{LOG_MISSING}:{home.pk}:{day.isoformat()}",
            still_due=_log_missing(home.pk, day),
            severity=Severity.WARNING,
            link=f"{reverse('eldercare:daily_log', kwargs={'home_id': home.pk})}?day={day.isoformat()}",
        )


def _round_due(home_id: int, today: dt.date, interval: int) -> Callable[[], bool]:
    def still_due() -> bool:
        home = OrgUnit.objects.get(pk=home_id)
        return selectors.round_due(home=home, today=today, interval_days=interval)

    return still_due


def rounds_due(today: dt.date) -> Iterator[DueReminder]:
    """Every closed home whose last round is `eldercare_test_interval_days` old or more (or has none)."""
    interval = current_policy(EldercarePolicy, today).test_interval_days
    for home in selectors.homes_needing_watch():
        if not selectors.round_due(home=home, today=today, interval_days=interval):
            continue
        yield DueReminder(
            source=Module.ELDERCARE,
            kind=ROUND_DUE,
            title=f"核酸检测到期：{home.name}",
            body=(
                f"{home.name}正在封闭管理，按政策每 {interval} 天组织一轮核酸检测（应检尽检），"
                "目前已到期。请组织检测并在系统中新建检测轮次。"
            ),
            unit=home,
            audience=home_audience(home),
            dedupe_key=f"{ROUND_DUE}:{home.pk}:{today.isoformat()}",
            still_due=_round_due(home.pk, today, interval),
            severity=Severity.WARNING,
            link=reverse("eldercare:round_create", kwargs={"home_id": home.pk}),
        )


register_check(CHECKS_MISSING, missing_health_checks)
register_check(LOG_MISSING, missing_daily_logs)
register_check(ROUND_DUE, rounds_due)
