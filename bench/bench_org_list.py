"""The scoped org/institution list page against a bare Django view doing the same query.

A county staff member opens /orgs/ (50 rows per page) with 100,000 units in the database, of
which their county holds about 1/7. The baseline is `bench.urls.bare_units`: the same scoped
query, a COUNT for pagination and a minimal table, through the same middleware.

Goals (issue): the page serves at least 0.5 of the bare view's requests per second, and its
number of queries does not grow with the number of rows in scope.
"""

from __future__ import annotations

import re

from django.test import Client
from django.test.utils import override_settings

from bench import fixtures
from bench.harness import Context, Result, compare_rps, getter, timed_queries
from shouhu.accounts.models import User
from shouhu.accounts.roles import Role

PAGE_URL = "/orgs/"
BARE_URL = "/bench/bare-units/"
PAGE_CODES = re.compile(r'<td class="small text-muted">([^<]+)</td>')
BARE_CODES = re.compile(r'<td class="code">([^<]+)</td>')


def run(ctx: Context) -> list[Result]:
    tree = fixtures.org_tree(ctx.shared)
    ctx.log(f"org tree: {tree.total:,} units (built in {tree.seconds:.1f} s)")
    county, small = tree.counties[0], tree.small_county
    in_scope, in_small_scope = tree.scope_size(county), tree.scope_size(small)
    big_user = User.objects.create(username="bench-orglist-county", role=Role.COUNTY_STAFF, unit=county)
    small_user = User.objects.create(username="bench-orglist-small", role=Role.COUNTY_STAFF, unit=small)

    with override_settings(ROOT_URLCONF="bench.urls"):
        page_client, bare_client, small_client = Client(), Client(), Client()
        page_client.force_login(big_user)
        bare_client.force_login(big_user)
        small_client.force_login(small_user)

        _check_same_rows(page_client, bare_client, in_scope)

        ctx.log(f"timing {PAGE_URL} and {BARE_URL}: {ctx.rounds} rounds × {ctx.requests} requests each")
        per_round = compare_rps(
            {"page": getter(page_client, PAGE_URL), "bare": getter(bare_client, BARE_URL)},
            requests=ctx.requests,
            rounds=ctx.rounds,
            warmup=ctx.warmup,
        )
        page_rps, bare_rps = max(per_round["page"]), max(per_round["bare"])

        page_queries = timed_queries(page_client, PAGE_URL)
        small_queries = timed_queries(small_client, PAGE_URL)
        bare_queries = timed_queries(bare_client, BARE_URL)

    if ctx.verbose:
        _print_queries(f"{PAGE_URL} ({in_scope:,} units in scope)", page_queries)
        _print_queries(f"{PAGE_URL} ({in_small_scope:,} units in scope)", small_queries)
        _print_queries(f"{BARE_URL} ({in_scope:,} units in scope)", bare_queries)

    rounds = "; ".join(
        f"{name} {', '.join(f'{rps:.1f}' for rps in values)}" for name, values in per_round.items()
    )
    ratios = ", ".join(f"{p / b:.2f}" for p, b in zip(per_round["page"], per_round["bare"], strict=True))
    constant = len(page_queries) == len(small_queries)
    return [
        Result(
            name=f"org list {PAGE_URL} req/s vs bare view ({in_scope:,} of {tree.total:,} units in scope)",
            figure=page_rps,
            baseline=bare_rps,
            unit="req/s",
            goal_op=">=",
            goal=0.5,
            note=(
                f"best of {ctx.rounds} × {ctx.requests} requests: page {1000 / page_rps:.2f} ms, "
                f"bare {1000 / bare_rps:.2f} ms per request; req/s per round: {rounds}; "
                f"ratio per round: {ratios}"
            ),
        ),
        Result(
            name=f"org list {PAGE_URL} queries, {in_scope:,} vs {in_small_scope:,} units in scope",
            figure=len(page_queries),
            baseline=len(small_queries),
            unit="queries",
            goal_op="==",
            goal=1.0,
            note=(
                f"constant: {'yes' if constant else 'no'} — {len(page_queries)} queries with "
                f"{in_scope:,} units in scope, {len(small_queries)} with {in_small_scope:,}; "
                f"bare view: {len(bare_queries)}"
            ),
        ),
    ]


def _check_same_rows(page_client: Client, bare_client: Client, in_scope: int) -> None:
    """Both views must show the same 50 rows and the same total, or the comparison is void."""
    page = page_client.get(PAGE_URL)
    bare = bare_client.get(BARE_URL)
    assert page.status_code == 200, f"{PAGE_URL} answered {page.status_code}"
    assert bare.status_code == 200, f"{BARE_URL} answered {bare.status_code}"
    page_html, bare_html = page.content.decode(), bare.content.decode()
    page_codes, bare_codes = PAGE_CODES.findall(page_html), BARE_CODES.findall(bare_html)
    assert len(page_codes) == 50, f"{PAGE_URL} shows {len(page_codes)} rows, not 50"
    assert page_codes == bare_codes, f"{PAGE_URL} and {BARE_URL} show different rows"
    for name, html in ((PAGE_URL, page_html), (BARE_URL, bare_html)):
        assert f"共 {in_scope} 条" in html, f"{name} does not show the total {in_scope}"


def _print_queries(title: str, queries: list[tuple[str, float]]) -> None:
    total = sum(ms for _, ms in queries)
    print(f"    {len(queries)} queries of {title}, {total:.2f} ms in the database:")
    for index, (sql, ms) in enumerate(queries, start=1):
        shown = sql if len(sql) <= 150 else f"{sql[:70]} … {sql[-75:]}"
        print(f"      {index:2d}. {ms:7.2f} ms  {shown}")
