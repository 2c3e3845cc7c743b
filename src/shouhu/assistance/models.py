"""Assistance for people in difficulty (the plan's key task 二; SPEC A1–A11).

A household (户) groups persons of the one register; its standing decides what it is owed and how
often it is visited. Three responsible people (county, township, village) answer for it (A1);
visits and the signals other modules send (isolation, death) keep it in sight (A2); income
assessments against the county's dated standards say what 低保 it is owed, line by line (A4, A8).
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ModulePolicy, within
from shouhu.common.crypto import EncryptedTextField
from shouhu.common.models import TimeStampedModel
from shouhu.people.masking import mask_phone

# --- Households (A2) ----------------------------------------------------------------------------


class AreaType(models.TextChoices):
    """Urban or rural: which of the county's standards applies."""

    URBAN = "urban", _("城市")
    RURAL = "rural", _("农村")


class Standing(models.TextChoices):
    DIBAO = "dibao", _("低保")
    TEKUN_DISPERSED = "tekun_dispersed", _("特困供养（分散）")
    TEKUN_CENTRALISED = "tekun_centralised", _("特困供养（集中）")
    LOW_INCOME = "low_income", _("低收入家庭")
    EPIDEMIC_AFFECTED = "epidemic_affected", _("受疫情影响")


# Standings whose people the state already supports: the 应保尽保 list looks for the others (A4).
SUPPORTED_STANDINGS = (Standing.DIBAO, Standing.TEKUN_DISPERSED, Standing.TEKUN_CENTRALISED)


class AffectedReason(models.TextChoices):
    CONFIRMED_CASE = "confirmed_case", _("家庭成员确诊")
    ISOLATED = "isolated", _("家庭成员隔离")
    LOST_WORK = "lost_work", _("无法外出务工或返岗复工")
    OTHER = "other", _("其他")


class Household(TimeStampedModel):
    """A household in difficulty or affected by the epidemic, in its village or community."""

    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="assistance_households",
        verbose_name="所在村（社区）",
    )
    area_type = models.CharField("城乡类别", max_length=8, choices=AreaType.choices)
    standing = models.CharField("救助类别", max_length=24, choices=Standing.choices)
    affected_reason = models.CharField(
        "受疫情影响原因", max_length=24, choices=AffectedReason.choices, blank=True
    )
    situation = models.CharField("困难情况", max_length=300, blank=True)
    address = models.CharField("家庭住址", max_length=200, blank=True)
    # Where assistance is paid (the head's account, 一卡通): encrypted at rest, masked on screen,
    # unmasked only in the bank's batch file, whose export is logged with its reason.
    bank_name = models.CharField("开户银行", max_length=50, blank=True)
    bank_account = EncryptedTextField("银行账号", blank=True)
    registered_on = models.DateField("登记日期")
    registered_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "困难家庭"
        verbose_name_plural = "困难家庭"
        ordering = ["unit__path", "pk"]
        constraints = [
            models.CheckConstraint(
                name="household_affected_has_reason",
                condition=~Q(standing=Standing.EPIDEMIC_AFFECTED) | ~Q(affected_reason=""),
                violation_error_message="受疫情影响的家庭须选择受影响原因",
            ),
            models.CheckConstraint(
                name="household_reason_only_when_affected",
                condition=Q(standing=Standing.EPIDEMIC_AFFECTED) | Q(affected_reason=""),
                violation_error_message="只有受疫情影响的家庭才填写受影响原因",
            ),
        ]
        indexes = [models.Index(fields=["unit", "standing"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_standing_display()}家庭 #{self.pk}"

    @property
    def bank_account_masked(self) -> str:
        """The last four digits only, as a bank shows them."""
        account = self.bank_account
        return f"****{account[-4:]}" if account else ""


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


# A relation a member may be given directly: the head changes only by 设为户主 (never two heads).
NON_HEAD_RELATIONS = [(value, label) for value, label in Relation.choices if value != Relation.HEAD]


class HouseholdMember(TimeStampedModel):
    """A person's membership of a household, from `joined_on` until `left_on` (history is kept)."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name="家庭"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="assistance_memberships", verbose_name="人员"
    )
    relation = models.CharField("与户主关系", max_length=16, choices=Relation.choices)
    joined_on = models.DateField("加入日期")
    left_on = models.DateField("离开日期", null=True, blank=True)
    left_reason = models.CharField("离开原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household", "left_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(left_on__isnull=True),
                name="householdmember_one_household_at_a_time",
                violation_error_message="此人已是另一困难家庭的成员",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(left_on__isnull=True, relation="head"),
                name="householdmember_one_head",
                violation_error_message="一户只能有一名户主",
            ),
            models.CheckConstraint(
                name="householdmember_left_after_joined",
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                violation_error_message="离开日期不能早于加入日期",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_relation_display()})"


# --- Three-level responsibility (A1) -------------------------------------------------------------


class Level(models.TextChoices):
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")
    VILLAGE = "village", _("村级")


# The org tree's depth of each level's unit (the region is 1): its path is the household's
# village's path cut to that depth.
LEVEL_DEPTH = {Level.COUNTY: 2, Level.TOWNSHIP: 3, Level.VILLAGE: 4}


class Responsibility(TimeStampedModel):
    """A named person who answers for a household at one level (包保责任人), from `assigned_on`
    until `ended_on`; a reassignment ends the row and adds one, so the history stays."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="responsibilities", verbose_name="家庭"
    )
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="所在单位"
    )
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_responsibilities",
        verbose_name="系统用户",
    )
    name = models.CharField("包保责任人", max_length=50)
    phone = EncryptedTextField("联系电话", blank=True)
    assigned_on = models.DateField("起始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    assigned_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="指定人",
    )

    class Meta:
        verbose_name = "包保责任人"
        verbose_name_plural = "包保责任人"
        ordering = ["household", "level", "-assigned_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "level"],
                condition=Q(ended_on__isnull=True),
                name="responsibility_one_per_level",
                violation_error_message="该层级已有包保责任人",
            ),
            models.CheckConstraint(
                name="responsibility_named",
                condition=~Q(name=""),
                violation_error_message="请填写包保责任人姓名",
            ),
            models.CheckConstraint(
                name="responsibility_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("assigned_on")),
                violation_error_message="结束日期不能早于起始日期",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.name}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


