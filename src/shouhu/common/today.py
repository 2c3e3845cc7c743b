"""Today (X5, X6): what each unit has to do today, declared by the app that knows the rule.

An app puts its work in `<app>/today.py` (imported at start-up by the site app):

    register_work(Work(
        key="eldercare.daily_log",
        module=Module.ELDERCARE,
        title=gettext_lazy("今日防控日志"),
        deadline=gettext_lazy("当日填报"),
        permission=EldercarePerm.VIEW,
        count=daily_logs,
        link=daily_log_link,
    ))

`count(within=path, today=day, viewer_id=pk)` answers, in a fixed number of queries whatever the
number of rows and units, one `Tally` per unit of the subtree at `path` that has work of this kind
today (`within=""`: the whole region). The home page sums the tallies for the viewer and, for a
unit with children, per child unit; nothing else about the app is known to it, so a module added
later adds its own work without touching the page.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.utils.functional import Promise

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_]+$")


@dataclass(frozen=True)
class Tally:
    """One unit's standing on one kind of work today.

    `due`: what today asks of the unit, `done` included; `overdue`: what is left undone past its
    deadline (an earlier day's, or today's once its hour has passed), not counted in `due`."""

    unit_id: int
    unit_path: str
    done: int
    due: int
    overdue: int = 0

    def __post_init__(self) -> None:
        if min(self.done, self.due, self.overdue) < 0 or self.done > self.due:
            raise ValueError(f"今日工作的计数不合理：{self}")

    @property
    def left(self) -> int:
        return self.due - self.done


class Counter(Protocol):
    def __call__(self, *, within: str, today: dt.date, viewer_id: int) -> Iterable[Tally]: ...


@dataclass(frozen=True)
class Work:
    """One kind of daily work. `permission`: the code a viewer needs to be shown it; `link(unit_id)`:
    the page that does it, for one unit, or (None) for every unit the viewer sees;
    `per_viewer`: the work is the viewer's own (their unread alerts), not their units'."""

    key: str
    module: str
    title: str | Promise
    deadline: str | Promise
    permission: str
    count: Counter
    link: Callable[[int | None], str]
    per_viewer: bool = False

    def __post_init__(self) -> None:
        if not KEY_PATTERN.match(self.key):
            raise ValueError(f"今日工作的键应为“应用.名称”：{self.key!r}")


_works: dict[str, Work] = {}


def register_work(work: Work) -> None:
    if work.key in _works and _works[work.key] != work:
        raise ValueError(f"今日工作重复登记：{work.key}")
    _works[work.key] = work


def registered_works() -> list[Work]:
    return list(_works.values())
