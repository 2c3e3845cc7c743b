"""Marriage bookings over HTTP on PostgreSQL: the API against a bare select_for_update view.

gunicorn (sync workers, 2 × CPUs + 1) serves `bench.booking_wsgi`. Sixteen client threads POST
bookings as a registry clerk (session cookie and CSRF token) to `/api/v1/marriage/bookings/new/` —
serializer, both parties validated (ID check digit, phone) and found or registered as persons
(encryption, blind indexes), the day's plan (holidays, overrides, surge dates, C4 suspensions),
isolation and one-active-booking checks, the seat taken under a row lock with a guarded UPDATE,
booking and parties inserted, two texts queued — and to the bare view, which locks the slot row,
counts it up and inserts one booking row. Both aim at the same eight slots, so they contend on the
same row locks. Afterwards every slot's count must equal its rows and stay within its capacity.

Goals (issue): at least 0.5 of the bare view's bookings per second, p99 under 100 ms at 16
concurrent clients, nothing overbooked. SQLite is skipped: one writer at a time.
"""

from __future__ import annotations

import datetime as dt
import http.client
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time

from django.db import connection
from django.db.models import Count, Q
from django.test import Client

from bench.bench_screening import CSRF_TOKEN, PROJECT_DIR, Round, _gunicorn, _load
from bench.harness import Context, Result
from shouhu.accounts.models import User
from shouhu.accounts.roles import Role
from shouhu.common import clock
from shouhu.marriage import services
from shouhu.marriage.models import SEAT_STATUSES, Booking, Slot
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.orgs.services import unit_create
from shouhu.people.idcard import check_digit

API_URL = "/api/v1/marriage/bookings/new/"
BARE_URL = "/bench/bare-booking/"
HAND_URL = "/bench/hand-written-booking/"
CONCURRENCY = 16
P99_GOAL_MS = 100.0
SLOTS = 8
SEATS_PER_SLOT = 4000


class _BookingServer(_gunicorn):
    """The screening bench's gunicorn runner, serving the booking URLconf instead."""

    def __enter__(self) -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_DIR), str(PROJECT_DIR / "src")])}
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "bench.booking_wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
        ]
        command += ["--workers", str(self.workers), "--backlog", "256", "--log-level", "warning"]
        self.process = subprocess.Popen([*command, "--chdir", str(PROJECT_DIR)], env=env)
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


def _registry() -> list[Slot]:
    root = OrgUnit.objects.filter(depth=1).first() or unit_create(
        actor=None, parent=None, code="BENCHM", name="基准地区", kind=UnitKind.REGION
    )
    county = unit_create(actor=None, parent=root, code="BENCHMC", name="基准县", kind=UnitKind.COUNTY)
    unit = unit_create(
        actor=None,
        parent=county,
        code="BENCHMR",
        name="基准婚姻登记处",
        kind=UnitKind.INSTITUTION,
        institution_type="marriage_registry",
    )
    for hour in range(8, 16):
        services.slot_template_add(
            actor=None, unit=unit, starts_at=dt.time(hour), ends_at=dt.time(hour, 59), share=1
        )
    services.registry_settings_update(
        actor=None, unit=unit, daily_quota=SLOTS * SEATS_PER_SLOT, open_weekdays="1234567"
    )
    day = clock.today() + dt.timedelta(1)  # not a policy threshold: tomorrow
    return services.slots_make(unit=unit, day=day)[:SLOTS]


class _Target:
    def __init__(self, port: int, cookie: str, slots: list[int]) -> None:
        self.port = port
        self.headers = {
            "Content-Type": "application/json",
            "Cookie": cookie,
            "X-CSRFToken": CSRF_TOKEN,
            "Host": "127.0.0.1",
        }
        self.slots = slots
        self.serial = itertools.count(1)
        self.lock = threading.Lock()

    def _party(self, serial: int, female: bool) -> dict[str, str]:
        day = dt.date(1960, 1, 1) + dt.timedelta(days=serial % 12000)
        first17 = (
            f"110101{day:%Y%m%d}{(serial // 12000) % 50 * 20 + (serial % 5) * 2 + (0 if female else 1):03d}"
        )
        return {
            "name": "基准女" if female else "基准男",
            "id_type": "resident_id",
            "id_number": first17 + check_digit(first17),
            "phone": f"139{serial % 100000000:08d}",
        }

    def post(self, url: str, index: int) -> tuple[int, bytes]:
        with self.lock:
            serial = next(self.serial) * 2
        body = json.dumps(
            {
                "slot": self.slots[index % len(self.slots)],
                "party_a": self._party(serial, False),
                "party_b": self._party(serial + 1, True),
            }
        )
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", url, body=body.encode(), headers=self.headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


