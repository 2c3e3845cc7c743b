"""Institutions and screenings for the screening benchmarks, built once per run.

Import only after `django.setup()`.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

from django.db import connection, transaction

from bench.fixtures import COUNTIES
from shouhu.accounts.models import User
from shouhu.accounts.roles import Role
from shouhu.common import clock
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind

INSTITUTIONS_PER_COUNTY = 14
INSTITUTION_TYPES = [
    InstitutionType.NURSING_HOME,
    InstitutionType.FUNERAL_HOME,
    InstitutionType.RESCUE_STATION,
]
# What a refusal's reason codes look like in practice: mostly one reason, sometimes two.
REASON_SETS = [
    ["health_code"],
    ["temperature"],
    ["risk_area"],
    ["health_code", "itinerary_code"],
    ["refused_checks"],
    ["itinerary_code"],
    ["closed"],
]


@dataclass(frozen=True)
class ScreeningTree:
    region: OrgUnit
    counties: list[OrgUnit]
    institutions: list[OrgUnit]
    admin: User


def screening_tree(shared: dict[str, object]) -> ScreeningTree:
    """A region, its seven counties and 14 institutions in each (98), and a region administrator."""
    if "screening_tree" not in shared:
        region = OrgUnit.add_root(
            name="大兴安岭地区（查验基准）", kind=UnitKind.REGION, code="bench-s-232700"
        )
        counties, institutions = [], []
        for code, name in COUNTIES:
            county = region.add_child(name=name, kind=UnitKind.COUNTY, code=f"bench-s-{code}")
            counties.append(county)
            for number in range(INSTITUTIONS_PER_COUNTY):
                institutions.append(
                    county.add_child(
                        name=f"{name}第{number + 1}服务机构",
                        kind=UnitKind.INSTITUTION,
                        code=f"bench-s-{code}-{number + 1:02d}",
                        institution_type=INSTITUTION_TYPES[number % len(INSTITUTION_TYPES)],
                    )
                )
                county.refresh_from_db()
            region.refresh_from_db()
        admin = User.objects.create(username="bench-screening-admin", role=Role.REGION_ADMIN, unit=region)
        shared["screening_tree"] = ScreeningTree(region, counties, institutions, admin)
    tree = shared["screening_tree"]
    assert isinstance(tree, ScreeningTree)
    return tree


@dataclass(frozen=True)
class Screenings:
    total: int
    first_day: dt.date
    last_day: dt.date
    seconds: float


def _verdict(i: int) -> str:
    """1 in 50 pending, 4 in 50 refused, the rest admitted (the same rule as the SQL below)."""
    rest = i % 50
    return "pending" if rest == 0 else "refused" if rest < 5 else "admitted"


def screenings(shared: dict[str, object], tree: ScreeningTree, *, total: int, days: int) -> Screenings:
    """`total` screenings spread evenly over `days` local days and all institutions."""
    key = f"screenings:{total}:{days}"
    if key not in shared:
        first_day = dt.date(2022, 1, 1)
        start = dt.datetime.combine(first_day, dt.time.min, tzinfo=clock.local_zone()).astimezone(dt.UTC)
        step = days * 86400 / total  # seconds between two screenings
        unit_ids = [u.pk for u in tree.institutions]
        started = time.perf_counter()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _insert_postgresql(start, step, unit_ids, total)
            else:
                _insert_sqlite(start, step, unit_ids, total)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        shared[key] = Screenings(
            total, first_day, first_day + dt.timedelta(days - 1), time.perf_counter() - started
        )
    data = shared[key]
    assert isinstance(data, Screenings)
    return data


INSERT_COLUMNS = (
    "unit_id, person_id, visitor_name, visitor_name_index, visitor_phone, visitor_phone_index, screened_at, "
    "health_code, "
    "itinerary_code, itinerary_star, temperature, mask, refused_checks, travel_data, verdict, "
    "reason_codes, reasons, notes, needs_review, source, screened_by_id, confirmed_at, receipt"
)


def _insert_postgresql(start: dt.datetime, step: float, unit_ids: list[int], total: int) -> None:
    reason_sets = [json.dumps(r) for r in REASON_SETS]
    sql = f"""
        INSERT INTO screening_screening ({INSERT_COLUMNS})
        SELECT units[1 + i %% cardinality(units)], NULL, '', '', '', '',
               %(start)s::timestamptz + make_interval(secs => i * %(step)s),
               'green', 'green', false,
               CASE WHEN i %% 50 = 0 THEN NULL ELSE 36.5 END, true, false, '',
               CASE WHEN i %% 50 = 0 THEN 'pending' WHEN i %% 50 < 5 THEN 'refused' ELSE 'admitted' END,
               CASE WHEN i %% 50 BETWEEN 1 AND 4
                    THEN (%(reasons)s::text[])[1 + (i / 50) %% cardinality(%(reasons)s::text[])]::jsonb
                    ELSE '[]'::jsonb END,
               '', '', false, 'desk', NULL, NULL, NULL
        FROM generate_series(0, %(last)s) AS i, (SELECT %(units)s::int[] AS units) AS u
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql, {"start": start, "step": step, "units": unit_ids, "reasons": reason_sets, "last": total - 1}
        )


def _insert_sqlite(start: dt.datetime, step: float, unit_ids: list[int], total: int) -> None:
    reason_sets = [json.dumps(r) for r in REASON_SETS]
    naive = start.replace(tzinfo=None)

    def rows():  # type: ignore[no-untyped-def]
        for i in range(total):
            verdict = _verdict(i)
            moment = naive + dt.timedelta(seconds=i * step)
            yield (
                unit_ids[i % len(unit_ids)],
                moment.isoformat(sep=" "),
                None if verdict == "pending" else "36.5",
                verdict,
                reason_sets[(i // 50) % len(reason_sets)] if verdict == "refused" else "[]",
            )

    sql = (
        f"INSERT INTO screening_screening ({INSERT_COLUMNS}) "
        "VALUES (%s, NULL, '', '', '', '', %s, 'green', 'green', 0, %s, 1, 0, '', %s, %s, '', '', 0, 'desk', "
        "NULL, NULL, NULL)"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows())
