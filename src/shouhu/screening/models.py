import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ModulePolicy, within
from shouhu.common.crypto import EncryptedTextField, blind_index
from shouhu.common.models import TimeStampedModel
from shouhu.common.validation import TEMPERATURE_MAX, TEMPERATURE_MIN
from shouhu.people.masking import mask_phone

# --- Risk areas (S3) ---------------------------------------------------------------------------


# Choice labels translate on screen (gettext_lazy). Texts that are stored — refusal reasons,
# notes — take the records' language through `record_label`, whatever the clerk reads.


def record_label(choice: models.TextChoices) -> str:
    """A choice's label in the records' language (Chinese), for texts that are stored."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(choice.label)


class RiskLevel(models.TextChoices):
    MEDIUM = "medium", _("中风险")
    HIGH = "high", _("高风险")


class RecordSource(models.TextChoices):
    TYPED = "typed", _("页面录入")
    IMPORT = "import", _("批量导入")
    API = "api", _("接口")


class RiskArea(TimeStampedModel):
    """One medium- or high-risk area for a period. History is kept: a change ends a record and adds one."""

    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices)
    province = models.CharField("省（自治区、直辖市）", max_length=30)
    city = models.CharField("市（地区、州、盟）", max_length=50, blank=True)
    county = models.CharField("县（市、区、旗）", max_length=50, blank=True)
    township = models.CharField("乡镇（街道）", max_length=50, blank=True)
    community = models.CharField("村（社区）或具体地点", max_length=100, blank=True)
    admin_code = models.CharField("行政区划代码", max_length=12, blank=True)
    place_key = models.CharField("地点检索键", max_length=300, db_index=True, editable=False)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField(
        "截止日期", null=True, blank=True, help_text="最后一天仍为中高风险；空表示仍在生效"
    )
    source = models.CharField("来源", max_length=8, choices=RecordSource.choices, default=RecordSource.TYPED)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "中高风险地区"
        verbose_name_plural = "中高风险地区"
        ordering = ["-effective_from", "place_key"]
        constraints = [
            models.CheckConstraint(
                name="riskarea_ends_after_start",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                violation_error_message="截止日期不能早于生效日期",
            ),
            models.UniqueConstraint(
                fields=["place_key"],
                condition=Q(effective_to__isnull=True),
                name="riskarea_one_open_record_per_place",
                violation_error_message="该地区已有一条仍在生效的记录",
            ),
            models.CheckConstraint(
                name="riskarea_has_province", condition=~Q(province=""), violation_error_message="请填写省份"
            ),
        ]
        indexes = [models.Index(fields=["effective_from", "effective_to"])]

    def __str__(self) -> str:
        return f"{self.place_label}（{self.get_level_display()}）"

    @property
    def level_text(self) -> str:
        """The level in the records' language, for texts that are stored (reasons)."""
        return record_label(RiskLevel(self.level))

    @property
    def place_label(self) -> str:
        return "".join(p for p in (self.province, self.city, self.county, self.township, self.community) if p)

    @property
    def place_text(self) -> str:
        """Everything below the province, as one text for the place parser."""
        return "".join(p for p in (self.city, self.county, self.township, self.community) if p)


# --- Isolation register ------------------------------------------------------------------------


class IsolationKind(models.TextChoices):
    # Labels translate on screen; stored texts use `IsolationRecord.kind_text` (Chinese), and the
    # import reads its own Chinese labels (importers.KIND_BY_LABEL).
    CENTRALISED = "centralised", _("集中隔离")
    HOME = "home", _("居家隔离")
    HEALTH_MONITORING = "health_monitoring", _("居家健康监测")


