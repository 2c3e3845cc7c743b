import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction

from shouhu.accounts.demo import DEMO_PASSWORD, create_users
from shouhu.assistance.demo import create_assistance
from shouhu.campaigns.models import Campaign
from shouhu.campaigns.plan import PLAN_NAME, PLAN_PHASES
from shouhu.campaigns.services import campaign_create
from shouhu.common import clock
from shouhu.community.demo import create_community
from shouhu.eldercare.demo import load_demo_eldercare
from shouhu.funerals.demo import create_funerals
from shouhu.gatherings.demo import create_gatherings
from shouhu.marriage.demo import load_demo_marriage
from shouhu.orgs.demo import build_region
from shouhu.orgs.models import OrgUnit
from shouhu.people.demo import create_people
from shouhu.rectification.demo import create_rectification
from shouhu.rescue.demo import create_rescue
from shouhu.screening.demo import record_demo_isolation, record_demo_screenings
from shouhu.staffing.demo import create_staffing
from shouhu.training.demo import create_training
from shouhu.vaccination.demo import record_demo_vaccinations

DEMO_DAYS_INTO_PHASE_ONE = 10


class Command(BaseCommand):
    help = "载入演示数据：大兴安岭地区的组织树、演示账号和一期行动（已载入则跳过）"

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            if OrgUnit.objects.get_root_nodes().exists():
                self.stdout.write("演示数据已存在，跳过组织树。")
            else:
                build_region()
                self.stdout.write(f"已生成组织树：{OrgUnit.objects.count()} 个单位。")
            logins = create_users()
            people = create_people()
            if people:
                self.stdout.write(f"已生成演示人员：{people} 人（证件号码为虚构）。")
            if not Campaign.objects.filter(starts_on=PLAN_PHASES[0].starts_on).exists():
                campaign_create(actor=None, starts_on=PLAN_PHASES[0].starts_on)
            today = clock.today()
            if not Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today).exists():
                # A demo install should open inside a phase: run the plan again from a few days ago.
                starts_on = today - dt.timedelta(days=DEMO_DAYS_INTO_PHASE_ONE)
                campaign_create(
                    actor=None, starts_on=starts_on, name=f"{PLAN_NAME}（演示，{starts_on.year}年）"
                )
            doses = record_demo_vaccinations()
            if doses:
                self.stdout.write(f"已生成演示接种记录：{doses} 剂。")
            eldercare = load_demo_eldercare()
            self.stdout.write(
                "养老机构演示数据：封闭管理 {closures} 段、检测轮次 {rounds} 轮、监测和日志 {records} 条，"
                "防控日志检查事项 {checklist} 项。".format(**eldercare)
            )
            funerals = create_funerals()
            if funerals:
                self.stdout.write(f"已生成演示治丧记录：{funerals} 条（含防护物资库存）。")
            marriage = load_demo_marriage()
            self.stdout.write(
                "婚姻登记演示数据：设置时段的登记机关 {registries} 个、预约 {bookings} 个。".format(
                    **marriage
                )
            )
            if screenings := record_demo_screenings():
                self.stdout.write(f"已生成演示入口查验记录：{screenings} 条。")
            if record_demo_isolation():
                self.stdout.write("已登记演示隔离人员 1 人（见 docs/marriage.md）。")
            if households := create_assistance():
                self.stdout.write(f"已生成演示困难家庭：{households} 户（含救助标准，标准数值为演示用）。")
            if roster := create_community():
                self.stdout.write(
                    f"已生成演示村（社区）防控组织名单：{roster} 人（含卡口、封闭管理方案、应急物资）。"
                )
            if gatherings := create_gatherings():
                self.stdout.write(
                    f"已生成演示聚集性活动：{gatherings} 个（东山第一社区：40 人婚宴待乡镇审批，5 人待检测；小型家宴备案）。"
                )
            if sessions := create_training():
                self.stdout.write(f"已生成演示培训：{sessions} 次（含参训名单）。")
            if staffing := create_staffing():
                self.stdout.write(f"已生成演示请销假与出行报备：{staffing} 条（加格达奇区）。")
            if findings := create_rectification():
                self.stdout.write(
                    f"已生成演示整改问题：{findings} 个（加格达奇区民政局走访东山街道：逾期上报、已验收、退回各一）。"
                )
            if stations := create_rescue():
                self.stdout.write(
                    f"已生成演示流浪乞讨人员救助：{stations} 个救助管理站（巡查、受助人员、返乡、安全事件；"
                    "账号 jiuzhuzhan、jiuzhuzongzhan）。"
                )
        self.stdout.write(self.style.SUCCESS(f"演示账号（密码均为 {DEMO_PASSWORD}）："))
        for login in logins:
            self.stdout.write(f"  {login.username:<14} {login.display_name}")
