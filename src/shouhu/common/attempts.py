"""Counting attempts (logins, codes sent, codes typed, bookings) so a flood meets a limit.

Each counter is one database row per (scope, key), taken under a row lock: a burst of parallel
requests is counted one by one, so no more than `limit` of them get through in a window
(the cache's get-then-set, or the database cache's incr, would let a burst slip past). The
key is stored only as a keyed hash, since it is often a phone or ID number. A window runs from
the last counted attempt: a client that keeps trying stays refused.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from shouhu.common import clock
from shouhu.common.crypto import blind_index
from shouhu.common.models import AttemptCounter


@dataclass(frozen=True)
class Limit:
    """At most `limit` attempts per key within `window_seconds` of the last one."""

    scope: str
    limit: int
    window_seconds: int


def _digest(scope: str, key: str) -> str:
    return blind_index(f"attempt:{scope}", key)


def _locked_row(scope: str, digest: str, now: dt.datetime) -> AttemptCounter:
    rows = AttemptCounter.objects.select_for_update()
    row = rows.filter(scope=scope, key_digest=digest).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return AttemptCounter.objects.create(scope=scope, key_digest=digest, count=0, last_at=now)
    except IntegrityError:  # made by a parallel request between our look and our insert
        return rows.get(scope=scope, key_digest=digest)


def attempt_take(checks: Iterable[tuple[Limit, str]]) -> bool:
    """Count one attempt against every (limit, key); False when any key is already at its
    limit, in which case nothing is counted. Empty keys are not counted."""
    wanted = sorted({(limit.scope, _digest(limit.scope, key)): limit for limit, key in checks if key}.items())
    now = clock.now()
    with transaction.atomic():
        # Rows are locked in one order (sorted) so two requests never wait for each other's.
        rows = [(limit, _locked_row(scope, digest, now)) for (scope, digest), limit in wanted]
        counts = [
            0 if (now - row.last_at).total_seconds() >= limit.window_seconds else row.count
            for limit, row in rows
        ]
        if any(count >= limit.limit for count, (limit, _row) in zip(counts, rows, strict=True)):
            return False
        for count, (_limit, row) in zip(counts, rows, strict=True):
            row.count, row.last_at = count + 1, now
            row.save(update_fields=["count", "last_at"])
    return True


def attempts_left(limit: Limit, key: str) -> int:
    """How many attempts `key` has left now (without counting one)."""
    if not key:
        return limit.limit
    row = AttemptCounter.objects.filter(scope=limit.scope, key_digest=_digest(limit.scope, key)).first()
    if row is None or (clock.now() - row.last_at).total_seconds() >= limit.window_seconds:
        return limit.limit
    return max(0, limit.limit - row.count)


def attempts_clear(limit: Limit, key: str) -> None:
    """Forget the attempts of `key` (after a success that proves the attempts were honest)."""
    if key:
        AttemptCounter.objects.filter(scope=limit.scope, key_digest=_digest(limit.scope, key)).delete()


def attempts_purge(*, older_than_seconds: int) -> int:
    """Delete counters whose last attempt is older than any window (periodic cleanup)."""
    cutoff = clock.now() - dt.timedelta(seconds=older_than_seconds)
    deleted, _ = AttemptCounter.objects.filter(last_at__lt=cutoff).delete()
    return deleted
