"""Reminder checks and alert kinds, registered by the apps that know the rules.

An app puts its checks in `<app>/reminders.py` (imported at start-up by the alerts app):

    register_kind("vaccination.report_missing", "接种进度未报送")
    register_check("vaccination.report_missing", missing_reports)

A check is a function of the day that yields `DueReminder`s: who must be told what, under which
dedupe key, and a `still_due()` that the runner asks again right before delivering, so nobody is
told about something that was done in the meantime. A check only reads; the runner writes.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model
from django.utils.functional import Promise

from shouhu.alerts.audience import Audience
from shouhu.alerts.models import Severity
from shouhu.orgs.models import OrgUnit

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")


@dataclass(frozen=True)
class DueReminder:
    source: str
    kind: str
    title: str
    unit: OrgUnit
    audience: Audience
    dedupe_key: str
    still_due: Callable[[], bool]
    body: str = ""
    severity: str = Severity.WARNING
    link: str = ""
    target: Model | None = None

    def __post_init__(self) -> None:
        if not self.dedupe_key:  # the runner keeps an alert open while its key is still due
            raise ValueError("提醒须有去重键")


Check = Callable[[dt.date], Iterable[DueReminder]]

_checks: dict[str, Check] = {}
_kinds: dict[str, str | Promise] = {}


def _valid_name(name: str) -> str:
    if not NAME_PATTERN.match(name) or len(name) > 64:
        raise ValueError(f"名称应为小写字母、数字、下划线和点，最长 64 个字符：{name!r}")
    return name


def register_kind(kind: str, label: str | Promise) -> None:
    """`label` may be lazy (gettext_lazy): it is shown in the reader's language."""
    _kinds[_valid_name(kind)] = label


def kind_label(kind: str) -> str:
    return str(_kinds.get(kind, kind))


def register_check(name: str, fn: Check) -> None:
    """Add a check; registering the same function again (a re-import) changes nothing."""
    if _checks.get(_valid_name(name), fn) != fn:
        raise ValueError(f"提醒检查“{name}”已登记为另一个函数")
    _checks[name] = fn


def registered_checks() -> dict[str, Check]:
    return dict(_checks)
