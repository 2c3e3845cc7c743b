from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ModulePolicy, within
from shouhu.common.crypto import EncryptedTextField
from shouhu.common.models import TimeStampedModel
from shouhu.people.masking import mask_phone

# --- Funeral cases (F1) -----------------------------------------------------------------------


class CeremonyType(models.TextChoices):
    NONE = "none", _("不举办仪式（直接火化）")
    SIMPLE = "simple", _("简办（家属小范围守灵追思）")
    FAREWELL = "farewell", _("遗体告别仪式")


class FuneralCase(TimeStampedModel):
    """One funeral handled by a funeral home (治丧). COVID-19 remains follow the F2 workflow."""

    home = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="funeral_cases", verbose_name="殡葬服务机构"
    )
    deceased = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="funeral_cases", verbose_name="逝者"
    )
    # Registering the case records the death in the register too (`person_record_death`, which ends
    # the person's bookings in other modules); other modules ask `selectors.person_deceased_on`.
    died_on = models.DateField("死亡日期")
    contact_name = models.CharField("家属联系人", max_length=50)
    contact_phone = EncryptedTextField("家属联系电话")
    service_date = models.DateField("治丧日期")
    ceremony_type = models.CharField("仪式类型", max_length=16, choices=CeremonyType.choices)
    attendance = models.PositiveSmallIntegerField("参加人数", default=0)
    covid_remains = models.BooleanField("新冠肺炎患者遗体", default=False)
    note = models.CharField("备注", max_length=200, blank=True)
    registered_at = models.DateTimeField("登记时间")
    # Denormalised from the steps, written under the case's row lock with each step: the list,
    # the "next step" and the stall check read it without counting steps.
    remains_stage = models.PositiveSmallIntegerField("遗体处置已完成环节数", default=0)
    last_step_at = models.DateTimeField("最近环节时间", null=True, blank=True)
    registered_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "治丧记录"
        verbose_name_plural = "治丧记录"
        ordering = ["-service_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deceased"],
                name="funeralcase_one_per_person",
                violation_error_message="该逝者已有治丧记录",
            ),
            models.CheckConstraint(
                name="funeralcase_service_after_death",
                condition=Q(service_date__gte=F("died_on")),
                violation_error_message="治丧日期不能早于死亡日期",
            ),
            models.CheckConstraint(
                name="funeralcase_covid_no_ceremony",
                condition=Q(covid_remains=False) | Q(ceremony_type=CeremonyType.NONE),
                violation_error_message="新冠肺炎患者遗体须就近直接火化，不举办治丧仪式",
            ),
            models.CheckConstraint(
                name="funeralcase_stage_in_workflow",
                condition=Q(remains_stage__lte=4) & (Q(covid_remains=True) | Q(remains_stage=0)),
                violation_error_message="遗体处置环节数无效",
            ),
            models.CheckConstraint(
                name="funeralcase_has_contact",
                condition=~Q(contact_name=""),
                violation_error_message="请填写家属联系人",
            ),
        ]
        indexes = [
            models.Index(fields=["home", "service_date"]),
            models.Index(fields=["covid_remains", "remains_stage", "last_step_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.deceased} 治丧（{self.home}）"

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


class CeremonySuspensionNotice(models.Model):
    """The family of a case was told, once, that a suspension or limit covers its ceremony (C4)."""

    case = models.ForeignKey(
        FuneralCase, on_delete=models.CASCADE, related_name="suspension_notices", verbose_name="治丧记录"
    )
    suspension = models.ForeignKey(
        "campaigns.ServiceSuspension", on_delete=models.CASCADE, related_name="+", verbose_name="暂停/限流"
    )
    notified_at = models.DateTimeField("通知时间")

    class Meta:
        verbose_name = "治丧仪式暂停通知"
        verbose_name_plural = "治丧仪式暂停通知"
        ordering = ["notified_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "suspension"], name="ceremonynotice_once_per_suspension")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.suspension_id} {self.notified_at}"


# --- Remains of COVID-19 patients (F2) ----------------------------------------------------------


class RemainsStep(models.TextChoices):
    SANITARY_DISPOSAL = "sanitary_disposal", _("卫生防疫处理")
    TRANSPORT = "transport", _("接运")
    CREMATION = "cremation", _("火化")
    ASHES_AND_BURIAL = "ashes_and_burial", _("骨灰领取安葬")


# The plan's order; a step's sequence is its place here, counted from 1.
REMAINS_ORDER: list[str] = [step.value for step in RemainsStep]


def step_sequence(step: str) -> int:
    return REMAINS_ORDER.index(step) + 1


class RemainsStepRecord(TimeStampedModel):
    """One step of handling a COVID-19 patient's remains, in the plan's order."""

    case = models.ForeignKey(
        FuneralCase, on_delete=models.PROTECT, related_name="steps", verbose_name="治丧记录"
    )
    step = models.CharField("环节", max_length=24, choices=RemainsStep.choices)
    sequence = models.PositiveSmallIntegerField("顺序")
    done_at = models.DateTimeField("完成时间")
    staff = models.CharField("执行人员", max_length=100)
    vehicle = models.CharField("车辆", max_length=30, blank=True, help_text="接运环节填写车牌号")
    protective_equipment = models.CharField("使用的防护装备", max_length=200)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="记录人",
    )

    class Meta:
        verbose_name = "遗体处置环节"
        verbose_name_plural = "遗体处置环节"
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step"],
                name="remainsstep_once_per_case",
                violation_error_message="该环节已记录",
            ),
            models.UniqueConstraint(
                fields=["case", "sequence"],
                name="remainsstep_sequence_once_per_case",
                violation_error_message="该环节已记录",
            ),
            models.CheckConstraint(
                name="remainsstep_sequence_matches_step",
                condition=Q(step=RemainsStep.SANITARY_DISPOSAL, sequence=1)
                | Q(step=RemainsStep.TRANSPORT, sequence=2)
                | Q(step=RemainsStep.CREMATION, sequence=3)
                | Q(step=RemainsStep.ASHES_AND_BURIAL, sequence=4),
                violation_error_message="环节顺序无效",
            ),
            models.CheckConstraint(
                name="remainsstep_transport_has_vehicle",
                condition=~Q(step=RemainsStep.TRANSPORT) | ~Q(vehicle=""),
                violation_error_message="接运环节须填写车辆",
            ),
            models.CheckConstraint(
                name="remainsstep_has_staff", condition=~Q(staff=""), violation_error_message="请填写执行人员"
            ),
            models.CheckConstraint(
                name="remainsstep_has_ppe",
                condition=~Q(protective_equipment=""),
                violation_error_message="请填写使用的防护装备",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_step_display()}"


# --- Protective equipment (F3) -----------------------------------------------------------------


class PPEItem(models.TextChoices):
    N95_MASK = "n95_mask", _("N95 口罩（个）")
    SURGICAL_MASK = "surgical_mask", _("医用外科口罩（个）")
    PROTECTIVE_SUIT = "protective_suit", _("医用防护服（套）")
    ISOLATION_GOWN = "isolation_gown", _("隔离衣（件）")
    GOGGLES = "goggles", _("护目镜（副）")
    FACE_SHIELD = "face_shield", _("防护面屏（个）")
    GLOVES = "gloves", _("医用手套（副）")
    SHOE_COVERS = "shoe_covers", _("鞋套（双）")


class PPEStock(TimeStampedModel):
    """Stock on hand of one item at one funeral home; changed only by guarded updates."""

    home = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="ppe_stock", verbose_name="殡葬服务机构"
    )
    item = models.CharField("物资", max_length=24, choices=PPEItem.choices)
    quantity = models.IntegerField("库存数量", default=0)

    class Meta:
        verbose_name = "防护物资库存"
        verbose_name_plural = "防护物资库存"
        ordering = ["home", "item"]
        constraints = [
            models.UniqueConstraint(fields=["home", "item"], name="ppestock_one_row_per_item"),
            models.CheckConstraint(
                name="ppestock_not_negative",
                condition=Q(quantity__gte=0),
                violation_error_message="库存不能为负数",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.home} {self.get_item_display()} {self.quantity}"


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("入库")
    ISSUE = "issue", _("发放")


class PPEMovement(models.Model):
    """A receipt into or an issue out of a home's stock; the history of the stock."""

    home = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="殡葬服务机构"
    )
    item = models.CharField("物资", max_length=24, choices=PPEItem.choices)
    kind = models.CharField("类型", max_length=8, choices=MovementKind.choices)
    quantity = models.PositiveIntegerField("数量")
    balance_after = models.IntegerField("结存")
    issued_to = models.CharField("领用人", max_length=50, blank=True)
    supplier = models.CharField("来源", max_length=100, blank=True, help_text="如：上级调拨、采购、捐赠")
    step = models.ForeignKey(
        RemainsStepRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ppe_issues",
        verbose_name="遗体处置环节",
    )
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
        verbose_name = "防护物资出入库"
        verbose_name_plural = "防护物资出入库"
        ordering = ["-happened_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="ppemovement_positive",
                condition=Q(quantity__gt=0),
                violation_error_message="数量须大于 0",
            ),
            models.CheckConstraint(
                name="ppemovement_issue_named",
                condition=~Q(kind=MovementKind.ISSUE) | ~Q(issued_to=""),
                violation_error_message="发放须填写领用人",
            ),
            models.CheckConstraint(
                name="ppemovement_balance_not_negative",
                condition=Q(balance_after__gte=0),
                violation_error_message="库存不能为负数",
            ),
        ]
        indexes = [models.Index(fields=["home", "-happened_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_item_display()} {self.quantity}"


class FuneralPolicy(ModulePolicy):
    """Funeral cases (F1), the remains of COVID-19 patients (F2) and protective equipment (F3)."""

    plan_order = 30
    plan_title = _("殡葬服务")

    farewell_ceremonies_allowed = models.BooleanField(
        _("允许遗体告别仪式"), default=False, help_text=_("方案要求取消遗体告别等聚集性治丧仪式")
    )
    attendance_limit = models.PositiveSmallIntegerField(
        _("治丧活动参加人数上限"), default=20, validators=within(1, 500)
    )
    late_entry_days = models.PositiveSmallIntegerField(
        _("治丧登记可补录天数"),
        default=1,
        validators=within(0, 30),
        help_text=_("治丧日期早于今天超过此天数的，不能作为新的治丧登记（须由县级民政局补录）"),
    )
    max_days_after_death = models.PositiveSmallIntegerField(
        _("治丧日期距死亡日期最多天数"),
        default=30,
        validators=within(1, 366),
        help_text=_("治丧日期晚于死亡日期、或晚于今天超过此天数的，视为日期有误不予登记"),
    )
    remains_step_stall_hours = models.PositiveSmallIntegerField(
        _("新冠患者遗体处置环节超时（小时）"),
        default=24,
        validators=within(1, 168),
        help_text=_("某一环节超过此小时数未进入下一环节，向县级民政局发出提醒"),
    )
    ppe_low_stock_threshold = models.PositiveIntegerField(
        _("防护物资低库存预警数量"),
        default=50,
        validators=within(0, 100000),
        help_text=_("某一防护物资库存低于此数量时提醒"),
    )

    class Meta:
        verbose_name = "殡葬服务政策参数"
        verbose_name_plural = "殡葬服务政策参数"
