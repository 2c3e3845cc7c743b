"""Large data sets built straight into the database, shared by the benchmarks of one run.

Import only after `django.setup()`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from shouhu.accounts.scope import subtree
from shouhu.common.crypto import blind_index
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind, UnitStatus
from shouhu.people.idcard import check_digit, document_key
from shouhu.people.models import Category, IdType, Person, PersonCategory
from shouhu.people.services import PersonInput, clean_person

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
    # Other benchmarks of the same run may have added their own small trees: this one becomes the
    # next root (their units are outside every scope measured here).
    last_root = OrgUnit.get_last_root_node()
    root_step = OrgUnit._str2int(last_root.path) + 1 if last_root is not None else 1
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

    region = add(
        "", root_step, code="232700", name="大兴安岭地区", kind=UnitKind.REGION, numchild=len(COUNTIES) + 1
    )
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

    units = OrgUnit.objects.filter(path__startswith=region, kind=UnitKind.COUNTY).order_by("path")
    counties = [u for u in units if u.code != "232799"]
    return OrgTree(
        total=OrgUnit.objects.filter(path__startswith=region).count(),
        region=OrgUnit.objects.get(path=region),
        counties=counties,
        small_county=OrgUnit.objects.get(path=small),
        seconds=time.perf_counter() - started,
    )


# --- People ----------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN_NAMES = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建国志文淑凤云海"
PHONE_PREFIXES = ("138", "139", "158", "186", "135", "150", "187", "133")
CATEGORIES = list(Category.values)
BIRTH_DAYS = 20_000  # birth dates 1940-01-01 … 1994-10-04


@dataclass(frozen=True)
class PersonSeed:
    """One made-up person, in the register's own values (not yet labels or ciphertext)."""

    name: str
    gender: str  # Gender value, consistent with the ID number
    birth_date: dt.date  # consistent with the ID number
    id_number: str  # a valid resident ID number (GB 11643 check digit), unique per `index`
    phone: str  # a valid mainland mobile number
    address: str
    household_registration: str
    categories: tuple[str, ...]  # Category values


def person_seed(index: int, *, area_code: str = "232701") -> PersonSeed:
    """The `index`-th made-up person: every index below 10,000,000 gets its own ID number."""
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=index % BIRTH_DAYS)
    block = index // BIRTH_DAYS
    if block >= 500:
        raise ValueError(f"person_seed() makes at most {500 * BIRTH_DAYS:,} distinct ID numbers")
    sequence = block * 2 + index % 2  # the last of the three digits is the gender: odd for men
    first17 = f"{area_code}{birth:%Y%m%d}{sequence:03d}"
    name = SURNAMES[index % len(SURNAMES)] + GIVEN_NAMES[(index * 7) % len(GIVEN_NAMES)]
    if index % 3:
        name += GIVEN_NAMES[(index * 13 + 5) % len(GIVEN_NAMES)]
    categories = (CATEGORIES[index % len(CATEGORIES)],)
    if index % 10 == 0:
        categories += (CATEGORIES[(index + 3) % len(CATEGORIES)],)
    return PersonSeed(
        name=name,
        gender="male" if sequence % 2 else "female",
        birth_date=birth,
        id_number=first17 + check_digit(first17),
        phone=f"{PHONE_PREFIXES[index % len(PHONE_PREFIXES)]}{index % 100_000_000:08d}",
        address=f"大兴安岭地区第{index % 97 + 1}街道{index % 1000 + 1}号{index % 6 + 1}单元",
        household_registration=f"黑龙江省大兴安岭地区{index % 7 + 1}号户籍区",
        categories=categories,
    )


def person(seed: PersonSeed, home_unit_id: int) -> Person:
    """A Person as a bulk load makes it: plain values (the field encrypts), search keys.

    The values are already normalised, so the phone key is the HMAC alone (`phone_key` would
    parse the number again); `check_person_keys` holds this to what the register computes."""
    return Person(
        name=seed.name,
        gender=seed.gender,
        birth_date=seed.birth_date,
        id_type=IdType.RESIDENT_ID,
        id_number=seed.id_number,
        id_index=document_key(seed.id_number),
        phone=seed.phone,
        phone_index=blind_index("phone", seed.phone),
        address=seed.address,
        household_registration=seed.household_registration,
        home_unit_id=home_unit_id,
    )