class IsolationRecord(TimeStampedModel):
    """A person's isolation or health monitoring. Ends are release days: the person is free that day."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="isolation_records", verbose_name="人员"
    )
    kind = models.CharField("类型", max_length=20, choices=IsolationKind.choices)
    starts_on = models.DateField("开始日期")
    planned_end_on = models.DateField("计划解除日期")
    actual_end_on = models.DateField("实际解除日期", null=True, blank=True)
    source = models.CharField("信息来源", max_length=100, help_text="如：卫健部门推送、社区排查、本人报告")
    note = models.CharField("备注", max_length=200, blank=True)
    end_reason = models.CharField("提前解除原因", max_length=200, blank=True)
    confirmed_on = models.DateField(
        "确诊日期", null=True, blank=True, help_text="卫健部门通报为确诊病例的日期；非确诊病例不填"
    )
    entered_via = models.CharField(
        "登记方式", max_length=8, choices=RecordSource.choices, default=RecordSource.TYPED
    )
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "隔离记录"
        verbose_name_plural = "隔离记录"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="isolation_planned_end_after_start",
                condition=Q(planned_end_on__gt=F("starts_on")),
                violation_error_message="计划解除日期须晚于开始日期",
            ),
            models.CheckConstraint(
                name="isolation_actual_end_not_before_start",
                condition=Q(actual_end_on__isnull=True) | Q(actual_end_on__gte=F("starts_on")),
                violation_error_message="实际解除日期不能早于开始日期",
            ),
        ]
        indexes = [models.Index(fields=["person", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.person} {self.kind_text} {self.starts_on}"

    @property
    def kind_text(self) -> str:
        """The kind in the records' language, for texts that are stored (reasons, audit)."""
        with translation.override(settings.LANGUAGE_CODE):
            return str(self.get_kind_display())

    @property
    def ends_on(self) -> Any:
        return self.actual_end_on or self.planned_end_on


# --- Screenings (S1, S2, S4) --------------------------------------------------------------------


class HealthCode(models.TextChoices):
    GREEN = "green", _("绿码")
    YELLOW = "yellow", _("黄码")
    RED = "red", _("红码")
    NOT_SHOWN = "not_shown", _("未出示")


class ItineraryCode(models.TextChoices):
    GREEN = "green", _("绿色")
    YELLOW = "yellow", _("黄色")
    RED = "red", _("红色")
    NOT_SHOWN = "not_shown", _("未出示")


class Verdict(models.TextChoices):
    ADMITTED = "admitted", _("准予进入")
    REFUSED = "refused", _("劝返")
    PENDING = "pending", _("待测温确认")


class ScreeningSource(models.TextChoices):
    DESK = "desk", _("现场查验")
    VENUE_CODE = "venue_code", _("扫场所码申报")
    API = "api", _("接口")


class RefusalReason(models.TextChoices):
    REFUSED_CHECKS = "refused_checks", _("拒绝配合查验")
    HEALTH_CODE = "health_code", _("健康码非绿码")
    ITINERARY_CODE = "itinerary_code", _("行程码异常")
    TEMPERATURE = "temperature", _("体温异常")
    RISK_AREA = "risk_area", _("中高风险地区旅居史")
    ISOLATION = "isolation", _("隔离期内")
    CLOSED = "closed", _("机构暂停探视")


def visitor_name_key(name: str) -> str:
    """The search key of a visitor's name (exact, spaces collapsed): the name itself is encrypted."""
    return blind_index("visitor_name", " ".join(name.split()))