# --- Visits and signals (A2) ---------------------------------------------------------------------


class Visit(TimeStampedModel):
    """A follow-up visit (走访) to a household: who went, when, what they found, what is needed."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="visits", verbose_name="家庭"
    )
    visited_on = models.DateField("走访日期")
    visitor = models.CharField("走访人", max_length=50)
    findings = models.CharField("走访情况", max_length=500)
    needs = models.CharField("困难诉求", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="记录人",
    )

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="visit_has_findings", condition=~Q(findings=""), violation_error_message="请填写走访情况"
            ),
            models.CheckConstraint(
                name="visit_has_visitor", condition=~Q(visitor=""), violation_error_message="请填写走访人"
            ),
        ]
        indexes = [models.Index(fields=["household", "-visited_on"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_on} {self.visitor}"


class SignalKind(models.TextChoices):
    ISOLATION = "isolation", _("成员进入隔离")
    DEATH = "death", _("成员死亡")
    CONFIRMED_CASE = "confirmed_case", _("成员确诊")


class FollowUp(TimeStampedModel):
    """早发现: what another module reported about a member, for the county to follow up.

    Opened by the module's write (isolation register, death) without anyone typing it; one per
    member, kind and day, so a repeated report opens nothing new."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="follow_ups", verbose_name="家庭"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="成员"
    )
    kind = models.CharField("事由", max_length=16, choices=SignalKind.choices)
    happened_on = models.DateField("发生日期")
    detail = models.CharField("详情", max_length=200, blank=True)
    opened_at = models.DateTimeField("发现时间")
    closed_at = models.DateTimeField("处理完成时间", null=True, blank=True)
    outcome = models.CharField("处理情况", max_length=300, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )

    class Meta:
        verbose_name = "跟进事项"
        verbose_name_plural = "跟进事项"
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person", "kind", "happened_on"], name="followup_once_per_event"
            ),
            models.CheckConstraint(
                name="followup_closed_with_outcome",
                condition=Q(closed_at__isnull=True) | ~Q(outcome=""),
                violation_error_message="请填写处理情况",
            ),
        ]
        indexes = [models.Index(fields=["closed_at", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_kind_display()} {self.happened_on}"


# --- Standards and income assessment (A4, A8) ----------------------------------------------------


class Standard(TimeStampedModel):
    """A county's assistance standards for urban or rural households, in force from a date until
    the next row of the same county and area (so a change keeps the old figures for old months).

    The deductions of A8 are referenced to these figures: a member back at work may deduct the
    employment costs of `employment_cost_percent` of the minimum wage, and a month's home
    isolation the living costs of `isolation_living_cost_percent` of the 低保 standard, pro rata."""

    county = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="县（市、区）"
    )
    area_type = models.CharField("城乡类别", max_length=8, choices=AreaType.choices)
    effective_from = models.DateField("执行日期")
    dibao_standard = models.DecimalField("低保标准（元/人·月）", max_digits=8, decimal_places=2)
    tekun_standard = models.DecimalField("特困人员基本生活标准（元/人·月）", max_digits=8, decimal_places=2)
    minimum_wage = models.DecimalField("最低工资标准（元/月）", max_digits=8, decimal_places=2)
    employment_cost_percent = models.PositiveSmallIntegerField(
        "就业成本扣减比例（占最低工资标准 %）", validators=within(0, 100)
    )
    isolation_living_cost_percent = models.PositiveSmallIntegerField(
        "居家隔离生活支出扣减比例（占低保标准 %）", validators=within(0, 100)
    )
    document = models.CharField("文件依据", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )

    class Meta:
        verbose_name = "救助标准"
        verbose_name_plural = "救助标准"
        ordering = ["county__path", "area_type", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "area_type", "effective_from"],
                name="standard_one_per_day",
                violation_error_message="该县同一城乡类别在同一执行日期已有标准",
            ),
            models.CheckConstraint(
                name="standard_amounts_positive",
                condition=Q(dibao_standard__gt=0) & Q(tekun_standard__gt=0) & Q(minimum_wage__gt=0),
                violation_error_message="标准金额须大于 0",
            ),
            models.CheckConstraint(
                name="standard_percents_in_range",
                condition=Q(employment_cost_percent__lte=100) & Q(isolation_living_cost_percent__lte=100),
                violation_error_message="扣减比例须在 0–100 之间",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.get_area_type_display()} {self.effective_from}起"


