from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shouhu.common.models import TimeStampedModel


class Campaign(TimeStampedModel):
    """One run of the plan (百日平安守护行动). The next campaign is new data, not new code."""

    name = models.CharField("名称", max_length=100)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    goal = models.TextField("总体目标", blank=True)

    class Meta:
        verbose_name = "行动"
        verbose_name_plural = "行动"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                name="campaign_ends_after_start",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message="结束日期不能早于开始日期",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Phase(TimeStampedModel):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="phases", verbose_name="行动"
    )
    number = models.PositiveSmallIntegerField("阶段序号")
    name = models.CharField("名称", max_length=100)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    focus = models.TextField("工作重点")
    risks = models.TextField("主要风险", blank=True)
    target = models.CharField("目标", max_length=100, blank=True)

    class Meta:
        verbose_name = "阶段"
        verbose_name_plural = "阶段"
        ordering = ["campaign", "starts_on"]
        constraints = [
            models.CheckConstraint(
                name="phase_ends_after_start",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message="阶段结束日期不能早于开始日期",
            ),
            models.UniqueConstraint(
                fields=["campaign", "number"],
                name="phase_number_unique_in_campaign",
                violation_error_message="该行动中已有相同序号的阶段",
            ),
        ]

    def __str__(self) -> str:
        return f"第{self.number}阶段 {self.name}"


class KeyDateCategory(models.TextChoices):
    THREE_FESTIVALS = "three_festivals", "三节"
    FOUR_MEETINGS = "four_meetings", "四会"
    MARRIAGE_SURGE = "marriage_surge", "婚姻登记高峰"
    QINGMING = "qingming", "清明祭扫"
    OTHER = "other", "其他"


class KeyDate(TimeStampedModel):
    """A key date of the campaign (重要节点); lunar ones are computed, never typed."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="key_dates", verbose_name="行动"
    )
    name = models.CharField("名称", max_length=100)
    category = models.CharField("类别", max_length=24, choices=KeyDateCategory.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    is_computed = models.BooleanField("自动计算", default=False)
    warning_days = models.PositiveSmallIntegerField(
        "提前预警天数",
        null=True,
        blank=True,
        validators=[MaxValueValidator(90)],
        help_text="留空则使用政策参数中的默认天数",
    )

    class Meta:
        verbose_name = "重要节点"
        verbose_name_plural = "重要节点"
        ordering = ["starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                name="keydate_ends_after_start",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message="结束日期不能早于开始日期",
            ),
            models.UniqueConstraint(
                fields=["campaign", "name", "starts_on"],
                name="keydate_unique",
                violation_error_message="该重要节点已存在",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日"
    WORKDAY = "workday", "调休上班"


class Holiday(TimeStampedModel):
    """Statutory holidays and 调休 workdays; seeded to 2026, later years entered by staff."""

    date = models.DateField("日期", unique=True)
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("类型", max_length=16, choices=HolidayKind.choices)

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


def within(low: int, high: int) -> list[Any]:
    """The validators of a policy value: staff may change the plan's number, within reason."""
    return [MinValueValidator(low), MaxValueValidator(high)]


class ModulePolicy(TimeStampedModel):
    """One module's thresholds of the plan for one campaign, the plan's values as defaults (C3).

    Each module declares its concrete policy in its own models.py, so a new threshold is a
    migration of that module only. Services read it through
    `campaigns.policy.current_policy(TheModel, day)` and nowhere else; the campaign's page shows
    every policy, by `plan_order` under its `plan_title`, and edits it through
    `campaigns.services.policy_update`.
    """

    plan_order: ClassVar[int]  # where the module's tasks come in the plan (SPEC's order)
    plan_title: ClassVar[str | Promise]

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="%(app_label)s_policy", verbose_name="行动"
    )
    campaign_id: int | None  # Django's column of the field above (unset on the plan's defaults)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.campaign} {self._meta.verbose_name}"

    @classmethod
    def accessor(cls) -> str:
        """The campaign's attribute that holds this policy (the related name above)."""
        return f"{cls._meta.app_label}_policy"