class Screening(models.Model):
    """One check at an entrance (入口查验): who, where, when, the results, the verdict and who screened.

    A visitor not in the person register is kept by declared name and phone, encrypted like the
    register's numbers; the travel history and the reasons (which name places) are encrypted too.
    """

    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="screenings",
        verbose_name="查验场所",
        db_index=False,  # the (unit, screened_at) index serves it
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screenings",
        verbose_name="人员",
    )
    visitor_name = EncryptedTextField("访客姓名", blank=True)
    visitor_phone = EncryptedTextField("访客手机号", blank=True)
    visitor_phone_index = models.CharField("手机号检索码", max_length=64, blank=True, editable=False)
    visitor_name_index = models.CharField("姓名检索码", max_length=64, blank=True, editable=False)
    screened_at = models.DateTimeField("查验时间", db_index=True)
    health_code = models.CharField("健康码", max_length=12, choices=HealthCode.choices)
    itinerary_code = models.CharField("行程码", max_length=12, choices=ItineraryCode.choices)
    itinerary_star = models.BooleanField("行程码带星号", default=False)
    temperature = models.DecimalField("体温（℃）", max_digits=3, decimal_places=1, null=True, blank=True)
    mask = models.BooleanField("佩戴口罩", default=True)
    refused_checks = models.BooleanField("拒绝配合查验", default=False)
    travel_data = EncryptedTextField("旅居史", blank=True)
    verdict = models.CharField("结论", max_length=10, choices=Verdict.choices)
    reason_codes = models.JSONField("劝返原因代码", default=list, blank=True)
    reasons = EncryptedTextField("劝返原因", blank=True)
    notes = EncryptedTextField("提示", blank=True)
    needs_review = models.BooleanField("需人工核实", default=False)
    source = models.CharField("方式", max_length=12, choices=ScreeningSource.choices)
    screened_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="查验人",
    )
    confirmed_at = models.DateTimeField("工作人员确认时间", null=True, blank=True)
    receipt = models.CharField("申报回执", max_length=32, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = "入口查验记录"
        verbose_name_plural = "入口查验记录"
        ordering = ["-screened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="screening_temperature_plausible",
                condition=Q(temperature__isnull=True)
                | (Q(temperature__gte=TEMPERATURE_MIN) & Q(temperature__lte=TEMPERATURE_MAX)),
                violation_error_message="体温须在 34.0–43.0℃ 之间",
            ),
            models.CheckConstraint(
                name="screening_admitted_has_temperature",
                condition=~Q(verdict="admitted") | Q(temperature__isnull=False),
                violation_error_message="准予进入须先测量体温",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "screened_at"]),
            models.Index(fields=["unit", "verdict", "screened_at"]),
            # Matched whole: a plain b-tree (db_index=True adds a pattern index on PostgreSQL).
            models.Index(fields=["visitor_phone_index"], name="screening_visitor_phone_index"),
            models.Index(fields=["visitor_name_index"], name="screening_visitor_name_index"),
        ]

    def __str__(self) -> str:
        return f"{self.who} {self.get_verdict_display()}"

    @property
    def who(self) -> str:
        if self.person_id is not None:
            return self.person.name  # type: ignore[union-attr]  # person_id is set
        return self.visitor_name or str(_("未登记姓名的访客"))

    @property
    def visitor_phone_masked(self) -> str:
        return mask_phone(self.visitor_phone)

    @property
    def travel(self) -> list[dict[str, Any]]:
        return json.loads(self.travel_data) if self.travel_data else []

    @property
    def reason_list(self) -> list[str]:
        return [r for r in self.reasons.split("\n") if r]

    @property
    def visitor_reason_list(self) -> list[str]:
        """The reasons a self-declaring visitor may read: those from what they declared and the
        venue's own state, never what the person register says about whoever holds the phone
        typed (an isolation), which `assess` puts last so it can be left out here."""
        reasons = self.reason_list
        if RefusalReason.ISOLATION in self.reason_codes and reasons:
            reasons = reasons[:-1]
        return reasons

    @property
    def visitor_verdict(self) -> str:
        """The verdict as the visitor's receipt shows it: a refusal for a reason they may not read
        looks like a declaration still waiting for staff (who tell the visitor at the door)."""
        if self.verdict == Verdict.REFUSED and not self.visitor_reason_list:
            return Verdict.PENDING
        return self.verdict

    @property
    def note_list(self) -> list[str]:
        return [n for n in self.notes.split("\n") if n]

    @property
    def receipt_code(self) -> str:
        """A short code the visitor shows at the desk (the last characters of the receipt)."""
        return (self.receipt or "")[-4:].upper()