class IncomeKind(models.TextChoices):
    WAGE = "wage", _("工资性收入")
    BUSINESS = "business", _("经营净收入")
    PROPERTY = "property", _("财产净收入")
    TRANSFER = "transfer", _("转移净收入")


class IncomeAssessment(TimeStampedModel):
    """A household's income for one month, assessed against the standard in force (核算).

    The figures are stored as computed (`services.assess`), with the standard's values copied, so
    an assessment explains itself even after the standard changes."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="assessments", verbose_name="家庭"
    )
    month = models.DateField("核算月份", help_text="该月 1 日")
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, related_name="+", verbose_name="适用标准"
    )
    dibao_standard = models.DecimalField("低保标准（元/人·月）", max_digits=8, decimal_places=2)
    minimum_wage = models.DecimalField("最低工资标准（元/月）", max_digits=8, decimal_places=2)
    household_size = models.PositiveSmallIntegerField("家庭人口")
    total_income = models.DecimalField("家庭月收入", max_digits=10, decimal_places=2)
    total_deductions = models.DecimalField("扣减合计", max_digits=10, decimal_places=2)
    per_capita_income = models.DecimalField("人均月收入", max_digits=10, decimal_places=2)
    dibao_amount = models.DecimalField("低保金（元/月）", max_digits=10, decimal_places=2)
    working = models.JSONField("核算过程", default=list)
    note = models.CharField("备注", max_length=200, blank=True)
    assessed_at = models.DateTimeField("核算时间")
    assessed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核算人",
    )

    class Meta:
        verbose_name = "家庭收入核算"
        verbose_name_plural = "家庭收入核算"
        ordering = ["-month", "-assessed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="assessment_month_starts",
                condition=Q(month__day=1),
                violation_error_message="核算月份须为该月 1 日",
            ),
            models.CheckConstraint(
                name="assessment_household_not_empty",
                condition=Q(household_size__gt=0),
                violation_error_message="家庭人口须大于 0",
            ),
            models.CheckConstraint(
                name="assessment_amount_not_negative",
                condition=Q(dibao_amount__gte=0) & Q(total_deductions__gte=0),
                violation_error_message="金额不能为负数",
            ),
        ]
        indexes = [models.Index(fields=["household", "-month", "-assessed_at"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.month:%Y-%m} 核算"

    @property
    def below_standard(self) -> bool:
        return self.per_capita_income < self.dibao_standard


class IncomeLine(models.Model):
    """One member's income of one kind in the assessed month, with what A8 lets them deduct."""

    assessment = models.ForeignKey(
        IncomeAssessment, on_delete=models.CASCADE, related_name="lines", verbose_name="核算"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="成员"
    )
    kind = models.CharField("收入类型", max_length=16, choices=IncomeKind.choices)
    amount = models.DecimalField("金额（元/月）", max_digits=10, decimal_places=2)
    back_at_work = models.BooleanField("已外出务工或返岗复工", default=False)
    isolation_days = models.PositiveSmallIntegerField("当月居家隔离天数", default=0)

    class Meta:
        verbose_name = "收入明细"
        verbose_name_plural = "收入明细"
        ordering = ["assessment", "pk"]
        constraints = [
            models.CheckConstraint(
                name="incomeline_amount_not_negative",
                condition=Q(amount__gte=0),
                violation_error_message="收入金额不能为负数",
            ),
            models.CheckConstraint(
                name="incomeline_isolation_days_in_month",
                condition=Q(isolation_days__lte=31),
                violation_error_message="隔离天数不能超过当月天数",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


# --- Care of isolated people in difficulty (A9) ---------------------------------------------------


class CareNeed(models.TextChoices):
    FOOD = "food", _("生活物资")
    MEDICINE = "medicine", _("药品")
    HEATING = "heating", _("取暖")
    OTHER = "other", _("其他")


# The isolation register's kinds spent at home (its `IsolationKind` values): 居家隔离, 居家健康监测.
AT_HOME_ISOLATION = ("home", "health_monitoring")


class CareTask(TimeStampedModel):
    """照料: a member of a 低保 or 特困 household isolated at home gets help until the isolation ends.

    Opened by the isolation register's write (no one types it), for the household's village
    responsible person; each delivery is recorded; closed when the register ends the isolation."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="care_tasks", verbose_name="家庭"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="隔离人员"
    )
    isolation = models.CharField("隔离类型", max_length=20)
    starts_on = models.DateField("隔离开始日期")
    opened_at = models.DateTimeField("建立时间")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    close_reason = models.CharField("结束原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "居家隔离照料"
        verbose_name_plural = "居家隔离照料"
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "starts_on"], name="caretask_once_per_isolation"),
        ]
        indexes = [models.Index(fields=["closed_at", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.person} 居家隔离照料 {self.starts_on}"


class CareDelivery(TimeStampedModel):
    """One delivery to an isolated person: what was needed and brought, by whom, when."""

    task = models.ForeignKey(
        CareTask, on_delete=models.PROTECT, related_name="deliveries", verbose_name="照料"
    )
    delivered_on = models.DateField("送达日期")
    needs = models.JSONField("需求类别", default=list)
    items = models.CharField("送达物资或服务", max_length=300)
    delivered_by = models.CharField("送达人", max_length=50)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="记录人",
    )

    class Meta:
        verbose_name = "照料送达记录"
        verbose_name_plural = "照料送达记录"
        ordering = ["-delivered_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="caredelivery_has_items",
                condition=~Q(items=""),
                violation_error_message="请填写送达物资或服务",
            ),
            models.CheckConstraint(
                name="caredelivery_has_deliverer",
                condition=~Q(delivered_by=""),
                violation_error_message="请填写送达人",
            ),
        ]
        indexes = [models.Index(fields=["task", "-delivered_on"])]

    def __str__(self) -> str:
        return f"{self.task_id} {self.delivered_on}"


# --- Temporary assistance and case-by-case review (A5, A6, A7, A10) -----------------------------


class AssistanceReason(models.TextChoices):
    CONFIRMED_CASE = "confirmed_case", _("确诊病例（低保、特困、低收入家庭）")
    LOST_WORK = "lost_work", _("因疫情无法外出务工或返岗复工")
    UNCERTAIN = "uncertain", _("信息把握不准或审批要件不全")
    OTHER = "other", _("其他临时困难")


# A6: temporary assistance for a confirmed case is for these standings only.
CONFIRMED_CASE_STANDINGS = (*SUPPORTED_STANDINGS, Standing.LOW_INCOME)


class Schedule(models.TextChoices):
    ONCE = "once", _("一次性")
    MONTHLY = "monthly", _("按月发放")


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("不同意")


class CaseByCaseReview(TimeStampedModel):
    """一事一议 (A10): a household in serious hardship, deliberated by the county — who took part,
    when, what was decided and how much — so assistance above the normal cap has its approval."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="reviews", verbose_name="家庭"
    )
    hardship = models.CharField("重大生活困难情况", max_length=500)
    proposed_amount = models.DecimalField("提议救助金额（元）", max_digits=10, decimal_places=2)
    met_on = models.DateField("议定日期")
    participants = models.CharField("参加人员", max_length=300)
    decision = models.CharField("议定结果", max_length=10, choices=ReviewDecision.choices)
    approved_amount = models.DecimalField("议定救助金额（元）", max_digits=10, decimal_places=2, default=0)
    approved_by = models.CharField("审批人", max_length=50)
    reference = models.CharField("会议纪要或批文编号", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="记录人",
    )

    class Meta:
        verbose_name = "一事一议"
        verbose_name_plural = "一事一议"
        ordering = ["-met_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="review_amounts",
                condition=Q(proposed_amount__gt=0)
                & Q(approved_amount__gte=0)
                & (
                    Q(decision=ReviewDecision.APPROVED, approved_amount__gt=0)
                    | Q(decision=ReviewDecision.REJECTED, approved_amount=0)
                ),
                violation_error_message="同意的须填写议定金额，不同意的议定金额为 0",
            ),
            models.CheckConstraint(
                name="review_has_participants",
                condition=~Q(participants=""),
                violation_error_message="请填写参加人员",
            ),
            models.CheckConstraint(
                name="review_has_approver",
                condition=~Q(approved_by=""),
                violation_error_message="请填写审批人",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} 一事一议 {self.met_on}"


class TemporaryAssistance(TimeStampedModel):
    """临时救助 granted to a household: once, or monthly from `starts_on` until ended (A5).

    先行救助 (`is_advance`): paid first, documents completed later (`documents_completed_on`);
    grants still waiting past the policy's days are listed. Above the policy's normal cap a grant
    needs an approved 一事一议 (A10), whose amount it may not exceed."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="temporary_assistance", verbose_name="家庭"
    )
    reason = models.CharField("救助事由", max_length=20, choices=AssistanceReason.choices)
    schedule = models.CharField("发放方式", max_length=10, choices=Schedule.choices)
    amount = models.DecimalField("救助金额（元，按月的为每月）", max_digits=10, decimal_places=2)
    starts_on = models.DateField("起始月份", help_text="该月 1 日")
    ended_on = models.DateField("停发月份", null=True, blank=True, help_text="该月起不再发放")
    end_reason = models.CharField("停发原因", max_length=200, blank=True)
    is_advance = models.BooleanField("先行救助（要件后补）", default=False)
    documents_completed_on = models.DateField("要件补齐日期", null=True, blank=True)
    expected_months = models.PositiveSmallIntegerField(
        "困难预计持续月数",
        null=True,
        blank=True,
        help_text="因疫情无法务工的填写；不少于政策月数的可转入低保",
    )
    review = models.ForeignKey(
        CaseByCaseReview,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name="一事一议",
    )
    inquiry = models.ForeignKey(
        "inquiries.Inquiry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来自救助热线",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    granted_at = models.DateTimeField("审批时间")
    granted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )

    class Meta:
        verbose_name = "临时救助"
        verbose_name_plural = "临时救助"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="temporary_amount_positive",
                condition=Q(amount__gt=0),
                violation_error_message="救助金额须大于 0",
            ),
            models.CheckConstraint(
                name="temporary_starts_on_first",
                condition=Q(starts_on__day=1),
                violation_error_message="起始月份须为该月 1 日",
            ),
            models.CheckConstraint(
                name="temporary_ends_after_start",
                condition=Q(ended_on__isnull=True) | (Q(ended_on__gt=F("starts_on")) & Q(ended_on__day=1)),
                violation_error_message="停发月份须晚于起始月份",
            ),
            models.CheckConstraint(
                name="temporary_documents_only_in_advance",
                condition=Q(is_advance=True) | Q(documents_completed_on__isnull=True),
                violation_error_message="只有先行救助才有要件补齐日期",
            ),
        ]
        indexes = [models.Index(fields=["schedule", "starts_on", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.household_id} 临时救助 {self.amount}"


# --- Applications (A4, A7) -----------------------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    """The steps of an application for 低保 or 特困, in order; `REFUSED` may end any of them."""

    APPLIED = "applied", _("已申请，待受理")
    ACCEPTED = "accepted", _("已受理，待入户调查")
    INVESTIGATED = "investigated", _("已调查，待公示")
    PUBLICISED = "publicised", _("公示中")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")


# What an application may ask for: the standings the state supports.
APPLICABLE_STANDINGS = [(value, label) for value, label in Standing.choices if value in SUPPORTED_STANDINGS]

OPEN_APPLICATION = (
    ApplicationStatus.APPLIED,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.INVESTIGATED,
    ApplicationStatus.PUBLICISED,
)


class Application(TimeStampedModel):
    """An application for 低保 or 特困 (申请 → 受理 → 入户调查 → 公示 → 审批), each step dated.

    The village takes it, the township accepts, investigates and publicises it, the county decides;
    a refusal at any step says why. One open application per household at a time. An application
    from a household on temporary assistance for lost work (A7) names its grant: only a hardship
    expected to last the policy's months may move to 低保."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="applications", verbose_name="家庭"
    )
    standing = models.CharField("申请类别", max_length=24, choices=Standing.choices)
    reason = models.CharField("申请理由", max_length=300)
    applied_on = models.DateField("申请日期")
    grant = models.ForeignKey(
        TemporaryAssistance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="由临时救助转入",
    )
    inquiry = models.ForeignKey(
        "inquiries.Inquiry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来自救助热线",
    )
    status = models.CharField(
        "办理环节", max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED
    )
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    investigated_on = models.DateField("入户调查日期", null=True, blank=True)
    findings = models.CharField("调查情况", max_length=500, blank=True)
    assessment = models.ForeignKey(
        IncomeAssessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="家庭经济状况核算",
    )
    publicised_from = models.DateField("公示开始日期", null=True, blank=True)
    publicised_until = models.DateField("公示截止日期", null=True, blank=True)
    objections = models.CharField("公示期间异议及核实情况", max_length=300, blank=True)
    decided_on = models.DateField("审批（办结）日期", null=True, blank=True)
    refused_at = models.CharField(
        "在此环节不予通过", max_length=16, choices=ApplicationStatus.choices, blank=True
    )
    refusal_reason = models.CharField("不予通过理由", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )

    class Meta:
        verbose_name = "低保特困申请"
        verbose_name_plural = "低保特困申请"
        ordering = ["-applied_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status__in=OPEN_APPLICATION),
                name="one_open_application_per_household",
                violation_error_message="该户已有正在办理的申请",
            ),
            models.CheckConstraint(
                name="application_for_supported_standing",
                condition=Q(standing__in=SUPPORTED_STANDINGS),
                violation_error_message="只能申请低保或特困供养",
            ),
            models.CheckConstraint(
                name="application_steps_in_order",
                condition=(Q(accepted_on__isnull=True) | Q(accepted_on__gte=F("applied_on")))
                & (Q(investigated_on__isnull=True) | Q(investigated_on__gte=F("accepted_on")))
                & (Q(publicised_from__isnull=True) | Q(publicised_from__gte=F("investigated_on")))
                & (Q(publicised_until__isnull=True) | Q(publicised_until__gte=F("publicised_from")))
                & (Q(decided_on__isnull=True) | Q(decided_on__gte=F("applied_on"))),
                violation_error_message="各环节日期须依次不早于上一环节",
            ),
            models.CheckConstraint(
                name="application_decided_when_closed",
                condition=Q(status__in=OPEN_APPLICATION, decided_on__isnull=True)
                | (~Q(status__in=OPEN_APPLICATION) & Q(decided_on__isnull=False)),
                violation_error_message="办结的申请须有办结日期",
            ),
            models.CheckConstraint(
                name="application_refusal_has_reason",
                condition=(Q(status=ApplicationStatus.REFUSED) & ~Q(refusal_reason="") & ~Q(refused_at=""))
                | (~Q(status=ApplicationStatus.REFUSED) & Q(refusal_reason="", refused_at="")),
                violation_error_message="不予通过须写明理由",
            ),
        ]
        indexes = [models.Index(fields=["status", "applied_on"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.get_standing_display()}申请 {self.applied_on}"


# --- Payments (A3) ------------------------------------------------------------------------------


class PaymentKind(models.TextChoices):
    DIBAO = "dibao", _("低保金")
    TEKUN = "tekun", _("特困供养金")
    TEMPORARY = "temporary", _("临时救助金")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    PAID = "paid", _("已发放")
    FAILED = "failed", _("发放失败")
    RETURNED = "returned", _("退回")


class PaymentRoll(TimeStampedModel):
    """A county's monthly roll (发放花名册): one per county and month, generated from the
    entitlements in force; generating again adds only what is missing."""

    county = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="县（市、区）"
    )
    month = models.DateField("发放月份", help_text="该月 1 日")
    generated_at = models.DateTimeField("生成时间")
    generated_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="生成人",
    )

    class Meta:
        verbose_name = "发放花名册"
        verbose_name_plural = "发放花名册"
        ordering = ["-month", "county__path"]
        constraints = [
            models.UniqueConstraint(fields=["county", "month"], name="roll_one_per_county_month"),
            models.CheckConstraint(
                name="roll_month_starts",
                condition=Q(month__day=1),
                violation_error_message="发放月份须为该月 1 日",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.month:%Y-%m} 发放花名册"


class Payment(models.Model):
    """One entitlement of one household in a roll, and what the bank made of it."""

    roll = models.ForeignKey(
        PaymentRoll, on_delete=models.PROTECT, related_name="payments", verbose_name="花名册"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="payments", verbose_name="家庭"
    )
    kind = models.CharField("类别", max_length=10, choices=PaymentKind.choices)
    # The grant a temporary payment comes from (0 for 低保 and 特困): part of the row's identity,
    # so a household with two monthly grants is paid twice and a re-run adds neither again.
    grant_id = models.BigIntegerField("临时救助编号", default=0)
    amount = models.DecimalField("应发金额（元）", max_digits=10, decimal_places=2)
    status = models.CharField(
        "状态", max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    paid_amount = models.DecimalField("实发金额（元）", max_digits=10, decimal_places=2, default=0)
    settled_on = models.DateField("银行处理日期", null=True, blank=True)
    bank_note = models.CharField("银行反馈", max_length=200, blank=True)

    class Meta:
        verbose_name = "发放明细"
        verbose_name_plural = "发放明细"
        ordering = ["roll", "household", "kind", "grant_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["roll", "household", "kind", "grant_id"], name="payment_once_per_roll"
            ),
            models.CheckConstraint(
                name="payment_amounts",
                condition=Q(amount__gt=0) & Q(paid_amount__gte=0),
                violation_error_message="金额无效",
            ),
        ]
        indexes = [models.Index(fields=["household", "status"])]

    def __str__(self) -> str:
        return f"{self.roll_id} {self.household_id} {self.get_kind_display()} {self.amount}"


# --- Policy -------------------------------------------------------------------------------------


class Rounding(models.TextChoices):
    YUAN = "yuan", _("取整到元（四舍五入）")
    JIAO = "jiao", _("取整到角（四舍五入）")
    FEN = "fen", _("精确到分")


ROUNDING_QUANTUM = {Rounding.YUAN: Decimal("1"), Rounding.JIAO: Decimal("0.1"), Rounding.FEN: Decimal("0.01")}


class AssistancePolicy(ModulePolicy):
    """Assistance for people in difficulty (A1–A11)."""

    plan_order = 50
    plan_title = _("困难群众救助")

    hardship_months_for_dibao = models.PositiveSmallIntegerField(
        _("可纳入低保的困难持续月数"),
        default=3,
        validators=within(1, 24),
        help_text=_("因疫情暂时困难、预计持续不少于此月数的，可由临时救助转入低保"),
    )
    visit_days_tekun = models.PositiveSmallIntegerField(
        _("特困供养家庭走访间隔（天）"), default=7, validators=within(1, 90)
    )
    visit_days_dibao = models.PositiveSmallIntegerField(
        _("低保家庭走访间隔（天）"), default=14, validators=within(1, 90)
    )
    visit_days_low_income = models.PositiveSmallIntegerField(
        _("低收入家庭走访间隔（天）"), default=14, validators=within(1, 90)
    )
    visit_days_affected = models.PositiveSmallIntegerField(
        _("受疫情影响家庭走访间隔（天）"), default=7, validators=within(1, 90)
    )
    visit_escalation_days = models.PositiveSmallIntegerField(
        _("走访逾期转乡镇提醒天数"),
        default=3,
        validators=within(1, 30),
        help_text=_("走访逾期先提醒村（社区），逾期超过此天数再提醒乡镇（街道）"),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("早发现事项处理时限（天）"),
        default=2,
        validators=within(1, 30),
        help_text=_("成员隔离、死亡等情况发现后，县级须在此天数内跟进处理"),
    )
    care_delivery_days = models.PositiveSmallIntegerField(
        _("居家隔离照料送达间隔（天）"),
        default=2,
        validators=within(1, 14),
        help_text=_("隔离在家的低保、特困人员超过此天数没有照料送达记录的，提醒乡镇（街道）"),
    )
    temporary_assistance_cap = models.DecimalField(
        _("临时救助常规上限（元/次或元/月）"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("3000"),
        validators=within(1, 1000000),
        help_text=_("超过此金额须经“一事一议”议定"),
    )
    advance_documents_days = models.PositiveSmallIntegerField(
        _("先行救助要件补齐时限（天）"),
        default=30,
        validators=within(1, 180),
        help_text=_("先行救助发放后超过此天数仍未补齐要件的，列入待补要件清单"),
    )
    pay_day = models.PositiveSmallIntegerField(
        _("每月救助金发放截止日"),
        default=10,
        validators=within(1, 28),
        help_text=_("当月应发救助金到此日仍未足额发放的，视为欠发"),
    )
    hotline_answer_hours = models.PositiveSmallIntegerField(
        _("救助热线首次答复时限（小时）"),
        default=24,
        validators=within(1, 720),
        help_text=_("来电受理后须在此小时数内首次答复来电人"),
    )
    hotline_close_hours = models.PositiveSmallIntegerField(
        _("救助热线办结时限（小时）"),
        default=168,
        validators=within(1, 2160),
        help_text=_("来电受理后须在此小时数内办结；超时提醒县级民政局"),
    )
    application_accept_days = models.PositiveSmallIntegerField(
        _("低保特困申请受理时限（天）"),
        default=3,
        validators=within(1, 30),
        help_text=_("申请后须在此天数内决定是否受理；超时列为逾期"),
    )
    application_publicity_days = models.PositiveSmallIntegerField(
        _("低保特困申请公示期（天）"),
        default=7,
        validators=within(1, 30),
        help_text=_("调查结果公示的天数；公示期满后方可审批"),
    )
    application_decision_days = models.PositiveSmallIntegerField(
        _("低保特困申请办结时限（天）"),
        default=30,
        validators=within(1, 90),
        help_text=_("自受理之日起须在此天数内审批办结；超时提醒县级民政局"),
    )
    amount_rounding = models.CharField(
        _("低保金取整方式"), max_length=8, choices=Rounding.choices, default=Rounding.YUAN
    )

    class Meta:
        verbose_name = "困难群众救助政策参数"
        verbose_name_plural = "困难群众救助政策参数"

    def visit_days(self, standing: str) -> int:
        """How many days may pass between two visits to a household of `standing`."""
        if standing in (Standing.TEKUN_DISPERSED, Standing.TEKUN_CENTRALISED):
            return self.visit_days_tekun
        return {
            Standing.DIBAO: self.visit_days_dibao,
            Standing.LOW_INCOME: self.visit_days_low_income,
            Standing.EPIDEMIC_AFFECTED: self.visit_days_affected,
        }[Standing(standing)]
