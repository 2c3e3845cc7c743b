"""A plausible region for the demo install: real counties, generated villages and institutions.

Everything below the counties is marked demo; a bureau replaces it by importing its own tree.
"""

from dataclasses import dataclass

from shouhu.common.modules import Module
from shouhu.orgs import services
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind

REGION = ("232700", "大兴安岭地区")

DEPARTMENTS = [
    (
        "232700D01",
        "地区民政局办公室",
        UnitKind.DEPARTMENT,
        [Module.PUBLICITY, Module.VACCINATION, Module.SUPERVISION],
    ),
    (
        "232700D02",
        "地区民政局社会事务和养老服务科",
        UnitKind.DEPARTMENT,
        [Module.SCREENING, Module.ELDERCARE, Module.FUNERALS, Module.MARRIAGE, Module.COMMUNITY],
    ),
    ("232700D03", "地区民政局社会救助科", UnitKind.DEPARTMENT, [Module.ASSISTANCE]),
    ("232700D04", "地区民政局社会组织和基层治理科", UnitKind.DEPARTMENT, [Module.COMMUNITY]),
    ("232700A01", "地区救助管理总站", UnitKind.AFFILIATED, [Module.RESCUE]),
    ("232700A02", "地区福利彩票发行中心", UnitKind.AFFILIATED, [Module.LOTTERY]),
]


@dataclass(frozen=True)
class DemoCounty:
    code: str
    name: str
    login: str
    seat: str
    townships: list[str]


COUNTIES = [
    DemoCounty(
        "232718",
        "加格达奇区",
        "jiagedaqi",
        "加格达奇",
        ["东山街道", "卫东街道", "红旗街道", "长虹街道", "曙光街道", "光明街道", "加北乡", "白桦乡"],
    ),
    DemoCounty("232719", "松岭区", "songling", "小扬气", ["小扬气镇", "劲松镇", "古源镇", "壮志镇"]),
    DemoCounty(
        "232720",
        "新林区",
        "xinlin",
        "新林",
        ["新林镇", "塔尔根镇", "碧洲镇", "大乌苏镇", "翠岗镇", "塔源镇", "宏图镇"],
    ),
    DemoCounty("232724", "呼中区", "huzhong", "呼中", ["呼中镇", "碧水镇", "呼源镇", "宏伟镇"]),
    DemoCounty(
        "232701", "漠河市", "mohe", "西林吉", ["西林吉镇", "图强镇", "阿木尔镇", "兴安镇", "北极镇", "古莲镇"]
    ),
    DemoCounty(
        "232722",
        "塔河县",
        "tahe",
        "塔河",
        ["塔河镇", "瓦拉干镇", "盘古镇", "古驿镇", "十八站鄂伦春民族乡", "依西肯乡", "开库康乡"],
    ),
    DemoCounty(
        "232721",
        "呼玛县",
        "huma",
        "呼玛",
        ["呼玛镇", "韩家园镇", "三卡乡", "金山乡", "兴华乡", "鸥浦乡", "白银纳鄂伦春族乡", "北疆乡"],
    ),
]

VILLAGES_PER_TOWNSHIP = 3


def _village_names(township: str) -> list[str]:
    stem = township.removesuffix("街道").removesuffix("镇").removesuffix("乡")
    if township.endswith("街道"):
        return [f"{stem}第{n}社区" for n in "一二三"][:VILLAGES_PER_TOWNSHIP]
    return [f"{stem}{suffix}" for suffix in ("村", "林场社区", "新村")][:VILLAGES_PER_TOWNSHIP]


def build_region() -> OrgUnit:
    """Create the demo tree; returns the region root. Run once (the command checks)."""
    region = services.unit_create(
        actor=None, parent=None, code=REGION[0], name=REGION[1], kind=UnitKind.REGION
    )
    for code, name, kind, modules in DEPARTMENTS:
        services.unit_create(
            actor=None, parent=region, code=code, name=name, kind=kind, coordinated_modules=list(modules)
        )
    for county_data in COUNTIES:
        county = services.unit_create(
            actor=None, parent=region, code=county_data.code, name=county_data.name, kind=UnitKind.COUNTY
        )
        institutions = [
            ("B", f"{county_data.name}民政局", InstitutionType.BUREAU_OFFICE),
            ("N1", f"{county_data.name}社会福利中心", InstitutionType.NURSING_HOME),
            ("N2", f"{county_data.seat}敬老院", InstitutionType.NURSING_HOME),
            ("F", f"{county_data.name}殡仪馆", InstitutionType.FUNERAL_HOME),
            ("M", f"{county_data.name}婚姻登记处", InstitutionType.MARRIAGE_REGISTRY),
            ("R", f"{county_data.name}救助管理站", InstitutionType.RESCUE_STATION),
        ]
        for suffix, name, institution_type in institutions:
            services.unit_create(
                actor=None,
                parent=county,
                code=f"{county_data.code}{suffix}",
                name=name,
                kind=UnitKind.INSTITUTION,
                institution_type=institution_type,
                address=f"{county_data.name}{county_data.seat}",
                is_demo=True,
            )
        for t_index, township_name in enumerate(county_data.townships, start=1):
            township = services.unit_create(
                actor=None,
                parent=county,
                code=f"{county_data.code}{t_index:03d}",
                name=township_name,
                kind=UnitKind.TOWNSHIP,
                is_demo=True,
            )
            for v_index, village_name in enumerate(_village_names(township_name), start=1):
                services.unit_create(
                    actor=None,
                    parent=township,
                    code=f"{township.code}{v_index:03d}",
                    name=village_name,
                    kind=UnitKind.VILLAGE,
                    is_demo=True,
                )
            services.unit_create(
                actor=None,
                parent=township,
                code=f"{township.code}L",
                name=f"福彩投注站（{township_name}）",
                kind=UnitKind.INSTITUTION,
                institution_type=InstitutionType.LOTTERY_OUTLET,
                address=f"{county_data.name}{township_name}",
                is_demo=True,
            )
    return region