class VenueCode(TimeStampedModel):
    """The venue code (场所码) of an institution: a random token, never the unit's id."""

    unit = models.OneToOneField(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="venue_code", verbose_name="服务机构"
    )
    token = models.CharField("场所码令牌", max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="生成人",
    )
    rotated_at = models.DateTimeField("最近更换时间", null=True, blank=True)

    class Meta:
        verbose_name = "场所码"
        verbose_name_plural = "场所码"

    def __str__(self) -> str:
        return f"{self.unit} 场所码"


class DailyScreeningCount(models.Model):
    """Anonymous counts of one institution's day, kept after its screening records are purged."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="查验场所"
    )
    day = models.DateField("日期")
    screenings = models.PositiveIntegerField("查验人次", default=0)
    admitted = models.PositiveIntegerField("准予进入", default=0)
    refused = models.PositiveIntegerField("劝返", default=0)
    pending = models.PositiveIntegerField("未确认的申报", default=0)
    refusals_by_reason = models.JSONField("各原因劝返人次", default=dict, blank=True)

    class Meta:
        verbose_name = "每日查验数量"
        verbose_name_plural = "每日查验数量"
        ordering = ["-day", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="dailycount_unique_unit_day")]

    def __str__(self) -> str:
        return f"{self.unit} {self.day} {self.screenings}"


class ScreeningPolicy(ModulePolicy):
    """The entry rules (S2), the visitor declarations by venue code (S4) with the retention of
    their records (PIPL), and the isolation periods the register plans with (M3)."""

    plan_order = 10
    plan_title = _("入口查验")

    temperature_limit = models.DecimalField(
        _("体温上限（℃）"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("37.3"),
        validators=[MinValueValidator(Decimal("36.0")), MaxValueValidator(Decimal("39.0"))],
        help_text=_("体温达到或超过此值不得进入"),
    )
    risk_lookback_days = models.PositiveSmallIntegerField(
        _("中高风险地区旅居史回溯天数"), default=14, validators=within(1, 60)
    )
    itinerary_star_refused = models.BooleanField(
        _("行程码带星号者不得进入"),
        default=True,
        help_text=_("行程码带“*”（到过有中高风险地区的城市）即劝返"),
    )
    visitor_record_retention_days = models.PositiveSmallIntegerField(
        _("查验记录保存天数"),
        default=28,
        validators=within(1, 366),
        help_text=_("超过此天数的入口查验记录由定时任务删除，只保留不含个人信息的每日数量"),
    )
    venue_declarations_per_address_per_hour = models.PositiveSmallIntegerField(
        _("场所码每个网络地址每小时申报上限"), default=30, validators=within(1, 10000)
    )
    venue_declarations_per_venue_per_minute = models.PositiveSmallIntegerField(
        _("每个场所每分钟申报上限"), default=60, validators=within(1, 10000)
    )
    declaration_repeat_window_seconds = models.PositiveSmallIntegerField(
        _("同一访客重复申报间隔（秒）"),
        default=60,
        validators=within(1, 3600),
        help_text=_("同一手机号在此时间内再次申报，视为重复提交"),
    )
    centralised_isolation_days = models.PositiveSmallIntegerField(
        _("集中隔离天数"), default=14, validators=within(1, 60)
    )
    home_isolation_days = models.PositiveSmallIntegerField(
        _("居家隔离天数"), default=7, validators=within(1, 60)
    )
    health_monitoring_days = models.PositiveSmallIntegerField(
        _("居家健康监测天数"), default=7, validators=within(1, 60)
    )

    class Meta:
        verbose_name = "入口查验政策参数"
        verbose_name_plural = "入口查验政策参数"
        constraints = [
            models.CheckConstraint(
                name="screening_policy_temperature_plausible",
                condition=Q(temperature_limit__gte=Decimal("36.0"))
                & Q(temperature_limit__lte=Decimal("39.0")),
                violation_error_message="体温上限须在 36.0–39.0℃ 之间",
            ),
        ]
