"""The daily figures (S5) over 1,000,000 screenings: the selector against hand-written SQL.

98 institutions, a million screenings over 30 days (2 % pending, 8 % refused with one or two
reasons). The figure is `screening.selectors.daily_figures` for a region administrator over
the 30 days — per institution and day: screenings, admitted, refused, pending and refusals
by reason, from the records plus the kept anonymous counts. The baseline is the same
aggregation written by hand for the database in use: one GROUP BY with FILTER/SUM for the
counts, one over the reason codes unnested (jsonb_array_elements_text / json_each), one read
of the kept counts. Both answers are compared before timing.

Goal (issue): the selector takes at most twice the time of the raw SQL.
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable

from django.db import connection

from bench import screening_fixtures
from bench.harness import Context, Result
from shouhu.common import clock
from shouhu.screening import selectors

TOTAL = 1_000_000
DAYS = 30

RAW_COUNTS = {
    "postgresql": """
        SELECT unit_id, (screened_at AT TIME ZONE %(zone)s)::date AS day, count(*),
               count(*) FILTER (WHERE verdict = 'admitted'), count(*) FILTER (WHERE verdict = 'refused'),
               count(*) FILTER (WHERE verdict = 'pending')
        FROM screening_screening WHERE screened_at >= %(first)s AND screened_at < %(after)s
        GROUP BY 1, 2""",
    "sqlite": """
        SELECT unit_id, date(screened_at, %(offset)s) AS day, count(*), sum(verdict = 'admitted'),
               sum(verdict = 'refused'), sum(verdict = 'pending')
        FROM screening_screening WHERE screened_at >= %(first)s AND screened_at < %(after)s
        GROUP BY 1, 2""",
}
RAW_REASONS = {
    "postgresql": """
        SELECT unit_id, (screened_at AT TIME ZONE %(zone)s)::date AS day, code, count(*)
        FROM screening_screening, jsonb_array_elements_text(reason_codes) AS code
        WHERE verdict = 'refused' AND screened_at >= %(first)s AND screened_at < %(after)s
        GROUP BY 1, 2, 3""",
    "sqlite": """
        SELECT unit_id, date(screened_at, %(offset)s) AS day, code.value, count(*)
        FROM screening_screening, json_each(reason_codes) AS code
        WHERE verdict = 'refused' AND screened_at >= %(first)s AND screened_at < %(after)s
        GROUP BY 1, 2, 3""",
}
RAW_KEPT = """
    SELECT unit_id, day, screenings, admitted, refused, pending, refusals_by_reason
    FROM screening_dailyscreeningcount WHERE day >= %(first_day)s AND day <= %(last_day)s"""


def run(ctx: Context) -> list[Result]:
    tree = screening_fixtures.screening_tree(ctx.shared)
    data = screening_fixtures.screenings(ctx.shared, tree, total=TOTAL, days=DAYS)
    ctx.log(f"{data.total:,} screenings over {DAYS} days inserted in {data.seconds:.1f} s")
    start, end = data.first_day, data.last_day

    def selector() -> object:
        return selectors.daily_figures(viewer=tree.admin, start=start, end=end)

    def raw() -> object:
        return _raw(start, end)

    figures = selectors.daily_figures(viewer=tree.admin, start=start, end=end)
    assert sum(f.screenings for f in figures.values()) == TOTAL, "the selector lost screenings"
    assert _as_rows(figures) == raw(), "the selector and the raw SQL disagree"
    ctx.log(f"{len(figures):,} institution-days; timing {ctx.rounds} interleaved rounds")

    timings = _best_of({"selector": selector, "raw": raw}, rounds=max(ctx.rounds, 3))
    return [
        Result(
            name=f"daily figures selector vs raw SQL ({TOTAL:,} screenings, {len(figures):,} institution-days)",
            figure=timings["selector"],
            baseline=timings["raw"],
            unit="ms",
            goal_op="<=",
            goal=2.0,
            note=f"best of {max(ctx.rounds, 3)} interleaved runs on {connection.vendor}",
        )
    ]


def _raw(
    start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], tuple[int, int, int, int, dict[str, int]]]:
    zone = clock.local_zone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    after = dt.datetime.combine(end + dt.timedelta(1), dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    vendor = connection.vendor
    params: dict[str, object] = {"zone": str(zone), "first_day": start, "last_day": end}
    if vendor == "sqlite":  # stored as naive UTC text; the zone has one offset all year
        params |= {
            "first": first.replace(tzinfo=None).isoformat(sep=" "),
            "after": after.replace(tzinfo=None).isoformat(sep=" "),
            "offset": f"{selectors.fixed_utc_offset_minutes():+d} minutes",
            "first_day": start.isoformat(),
            "last_day": end.isoformat(),
        }
    else:
        params |= {"first": first, "after": after}
    result: dict[tuple[int, dt.date], tuple[int, int, int, int, dict[str, int]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(RAW_COUNTS[vendor], params)
        for unit_id, day, total, admitted, refused, pending in cursor.fetchall():
            result[(unit_id, _date(day))] = (total, admitted, refused, pending, {})
        cursor.execute(RAW_REASONS[vendor], params)
        for unit_id, day, code, number in cursor.fetchall():
            result[(unit_id, _date(day))][4][code] = number
        cursor.execute(RAW_KEPT, params)
        kept = cursor.fetchall()
    assert not kept, "the benchmark keeps no purged counts"
    return result


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _as_rows(figures: dict) -> dict:  # type: ignore[type-arg]
    return {
        key: (f.screenings, f.admitted, f.refused, f.pending, f.refusals_by_reason)
        for key, f in figures.items()
    }


def _best_of(cases: dict[str, Callable[[], object]], *, rounds: int) -> dict[str, float]:
    """Each case's fastest run in ms; the cases take turns, the order alternating."""
    best = dict.fromkeys(cases, float("inf"))
    names = list(cases)
    for turn in range(rounds):
        for name in names if turn % 2 == 0 else names[::-1]:
            gc.collect()
            started = time.perf_counter()
            cases[name]()
            best[name] = min(best[name], 1000 * (time.perf_counter() - started))
    return best
