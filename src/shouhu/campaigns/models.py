from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import translation
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


def _range(low: int, high: int) -> list:
    return [MinValueValidator(low), MaxValueValidator(high)]


class Policy(TimeStampedModel):
    """Every threshold of the plan, with the plan's values as defaults (SPEC C3).

    Services read these through `campaigns.policy.current_policy()` and nowhere else.
    """

    campaign = models.OneToOneField(
        Campaign, on_delete=models.CASCADE, related_name="policy", verbose_name="行动"
    )
    # Entry screening (三、（一）; S2)
    temperature_limit = models.DecimalField(
        _("体温上限（℃）"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("37.3"),
        validators=[MinValueValidator(Decimal("36.0")), MaxValueValidator(Decimal("39.0"))],
        help_text=_("体温达到或超过此值不得进入"),
    )
    risk_lookback_days = models.PositiveSmallIntegerField(
        _("中高风险地区旅居史回溯天数"), default=14, validators=_range(1, 60)
    )
    itinerary_star_refused = models.BooleanField(
        _("行程码带星号者不得进入"),
        default=True,
        help_text=_("行程码带“*”（到过有中高风险地区的城市）即劝返"),
    )
    # Visitor self-declaration by venue code and the retention of visitor records (S4, PIPL)
    visitor_record_retention_days = models.PositiveSmallIntegerField(
        _("查验记录保存天数"),
        default=28,
        validators=_range(1, 366),
        help_text=_("超过此天数的入口查验记录由定时任务删除，只保留不含个人信息的每日数量"),
    )
    venue_declarations_per_address_per_hour = models.PositiveSmallIntegerField(
        _("场所码每个网络地址每小时申报上限"), default=30, validators=_range(1, 10000)
    )
    venue_declarations_per_venue_per_minute = models.PositiveSmallIntegerField(
        _("每个场所每分钟申报上限"), default=60, validators=_range(1, 10000)
    )
    declaration_repeat_window_seconds = models.PositiveSmallIntegerField(
        _("同一访客重复申报间隔（秒）"),
        default=60,
        validators=_range(1, 3600),
        help_text=_("同一手机号在此时间内再次申报，视为重复提交"),
    )
    # Public pages: proof of a phone before acting for a person (X2, M1)
    public_code_valid_minutes = models.PositiveSmallIntegerField(
        _("短信验证码有效分钟数"), default=10, validators=_range(1, 60)
    )
    public_code_tries = models.PositiveSmallIntegerField(
        _("短信验证码可输错次数"),
        default=5,
        validators=_range(1, 20),
        help_text=_("输错达到此次数，须重新获取"),
    )
    public_codes_per_phone_per_day = models.PositiveSmallIntegerField(
        _("每个手机号每天可获取验证码次数"), default=5, validators=_range(1, 100)
    )
    public_codes_per_address_per_hour = models.PositiveSmallIntegerField(
        _("每个网络地址每小时可获取验证码次数"),
        default=20,
        validators=_range(1, 10000),
        help_text=_("同一网络（如同一单位、同一运营商出口）的所有用户共用此上限"),
    )
    public_requests_per_document_per_day = models.PositiveSmallIntegerField(
        _("同一证件每天可在线申请次数"), default=5, validators=_range(1, 100)
    )
    # Isolation periods (M3 and screening)
    centralised_isolation_days = models.PositiveSmallIntegerField(
        _("集中隔离天数"), default=14, validators=_range(1, 60)
    )
    home_isolation_days = models.PositiveSmallIntegerField(
        _("居家隔离天数"), default=7, validators=_range(1, 60)
    )
    health_monitoring_days = models.PositiveSmallIntegerField(
        _("居家健康监测天数"), default=7, validators=_range(1, 60)
    )
    # Gatherings (三、（三）; G3)
    gathering_application_persons = models.PositiveSmallIntegerField(
        _("须申请的聚集活动人数"), default=30, validators=_range(2, 1000), help_text=_("达到此人数须提前申请")
    )
    gathering_test_validity_hours = models.PositiveSmallIntegerField(
        _("核酸检测阴性报告有效小时数"), default=48, validators=_range(1, 168)
    )
    # Lottery outlets (三、（五）; L2, L3)
    lottery_patrols_per_week = models.PositiveSmallIntegerField(
        _("每周巡查次数"), default=1, validators=_range(0, 14)
    )
    lottery_spot_checks_per_week = models.PositiveSmallIntegerField(
        _("每周抽查次数"), default=2, validators=_range(0, 14)
    )
    lottery_first_suspension_days = models.PositiveSmallIntegerField(
        _("首次停机天数"), default=3, validators=_range(1, 90)
    )
    lottery_repeat_suspension_days = models.PositiveSmallIntegerField(
        _("整改不到位再次停机天数"), default=7, validators=_range(1, 180)
    )
    # Assistance (三、（二）; A7)
    hardship_months_for_dibao = models.PositiveSmallIntegerField(
        _("可纳入低保的困难持续月数"), default=3, validators=_range(1, 24)
    )
    # Requirements on the units (四; Q1) and the calendar (C2)
    implementation_plan_deadline = models.DateField(_("县级实施方案报备截止日期"), null=True, blank=True)
    key_date_warning_days = models.PositiveSmallIntegerField(
        _("重要节点提前预警天数"), default=7, validators=_range(0, 90)
    )
    # Vaccination (七; V4)
    vaccination_report_interval_days = models.PositiveSmallIntegerField(
        _("疫苗接种进度报送周期（天）"),
        default=7,
        validators=_range(1, 31),
        help_text=_("各单位每隔此天数向地区局报送一次，报送截止日为每期最后一天"),
    )
    vaccination_circular_threshold_percent = models.PositiveSmallIntegerField(
        _("接种进度通报线（%）"),
        default=90,
        validators=_range(0, 100),
        help_text=_("全程接种率低于此值的单位在通报中点名"),
    )
    vaccination_baseline_completeness_percent = models.PositiveSmallIntegerField(
        _("底数完整率要求（%）"),
        default=100,
        validators=_range(0, 100),
        help_text=_("底数中身份信息完整的人员占比低于此值的单位，通报为底数不清"),
    )
    # Nursing homes (一、E2–E3)
    eldercare_health_checks_per_day = models.PositiveSmallIntegerField(
        _("养老机构每日健康监测次数"),
        default=2,
        validators=_range(1, 6),
        help_text=_("入住老人和在院职工每日测体温、问症状的次数，缺测即提醒"),
    )
    eldercare_test_interval_days = models.PositiveSmallIntegerField(
        _("养老机构核酸检测间隔（天）"),
        default=7,
        validators=_range(1, 60),
        help_text=_("封闭管理期间每隔此天数组织一轮核酸检测"),
    )
    # Funeral services (一、F1–F3)
    funeral_farewell_ceremonies_allowed = models.BooleanField(
        _("允许遗体告别仪式"), default=False, help_text=_("方案要求取消遗体告别等聚集性治丧仪式")
    )
    funeral_attendance_limit = models.PositiveSmallIntegerField(
        _("治丧活动参加人数上限"), default=20, validators=_range(1, 500)
    )
    funeral_late_entry_days = models.PositiveSmallIntegerField(
        _("治丧登记可补录天数"),
        default=1,
        validators=_range(0, 30),
        help_text=_("治丧日期早于今天超过此天数的，不能作为新的治丧登记（须由县级民政局补录）"),
    )
    funeral_max_days_after_death = models.PositiveSmallIntegerField(
        _("治丧日期距死亡日期最多天数"),
        default=30,
        validators=_range(1, 366),
        help_text=_("治丧日期晚于死亡日期、或晚于今天超过此天数的，视为日期有误不予登记"),
    )
    remains_step_stall_hours = models.PositiveSmallIntegerField(
        _("新冠患者遗体处置环节超时（小时）"),
        default=24,
        validators=_range(1, 168),
        help_text=_("某一环节超过此小时数未进入下一环节，向县级民政局发出提醒"),
    )
    ppe_low_stock_threshold = models.PositiveIntegerField(
        _("防护物资低库存预警数量"),
        default=50,
        validators=_range(0, 100000),
        help_text=_("某一防护物资库存低于此数量时提醒"),
    )
    # Marriage registration (一、M1–M5)
    marriage_daily_quota = models.PositiveSmallIntegerField(
        _("婚姻登记每日总量（对）"),
        default=40,
        validators=_range(1, 1000),
        help_text=_("各登记机关可单独调整"),
    )
    marriage_booking_horizon_days = models.PositiveSmallIntegerField(
        _("婚姻登记最远可预约天数"), default=30, validators=_range(1, 180)
    )
    marriage_waitlist_confirm_hours = models.PositiveSmallIntegerField(
        _("候补递补确认时限（小时）"),
        default=24,
        validators=_range(1, 168),
        help_text=_("递补到号的候补当事人须在此时间内确认，否则顺延给下一对"),
    )
    marriage_surge_booking_opens_days = models.PositiveSmallIntegerField(
        _("高峰日提前开放预约天数"),
        default=7,
        validators=_range(0, 180),
        help_text=_("520、521、七夕等高峰日提前此天数开放预约，各高峰日可单独设置"),
    )
    marriage_arrival_minutes_before = models.PositiveSmallIntegerField(
        _("婚姻登记提前到达分钟数"), default=15, validators=_range(0, 120), help_text=_("写入提前告知")
    )
    marriage_active_bookings_per_phone = models.PositiveSmallIntegerField(
        _("每个手机号同时有效的在线预约数"),
        default=1,
        validators=_range(1, 20),
        help_text=_("在线预约时，已验证的手机号作为当事人持有的有效预约（含候补）不得超过此数"),
    )
    marriage_test_validity_hours = models.PositiveSmallIntegerField(
        _("港澳台及境外当事人核酸检测有效时限（小时）"),
        default=48,
        validators=_range(1, 168),
        help_text=_("登记时问询和提前告知中的核酸检测阴性证明时限，与聚集性活动的时限分别设置"),
    )
    # Service suspensions (C4)
    suspension_max_days = models.PositiveSmallIntegerField(
        _("服务暂停或限流一次最长天数"),
        default=90,
        validators=_range(1, 366),
        help_text=_("一次登记的暂停或限流最多持续的天数（含首尾两天）；到期仍需暂停的，到期前再登记一次"),
    )

    class Meta:
        verbose_name = "防控政策参数"
        verbose_name_plural = "防控政策参数"
        constraints = [
            models.CheckConstraint(
                name="policy_temperature_plausible",
                condition=Q(temperature_limit__gte=Decimal("36.0"))
                & Q(temperature_limit__lte=Decimal("39.0")),
                violation_error_message="体温上限须在 36.0–39.0℃ 之间",
            ),
            models.CheckConstraint(
                name="policy_repeat_suspension_longer",
                condition=Q(lottery_repeat_suspension_days__gte=F("lottery_first_suspension_days")),
                violation_error_message="再次停机天数不能少于首次停机天数",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} 政策参数"


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
