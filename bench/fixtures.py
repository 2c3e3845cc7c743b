"""Large data sets built straight into the database, shared by the benchmarks of one run.

Import only after `django.setup()`.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

from django.db import connection, transaction

from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind, UnitStatus

COUNTIES = [  # the region's real county codes and names (see shouhu.orgs.demo)
    ("232718", "加格达奇区"),
    ("232719", "松岭区"),
    ("232720", "新林区"),
    ("232724", "呼中区"),
    ("232701", "漠河市"),
    ("232722", "塔河县"),
    ("232721", "呼玛县"),
]
INSTITUTION_TYPES = [t for t in InstitutionType.values if t != InstitutionType.BUREAU_OFFICE]


@dataclass(frozen=True)
class OrgTree:
    total: int
    region: OrgUnit
    counties: list[OrgUnit]  # the big ones
    small_county: OrgUnit  # a county with only a handful of units
    seconds: float

    def scope_size(self, unit: OrgUnit) -> int:
        return OrgUnit.objects.filter(path__startswith=unit.path).count()


def org_tree(
    ctx_shared: dict[str, object],
    *,
    total: int = 100_000,
    townships_per_county: int = 100,
    villages_per_township: int = 140,
) -> OrgTree:
    """The region's tree with `total` units, built once per run (memoised in ctx.shared).

    1 region, 7 counties × `townships_per_county` townships × `villages_per_township`
    villages, institutions under the townships to make up `total`, and an eighth, small
    county (1 township, 3 villages, 1 institution) to compare query counts against.
    """
    key = f"org_tree:{total}:{townships_per_county}:{villages_per_township}"
    if key not in ctx_shared:
        ctx_shared[key] = _build(total, townships_per_county, villages_per_township)
    tree = ctx_shared[key]
    assert isinstance(tree, OrgTree)
    return tree


def _path(parent_path: str, step: int) -> str:
    return OrgUnit._get_path(parent_path, len(parent_path) // OrgUnit.steplen + 1, step)


def _build(total: int, townships_per_county: int, villages_per_township: int) -> OrgTree:
    started = time.perf_counter()
    if OrgUnit.objects.exists():
        raise RuntimeError("org_tree() needs an empty orgs_orgunit table")
    n_townships = len(COUNTIES) * townships_per_county
    small_county_units = 1 + 1 + 3 + 1
    fixed = 1 + len(COUNTIES) + n_townships * (1 + villages_per_township) + small_county_units
    institutions = total - fixed
    if institutions < 0:
        raise ValueError(f"{total} units are too few for this shape ({fixed} without institutions)")
    # Institutions per township, spread evenly: the first `extra` townships get one more.
    base, extra = divmod(institutions, n_townships)
    institution_type = itertools.cycle(INSTITUTION_TYPES)

    rows: list[OrgUnit] = []

    def add(parent_path: str, step: int, **fields: object) -> str:
        path = _path(parent_path, step)
        kind = fields["kind"]
        rows.append(
            OrgUnit(
                path=path,
                depth=len(path) // OrgUnit.steplen,
                institution_type=next(institution_type) if kind == UnitKind.INSTITUTION else "",
                **fields,
            )
        )
        return path

    region = add("", 1, code="232700", name="大兴安岭地区", kind=UnitKind.REGION, numchild=len(COUNTIES) + 1)
    township_index = 0
    for c_index, (c_code, c_name) in enumerate(COUNTIES, start=1):
        county = add(
            region, c_index, code=c_code, name=c_name, kind=UnitKind.COUNTY, numchild=townships_per_county
        )
        for t_index in range(1, townships_per_county + 1):
            t_code = f"{c_code}{t_index:03d}"
            t_name = f"{c_name}第{t_index}乡镇"
            n_institutions = base + (1 if township_index < extra else 0)
            township_index += 1
            township = add(
                county,
                t_index,
                code=t_code,
                name=t_name,
                kind=UnitKind.TOWNSHIP,
                address=f"{c_name}{t_name}",
                numchild=villages_per_township + n_institutions,
            )
            for v_index in range(1, villages_per_township + 1):
                add(
                    township,
                    v_index,
                    code=f"{t_code}{v_index:03d}",
                    name=f"{t_name}第{v_index}村",
                    kind=UnitKind.VILLAGE,
                    address=f"{c_name}{t_name}{v_index}号",
                    contact_person="张三",
                    contact_phone="0457-1234567",
                    status=UnitStatus.CLOSED if v_index % 50 == 0 else UnitStatus.ACTIVE,
                    numchild=0,
                )
            for i_index in range(1, n_institutions + 1):
                add(
                    township,
                    villages_per_township + i_index,
                    code=f"{t_code}J{i_index:02d}",
                    name=f"{t_name}第{i_index}服务机构",
                    kind=UnitKind.INSTITUTION,
                    address=f"{c_name}{t_name}",
                    numchild=0,
                )
    small = add(region, len(COUNTIES) + 1, code="232799", name="基准小县", kind=UnitKind.COUNTY, numchild=1)
    small_township = add(
        small, 1, code="232799001", name="基准小县第1乡镇", kind=UnitKind.TOWNSHIP, numchild=4
    )
    for v_index in range(1, 4):
        add(
            small_township,
            v_index,
            code=f"232799001{v_index:03d}",
            name=f"基准小县第{v_index}村",
            kind=UnitKind.VILLAGE,
        )
    add(small_township, 4, code="232799001J01", name="基准小县敬老院", kind=UnitKind.INSTITUTION)
    assert len(rows) == total, (len(rows), total)

    with transaction.atomic():
        OrgUnit.objects.bulk_create(rows, batch_size=2000)
    if connection.vendor == "postgresql":
        # Planner statistics and the visibility map, as autovacuum leaves them soon after a bulk
        # load. SQLite gets no ANALYZE: Django never runs it, so a deployed SQLite database has
        # no sqlite_stat1 either (and with it, SQLite plans the form's county query as a scan
        # of the path index: ~17 ms instead of ~0.1 ms on 100,000 units).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE orgs_orgunit")

    units = OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("path")
    counties = [u for u in units if u.code != "232799"]
    return OrgTree(
        total=OrgUnit.objects.count(),
        region=OrgUnit.objects.get(path=region),
        counties=counties,
        small_county=OrgUnit.objects.get(path=small),
        seconds=time.perf_counter() - started,
    )
