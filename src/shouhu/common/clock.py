"""The one source of "now" for services and pages.

Tests and benchmarks fix the clock with `frozen(...)`; nothing else reads the system time,
so every date rule (phases, deadlines, look-back periods) can be tested on a known day.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

_frozen: dt.datetime | None = None


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    """Today's date in Asia/Shanghai, whatever the server's own zone is."""
    return now().astimezone(local_zone()).date()


def start_of(day: dt.date) -> dt.datetime:
    """The first moment of `day` in Asia/Shanghai: local days bound every "on that day" query."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=local_zone())


@contextlib.contextmanager
def frozen(moment: dt.datetime) -> Iterator[dt.datetime]:
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=local_zone())
    global _frozen
    previous, _frozen = _frozen, moment
    try:
        yield moment
    finally:
        _frozen = previous