class CampaignPolicy(ModulePolicy):
    """The campaign's own rules — the calendar's warnings (C2), the longest suspension (C4), the
    counties' filing deadline (Q1) — and, for now, the thresholds of key tasks that have no module
    yet: lottery outlets (L2, L3). A module built for
    one of those tasks declares its own policy and moves its fields there, with a migration that
    copies the values (as screening, eldercare, funerals, marriage, vaccination, assistance,
    gatherings and the public pages' codes did).
    """

    plan_order = 0
    plan_title = _("行动安排与其他任务")

    # Requirements on the units (四; Q1) and the calendar (C2)
    implementation_plan_deadline = models.DateField(_("县级实施方案报备截止日期"), null=True, blank=True)
    key_date_warning_days = models.PositiveSmallIntegerField(
        _("重要节点提前预警天数"), default=7, validators=within(0, 90)
    )
    # Service suspensions (C4)
    suspension_max_days = models.PositiveSmallIntegerField(
        _("服务暂停或限流一次最长天数"),
        default=90,
        validators=within(1, 366),
        help_text=_("一次登记的暂停或限流最多持续的天数（含首尾两天）；到期仍需暂停的，到期前再登记一次"),
    )
    # Lottery outlets (三、（五）; L2, L3)
    lottery_patrols_per_week = models.PositiveSmallIntegerField(
        _("每周巡查次数"), default=1, validators=within(0, 14)
    )
    lottery_spot_checks_per_week = models.PositiveSmallIntegerField(
        _("每周抽查次数"), default=2, validators=within(0, 14)
    )
    lottery_first_suspension_days = models.PositiveSmallIntegerField(
        _("首次停机天数"), default=3, validators=within(1, 90)
    )
    lottery_repeat_suspension_days = models.PositiveSmallIntegerField(
        _("整改不到位再次停机天数"), default=7, validators=within(1, 180)
    )

    class Meta:
        verbose_name = "行动政策参数"
        verbose_name_plural = "行动政策参数"
        constraints = [
            models.CheckConstraint(
                name="policy_repeat_suspension_longer",
                condition=Q(lottery_repeat_suspension_days__gte=F("lottery_first_suspension_days")),
                violation_error_message="再次停机天数不能少于首次停机天数",
            ),
        ]


# Labels translate on screen; texts that are stored are built in the records' language.
class ServiceType(models.TextChoices):
    MARRIAGE_REGISTRATION = "marriage_registration", _("婚姻登记")
    FUNERAL_CEREMONY = "funeral_ceremony", _("殡葬治丧仪式")
    LOTTERY_SALES = "lottery_sales", _("福彩销售")
    VISITS = "visits", _("探视来访")


class SuspensionMode(models.TextChoices):
    SUSPENDED = "suspended", _("暂停")
    LIMITED = "limited", _("限流")


class ServiceSuspension(TimeStampedModel):
    """A unit suspends or limits a service for a date range (C4); applies to its subtree."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="suspensions", verbose_name="单位"
    )
    service = models.CharField("服务类型", max_length=32, choices=ServiceType.choices)
    mode = models.CharField(
        "方式", max_length=16, choices=SuspensionMode.choices, default=SuspensionMode.SUSPENDED
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    reason = models.CharField("原因", max_length=200)
    limit_note = models.CharField("限流措施", max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    lifted_at = models.DateTimeField("提前解除时间", null=True, blank=True)
    lift_reason = models.CharField("解除原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "服务暂停/限流"
        verbose_name_plural = "服务暂停/限流"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="suspension_ends_after_start",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message="结束日期不能早于开始日期",
            ),
            models.CheckConstraint(
                name="suspension_has_reason",
                condition=~Q(reason=""),
                violation_error_message="请填写暂停或限流的原因",
            ),
        ]
        indexes = [models.Index(fields=["service", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        with translation.override(settings.LANGUAGE_CODE):  # also the audit log's stored label
            return f"{self.unit} {self.get_service_display()} {self.get_mode_display()}"
