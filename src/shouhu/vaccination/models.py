from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ModulePolicy, within
from shouhu.common.models import TimeStampedModel
from shouhu.people.models import Category
from shouhu.vaccination.figures import Figures

# Who is in a unit's baseline (底数): everyone the bureaus look after or employ (SPEC V1, E5).
BASELINE_CATEGORIES = (
    Category.STAFF,
    Category.NURSING_HOME_RESIDENT,
    Category.DIBAO,
    Category.TEKUN,
    Category.LOW_INCOME,
    Category.RESCUED,
    Category.SERVICE_OBJECT,
)


class VaccinationStatus(models.TextChoices):
    """Derived from a person's doses and the schedule of their first dose's product."""

    NOT_VACCINATED = "not_vaccinated", "未接种"
    IN_PROGRESS = "in_progress", "未完成全程"
    COMPLETED = "completed", "已完成全程"
    BOOSTER = "booster", "已接种加强针"


NOT_COMPLETED = (VaccinationStatus.NOT_VACCINATED, VaccinationStatus.IN_PROGRESS)
FULLY_VACCINATED = (VaccinationStatus.COMPLETED, VaccinationStatus.BOOSTER)


class VaccineProduct(TimeStampedModel):
    """A vaccine and its schedule. Data, not code: region administrators edit it in the admin."""

    short_name = models.CharField(
        "简称", max_length=30, unique=True, help_text="导入文件“疫苗产品”列填写此简称或“生产企业+疫苗名称”"
    )
    name = models.CharField("疫苗名称", max_length=100)
    manufacturer = models.CharField("生产企业", max_length=100)
    doses_for_completion = models.PositiveSmallIntegerField("全程接种剂次")
    min_interval_days = models.PositiveSmallIntegerField(
        "相邻剂次最短间隔（天）", default=0, help_text="全程接种中后一剂距前一剂至少的天数"
    )
    booster_after_days = models.PositiveSmallIntegerField(
        "加强免疫间隔（天）",
        null=True,
        blank=True,
        help_text="完成全程接种后至少间隔的天数；留空表示该疫苗无加强免疫程序",
    )

    class Meta:
        verbose_name = "疫苗产品"
        verbose_name_plural = "疫苗产品"
        ordering = ["short_name"]
        constraints = [
            models.CheckConstraint(
                name="vaccineproduct_doses_positive",
                condition=Q(doses_for_completion__gte=1),
                violation_error_message="全程接种剂次至少为 1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.short_name}（{self.name}）"

    @property
    def schedule_text(self) -> str:
        text = f"全程 {self.doses_for_completion} 剂"
        if self.doses_for_completion > 1:
            text += f"，间隔至少 {self.min_interval_days} 天"
        if self.booster_after_days is not None:
            text += f"；完成全程 {self.booster_after_days} 天后可接种加强针"
        return text


class DoseSource(models.TextChoices):
    PAGE = "page", "页面登记"
    API = "api", "接口"
    IMPORT = "import", "批量导入"


class VaccineDose(TimeStampedModel):
    """One dose given to one person (电子档案)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="vaccine_doses", verbose_name="人员"
    )
    dose_number = models.PositiveSmallIntegerField("剂次")
    vaccinated_on = models.DateField("接种日期")
    product = models.ForeignKey(
        VaccineProduct, on_delete=models.PROTECT, related_name="doses", verbose_name="疫苗产品"
    )
    place = models.CharField("接种单位", max_length=100, blank=True)
    source = models.CharField("登记方式", max_length=8, choices=DoseSource.choices, default=DoseSource.PAGE)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "接种记录"
        verbose_name_plural = "接种记录"
        ordering = ["person", "dose_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "dose_number"],
                name="vaccinedose_one_per_number",
                violation_error_message="该剂次已登记",
            ),
            models.CheckConstraint(
                name="vaccinedose_number_positive",
                condition=Q(dose_number__gte=1),
                violation_error_message="剂次从 1 开始",
            ),
        ]
        indexes = [models.Index(fields=["vaccinated_on"])]

    def __str__(self) -> str:
        return f"{self.person} 第{self.dose_number}剂"


class ContraindicationSource(models.TextChoices):
    MEDICAL_CERTIFICATE = "medical_certificate", "医疗机构诊断证明"
    CLINIC_ASSESSMENT = "clinic_assessment", "接种点医生评估"
    SELF_DECLARED = "self_declared", "本人或家属申报（待核实）"


class Contraindication(TimeStampedModel):
    """A reason not to vaccinate (禁忌症): off the to-do list from `noted_on` until lifted."""

    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="vaccine_contraindications",
        verbose_name="人员",
    )
    condition = models.CharField("禁忌情况", max_length=200)
    source = models.CharField("依据", max_length=24, choices=ContraindicationSource.choices)
    source_detail = models.CharField("出具单位或证明", max_length=200, blank=True)
    noted_on = models.DateField("登记日期")
    lifted_on = models.DateField("解除日期", null=True, blank=True)
    lift_reason = models.CharField("解除原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "接种禁忌症"
        verbose_name_plural = "接种禁忌症"
        ordering = ["-noted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="contraindication_has_condition",
                condition=~Q(condition=""),
                violation_error_message="请填写禁忌情况",
            ),
            models.CheckConstraint(
                name="contraindication_lifted_after_noted",
                condition=Q(lifted_on__isnull=True) | Q(lifted_on__gte=F("noted_on")),
                violation_error_message="解除日期不能早于登记日期",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.condition}"


class Deferral(TimeStampedModel):
    """A postponement (暂缓接种): off the to-do list up to and including `until`."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="vaccine_deferrals", verbose_name="人员"
    )
    reason = models.CharField("暂缓原因", max_length=200)
    starts_on = models.DateField("开始日期")
    until = models.DateField("暂缓至", help_text="含当日；次日起重新列入待接种名单")
    ended_on = models.DateField("提前结束日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "暂缓接种"
        verbose_name_plural = "暂缓接种"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="deferral_has_reason", condition=~Q(reason=""), violation_error_message="请填写暂缓原因"
            ),
            models.CheckConstraint(
                name="deferral_until_after_start",
                condition=Q(until__gte=F("starts_on")),
                violation_error_message="暂缓截止日期不能早于开始日期",
            ),
            models.CheckConstraint(
                name="deferral_ended_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("starts_on")),
                violation_error_message="结束日期不能早于开始日期",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} 暂缓至 {self.until}"


class Mobilisation(TimeStampedModel):
    """One-to-one mobilisation (一对一动员): the one person answerable for getting someone vaccinated."""

    person = models.OneToOneField(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="vaccination_mobilisation",
        verbose_name="动员对象",
    )
    mobiliser_user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vaccination_mobilisations",
        verbose_name="动员人（工作人员）",
    )
    mobiliser_name = models.CharField("动员人姓名", max_length=50, blank=True)
    mobiliser_role = models.CharField(
        "动员人身份", max_length=50, blank=True, help_text="如村医、网格员、亲属"
    )
    assigned_on = models.DateField("指定日期")
    assigned_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="指定人",
    )

    class Meta:
        verbose_name = "一对一动员"
        verbose_name_plural = "一对一动员"
        constraints = [
            models.CheckConstraint(
                name="mobilisation_one_mobiliser",
                condition=(Q(mobiliser_user__isnull=False) & Q(mobiliser_name=""))
                | (Q(mobiliser_user__isnull=True) & ~Q(mobiliser_name="")),
                violation_error_message="动员人须是一名工作人员或一名填写姓名的人员，二者选一",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ← {self.mobiliser_label}"

    @property
    def mobiliser_label(self) -> str:
        if self.mobiliser_user is not None:
            return str(self.mobiliser_user)
        return self.mobiliser_name + (f"（{self.mobiliser_role}）" if self.mobiliser_role else "")


class ContactMethod(models.TextChoices):
    VISIT = "visit", "上门"
    PHONE = "phone", "电话"
    ONLINE = "online", "微信或短信"
    OTHER = "other", "其他"


class ContactOutcome(models.TextChoices):
    AGREED = "agreed", "同意接种"
    HESITANT = "hesitant", "仍在犹豫"
    REFUSED = "refused", "拒绝接种"
    CONTRAINDICATION = "contraindication", "自述有禁忌，待核实"
    UNREACHABLE = "unreachable", "未联系上"
    VACCINATED_ELSEWHERE = "vaccinated_elsewhere", "已在外地接种，待补录"


class MobilisationContact(TimeStampedModel):
    """One contact with a person on the to-do list, its outcome and the next step."""

    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="vaccination_contacts",
        verbose_name="动员对象",
    )
    contacted_on = models.DateField("联系日期")
    method = models.CharField("方式", max_length=16, choices=ContactMethod.choices)
    outcome = models.CharField("结果", max_length=24, choices=ContactOutcome.choices)
    next_step = models.CharField("下一步", max_length=200, blank=True)
    next_contact_on = models.DateField("下次联系日期", null=True, blank=True)
    mobiliser_label = models.CharField("动员人", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "动员联系记录"
        verbose_name_plural = "动员联系记录"
        ordering = ["-contacted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="contact_next_after_contact",
                condition=Q(next_contact_on__isnull=True) | Q(next_contact_on__gte=F("contacted_on")),
                violation_error_message="下次联系日期不能早于本次联系日期",
            ),
        ]
        indexes = [models.Index(fields=["person", "-contacted_on"])]

    def __str__(self) -> str:
        return f"{self.person} {self.contacted_on} {self.get_outcome_display()}"


class VaccinationReport(TimeStampedModel):
    """A unit's figures for one reporting period, confirmed and submitted by its head (V4)."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="vaccination_reports", verbose_name="报送单位"
    )
    period_start = models.DateField("周期开始")
    period_end = models.DateField("周期结束")
    due_on = models.DateField("报送截止日期")
    as_of = models.DateField("数据截止日期")
    baseline = models.PositiveIntegerField("底数")
    completed = models.PositiveIntegerField("完成全程")
    booster = models.PositiveIntegerField("加强针")
    in_progress = models.PositiveIntegerField("未完成全程")
    not_vaccinated = models.PositiveIntegerField("未接种")
    contraindicated = models.PositiveIntegerField("禁忌症")
    deferred = models.PositiveIntegerField("暂缓接种")
    unclear = models.PositiveIntegerField("身份不清")
    note = models.CharField("说明", max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="报送人"
    )
    submitted_at = models.DateTimeField("报送时间")
    is_late = models.BooleanField("逾期报送", default=False)

    class Meta:
        verbose_name = "接种进度报告"
        verbose_name_plural = "接种进度报告"
        ordering = ["-period_start", "unit__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period_start"],
                name="vaccinationreport_once_per_period",
                violation_error_message="本期已报送",
            ),
            models.CheckConstraint(
                name="vaccinationreport_period_ordered",
                condition=Q(period_end__gte=F("period_start")) & Q(due_on__gte=F("period_end")),
                violation_error_message="报送周期日期有误",
            ),
            models.CheckConstraint(
                name="vaccinationreport_figures_add_up",
                condition=Q(baseline=F("completed") + F("in_progress") + F("not_vaccinated"))
                & Q(booster__lte=F("completed"))
                & Q(unclear__lte=F("baseline")),
                violation_error_message="各项人数之和与底数不符",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period_start}–{self.period_end}"

    @property
    def figures(self) -> Figures:
        return Figures.from_object(self)


class VaccinationPolicy(ModulePolicy):
    """The units' progress reports and the region's circular (V4)."""

    plan_order = 60
    plan_title = _("疫苗接种")

    report_interval_days = models.PositiveSmallIntegerField(
        _("疫苗接种进度报送周期（天）"),
        default=7,
        validators=within(1, 31),
        help_text=_("各单位每隔此天数向地区局报送一次，报送截止日为每期最后一天"),
    )
    circular_threshold_percent = models.PositiveSmallIntegerField(
        _("接种进度通报线（%）"),
        default=90,
        validators=within(0, 100),
        help_text=_("全程接种率低于此值的单位在通报中点名"),
    )
    baseline_completeness_percent = models.PositiveSmallIntegerField(
        _("底数完整率要求（%）"),
        default=100,
        validators=within(0, 100),
        help_text=_("底数中身份信息完整的人员占比低于此值的单位，通报为底数不清"),
    )

    class Meta:
        verbose_name = "疫苗接种政策参数"
        verbose_name_plural = "疫苗接种政策参数"
