"""The scoped person list (page and API) against bare Django views doing the same query.

A county staff member opens /people/ and /api/v1/people/ (50 rows per page) with 100,000
people registered in their county (spread over its ~14,200 villages and institutions, one or
two categories each). The baselines are `bench.urls.bare_people` and `bare_people_json`: the
same scoped query (`home_unit__path__gte/__lt`, not merged, ordered by unit path, name, pk,
the unit joined), a COUNT for pagination, 50 rows with the ID and phone numbers decrypted and
masked, rendered minimally; they show no categories (the page and the API prefetch them).

Goals (issue): the page and the API serve at least 0.5 of their bare view's requests per
second (the org list's goal), and their number of queries does not grow with the number of
people in scope (100,000 against the small county's 5).
"""

from __future__ import annotations

import re

from django.test import Client
from django.test.utils import override_settings

from bench import fixtures
from bench.harness import Context, Result, compare_rps, getter, slowest_query, timed_queries
from shouhu.accounts.models import User
from shouhu.accounts.roles import Role

PAGE_URL = "/people/"
API_URL = "/api/v1/people/"
BARE_URL = "/bench/bare-people/"
BARE_JSON_URL = "/bench/bare-people.json"
PERSON_LINKS = re.compile(r'href="/people/(\d+)/"')
GOAL = 0.5
PAIRS = {  # case: (url, its baseline case)
    "page": (PAGE_URL, "bare"),
    "api": (API_URL, "bare_json"),
}
URLS = {"page": PAGE_URL, "api": API_URL, "bare": BARE_URL, "bare_json": BARE_JSON_URL}


def run(ctx: Context) -> list[Result]:
    _tree, people = fixtures.tree_and_people(ctx)
    big_user = User.objects.create(username="bench-people-county", role=Role.COUNTY_STAFF, unit=people.county)
    small_user = User.objects.create(
        username="bench-people-small", role=Role.COUNTY_STAFF, unit=people.small_county
    )

    with override_settings(ROOT_URLCONF="bench.urls"):
        clients = {case: Client() for case in URLS}
        for client in clients.values():
            client.force_login(big_user)
        small_client = Client()
        small_client.force_login(small_user)

        _check_same_rows(clients, people.in_county)

        ctx.log(f"timing {', '.join(URLS.values())}: {ctx.rounds} rounds × {ctx.requests} requests each")
        per_round = compare_rps(
            {case: getter(clients[case], url) for case, url in URLS.items()},
            requests=ctx.requests,
            rounds=ctx.rounds,
            warmup=ctx.warmup,
        )
        queries = {case: timed_queries(clients[case], url) for case, url in URLS.items()}
        small_queries = {case: timed_queries(small_client, URLS[case]) for case in PAIRS}

    if ctx.verbose:
        for case, url in URLS.items():
            _print_queries(f"{url} ({people.in_county:,} people in scope)", queries[case])
        for case in PAIRS:
            _print_queries(f"{URLS[case]} ({people.in_small_county} people in scope)", small_queries[case])

    results = []
    for case, (url, bare) in PAIRS.items():
        rps, bare_rps = max(per_round[case]), max(per_round[bare])
        rounds = "; ".join(
            f"{name} {', '.join(f'{v:.1f}' for v in per_round[name])}" for name in (case, bare)
        )
        ratios = ", ".join(f"{p / b:.2f}" for p, b in zip(per_round[case], per_round[bare], strict=True))
        db_ms = sum(ms for _, ms in queries[case])
        bare_db_ms = sum(ms for _, ms in queries[bare])
        results.append(
            Result(
                name=f"person list {url} req/s vs bare view ({people.in_county:,} people in scope)",
                figure=rps,
                baseline=bare_rps,
                unit="req/s",
                goal_op=">=",
                goal=GOAL,
                note=(
                    f"best of {ctx.rounds} × {ctx.requests} requests: {case} {1000 / rps:.2f} ms, "
                    f"{URLS[bare]} {1000 / bare_rps:.2f} ms per request; in the database "
                    f"{db_ms:.1f} ms ({len(queries[case])} queries) and {bare_db_ms:.1f} ms "
                    f"({len(queries[bare])} queries) in one request each; req/s per round: {rounds}; "
                    f"ratio per round: {ratios}"
                ),
            )
        )
    for case, (url, bare) in PAIRS.items():
        big, small = len(queries[case]), len(small_queries[case])
        results.append(
            Result(
                name=(
                    f"person list {url} queries, "
                    f"{people.in_county:,} vs {people.in_small_county} people in scope"
                ),
                figure=big,
                baseline=small,
                unit="queries",
                goal_op="==",
                goal=1.0,
                note=(
                    f"constant: {'yes' if big == small else 'no'} — {big} queries with "
                    f"{people.in_county:,} people in scope, {small} with {people.in_small_county}; "
                    f"bare view: {len(queries[bare])}; in the database: "
                    f"{sum(ms for _, ms in queries[case]):.1f} ms with {people.in_county:,} people "
                    f"in scope, {sum(ms for _, ms in small_queries[case]):.1f} ms with "
                    f"{people.in_small_county} (slowest statement {slowest_query(small_queries[case])})"
                ),
            )
        )
    return results


def _check_same_rows(clients: dict[str, Client], in_scope: int) -> None:
    """The page and its bare view show the same 50 people and total, and so do the API and its
    bare view, or the comparison is void."""
    html = {}
    for case in ("page", "bare"):
        response = clients[case].get(URLS[case])
        assert response.status_code == 200, f"{URLS[case]} answered {response.status_code}"
        html[case] = response.content.decode()
        assert f"共 {in_scope} 条" in html[case], f"{URLS[case]} does not show the total {in_scope}"
    page_ids, bare_ids = PERSON_LINKS.findall(html["page"]), PERSON_LINKS.findall(html["bare"])
    assert len(page_ids) == 50, f"{PAGE_URL} shows {len(page_ids)} people, not 50"
    assert page_ids == bare_ids, f"{PAGE_URL} and {BARE_URL} show different people"

    data = {}
    for case in ("api", "bare_json"):
        response = clients[case].get(URLS[case])
        assert response.status_code == 200, f"{URLS[case]} answered {response.status_code}"
        data[case] = response.json()
        assert data[case]["count"] == in_scope, f"{URLS[case]} counts {data[case]['count']}, not {in_scope}"
    api_ids = [str(row["id"]) for row in data["api"]["results"]]
    bare_json_ids = [str(row["id"]) for row in data["bare_json"]["results"]]
    assert api_ids == bare_json_ids == page_ids, f"{API_URL} and {BARE_JSON_URL} show different people"
    assert all("*" in row["id_number"] for row in data["api"]["results"]), f"{API_URL} shows unmasked numbers"


def _print_queries(title: str, queries: list[tuple[str, float]]) -> None:
    total = sum(ms for _, ms in queries)
    print(f"    {len(queries)} queries of {title}, {total:.2f} ms in the database:")
    for index, (sql, ms) in enumerate(queries, start=1):
        shown = sql if len(sql) <= 150 else f"{sql[:70]} … {sql[-75:]}"
        print(f"      {index:2d}. {ms:7.2f} ms  {shown}")
