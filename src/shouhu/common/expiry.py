"""What expires: rows that are worth nothing after a while and are deleted by one nightly command.

Each app registers its own purge (attempt counters, one-time codes, unconfirmed public requests)
with `register_purge`; `manage.py purge_expired` runs them all, so the cleanup timer needs one
line whatever the apps add.
"""

from collections.abc import Callable

Purge = Callable[[], int]  # deletes what has expired, answers how many rows went

_purges: dict[str, Purge] = {}


def register_purge(label: str, purge: Purge) -> None:
    """`label` names what is deleted in the command's output, e.g. "短信验证码"."""
    _purges[label] = purge


def registered_purges() -> dict[str, Purge]:
    return dict(_purges)
