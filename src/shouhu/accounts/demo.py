"""Demo logins, one per role, printed by `make run`."""

from dataclasses import dataclass

from shouhu.accounts.models import User
from shouhu.accounts.roles import Role
from shouhu.orgs.models import OrgUnit

DEMO_PASSWORD = "shouhu-demo-2026"  # noqa: S105  published on purpose: demo data only


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: str
    unit_code: str


DEMO_LOGINS = [
    DemoLogin("admin", "地区管理员", Role.REGION_ADMIN, "232700"),
    DemoLogin("leader", "局领导", Role.LEADER, "232700"),
    DemoLogin("shiwu", "社会事务和养老服务科", Role.DEPARTMENT_COORDINATOR, "232700D02"),
    DemoLogin("jiuzhu", "社会救助科", Role.DEPARTMENT_COORDINATOR, "232700D03"),
    DemoLogin("jiagedaqi", "加格达奇区民政局", Role.COUNTY_STAFF, "232718"),
    DemoLogin("mohe", "漠河市民政局", Role.COUNTY_STAFF, "232701"),
    DemoLogin("dongshan", "东山街道", Role.TOWNSHIP_STAFF, "232718001"),
    DemoLogin("dongshan1", "东山第一社区", Role.VILLAGE_STAFF, "232718001001"),
    DemoLogin("fulizhongxin", "加格达奇区社会福利中心", Role.INSTITUTION_STAFF, "232718N1"),
    DemoLogin("zhuanguanyuan", "福彩专管员", Role.LOTTERY_SPECIALIST, "232718"),
    DemoLogin("ducha", "督导检查人员", Role.INSPECTOR, "232700"),
]


def create_users() -> list[DemoLogin]:
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[d.unit_code for d in DEMO_LOGINS])}
    for login in DEMO_LOGINS:
        user, created = User.objects.get_or_create(
            username=login.username,
            defaults={"display_name": login.display_name, "role": login.role, "unit": units[login.unit_code]},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if login.role == Role.REGION_ADMIN:
                user.is_staff = True
                user.is_superuser = True
            user.save()
    return DEMO_LOGINS
