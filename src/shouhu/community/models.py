"""Villages' and communities' prevention work (G1, G2, G4, G5, G6).

Who is who (G2): each village's (community's) roster of its prevention organisation, people of
the person register. Checkpoints (卡口), the closure plan (封闭管理方案) with its posts, emergency
supplies kept as a stock with movements (G4/G6). The emergency state (应急状态), one open per
village, starts the plan. County field visits (G1) whose problems are findings of the
rectification app.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ModulePolicy, within
from shouhu.common.crypto import EncryptedTextField
from shouhu.common.models import TimeStampedModel
from shouhu.people.masking import mask_phone

# --- Who is who (G2) ------------------------------------------------------------------------


class RosterRole(models.TextChoices):
    PARTY_ORG = "party_org", _("党组织")
    COMMITTEE = "committee", _("村（居）委会")
    CLINIC = "clinic", _("村卫生室（社区卫生服务站）")
    GRID_HEAD = "grid_head", _("网格长")
    BUILDING_HEAD = "building_head", _("楼长")
    HOUSEHOLD_GROUP_HEAD = "household_group_head", _("联户长")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    VOLUNTEER = "volunteer", _("志愿者")


# The roles whose people are trained (G5): coverage counts the roster people holding them. The
# training app names the same roles in its audience.
TRAINED_ROLES: list[str] = [
    RosterRole.BUILDING_HEAD,
    RosterRole.GRID_HEAD,
    RosterRole.COMMUNITY_WORKER,
    RosterRole.VOLUNTEER,
]


class RosterMember(TimeStampedModel):
    """One person holding one role in a village's (community's) prevention organisation."""

    village = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="roster", verbose_name="村（社区）"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="community_roles", verbose_name="人员"
    )
    role = models.CharField("角色", max_length=24, choices=RosterRole.choices)
    title = models.CharField(
        "职务", max_length=50, blank=True, help_text="如：党支部书记、村委会主任、第三网格网格长"
    )
    estate = models.CharField("小区/网格", max_length=100, blank=True, help_text="负责的小区、网格或楼栋")
    phone = EncryptedTextField("联系电话")
    is_responsible = models.BooleanField("两委负责人", default=False)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "防控组织成员"
        verbose_name_plural = "防控组织成员"
        ordering = ["village", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "person", "role"],
                name="rostermember_once_per_role",
                violation_error_message="此人已在本村（社区）担任该角色",
            ),
            models.CheckConstraint(
                name="rostermember_known_role",
                condition=Q(role__in=RosterRole.values),
                violation_error_message="未知的角色",
            ),
        ]
        indexes = [models.Index(fields=["village", "role"])]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_role_display()}）"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


# --- Checkpoints and the closure plan (G4/G6) ------------------------------------------------


class Checkpoint(TimeStampedModel):
    """A checkpoint (卡口) of a village or of an estate within it, with the roster people on it."""

    village = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="checkpoints", verbose_name="村（社区）"
    )
    name = models.CharField("卡口名称", max_length=100)
    estate = models.CharField("所在小区", max_length=100, blank=True)
    location = models.CharField("位置", max_length=200, blank=True)
    hours = models.CharField("值守时段", max_length=50, help_text="如：24 小时、6:00–22:00")
    staff = models.ManyToManyField(RosterMember, related_name="checkpoints", verbose_name="值守人员")

    class Meta:
        verbose_name = "卡口"
        verbose_name_plural = "卡口"
        ordering = ["village", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "name"],
                name="checkpoint_name_once",
                violation_error_message="本村（社区）已有同名卡口",
            ),
            models.CheckConstraint(
                name="checkpoint_has_name", condition=~Q(name=""), violation_error_message="请填写卡口名称"
            ),
            models.CheckConstraint(
                name="checkpoint_has_hours", condition=~Q(hours=""), violation_error_message="请填写值守时段"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.name}"


class ClosurePlan(TimeStampedModel):
    """A village's closure plan (封闭管理方案): its organisation; the posts are `PlanPost` rows."""

    village = models.OneToOneField(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="closure_plan", verbose_name="村（社区）"
    )
    organisation = models.TextField("组织架构", help_text="指挥长、副指挥长及各组负责人")
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "封闭管理方案"
        verbose_name_plural = "封闭管理方案"
        constraints = [
            models.CheckConstraint(
                name="closureplan_has_organisation",
                condition=~Q(organisation=""),
                violation_error_message="请填写组织架构",
            )
        ]

    def __str__(self) -> str:
        return f"{self.village} 封闭管理方案"


class Duty(models.TextChoices):
    INFORMATION_CHECK = "information_check", _("信息核查")
    PUBLICITY = "publicity", _("宣传引导")
    ASSIST_CONTROL = "assist_control", _("协助管控")
    SERVE_RESIDENTS = "serve_residents", _("服务群众")


