"""Staff leave and travel reports (R4) of every civil-affairs unit.

Staff are `people.Person` rows of category staff (工作人员), whose home unit is the unit they work
at. `accounts.User` names no person, so `StaffAccount` links an account to its holder: a linked
user files their own requests, and nobody approves a request for the person they are. A clerk of
the unit (or a unit above it) files for any staff person of their subtree.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ModulePolicy, within
from shouhu.common.models import TimeStampedModel


class StaffAccount(TimeStampedModel):
    """The staff person who holds an account (本人账号): their own requests, never their own approval."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="staff_account", verbose_name="账号"
    )
    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="staff_account", verbose_name="工作人员"
    )
    linked_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="关联人",
    )

    class Meta:
        verbose_name = "工作人员账号关联"
        verbose_name_plural = "工作人员账号关联"

    def __str__(self) -> str:
        return f"{self.user} → {self.person}"


# --- Leave requests and returns (请销假) --------------------------------------------------------


class LeaveKind(models.TextChoices):
    ANNUAL = "annual", _("年休假")
    PERSONAL = "personal", _("事假")
    SICK = "sick", _("病假")
    FAMILY_VISIT = "family_visit", _("探亲假")
    MARRIAGE = "marriage", _("婚假")
    MATERNITY = "maternity", _("产假、陪产假")
    BEREAVEMENT = "bereavement", _("丧假")
    OTHER = "other", _("其他")


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")
    RETURNED = "returned", _("已销假")


# A leave that holds the person's days: waiting for a decision, or granted and not yet closed.
OPEN_LEAVE = (LeaveStatus.PENDING, LeaveStatus.APPROVED)


