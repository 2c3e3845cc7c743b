from django.db import models
from django.utils.translation import gettext


class Module(models.TextChoices):
    """The plan's key tasks; a region department coordinates some of them (SPEC §1)."""

    SCREENING = "screening", "入口查验"
    ELDERCARE = "eldercare", "养老机构"
    FUNERALS = "funerals", "殡葬服务"
    MARRIAGE = "marriage", "婚姻登记"
    ASSISTANCE = "assistance", "困难群众救助"
    COMMUNITY = "community", "村（社区）防控"
    RESCUE = "rescue", "流浪乞讨人员救助"
    LOTTERY = "lottery", "福彩投注站"
    PUBLICITY = "publicity", "宣传引导"
    VACCINATION = "vaccination", "疫苗接种"
    SUPERVISION = "supervision", "督导检查"


class SharedRegister(models.TextChoices):
    """What serves every key task and is none of them: its work on the home page (common.today)
    comes after the tasks'."""

    PEOPLE = "people", "人员登记"
    ALERTS = "alerts", "提醒消息"


_ORDER = [*Module.values, *SharedRegister.values]
_LABELS = {**dict(Module.choices), **dict(SharedRegister.choices)}


def area_order(value: str) -> int:
    """A key task's place in the plan's order, the shared registers after them."""
    return _ORDER.index(value)


def area_label(value: str) -> str:
    """In the reader's language (the labels are the menu's words, translated there)."""
    return gettext(str(_LABELS[value]))
