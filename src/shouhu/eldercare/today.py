"""The nursing homes' work of the day on the Today page (X5, X6): health checks, the daily log
and, for a closed home, its testing round. The counting is the selectors'; see their docstrings
for what `done`, `due` and `overdue` mean for each."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shouhu.common.modules import Module
from shouhu.common.today import Work, register_work
from shouhu.eldercare import selectors
from shouhu.eldercare.permissions import EldercarePerm


def _overview(unit_id: int | None) -> str:
    return reverse("eldercare:overview")


def _health_checks_link(unit_id: int | None) -> str:
    if unit_id is None:
        return _overview(None)
    return reverse("eldercare:health_checks", kwargs={"home_id": unit_id})


def _daily_log_link(unit_id: int | None) -> str:
    if unit_id is None:
        return _overview(None)
    return reverse("eldercare:daily_log", kwargs={"home_id": unit_id})


def _test_round_link(unit_id: int | None) -> str:
    if unit_id is None:
        return _overview(None)
    return reverse("eldercare:round_create", kwargs={"home_id": unit_id})


register_work(
    Work(
        key="eldercare.health_checks",
        module=Module.ELDERCARE,
        title=_("今日健康监测（人次）"),
        deadline=_("当日"),
        permission=EldercarePerm.VIEW,
        count=selectors.today_health_checks,
        link=_health_checks_link,
    )
)
register_work(
    Work(
        key="eldercare.daily_log",
        module=Module.ELDERCARE,
        title=_("今日防控日志"),
        deadline=_("当日填报"),
        permission=EldercarePerm.VIEW,
        count=selectors.today_daily_logs,
        link=_daily_log_link,
    )
)
register_work(
    Work(
        key="eldercare.test_round",
        module=Module.ELDERCARE,
        title=_("封闭机构核酸检测"),
        deadline=_("到期当日组织"),
        permission=EldercarePerm.VIEW,
        count=selectors.today_test_rounds,
        link=_test_round_link,
    )
)
