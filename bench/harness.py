"""What every benchmark shares: result rows, the throwaway database, timing helpers.

Nothing here imports Django models at module level: `run.py` imports this module before
`django.setup()`.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

GOAL_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda ratio, goal: ratio >= goal,
    "<=": lambda ratio, goal: ratio <= goal,
    "==": lambda ratio, goal: math.isclose(ratio, goal, rel_tol=1e-9),
}
GOAL_SIGNS = {">=": "≥", "<=": "≤", "==": "="}


@dataclass(frozen=True)
class Result:
    """One row of the table: a figure, the baseline measured in the same run, and the goal.

    The goal applies to ratio = figure / baseline, e.g. `goal_op=">=", goal=0.5`.
    """

    name: str
    figure: float
    baseline: float
    unit: str
    goal_op: str
    goal: float
    note: str = ""

    def __post_init__(self) -> None:
        if self.goal_op not in GOAL_OPS:
            raise ValueError(f"goal_op must be one of {sorted(GOAL_OPS)}, not {self.goal_op!r}")

    @property
    def ratio(self) -> float:
        return self.figure / self.baseline if self.baseline else math.nan

    @property
    def passed(self) -> bool:
        return not math.isnan(self.ratio) and GOAL_OPS[self.goal_op](self.ratio, self.goal)

    @property
    def goal_text(self) -> str:
        return f"{GOAL_SIGNS[self.goal_op]} {self.goal:.2f}"

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "figure": self.figure,
            "baseline": self.baseline,
            "unit": self.unit,
            "ratio": self.ratio,
            "goal": self.goal_text,
            "passed": self.passed,
            "note": self.note,
        }


@dataclass
class Context:
    """Handed to every benchmark's `run(ctx)`."""

    vendor: str  # "sqlite" or "postgresql"
    requests: int = 200  # requests per case and round
    rounds: int = 3  # interleaved rounds; the best one counts
    warmup: int = 20
    verbose: bool = False
    shared: dict[str, object] = field(default_factory=dict)  # fixtures reused across modules

    def log(self, message: str) -> None:
        print(f"  · {message}", flush=True)


# --- Database --------------------------------------------------------------------------------


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    """Yield a DATABASE_URL for an empty database that is removed afterwards.

    SQLite in a temporary directory, or the PostgreSQL database named by BENCH_DATABASE_URL,
    (re)created here and dropped at the end. Its name must contain "bench": it is dropped.
    """
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    if not url:
        directory = tempfile.mkdtemp(prefix="shouhu-bench-")
        try:
            yield f"sqlite:///{directory}/bench.sqlite3"
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit(f"BENCH_DATABASE_URL must be a postgres:// URL, not {parts.scheme}://")
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f"BENCH_DATABASE_URL names database {name!r}; it is dropped, so its name must contain 'bench'"
        )
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    _pg_recreate(maintenance, name, create=True)
    try:
        yield url
    finally:
        from django.db import connections  # Django is set up by now, or the import is harmless

        connections.close_all()
        _pg_recreate(maintenance, name, create=False)


def _pg_recreate(maintenance_url: str, name: str, *, create: bool) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- Timing ----------------------------------------------------------------------------------


def compare_rps(
    cases: dict[str, Callable[[], None]], *, requests: int, rounds: int, warmup: int, block: int = 10
) -> dict[str, list[float]]:
    """Requests per second of each case, one figure per round.

    Each case is a callable that performs one request (and raises if it went wrong). Within
    a round the cases take turns in blocks of `block` requests, the order alternating, until
    each has made `requests`; a case's figure for the round is its requests over the time
    spent in its own blocks. So drift of a shared machine (other processes, frequency
    scaling) hits every case alike; callers usually take each case's best round.
    """
    for call in cases.values():
        for _ in range(warmup):
            call()
    names = list(cases)
    per_round: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(rounds):
        spent = dict.fromkeys(names, 0.0)
        done = dict.fromkeys(names, 0)
        gc.collect()
        turn = 0
        while any(done[name] < requests for name in names):
            order = names if turn % 2 == 0 else names[::-1]
            turn += 1
            for name in order:
                call, count = cases[name], min(block, requests - done[name])
                started = time.perf_counter()
                for _ in range(count):
                    call()
                spent[name] += time.perf_counter() - started
                done[name] += count
        for name in names:
            per_round[name].append(requests / spent[name])
    return per_round


def timed_queries(client: Any, url: str) -> list[tuple[str, float]]:
    """The SQL of one GET and each statement's time in ms (CaptureQueriesContext counts, the
    wrapper times with perf_counter: the captured "time" has only 1 ms resolution)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timed: list[tuple[str, float]] = []

    def timer(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append((sql, 1000 * (time.perf_counter() - started)))

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    assert len(timed) == len(captured.captured_queries)
    return [(query["sql"], ms) for query, (_, ms) in zip(captured.captured_queries, timed, strict=True)]


def slowest_query(queries: list[tuple[str, float]]) -> str:
    sql, ms = max(queries, key=lambda query: query[1])
    return f"{ms:.1f} ms: {sql[:60]}…"


def getter(client: Any, url: str) -> Callable[[], None]:
    """One timed GET of `url`, failing on any answer but 200."""

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}")

    return get
