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

from django.db import transaction
from django.db.models import Q

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


def _locked_rows(wanted: list[tuple[str, str]]) -> dict[tuple[str, str], AttemptCounter]:
    """The counters of `wanted` (scope, digest) pairs, created if missing, locked in one order."""
    match = Q(pk__in=[])
    for scope, digest in wanted:
        match |= Q(scope=scope, key_digest=digest)
    # Sorted, so two requests never wait for each other's rows (PostgreSQL locks them in order).
    locked = AttemptCounter.objects.select_for_update().filter(match).order_by("scope", "key_digest")
    rows = {(row.scope, row.key_digest): row for row in locked}
    missing = [pair for pair in wanted if pair not in rows]
    if missing:
        # A parallel request may make the same rows: whoever comes second keeps the first's.
        AttemptCounter.objects.bulk_create(
            [
                AttemptCounter(scope=scope, key_digest=digest, count=0, last_at=clock.now())
                for scope, digest in missing
            ],
            ignore_conflicts=True,
        )
        rows = {(row.scope, row.key_digest): row for row in locked.all()}
    return rows


def attempt_take(checks: Iterable[tuple[Limit, str]]) -> bool:
    """Count one attempt against every (limit, key); False when any key is already at its
    limit, in which case nothing is counted. Empty keys are not counted."""
    limits = {(limit.scope, _digest(limit.scope, key)): limit for limit, key in checks if key}
    if not limits:
        return True
    now = clock.now()
    with transaction.atomic():
        rows = _locked_rows(sorted(limits))
        counts = {
            pair: 0 if (now - row.last_at).total_seconds() >= limits[pair].window_seconds else row.count
            for pair, row in rows.items()
        }
        if any(counts[pair] >= limits[pair].limit for pair in limits):
            return False
        for pair, row in rows.items():
            row.count, row.last_at = counts[pair] + 1, now
        AttemptCounter.objects.bulk_update(list(rows.values()), ["count", "last_at"])
    return True


def lock_keys(scope: str, keys: Iterable[str]) -> None:
    """Hold the counters of `keys` locked until the surrounding transaction ends, counting
    nothing: a check-then-write over several rows (a phone's bookings) then runs one at a time
    for the same key, without a row of its own to lock."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_keys holds its locks until commit: call it inside a transaction")
    _locked_rows(sorted({(scope, _digest(scope, key)) for key in keys if key}))


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