class PlanPost(TimeStampedModel):
    """A post of the closure plan with its duty and the roster people named to it."""

    plan = models.ForeignKey(ClosurePlan, on_delete=models.CASCADE, related_name="posts", verbose_name="方案")
    duty = models.CharField("职责", max_length=24, choices=Duty.choices)
    name = models.CharField("岗位", max_length=100, help_text="如：一号卡口信息核查岗")
    estate = models.CharField("小区/区域", max_length=100, blank=True)
    tasks = models.CharField("工作内容", max_length=300, blank=True)
    members = models.ManyToManyField(RosterMember, related_name="posts", verbose_name="上岗人员")

    class Meta:
        verbose_name = "方案岗位"
        verbose_name_plural = "方案岗位"
        ordering = ["plan", "duty", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name"],
                name="planpost_name_once",
                violation_error_message="方案中已有同名岗位",
            ),
            models.CheckConstraint(
                name="planpost_known_duty",
                condition=Q(duty__in=Duty.values),
                violation_error_message="未知的职责",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_duty_display()}）"


# --- The emergency state (G6) -----------------------------------------------------------------


class EmergencyState(TimeStampedModel):
    """A village switched into emergency state (who, when, why) and, once ended, out of it."""

    village = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="emergency_states", verbose_name="村（社区）"
    )
    started_at = models.DateTimeField("启动时间")
    started_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="启动人"
    )
    reason = models.CharField("启动原因", max_length=200)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    ended_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="结束人",
    )
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    suspension = models.ForeignKey(
        "campaigns.ServiceSuspension",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="暂停探视",
    )

    class Meta:
        verbose_name = "应急状态"
        verbose_name_plural = "应急状态"
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(ended_at__isnull=True),
                name="emergencystate_one_open_per_village",
                violation_error_message="该村（社区）已处于应急状态",
            ),
            models.CheckConstraint(
                name="emergencystate_has_reason",
                condition=~Q(reason=""),
                violation_error_message="请填写启动原因",
            ),
            models.CheckConstraint(
                name="emergencystate_end_after_start",
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                violation_error_message="结束时间不能早于启动时间",
            ),
            models.CheckConstraint(
                name="emergencystate_end_recorded",
                condition=Q(ended_at__isnull=True, end_reason="", ended_by__isnull=True)
                | (Q(ended_at__isnull=False, ended_by__isnull=False) & ~Q(end_reason="")),
                violation_error_message="结束应急状态须记录结束人、时间和原因",
            ),
        ]
        indexes = [models.Index(fields=["village", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.village} 应急状态（{self.started_at:%Y-%m-%d}）"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class DutyCheck(models.Model):
    """A person named to a post reported on duty (到岗) on one day of an emergency state."""

    state = models.ForeignKey(
        EmergencyState, on_delete=models.CASCADE, related_name="checks", verbose_name="应急状态"
    )
    post = models.ForeignKey(PlanPost, on_delete=models.CASCADE, related_name="checks", verbose_name="岗位")
    member = models.ForeignKey(
        RosterMember, on_delete=models.CASCADE, related_name="checks", verbose_name="人员"
    )
    on = models.DateField("日期")
    checked_at = models.DateTimeField("到岗时间")
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "应急值守到岗"
        verbose_name_plural = "应急值守到岗"
        ordering = ["-on", "post", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "member", "on"],
                name="dutycheck_once_a_day",
                violation_error_message="今日已登记到岗",
            )
        ]
        indexes = [models.Index(fields=["state", "on"])]

    def __str__(self) -> str:
        return f"{self.on} {self.post_id} {self.member_id}"


# --- Emergency supplies (G4/G6) ----------------------------------------------------------------


class SupplyItem(models.TextChoices):
    SURGICAL_MASK = "surgical_mask", _("医用外科口罩（个）")
    N95_MASK = "n95_mask", _("N95 口罩（个）")
    PROTECTIVE_SUIT = "protective_suit", _("防护服（套）")
    GLOVES = "gloves", _("医用手套（副）")
    DISINFECTANT = "disinfectant", _("消毒液（升）")
    THERMOMETER = "thermometer", _("测温枪（把）")
    FACE_SHIELD = "face_shield", _("防护面屏（个）")
    LIVING_SUPPLIES = "living_supplies", _("生活保障物资（份）")


