"""The plan's own campaign (seed/plan.zh.txt, 二、时间安排) as seed data."""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class PlanPhase:
    number: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    target: str
    risks: str
    focus: str


PLAN_NAME = "民政系统疫情防控“百日平安守护行动”"
PLAN_GOAL = (
    "确保“三节”（元旦、春节、元宵节）、“四会”（全国、全省、全区“两会”、冬奥会）期间"
    "全区民政系统稳定，民政服务对象平安。"
)

PLAN_PHASES = [
    PlanPhase(
        1,
        "游子归来护卫行动",
        dt.date(2021, 12, 13),
        dt.date(2022, 1, 30),
        "外防“零漏管”",
        "元旦假期、地区“两会”和春节前夕返乡人员剧增带来的疫情输入风险",
        "严格执行“扫行程码、测体温、戴口罩”规定，拒不执行规定者及中高风险地区抵返人员严禁进入各级民政服务机构。",
    ),
    PlanPhase(
        2,
        "欢度佳节守卫行动",
        dt.date(2022, 1, 31),
        dt.date(2022, 2, 25),
        "内防“零传播”",
        "春节、元宵节、省“两会”、冬奥会期间返乡治丧祭奠、婚姻登记、探望老人、购彩娱乐、流浪乞讨人员流动",
        "养老机构实施封闭式管理；劝导群众从简从快办理业务；结合疫情形势调整或暂停婚姻登记、殡葬、福彩销售等聚集类服务。",
    ),
    PlanPhase(
        3,
        "重大节点保卫行动",
        dt.date(2022, 2, 26),
        dt.date(2022, 5, 21),
        "最大限度减少人员聚集",
        "“520”“521”婚姻登记、清明节祭扫、春季流感和专业扑火队伍季节带来的疫情风险",
        "完善应急预案，严格落实值班责任，畅通信息渠道，加大宣传力度，引导错峰办理。",
    ),
]

# Q1: counties file their implementation plans four days after the campaign starts (12-17).
PLAN_IMPLEMENTATION_PLAN_DEADLINE = dt.date(2021, 12, 17)


def shifted_phases(starts_on: dt.date) -> list[PlanPhase]:
    """The plan's phases with the same lengths, for a campaign starting on another day."""
    shift = starts_on - PLAN_PHASES[0].starts_on
    return [
        PlanPhase(p.number, p.name, p.starts_on + shift, p.ends_on + shift, p.target, p.risks, p.focus)
        for p in PLAN_PHASES
    ]


def shifted_deadline(starts_on: dt.date) -> dt.date:
    return PLAN_IMPLEMENTATION_PLAN_DEADLINE + (starts_on - PLAN_PHASES[0].starts_on)
