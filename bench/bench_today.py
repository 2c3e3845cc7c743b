"""The home page (Today, `/`) against the person list, at the bench's scale.

Data: the shared org tree (100,000 units), 100,000 people in its first county (one or two
categories each, `bench.fixtures.people`) and the screening benchmarks' 1,000,000 screenings
over 30 days (`bench.screening_fixtures.screenings`, the same rows and spread) laid over the
big tree's institutions — the screening bench's own small tree lies outside every scope
measured here — memoised apart from theirs, so a full run holds both sets. The clock is frozen
at 23:00 on the screenings' last day: the page's "today" and the chart's 14 days have records.

The page `/` is timed as a county staff member of that county (their work, the board of their
townships, the region's figures again for the comparison row, today's suspensions, the chart)
and as a leader at the region (everything `within=""`), against `/people/` for the same county
user, in the same `compare_rps` run.

Goals (issue 14): `/` serves at least 0.5 of `/people/`'s requests per second, for each user;
and its number of queries is fixed: the same with 100,000 people, ~14,300 units and ~143,000
screenings in scope as in the small county (5 people, 6 units, its one institution's share).
When a goal is missed (or with `-v`), each registered work's `count(...)`, the chart and the
suspensions are timed alone at both scopes to show which selector costs what.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from bench import fixtures, screening_fixtures
from bench.harness import Context, Result, compare_rps, getter, slowest_query, timed_queries
from shouhu.accounts.models import User
from shouhu.accounts.roles import Role
from shouhu.campaigns.selectors import SuspensionFilters, suspension_list
from shouhu.common import clock
from shouhu.common.today import registered_works
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.screening.models import Screening
from shouhu.screening.selectors import screening_chart

TODAY_URL = "/"
PEOPLE_URL = "/people/"
TOTAL = 1_000_000
DAYS = 30
GOAL = 0.5
SHARED_KEY = "bench_today"  # this module's memo inside ctx.shared (its screenings' own key space)


def run(ctx: Context) -> list[Result]:
    tree, people = fixtures.tree_and_people(ctx)
    leader = User.objects.create(username="bench-today-leader", role=Role.LEADER, unit=tree.region)
    county_user = User.objects.create(
        username="bench-today-county", role=Role.COUNTY_STAFF, unit=people.county
    )
    small_user = User.objects.create(
        username="bench-today-small", role=Role.COUNTY_STAFF, unit=people.small_county
    )
    data = _screenings(ctx, tree, leader)
    today = data.last_day
    in_county = Screening.objects.filter(unit__path__startswith=people.county.path).count()
    in_small = Screening.objects.filter(unit__path__startswith=people.small_county.path).count()
    ctx.log(
        f"screenings: {data.total:,} over {DAYS} days ({data.first_day} … {today}), {in_county:,} in "
        f"{people.county.name}, {in_small:,} in {people.small_county.name} (inserted in {data.seconds:.1f} s)"
    )
    users = {"today_county": county_user, "today_leader": leader, "people": county_user}
    urls = {"today_county": TODAY_URL, "today_leader": TODAY_URL, "people": PEOPLE_URL}

    moment = dt.datetime.combine(today, dt.time(23, 0), tzinfo=clock.local_zone())
    with clock.frozen(moment), override_settings(ROOT_URLCONF="bench.urls"):
        clients = {case: _client(users[case]) for case in urls}
        small_client = _client(small_user)
        shown = {case: _check(clients[case], urls[case]) for case in ("today_county", "today_leader")}
        ctx.log(
            "items on /: "
            + "; ".join(
                f"{case.removeprefix('today_')}: {', '.join(keys) or 'none'}" for case, keys in shown.items()
            )
        )
        ctx.log(
            f"timing {TODAY_URL} (county, leader) and {PEOPLE_URL}: {ctx.rounds} rounds × {ctx.requests} requests"
        )
        per_round = compare_rps(
            {case: getter(clients[case], url) for case, url in urls.items()},
            requests=ctx.requests,
            rounds=ctx.rounds,
            warmup=ctx.warmup,
        )
        queries = {case: timed_queries(clients[case], url) for case, url in urls.items()}
        small_queries = timed_queries(small_client, TODAY_URL)

        results = _results(ctx, per_round, queries, small_queries, people)
        if ctx.verbose:
            _print_queries(f"{TODAY_URL} as county staff of {people.county.name}", queries["today_county"])
            _print_queries(f"{TODAY_URL} as leader of the region", queries["today_leader"])
            _print_queries(f"{TODAY_URL} as county staff of {people.small_county.name}", small_queries)
            _print_queries(f"{PEOPLE_URL} as county staff of {people.county.name}", queries["people"])
        if ctx.verbose or not all(r.passed for r in results):
            _time_parts(
                today=today,
                scopes={
                    f"{people.county.name} (county staff)": county_user,
                    "region (leader)": leader,
                    f"{people.small_county.name} (county staff)": small_user,
                },
            )
    return results


def _screenings(ctx: Context, tree: fixtures.OrgTree, admin: User) -> screening_fixtures.Screenings:
    """The screening benches' million rows (their fixture, own memo) over the big tree's institutions."""
    institutions = list(
        OrgUnit.objects.filter(path__startswith=tree.region.path, kind=UnitKind.INSTITUTION).order_by("path")
    )
    target = screening_fixtures.ScreeningTree(
        region=tree.region, counties=tree.counties, institutions=institutions, admin=admin
    )
    memo = ctx.shared.setdefault(SHARED_KEY, {})
    assert isinstance(memo, dict)
    return screening_fixtures.screenings(memo, target, total=TOTAL, days=DAYS)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _check(client: Client, url: str) -> list[str]:
    """The page answers and shows some of the day's work (else the comparison is of an empty page)."""
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    html = response.content.decode()
    keys = [part.split('"', 1)[0] for part in html.split('data-work="')[1:]]
    assert keys, f"{url} shows no work for the day"
    assert 'data-testid="board"' in html, f"{url} shows no board"
    return keys