def run(ctx: Context) -> list[Result]:
    if ctx.vendor != "postgresql":
        ctx.log("skipped: PostgreSQL only (set BENCH_DATABASE_URL)")
        return []
    slots = _registry()
    user = User.objects.create(username="bench-marriage-clerk", role=Role.COUNTY_STAFF, unit=slots[0].unit)
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF_TOKEN}"
    workers = 2 * (os.cpu_count() or 1) + 1
    requests = max(ctx.requests * 2, 200)
    with _BookingServer(workers) as port:
        target = _Target(port, cookie, [s.pk for s in slots])
        for url in (API_URL, BARE_URL, HAND_URL):
            status, body = target.post(url, 0)
            assert status == 201, f"{url} answered {status}: {body[:300]!r}"
            _load(target, url, requests=ctx.warmup * CONCURRENCY // 4 or CONCURRENCY)
        # The tables were created empty a moment ago. A database in use has statistics (autovacuum
        # gathers them); without them PostgreSQL guesses, and its guess for the parties' look-up
        # was to read the whole person index, which grew with every round.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        ctx.log(
            f"timing {API_URL} and {BARE_URL}: {ctx.rounds} rounds × {requests} requests, {CONCURRENCY} clients"
        )
        rounds: dict[str, list[Round]] = {API_URL: [], BARE_URL: [], HAND_URL: []}
        for turn in range(ctx.rounds):
            order = (API_URL, BARE_URL, HAND_URL)
            for url in order if turn % 2 == 0 else order[::-1]:
                rounds[url].append(_load(target, url, requests=requests))
    errors = sum(r.errors for rs in rounds.values() for r in rs)
    assert errors == 0, f"{errors} requests failed"
    counted = Slot.objects.filter(pk__in=[s.pk for s in slots]).annotate(
        rows=Count("bookings", filter=Q(bookings__status__in=SEAT_STATUSES))
    )
    overbooked = sum(1 for s in counted if s.booked > s.capacity or s.booked != s.rows)
    total = Booking.objects.count()
    api, bare = max(rounds[API_URL], key=lambda r: r.rps), max(rounds[BARE_URL], key=lambda r: r.rps)
    hand = max(rounds[HAND_URL], key=lambda r: r.rps)
    labels = {API_URL: "api", BARE_URL: "bare", HAND_URL: "hand-written"}
    per_round = "; ".join(
        f"{labels[url]} " + ", ".join(f"{r.rps:.0f}/s p99 {r.p99_ms:.0f} ms" for r in rs)
        for url, rs in rounds.items()
    )
    note = (
        f"gunicorn {workers} sync workers, {CONCURRENCY} clients on {SLOTS} slots, best of {ctx.rounds} × "
        f"{requests}; {total:,} bookings; the same work in hand-written SQL (bench.booking_urls): "
        f"{hand.rps:.0f}/s, {hand.rps / bare.rps:.2f} of bare, p99 {hand.p99_ms:.0f} ms; per round: {per_round}"
    )
    return [
        Result(
            name=f"marriage booking POST {API_URL} bookings/s vs bare select_for_update ({CONCURRENCY} concurrent)",
            figure=api.rps,
            baseline=bare.rps,
            unit="req/s",
            goal_op=">=",
            goal=0.5,
            note=note,
        ),
        Result(
            name=f"marriage booking p99 latency vs {P99_GOAL_MS:.0f} ms ({CONCURRENCY} concurrent)",
            figure=api.p99_ms,
            baseline=P99_GOAL_MS,
            unit="ms",
            goal_op="<=",
            goal=1.0,
            note=f"bare view p99 in the same run: {bare.p99_ms:.1f} ms",
        ),
        Result(
            name="marriage slots overbooked or count ≠ rows after the run",
            figure=float(overbooked),
            baseline=1.0,
            unit="slots",
            goal_op="==",
            goal=0.0,
            note=f"{len(slots)} slots checked",
        ),
    ]