class SupplyStock(TimeStampedModel):
    """Stock on hand of one item at one village; changed only by guarded updates."""

    village = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="supply_stock", verbose_name="村（社区）"
    )
    item = models.CharField("物资", max_length=24, choices=SupplyItem.choices)
    quantity = models.IntegerField("库存数量", default=0)

    class Meta:
        verbose_name = "应急物资库存"
        verbose_name_plural = "应急物资库存"
        ordering = ["village", "item"]
        constraints = [
            models.UniqueConstraint(fields=["village", "item"], name="supplystock_one_row_per_item"),
            models.CheckConstraint(
                name="supplystock_not_negative",
                condition=Q(quantity__gte=0),
                violation_error_message="库存不能为负数",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.get_item_display()} {self.quantity}"


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("入库")
    ISSUE = "issue", _("发放")


class SupplyMovement(models.Model):
    """A receipt into or an issue out of a village's stock; the history of the stock."""

    village = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="村（社区）"
    )
    item = models.CharField("物资", max_length=24, choices=SupplyItem.choices)
    kind = models.CharField("类型", max_length=8, choices=MovementKind.choices)
    quantity = models.PositiveIntegerField("数量")
    balance_after = models.IntegerField("结存")
    issued_to = models.CharField("领用人", max_length=50, blank=True)
    supplier = models.CharField("来源", max_length=100, blank=True, help_text="如：上级调拨、采购、捐赠")
    happened_at = models.DateTimeField("时间")
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "应急物资出入库"
        verbose_name_plural = "应急物资出入库"
        ordering = ["-happened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="supplymovement_positive",
                condition=Q(quantity__gt=0),
                violation_error_message="数量须大于 0",
            ),
            models.CheckConstraint(
                name="supplymovement_issue_named",
                condition=~Q(kind=MovementKind.ISSUE) | ~Q(issued_to=""),
                violation_error_message="发放须填写领用人",
            ),
            models.CheckConstraint(
                name="supplymovement_receipt_sourced",
                condition=~Q(kind=MovementKind.RECEIPT) | ~Q(supplier=""),
                violation_error_message="入库须填写来源",
            ),
            models.CheckConstraint(
                name="supplymovement_balance_not_negative",
                condition=Q(balance_after__gte=0),
                violation_error_message="库存不能为负数",
            ),
        ]
        indexes = [models.Index(fields=["village", "-happened_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_item_display()} {self.quantity}"


# --- County field visits (G1) --------------------------------------------------------------------


class FieldVisit(TimeStampedModel):
    """A county bureau's guidance visit to a township or village; its problems are findings of
    the rectification app (`origin` = this visit)."""

    county = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="县（市、区）民政局"
    )
    place = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="field_visits", verbose_name="检查地点"
    )
    visited_on = models.DateField("日期")
    staff = models.CharField("检查人员", max_length=200)
    checked = models.TextField("检查内容")
    notes = models.TextField("情况记录", blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "督导检查"
        verbose_name_plural = "督导检查"
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="fieldvisit_has_staff", condition=~Q(staff=""), violation_error_message="请填写检查人员"
            ),
            models.CheckConstraint(
                name="fieldvisit_has_checked",
                condition=~Q(checked=""),
                violation_error_message="请填写检查内容",
            ),
        ]
        indexes = [models.Index(fields=["place", "-visited_on"])]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.place} 督导检查"


# --- Policy -------------------------------------------------------------------------------------


class CommunityPolicy(ModulePolicy):
    """Villages' and communities' prevention work: the roster's required roles (G2), field-visit
    findings (G1), supplies (G4/G6), training coverage (G5)."""

    plan_order = 52
    plan_title = _("村（社区）防控")

    # G2: how many people of each role a filled roster holds at least (0: not required).
    roster_min_party_org = models.PositiveSmallIntegerField(
        _("防控组织须有党组织成员人数"), default=1, validators=within(0, 50)
    )
    roster_min_committee = models.PositiveSmallIntegerField(
        _("防控组织须有村（居）委会成员人数"), default=1, validators=within(0, 50)
    )
    roster_min_clinic = models.PositiveSmallIntegerField(
        _("防控组织须有卫生室（站）人员人数"), default=1, validators=within(0, 50)
    )
    roster_min_grid_head = models.PositiveSmallIntegerField(
        _("防控组织须有网格长人数"), default=1, validators=within(0, 200)
    )
    roster_min_building_head = models.PositiveSmallIntegerField(
        _("防控组织须有楼栋长人数"),
        default=0,
        validators=within(0, 500),
        help_text=_("农村无楼栋的可为 0"),
    )
    roster_deadline_days = models.PositiveSmallIntegerField(
        _("防控组织名单填报期限（行动开始后天数）"),
        default=7,
        validators=within(1, 90),
        help_text=_("超过此天数仍缺角色的村（社区），提醒乡镇和县级民政局"),
    )
    visit_finding_days = models.PositiveSmallIntegerField(
        _("督导检查发现问题整改期限（天）"), default=7, validators=within(1, 90)
    )
    supply_low_stock_threshold = models.PositiveIntegerField(
        _("应急物资低库存预警数量"), default=20, validators=within(0, 100000)
    )
    training_coverage_target = models.PositiveSmallIntegerField(
        _("防控人员培训覆盖率目标（%）"),
        default=100,
        validators=within(1, 100),
        help_text=_("低于此比例的村（社区）在培训覆盖页标出"),
    )

    class Meta:
        verbose_name = "村（社区）防控政策参数"
        verbose_name_plural = "村（社区）防控政策参数"

    def required_roles(self) -> dict[str, int]:
        """The roles a filled roster holds, with how many people of each (the policy's minima)."""
        minima = {
            RosterRole.PARTY_ORG: self.roster_min_party_org,
            RosterRole.COMMITTEE: self.roster_min_committee,
            RosterRole.CLINIC: self.roster_min_clinic,
            RosterRole.GRID_HEAD: self.roster_min_grid_head,
            RosterRole.BUILDING_HEAD: self.roster_min_building_head,
        }
        return {str(role): n for role, n in minima.items() if n > 0}
