from dataclasses import dataclass
from itertools import count

from shouhu.orgs import services
from shouhu.orgs.models import OrgUnit, UnitKind

_codes = count(1)


def next_code(prefix: str = "T") -> str:
    return f"{prefix}{next(_codes):06d}"


def make_unit(parent: OrgUnit | None, kind: str, name: str | None = None, **fields) -> OrgUnit:
    code = fields.pop("code", None) or next_code()
    return services.unit_create(
        actor=None, parent=parent, code=code, name=name or f"单位{code}", kind=kind, **fields
    )


@dataclass
class SmallTree:
    region: OrgUnit
    department: OrgUnit
    county_a: OrgUnit
    township_a: OrgUnit
    village_a: OrgUnit
    nursing_home_a: OrgUnit
    county_b: OrgUnit
    township_b: OrgUnit
    village_b: OrgUnit
    nursing_home_b: OrgUnit


def build_small_tree() -> SmallTree:
    region = make_unit(None, UnitKind.REGION, "大兴安岭地区", code="232700")
    department = make_unit(
        region,
        UnitKind.DEPARTMENT,
        "社会事务和养老服务科",
        coordinated_modules=["eldercare", "marriage", "funerals", "screening"],
    )
    county_a = make_unit(region, UnitKind.COUNTY, "加格达奇区", code="232718")
    township_a = make_unit(county_a, UnitKind.TOWNSHIP, "东山街道")
    village_a = make_unit(township_a, UnitKind.VILLAGE, "东山第一社区")
    home_a = make_unit(
        county_a, UnitKind.INSTITUTION, "加格达奇区社会福利中心", institution_type="nursing_home"
    )
    county_b = make_unit(region, UnitKind.COUNTY, "漠河市", code="232701")
    township_b = make_unit(county_b, UnitKind.TOWNSHIP, "西林吉镇")
    village_b = make_unit(township_b, UnitKind.VILLAGE, "西林吉村")
    home_b = make_unit(county_b, UnitKind.INSTITUTION, "漠河市社会福利中心", institution_type="nursing_home")
    refresh = OrgUnit.objects.in_bulk([u.pk for u in (region, county_a, township_a, county_b, township_b)])
    return SmallTree(
        region=refresh[region.pk],
        department=department,
        county_a=refresh[county_a.pk],
        township_a=refresh[township_a.pk],
        village_a=village_a,
        nursing_home_a=home_a,
        county_b=refresh[county_b.pk],
        township_b=refresh[township_b.pk],
        village_b=village_b,
        nursing_home_b=home_b,
    )