def check_person_keys(unit: OrgUnit) -> None:
    """`person()` must store what the register's own validation stores, or searches miss."""
    seed = person_seed(0, area_code=unit.code)
    made = person(seed, unit.pk)
    clean = clean_person(
        PersonInput(name=seed.name, home_unit=unit, id_number=seed.id_number, phone=seed.phone)
    ).values
    for name in ("id_number", "id_index", "phone", "phone_index", "gender", "birth_date"):
        if getattr(made, name) != clean[name]:
            raise RuntimeError(f"bench.fixtures.person() computes {name} unlike people.services.clean_person")


def leaf_units(county: OrgUnit) -> list[int]:
    """The villages and institutions of a county, in tree order: where people are registered."""
    units = OrgUnit.objects.filter(subtree(county.path), kind__in=[UnitKind.VILLAGE, UnitKind.INSTITUTION])
    return list(units.order_by("path").values_list("pk", flat=True))


@dataclass(frozen=True)
class People:
    county: OrgUnit  # holds `in_county` people
    small_county: OrgUnit  # holds `in_small_county` people
    in_county: int
    in_small_county: int
    seconds: float


def people(
    ctx_shared: dict[str, object], tree: OrgTree, *, in_county: int = 100_000, in_small_county: int = 5
) -> People:
    """`in_county` people (with categories) spread over the first big county's villages and
    institutions, and a few in the small county; built once per run (memoised in ctx.shared)."""
    key = f"people:{in_county}:{in_small_county}"
    if key not in ctx_shared:
        ctx_shared[key] = _build_people(tree, in_county, in_small_county)
    built = ctx_shared[key]
    assert isinstance(built, People)
    return built


def _build_people(tree: OrgTree, in_county: int, in_small_county: int) -> People:
    started = time.perf_counter()
    county, small = tree.counties[0], tree.small_county
    if Person.objects.filter(subtree(county.path, field="home_unit")).exists():
        raise RuntimeError(f"people() needs {county.name} without people")
    check_person_keys(county)
    big_units, small_units = leaf_units(county), leaf_units(small)
    seeds = [(person_seed(i, area_code=county.code), big_units[i % len(big_units)]) for i in range(in_county)]
    seeds += [
        (person_seed(5_000_000 + i, area_code=small.code), small_units[i % len(small_units)])
        for i in range(in_small_county)
    ]
    with transaction.atomic():
        for start in range(0, len(seeds), 5000):
            chunk = seeds[start : start + 5000]
            created = Person.objects.bulk_create(
                [person(seed, unit) for seed, unit in chunk], batch_size=1000
            )
            PersonCategory.objects.bulk_create(
                [
                    PersonCategory(person_id=p.pk, category=category)
                    for p, (seed, _) in zip(created, chunk, strict=True)
                    for category in seed.categories
                ],
                batch_size=2000,
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum leaves a table soon after a bulk load
            cursor.execute(f"VACUUM ANALYZE {Person._meta.db_table}")
            cursor.execute(f"VACUUM ANALYZE {PersonCategory._meta.db_table}")
    return People(
        county=county,
        small_county=small,
        in_county=in_county,
        in_small_county=in_small_county,
        seconds=time.perf_counter() - started,
    )


def tree_and_people(ctx: Any) -> tuple[OrgTree, People]:
    """The shared tree and people, built once per run, with what each took in the log."""
    tree = org_tree(ctx.shared)
    ctx.log(f"org tree: {tree.total:,} units (built in {tree.seconds:.1f} s)")
    found = people(ctx.shared, tree)
    ctx.log(
        f"people: {found.in_county:,} in {found.county.name}, {found.in_small_county} in "
        f"{found.small_county.name} (built in {found.seconds:.1f} s)"
    )
    return tree, found
