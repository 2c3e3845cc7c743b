"""Screening submissions over HTTP on PostgreSQL: the API against a bare Django view.

A real server: gunicorn (sync workers, 2 × CPUs + 1) serves `bench.screening_wsgi` — the
project plus `bench.screening_urls.bare_screening`. Sixteen client threads POST screenings
as a county staff member (session cookie and CSRF token, like the desk's browser) to
`/api/v1/screening/screenings/` — serializer, scope check, the rule book (policy, risk
areas, isolation register, closures), encryption, insert — and to the bare view, which parses
the body, finds the institution in the user's subtree and inserts one row. The two take
turns in interleaved rounds; the best round of each counts.

Goals (issue): the API serves at least 0.5 of the bare view's requests per second, and its
99th-percentile latency stays under 100 ms at 16 concurrent clients.
SQLite is skipped: one writer at a time is not what production runs.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.test import Client

from bench import screening_fixtures
from bench.harness import Context, Result
from shouhu.accounts.models import User
from shouhu.accounts.roles import Role
from shouhu.screening.models import Screening

PROJECT_DIR = Path(__file__).resolve().parent.parent
API_URL = "/api/v1/screening/screenings/"
BARE_URL = "/bench/bare-screening/"
CONCURRENCY = 16
P99_GOAL_MS = 100.0
CSRF_TOKEN = "benchscreeningcsrftoken000000000"  # 32 characters: an unmasked secret


@dataclass(frozen=True)
class Round:
    rps: float
    p99_ms: float
    errors: int


class Poster(Protocol):
    """A client that POSTs request number `index` to `url` (one per thread of the load)."""

    def post(self, url: str, index: int) -> tuple[int, bytes]: ...


def run(ctx: Context) -> list[Result]:
    if ctx.vendor != "postgresql":
        ctx.log("skipped: PostgreSQL only (set BENCH_DATABASE_URL)")
        return []
    tree = screening_fixtures.screening_tree(ctx.shared)
    county = tree.counties[0]
    user = User.objects.create(username="bench-screening-desk", role=Role.COUNTY_STAFF, unit=county)
    institutions = [u.pk for u in tree.institutions if u.path.startswith(county.path)]
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF_TOKEN}"
    workers = 2 * (os.cpu_count() or 1) + 1
    requests = max(ctx.requests * 4, 400)
    before = Screening.objects.count()

    with _gunicorn(workers) as port:
        target = _Target(port, cookie, institutions)
        for url in (API_URL, BARE_URL):
            status, body = target.post(url, 0)
            assert status == 201, f"{url} answered {status}: {body[:300]!r}"
            _load(target, url, requests=ctx.warmup * CONCURRENCY // 4 or CONCURRENCY)
        alone = {url: _sequential_ms(target, url) for url in (API_URL, BARE_URL)}
        ctx.log(
            "one client alone, median ms per request: "
            + ", ".join(f"{url} {ms:.1f}" for url, ms in alone.items())
        )
        ctx.log(
            f"timing {API_URL} and {BARE_URL}: {ctx.rounds} rounds × {requests} requests, {CONCURRENCY} clients"
        )
        rounds: dict[str, list[Round]] = {API_URL: [], BARE_URL: []}
        for turn in range(ctx.rounds):
            for url in (API_URL, BARE_URL) if turn % 2 == 0 else (BARE_URL, API_URL):
                rounds[url].append(_load(target, url, requests=requests))
    inserted = Screening.objects.count() - before
    errors = sum(r.errors for rs in rounds.values() for r in rs)
    assert errors == 0, f"{errors} requests failed"

    api, bare = max(rounds[API_URL], key=lambda r: r.rps), max(rounds[BARE_URL], key=lambda r: r.rps)
    per_round = "; ".join(
        f"{'api' if url == API_URL else 'bare'} "
        + ", ".join(f"{r.rps:.0f} req/s p99 {r.p99_ms:.0f} ms" for r in rs)
        for url, rs in rounds.items()
    )
    note = (
        f"gunicorn {workers} sync workers, {CONCURRENCY} concurrent clients, best of {ctx.rounds} × "
        f"{requests} requests; {inserted:,} screenings inserted; per round: {per_round}"
    )
    return [
        Result(
            name=f"screening POST {API_URL} req/s vs bare view ({CONCURRENCY} concurrent)",
            figure=api.rps,
            baseline=bare.rps,
            unit="req/s",
            goal_op=">=",
            goal=0.5,
            note=note,
        ),
        Result(
            name=f"screening POST {API_URL} p99 latency vs {P99_GOAL_MS:.0f} ms ({CONCURRENCY} concurrent)",
            figure=api.p99_ms,
            baseline=P99_GOAL_MS,
            unit="ms",
            goal_op="<=",
            goal=1.0,
            note=(
                f"bare view p99 in the same run: {bare.p99_ms:.1f} ms; one client alone, median: "
                f"API {alone[API_URL]:.1f} ms, bare {alone[BARE_URL]:.1f} ms"
            ),
        ),
    ]


class _gunicorn:
    """A gunicorn process on a free local port, stopped (by its pid) on exit."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_DIR), str(PROJECT_DIR / "src")])}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "bench.screening_wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(self.workers),
                "--backlog",
                "256",
                "--log-level",
                "warning",
                "--chdir",
                str(PROJECT_DIR),
            ],
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited at start-up")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/accounts/login/")
                connection.getresponse().read()
                return port
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


class _Target:
    def __init__(self, port: int, cookie: str, institutions: list[int]) -> None:
        self.port = port
        self.headers = {
            "Content-Type": "application/json",
            "Cookie": cookie,
            "X-CSRFToken": CSRF_TOKEN,
            "Host": "127.0.0.1",
        }
        self.institutions = institutions

    def post(self, url: str, index: int) -> tuple[int, bytes]:
        body = json.dumps(
            {
                "unit": self.institutions[index % len(self.institutions)],
                "visitor_name": "基准访客",
                "health_code": "green",
                "itinerary_code": "green",
                "itinerary_star": False,
                "mask": True,
                "temperature": "36.5",
            }
        )
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", url, body=body.encode(), headers=self.headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


def _sequential_ms(target: _Target, url: str, *, requests: int = 50) -> float:
    """The median time of one request when nothing else is in flight (the service time)."""
    times = []
    for index in range(requests):
        started = time.perf_counter()
        status, body = target.post(url, index)
        times.append(1000 * (time.perf_counter() - started))
        assert status == 201, f"{url} answered {status}: {body[:300]!r}"
    return sorted(times)[len(times) // 2]


def _load(target: Poster, url: str, *, requests: int) -> Round:
    """`requests` POSTs from CONCURRENCY threads; throughput over the wall time and the p99."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    lock = threading.Lock()

    def worker() -> None:
        nonlocal errors
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            started = time.perf_counter()
            status, _ = target.post(url, index)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 201:
                    errors += 1

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return Round(rps=len(latencies) / wall, p99_ms=p99, errors=errors)