class LeaveRequest(TimeStampedModel):
    """One leave request (请假) of a staff person, its decision and the return (销假)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="leave_requests", verbose_name="工作人员"
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所在单位",
        db_index=False,  # the (unit, status) index serves it
    )
    kind = models.CharField("请假类型", max_length=16, choices=LeaveKind.choices)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    reason = models.CharField("请假事由", max_length=200)
    destination = models.CharField(
        "前往地点", max_length=200, blank=True, help_text="离开驻地的填写；出行另须报备"
    )
    status = models.CharField("状态", max_length=12, choices=LeaveStatus.choices, default=LeaveStatus.PENDING)
    filed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="申请提交人"
    )
    filed_at = models.DateTimeField("提交时间")
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    refusal_reason = models.CharField("不批准理由", max_length=200, blank=True)
    returned_on = models.DateField("销假日期", null=True, blank=True)
    return_recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="销假登记人",
    )

    class Meta:
        verbose_name = "请假申请"
        verbose_name_plural = "请假申请"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="leave_ends_after_start",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message="结束日期不能早于开始日期",
            ),
            models.CheckConstraint(
                name="leave_has_reason", condition=~Q(reason=""), violation_error_message="请填写请假事由"
            ),
            models.CheckConstraint(
                name="leave_approver_not_filer",
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("filed_by")),
                violation_error_message="审批人不能是申请提交人",
            ),
            models.CheckConstraint(
                name="leave_decision_recorded",
                condition=Q(status=LeaveStatus.PENDING, decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status=LeaveStatus.PENDING) & Q(decided_by__isnull=False, decided_at__isnull=False)),
                violation_error_message="审批结果须记录审批人和审批时间",
            ),
            models.CheckConstraint(
                name="leave_refusal_has_reason",
                condition=~Q(status=LeaveStatus.REFUSED) | ~Q(refusal_reason=""),
                violation_error_message="不批准须填写理由",
            ),
            models.CheckConstraint(
                name="leave_returned_has_date",
                condition=(Q(status=LeaveStatus.RETURNED) & Q(returned_on__gte=F("starts_on")))
                | (~Q(status=LeaveStatus.RETURNED) & Q(returned_on__isnull=True)),
                violation_error_message="销假日期须在开始日期之后，且只有已批准的请假可以销假",
            ),
            # The service refuses any overlap of open leaves; the database holds the simplest case.
            models.UniqueConstraint(
                fields=["person", "starts_on"],
                condition=Q(status__in=OPEN_LEAVE),
                name="leave_one_open_per_person_and_start",
                violation_error_message="该工作人员在此期间已有请假",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "ends_on"]),
            models.Index(fields=["person", "starts_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.starts_on}–{self.ends_on}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


# --- Travel reports (出行报备) -----------------------------------------------------------------


class Transport(models.TextChoices):
    TRAIN = "train", _("火车")
    PLANE = "plane", _("飞机")
    BUS = "bus", _("长途汽车")
    CAR = "car", _("自驾")
    OTHER = "other", _("其他")


class TravelReport(TimeStampedModel):
    """A staff person's trip (出行报备), checked against the risk areas on submission and on return.

    The destination is kept as screening keeps a travel history (province, then the place below
    it, optionally an administrative code), so `screening.rules.travel_check` reads it alike."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="travel_reports", verbose_name="工作人员"
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="所在单位",
        db_index=False,  # the (unit, departs_on) index serves it
    )
    leave = models.ForeignKey(
        LeaveRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="travel_reports",
        verbose_name="对应请假",
    )
    destination_province = models.CharField("目的地省份", max_length=30)
    destination = models.CharField("目的地（市、县、乡镇、村或具体地点）", max_length=200, blank=True)
    destination_code = models.CharField("目的地行政区划代码", max_length=12, blank=True)
    departs_on = models.DateField("出发日期")
    returns_on = models.DateField("计划返回日期")
    transport = models.CharField("交通方式", max_length=8, choices=Transport.choices)
    transport_detail = models.CharField("车次、航班或车牌", max_length=50, blank=True)
    purpose = models.CharField("事由", max_length=200)
    filed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="报备人"
    )
    filed_at = models.DateTimeField("报备时间")
    filed_late = models.BooleanField("未按时报备", default=False)
    # The risk check (screening's rules): what the destination met, in the records' language.
    risk_checked_on = models.DateField("风险核查日期")
    risk_hit = models.BooleanField("涉及中高风险地区", default=False)
    risk_level = models.CharField("最高风险等级", max_length=8, blank=True)
    risk_areas = models.TextField("涉及的风险地区", blank=True)
    risk_possible = models.TextField("可能涉及、需核实的风险地区", blank=True)
    acknowledgement_required = models.BooleanField("须单位负责人确认", default=False)
    acknowledged_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="单位负责人确认人",
    )
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledgement_note = models.CharField("确认意见", max_length=200, blank=True)
    returned_on = models.DateField("实际返回日期", null=True, blank=True)
    return_recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="返回登记人",
    )

    class Meta:
        verbose_name = "出行报备"
        verbose_name_plural = "出行报备"
        ordering = ["-departs_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="travel_returns_after_departure",
                condition=Q(returns_on__gte=F("departs_on")),
                violation_error_message="计划返回日期不能早于出发日期",
            ),
            models.CheckConstraint(
                name="travel_returned_after_departure",
                condition=Q(returned_on__isnull=True) | Q(returned_on__gte=F("departs_on")),
                violation_error_message="实际返回日期不能早于出发日期",
            ),
            models.CheckConstraint(
                name="travel_has_province",
                condition=~Q(destination_province=""),
                violation_error_message="请填写目的地省份",
            ),
            models.CheckConstraint(
                name="travel_has_purpose", condition=~Q(purpose=""), violation_error_message="请填写出行事由"
            ),
            models.CheckConstraint(
                name="travel_risk_hit_has_level",
                condition=Q(risk_hit=False) | ~Q(risk_level=""),
                violation_error_message="涉及中高风险地区须记录风险等级",
            ),
            models.CheckConstraint(
                name="travel_risk_needs_acknowledgement",
                condition=Q(risk_hit=False, risk_possible="") | Q(acknowledgement_required=True),
                violation_error_message="涉及或可能涉及中高风险地区的出行须单位负责人确认",
            ),
            models.CheckConstraint(
                name="travel_acknowledged_only_when_required",
                condition=Q(acknowledged_by__isnull=True) | Q(acknowledgement_required=True),
                violation_error_message="只有涉及中高风险地区的出行需要单位负责人确认",
            ),
            models.CheckConstraint(
                name="travel_acknowledger_not_filer",
                condition=Q(acknowledged_by__isnull=True) | ~Q(acknowledged_by=F("filed_by")),
                violation_error_message="确认人不能是报备人",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "departs_on"]),
            models.Index(fields=["acknowledgement_required", "acknowledged_at"]),
            models.Index(fields=["person", "departs_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.destination_label} {self.departs_on}"

    @property
    def destination_label(self) -> str:
        text = self.destination.strip()
        if text.startswith(self.destination_province[:2]):
            return text
        return f"{self.destination_province}{text}"

    @property
    def awaiting_acknowledgement(self) -> bool:
        return self.acknowledgement_required and self.acknowledged_at is None

    @property
    def risk_area_list(self) -> list[str]:
        return [line for line in self.risk_areas.split("\n") if line]

    @property
    def risk_possible_list(self) -> list[str]:
        return [line for line in self.risk_possible.split("\n") if line]


class StaffingPolicy(ModulePolicy):
    """Staff leave and travel reports (R4): when a missing 销假 is overdue, how early a trip is reported."""

    plan_order = 56
    plan_title = _("工作人员请销假与出行报备")

    return_grace_days = models.PositiveSmallIntegerField(
        _("假期结束后销假期限（天）"),
        default=1,
        validators=within(0, 30),
        help_text=_("请假结束日期后超过此天数仍未销假的，列为逾期未销假并提醒所在单位及上级单位"),
    )
    travel_report_lead_days = models.PositiveSmallIntegerField(
        _("出行提前报备天数"),
        default=1,
        validators=within(0, 30),
        help_text=_("出发日期前少于此天数才报备的，记为未按时报备（仍予登记）"),
    )

    class Meta:
        verbose_name = "工作人员请销假与出行报备政策参数"
        verbose_name_plural = "工作人员请销假与出行报备政策参数"