def _results(
    ctx: Context,
    per_round: dict[str, list[float]],
    queries: dict[str, list[tuple[str, float]]],
    small_queries: list[tuple[str, float]],
    people: fixtures.People,
) -> list[Result]:
    results = []
    people_rps = max(per_round["people"])
    for case, who in (
        ("today_county", f"county staff of {people.county.name}"),
        ("today_leader", "region leader"),
    ):
        rps = max(per_round[case])
        rounds = "; ".join(
            f"{name} {', '.join(f'{v:.1f}' for v in per_round[name])}" for name in (case, "people")
        )
        ratios = ", ".join(f"{t / p:.2f}" for t, p in zip(per_round[case], per_round["people"], strict=True))
        results.append(
            Result(
                name=f"today {TODAY_URL} req/s vs {PEOPLE_URL} ({who})",
                figure=rps,
                baseline=people_rps,
                unit="req/s",
                goal_op=">=",
                goal=GOAL,
                note=(
                    f"best of {ctx.rounds} × {ctx.requests} requests: {TODAY_URL} {1000 / rps:.1f} ms, "
                    f"{PEOPLE_URL} {1000 / people_rps:.1f} ms per request; in the database "
                    f"{_db_ms(queries[case]):.1f} ms ({len(queries[case])} queries) and "
                    f"{_db_ms(queries['people']):.1f} ms ({len(queries['people'])} queries) in one request "
                    f"each, slowest statement {slowest_query(queries[case])}; req/s per round: {rounds}; "
                    f"ratio per round: {ratios}"
                ),
            )
        )
    big, small = len(queries["today_county"]), len(small_queries)
    results.append(
        Result(
            name=f"today {TODAY_URL} queries, {people.county.name} vs {people.small_county.name} (county staff)",
            figure=big,
            baseline=small,
            unit="queries",
            goal_op="==",
            goal=1.0,
            note=(
                f"constant: {'yes' if big == small else 'no'} — {big} queries with {people.in_county:,} "
                f"people in scope, {small} with {people.in_small_county}; leader: "
                f"{len(queries['today_leader'])}; in the database {_db_ms(queries['today_county']):.1f} ms "
                f"against {_db_ms(small_queries):.1f} ms (slowest statement {slowest_query(small_queries)})"
                + (
                    ""
                    if big == small
                    else f"; differing: {_difference(queries['today_county'], small_queries)}"
                )
            ),
        )
    )
    return results


def _db_ms(queries: list[tuple[str, float]]) -> float:
    return sum(ms for _, ms in queries)


def _difference(big: list[tuple[str, float]], small: list[tuple[str, float]]) -> str:
    def shapes(queries: list[tuple[str, float]]) -> list[str]:
        return [sql[:50] for sql, _ in queries]

    extra = [s for s in shapes(big) if s not in shapes(small)] + [
        s for s in shapes(small) if s not in shapes(big)
    ]
    return "; ".join(extra[:5]) or "same statements, repeated a different number of times"


def _print_queries(title: str, queries: list[tuple[str, float]], *, slowest: int = 8) -> None:
    print(f"    {len(queries)} queries of {title}, {_db_ms(queries):.2f} ms in the database; the slowest:")
    ranked = sorted(enumerate(queries, start=1), key=lambda item: -item[1][1])[:slowest]
    for index, (sql, ms) in ranked:
        shown = sql if len(sql) <= 150 else f"{sql[:70]} … {sql[-75:]}"
        print(f"      {index:2d}. {ms:8.2f} ms  {shown}")


def _time_parts(*, today: dt.date, scopes: dict[str, User], repeat: int = 2) -> None:
    """Each registered work's count (the viewer's scope, and the region's, which a county's board
    asks for too), the chart and the suspensions, timed alone: best of `repeat`, with queries."""
    from shouhu.site.selectors import _within  # the page's own rule for a work's subtree

    print("    the page's parts timed alone (best of 2; ms and queries per call):")
    for label, viewer in scopes.items():
        print(f"      {label}:")
        parts: list[tuple[str, Callable[[], object]]] = []
        for work in registered_works():
            if not viewer.has_code(work.permission):
                continue
            within = _within(viewer, work.module)
            if within is None:
                continue

            def count(work=work, within=within, viewer_id=viewer.pk) -> object:  # type: ignore[no-untyped-def]
                return list(work.count(within=within, today=today, viewer_id=viewer_id))

            parts.append((f"{work.key} within={within or 'region'!r}", count))
        parts.append(("screening_chart", lambda viewer=viewer: screening_chart(viewer=viewer, today=today)))
        parts.append(
            (
                "suspension_list[:10]",
                lambda viewer=viewer: list(
                    suspension_list(viewer=viewer, filters=SuspensionFilters(active_on=today))[:10]
                ),
            )
        )
        for name, call in parts:
            best = float("inf")
            with CaptureQueriesContext(connection) as captured:
                call()
            for _ in range(repeat):
                started = time.perf_counter()
                call()
                best = min(best, time.perf_counter() - started)
            print(f"        {1000 * best:9.2f} ms  {len(captured.captured_queries):2d} q  {name}")
