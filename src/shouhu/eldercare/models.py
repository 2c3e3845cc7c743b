"""Nursing homes under the campaign (E1–E4): closed management, testing rounds, health
monitoring and the daily prevention log.

The people of a home are the person register's (`Person.home_unit` is the home, with the
resident or staff category); nothing here copies them.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ModulePolicy, within
from shouhu.common.models import TimeStampedModel
from shouhu.common.validation import TEMPERATURE_MAX, TEMPERATURE_MIN

# --- E1 Closed management ----------------------------------------------------------------------


class Closure(TimeStampedModel):
    """A closed-management period (封闭管理) of one home, as directed; the last day is inclusive."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="closures", verbose_name="养老机构"
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True, help_text="最后一天仍封闭；空表示尚未解除")
    directive = models.CharField("依据的通知或指令", max_length=300)
    end_note = models.CharField("解除说明", max_length=300, blank=True)
    started_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    ended_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="解除人",
    )

    class Meta:
        verbose_name = "封闭管理"
        verbose_name_plural = "封闭管理"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="closure_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                violation_error_message="结束日期不能早于开始日期",
            ),
            models.CheckConstraint(
                name="closure_has_directive", condition=~Q(directive=""), violation_error_message="请填写依据"
            ),
        ]
        indexes = [models.Index(fields=["unit", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        until = f"至{self.ends_on}" if self.ends_on else "起"
        return f"{self.unit} 封闭管理 {self.starts_on}{until}"

    @property
    def is_open_ended(self) -> bool:
        return self.ends_on is None


class Direction(models.TextChoices):
    OUT = "out", "外出"
    IN = "in", "进入"


class MovementOutcome(models.TextChoices):
    ALLOWED = "allowed", "非封闭期，已登记"
    REFUSED = "refused", "封闭管理，不予进出"
    EXCEPTION = "exception", "特殊情况经批准进出"


class Movement(models.Model):
    """One attempt by a resident or staff member to leave or enter a home, and what was decided."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="养老机构"
    )
    closure = models.ForeignKey(
        Closure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name="封闭期",
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="人员"
    )
    direction = models.CharField("方向", max_length=4, choices=Direction.choices)
    outcome = models.CharField("结果", max_length=12, choices=MovementOutcome.choices)
    purpose = models.CharField("事由", max_length=200)
    approver = models.CharField("批准人", max_length=50, blank=True)
    approval_reason = models.CharField("批准理由", max_length=200, blank=True)
    requested_at = models.DateTimeField("登记时间", db_index=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "进出登记"
        verbose_name_plural = "进出登记"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="movement_exception_is_approved",
                condition=~Q(outcome="exception") | (~Q(approver="") & ~Q(approval_reason="")),
                violation_error_message="特殊情况进出须写明批准人和理由",
            ),
            models.CheckConstraint(
                name="movement_closed_has_closure",
                condition=Q(outcome="allowed") | Q(closure__isnull=False),
                violation_error_message="封闭期的进出须关联封闭期",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_direction_display()} {self.get_outcome_display()}"


class Shift(models.Model):
    """A staff member's shift inside a closure (who was on duty in the closed home, and when)."""

    closure = models.ForeignKey(
        Closure, on_delete=models.PROTECT, related_name="shifts", verbose_name="封闭期"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="工作人员"
    )
    starts_at = models.DateTimeField("上班时间")
    ends_at = models.DateTimeField("下班时间")
    post = models.CharField("岗位", max_length=50, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "封闭期排班"
        verbose_name_plural = "封闭期排班"
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="shift_ends_after_start",
                condition=Q(ends_at__gt=F("starts_at")),
                violation_error_message="下班时间须晚于上班时间",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.starts_at:%Y-%m-%d %H:%M}"


# --- E2 Testing rounds -------------------------------------------------------------------------


class RoundScope(models.TextChoices):
    EVERYONE = "everyone", "全体入住老人和工作人员"
    LISTED = "listed", "指定名单"


class TestRound(TimeStampedModel):
    """A nucleic-acid testing round of one home: who must be tested on which day."""

    __test__ = False  # a model, not a pytest test class

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="test_rounds", verbose_name="养老机构"
    )
    tested_on = models.DateField("检测日期")
    scope = models.CharField("检测范围", max_length=10, choices=RoundScope.choices)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="组织人",
    )

    class Meta:
        verbose_name = "核酸检测轮次"
        verbose_name_plural = "核酸检测轮次"
        ordering = ["-tested_on", "-pk"]
        indexes = [models.Index(fields=["unit", "tested_on"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.tested_on} 核酸检测"


class TestOutcome(models.TextChoices):
    __test__ = False  # choices, not a pytest test class

    AWAITING = "", "未录入"
    NEGATIVE = "negative", "阴性"
    POSITIVE = "positive", "阳性"
    PENDING = "pending", "已采样待出结果"
    NOT_SAMPLED = "not_sampled", "未采样"


SAMPLED = (TestOutcome.NEGATIVE, TestOutcome.POSITIVE, TestOutcome.PENDING)


class TestResult(models.Model):
    """One person of a round (fixed when the round is made) and their result, once entered."""

    __test__ = False  # a model, not a pytest test class

    round = models.ForeignKey(
        TestRound, on_delete=models.CASCADE, related_name="results", verbose_name="轮次"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="人员"
    )
    result = models.CharField("结果", max_length=12, choices=TestOutcome.choices, blank=True, default="")
    reason = models.CharField("未采样原因", max_length=200, blank=True)
    recorded_at = models.DateTimeField("录入时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )

    class Meta:
        verbose_name = "核酸检测结果"
        verbose_name_plural = "核酸检测结果"
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="testresult_once_per_round"),
            models.CheckConstraint(
                name="testresult_not_sampled_has_reason",
                condition=~Q(result="not_sampled") | ~Q(reason=""),
                violation_error_message="未采样须写明原因",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_result_display()}"

    @property
    def is_sampled(self) -> bool:
        return self.result in SAMPLED


# --- E3 Health monitoring ----------------------------------------------------------------------


class Symptom(models.TextChoices):
    FEVER = "fever", "发热"
    COUGH = "cough", "咳嗽"
    SORE_THROAT = "sore_throat", "咽痛"
    FATIGUE = "fatigue", "乏力"
    SHORT_BREATH = "short_breath", "气促"
    DIARRHOEA = "diarrhoea", "腹泻"
    TASTE_SMELL = "taste_smell", "嗅觉味觉减退"


class HealthCheck(models.Model):
    """One temperature and symptom check of a resident or staff member of a home."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="养老机构"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="人员"
    )
    checked_at = models.DateTimeField("监测时间", db_index=True)
    temperature = models.DecimalField("体温（℃）", max_digits=3, decimal_places=1)
    symptoms = models.JSONField("症状", default=list, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    is_abnormal = models.BooleanField("异常", default=False)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "健康监测"
        verbose_name_plural = "健康监测"
        ordering = ["-checked_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="healthcheck_temperature_plausible",
                condition=Q(temperature__gte=TEMPERATURE_MIN) & Q(temperature__lte=TEMPERATURE_MAX),
                violation_error_message="体温须在 34.0–43.0℃ 之间",
            ),
        ]
        indexes = [models.Index(fields=["unit", "checked_at"]), models.Index(fields=["person", "checked_at"])]

    def __str__(self) -> str:
        return f"{self.person} {self.temperature}℃"

    @property
    def symptom_labels(self) -> list[str]:
        return [Symptom(s).label for s in self.symptoms if s in Symptom.values]


# --- E4 Daily prevention log -------------------------------------------------------------------


class ChecklistItem(TimeStampedModel):
    """One item of the daily prevention checklist (人物同防). Data, not code: the region edits it."""

    label = models.CharField("检查事项", max_length=100, unique=True)
    hint = models.CharField("说明", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "防控日志检查事项"
        verbose_name_plural = "防控日志检查事项"
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                name="checklistitem_label_not_blank",
                condition=~Q(label=""),
                violation_error_message="请填写事项",
            )
        ]

    def __str__(self) -> str:
        return self.label


class DailyLog(TimeStampedModel):
    """One home's prevention log for one day: which checklist items were done."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="养老机构"
    )
    day = models.DateField("日期")
    done_items = models.ManyToManyField(
        ChecklistItem, blank=True, related_name="+", verbose_name="已落实事项"
    )
    note = models.CharField("情况说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "防控日志"
        verbose_name_plural = "防控日志"
        ordering = ["-day", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "day"],
                name="dailylog_once_per_day",
                violation_error_message="该日已有防控日志",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.day} 防控日志"


class EldercarePolicy(ModulePolicy):
    """Testing rounds and health monitoring in the homes (E2–E3); the fever line is entry
    screening's (`ScreeningPolicy.temperature_limit`)."""

    plan_order = 20
    plan_title = _("养老机构")

    health_checks_per_day = models.PositiveSmallIntegerField(
        _("养老机构每日健康监测次数"),
        default=2,
        validators=within(1, 6),
        help_text=_("入住老人和在院职工每日测体温、问症状的次数，缺测即提醒"),
    )
    test_interval_days = models.PositiveSmallIntegerField(
        _("养老机构核酸检测间隔（天）"),
        default=7,
        validators=within(1, 60),
        help_text=_("封闭管理期间每隔此天数组织一轮核酸检测"),
    )

    class Meta:
        verbose_name = "养老机构政策参数"
        verbose_name_plural = "养老机构政策参数"
