"""Marriage registration by appointment (M1–M7).

The seat count of a slot lives in one row (`Slot.booked`) that every booking, cancellation
and offer changes with a guarded UPDATE under a row lock, and a CHECK constraint keeps it
within the capacity: the database, not Python, decides that a slot is full (M7).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ModulePolicy, within
from shouhu.common.crypto import EncryptedTextField
from shouhu.common.models import TimeStampedModel
from shouhu.people.masking import mask_phone


class RegistrySettings(TimeStampedModel):
    """A registry's own rules; empty fields fall back to the policy."""

    unit = models.OneToOneField(
        "orgs.OrgUnit", on_delete=models.CASCADE, related_name="marriage_settings", verbose_name="登记机关"
    )
    daily_quota = models.PositiveSmallIntegerField(
        "每日总量（对）", null=True, blank=True, help_text="留空则使用政策参数"
    )
    open_weekdays = models.CharField(
        "每周办理日",
        max_length=7,
        default="12345",
        help_text="1–7 表示周一至周日，如 12345 为周一至周五；法定节假日不办理，调休上班日办理",
    )
    extra_notice = models.TextField("补充告知事项", blank=True)

    class Meta:
        verbose_name = "婚姻登记机关设置"
        verbose_name_plural = "婚姻登记机关设置"

    def __str__(self) -> str:
        return str(self.unit)


class SlotPlan(models.TextChoices):
    NORMAL = "normal", _("平日")
    SURGE = "surge", _("高峰日")


class SlotTemplate(TimeStampedModel):
    """A time slot of a registry's day and its share of the daily quota (分时段错峰)."""

    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.CASCADE,
        related_name="marriage_slot_templates",
        verbose_name="登记机关",
    )
    plan = models.CharField("适用", max_length=8, choices=SlotPlan.choices, default=SlotPlan.NORMAL)
    starts_at = models.TimeField("开始时间")
    ends_at = models.TimeField("结束时间")
    share = models.PositiveSmallIntegerField("份额", default=1, help_text="按份额比例分配每日总量")

    class Meta:
        verbose_name = "预约时段"
        verbose_name_plural = "预约时段"
        ordering = ["unit", "plan", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "plan", "starts_at"],
                name="marriage_slot_template_unique",
                violation_error_message="该时段已存在",
            ),
            models.CheckConstraint(
                name="marriage_slot_template_ends_after_start",
                condition=Q(ends_at__gt=F("starts_at")),
                violation_error_message="结束时间须晚于开始时间",
            ),
            models.CheckConstraint(
                name="marriage_slot_template_share_positive",
                condition=Q(share__gt=0),
                violation_error_message="份额须大于 0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class DateOverride(TimeStampedModel):
    """One day of one registry differs from its rules: closed, opened, or another quota."""

    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.CASCADE,
        related_name="marriage_date_overrides",
        verbose_name="登记机关",
    )
    date = models.DateField("日期")
    is_open = models.BooleanField("办理", null=True, blank=True, help_text="留空则按每周办理日和节假日")
    daily_quota = models.PositiveSmallIntegerField("当日总量（对）", null=True, blank=True)
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "日期调整"
        verbose_name_plural = "日期调整"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "date"],
                name="marriage_date_override_unique",
                violation_error_message="该日期已调整",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.date}"


class SurgeDate(TimeStampedModel):
    """520, 521, 七夕 (computed) or a date staff add: the surge slot plan applies (M5)."""

    date = models.DateField("日期", unique=True)
    name = models.CharField("名称", max_length=50)
    is_computed = models.BooleanField("自动计算", default=False)
    daily_quota = models.PositiveSmallIntegerField(
        "当日总量（对）", null=True, blank=True, help_text="留空则与平日相同；总量仍然控制"
    )
    booking_opens_days = models.PositiveSmallIntegerField(
        "提前开放预约天数", null=True, blank=True, help_text="留空则使用政策参数"
    )

    class Meta:
        verbose_name = "婚姻登记高峰日"
        verbose_name_plural = "婚姻登记高峰日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Slot(models.Model):
    """The capacity row of one time slot on one day; `booked` counts the seats held."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="marriage_slots", verbose_name="登记机关"
    )
    date = models.DateField("日期")
    starts_at = models.TimeField("开始时间")
    ends_at = models.TimeField("结束时间")
    capacity = models.PositiveSmallIntegerField("名额")
    booked = models.PositiveSmallIntegerField("已占用", default=0)

    class Meta:
        verbose_name = "时段名额"
        verbose_name_plural = "时段名额"
        ordering = ["unit", "date", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "date", "starts_at"],
                name="marriage_slot_unique",
                violation_error_message="该时段已存在",
            ),
            models.CheckConstraint(
                name="marriage_slot_never_overbooked",
                condition=Q(booked__lte=F("capacity")) & Q(booked__gte=0),
                violation_error_message="时段已满",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.booked)


class BookingStatus(models.TextChoices):
    WAITING = "waiting", _("候补中")
    OFFERED = "offered", _("候补到号待确认")
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    REGISTERED = "registered", _("已办理")
    REFUSED = "refused", _("现场不予办理")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("已失效")


# Statuses that hold a seat of the slot (counted in Slot.booked).
SEAT_STATUSES = (
    BookingStatus.OFFERED,
    BookingStatus.BOOKED,
    BookingStatus.CHECKED_IN,
    BookingStatus.REGISTERED,
    BookingStatus.REFUSED,
)
# Statuses in which the couple still has business with the registry (one at a time per person).
ACTIVE_STATUSES = (
    BookingStatus.WAITING,
    BookingStatus.OFFERED,
    BookingStatus.BOOKED,
    BookingStatus.CHECKED_IN,
)


# Who may cancel what: the couple a booking or waiting place, staff also a check-in that led to
# no registration (the couple left), so the parties can book again.
PUBLIC_CANCELLABLE = (BookingStatus.WAITING, BookingStatus.OFFERED, BookingStatus.BOOKED)
STAFF_CANCELLABLE = (*PUBLIC_CANCELLABLE, BookingStatus.CHECKED_IN)


class Booking(TimeStampedModel):
    """A couple's appointment (or place on the waiting list) for one slot."""

    code = models.CharField("预约码", max_length=16)
    # The composite indexes below serve both foreign keys.
    unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="marriage_bookings",
        verbose_name="登记机关",
        db_index=False,
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name="时段", db_index=False
    )
    date = models.DateField("日期")
    status = models.CharField(
        "状态", max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    offer_expires_at = models.DateTimeField("递补确认截止", null=True, blank=True)
    status_note = models.CharField("状态说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "婚姻登记预约"
        verbose_name_plural = "婚姻登记预约"
        ordering = ["date", "slot__starts_at", "created_at"]
        constraints = [
            # A constraint rather than unique=True: codes are matched whole, and unique=True adds
            # a pattern-matching index on PostgreSQL that every booking would pay for.
            models.UniqueConstraint(fields=["code"], name="marriage_booking_code_unique"),
            models.CheckConstraint(
                name="marriage_offer_has_deadline",
                condition=~Q(status=BookingStatus.OFFERED) | Q(offer_expires_at__isnull=False),
                violation_error_message="递补须有确认截止时间",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "date", "status"]),
            models.Index(fields=["slot", "status", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_STATUSES

    @property
    def staff_may_cancel(self) -> bool:
        """Staff may cancel it, or end a check-in that led to no registration (`booking_cancel`)."""
        return self.status in STAFF_CANCELLABLE


class PartyRole(models.TextChoices):
    A = "a", _("当事人甲")
    B = "b", _("当事人乙")


class BookingParty(models.Model):
    """One of the two people of a booking; a person holds one active booking at most (DB-enforced)."""

    booking = models.ForeignKey(
        Booking,
        on_delete=models.CASCADE,
        related_name="parties",
        verbose_name="预约",
        db_index=False,  # the (booking, role) constraint's index serves it
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="marriage_parties", verbose_name="人员"
    )
    role = models.CharField("身份", max_length=1, choices=PartyRole.choices)
    # The name given when booking, shown on the booking: never the register's, which would tell
    # a clerk or the public what the register holds under a document number.
    name = models.CharField("姓名", max_length=30)
    phone = EncryptedTextField("手机号")
    phone_index = models.CharField("手机号检索码", max_length=64, editable=False)
    is_hmt = models.BooleanField("港澳台当事人", default=False)
    is_active = models.BooleanField("预约有效", default=True)

    class Meta:
        verbose_name = "预约当事人"
        verbose_name_plural = "预约当事人"
        ordering = ["booking", "role"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "role"], name="marriage_party_role_unique"),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_active=True),
                name="marriage_party_one_active_booking",
                violation_error_message="当事人已有一个有效预约",
            ),
        ]
        indexes = [models.Index(fields=["phone_index"], name="marriage_party_phone_index")]

    def __str__(self) -> str:
        return f"{self.booking} {self.get_role_display()}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class CounterCheck(TimeStampedModel):
    """Screening of one party at the counter (M3): temperature, inquiry and the verdict."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="checks", verbose_name="预约")
    party = models.ForeignKey(
        BookingParty, on_delete=models.PROTECT, related_name="checks", verbose_name="当事人"
    )
    temperature = models.DecimalField("体温（℃）", max_digits=3, decimal_places=1)
    answers = models.JSONField("问询", default=dict)
    is_eligible = models.BooleanField("符合办理条件")
    reasons = models.TextField("不符合原因", blank=True)
    checked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+", verbose_name="查验人"
    )
    checked_at = models.DateTimeField("查验时间")

    class Meta:
        verbose_name = "现场查验"
        verbose_name_plural = "现场查验"
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.party} {self.checked_at:%Y-%m-%d %H:%M}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    CLOSED = "closed", _("已办结")


class NonComplianceReport(TimeStampedModel):
    """An ineligible party found at the counter, reported at once and tracked to closed (M4)."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="marriage_reports", verbose_name="登记机关"
    )
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, related_name="reports", verbose_name="预约"
    )
    counter_check = models.OneToOneField(
        CounterCheck, on_delete=models.PROTECT, related_name="report", verbose_name="现场查验"
    )
    reasons = models.TextField("情况")
    recipients = models.CharField("报告对象", max_length=300)
    alert = models.ForeignKey(
        "alerts.Alert",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提醒",
    )
    status = models.CharField("状态", max_length=8, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办结人",
    )
    outcome = models.CharField("处理结果", max_length=300, blank=True)

    class Meta:
        verbose_name = "不符合防控要求情况报告"
        verbose_name_plural = "不符合防控要求情况报告"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="marriage_report_closed_has_outcome",
                condition=Q(status=ReportStatus.OPEN) | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                violation_error_message="办结须填写处理结果",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.created_at:%Y-%m-%d}"


class RecipientKind(models.TextChoices):
    COUNTY_BUREAU = "county_bureau", _("所在县（市、区）民政局")
    COORDINATORS = "coordinators", _("统筹婚姻登记工作的科室")
    UNIT = "unit", _("指定单位")


class ReportRecipient(TimeStampedModel):
    """Where non-compliance reports go; with none configured, the county bureau and the coordinators."""

    kind = models.CharField("报告对象", max_length=16, choices=RecipientKind.choices)
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="单位"
    )

    class Meta:
        verbose_name = "情况报告对象"
        verbose_name_plural = "情况报告对象"
        constraints = [
            models.CheckConstraint(
                name="marriage_recipient_unit_when_named",
                condition=(Q(kind=RecipientKind.UNIT) & Q(unit__isnull=False))
                | (~Q(kind=RecipientKind.UNIT) & Q(unit__isnull=True)),
                violation_error_message="指定单位时须选择单位",
            ),
            # Each recipient once, also when two administrators add it at the same moment.
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(unit__isnull=True),
                name="marriage_recipient_kind_once",
                violation_error_message="该报告对象已在名单中",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(unit__isnull=False),
                name="marriage_recipient_unit_once",
                violation_error_message="该报告对象已在名单中",
            ),
        ]

    def __str__(self) -> str:
        return self.unit.name if self.unit else self.get_kind_display()


class HallTask(models.TextChoices):
    VENTILATION = "ventilation", _("通风")
    DISINFECTION = "disinfection", _("消毒")


class HallLog(TimeStampedModel):
    """Ventilation and disinfection of the registration hall (M6)."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="marriage_hall_logs", verbose_name="登记机关"
    )
    task = models.CharField("项目", max_length=16, choices=HallTask.choices)
    done_at = models.DateTimeField("时间")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+", verbose_name="登记人"
    )

    class Meta:
        verbose_name = "大厅通风消毒记录"
        verbose_name_plural = "大厅通风消毒记录"
        ordering = ["-done_at"]

    def __str__(self) -> str:
        return f"{self.get_task_display()} {self.done_at:%Y-%m-%d %H:%M}"


class SuspensionNotice(models.Model):
    """A booking holder was told of a suspension covering their day (C4): once per pair."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="+", verbose_name="预约")
    suspension = models.ForeignKey(
        "campaigns.ServiceSuspension", on_delete=models.CASCADE, related_name="+", verbose_name="暂停"
    )
    notified_at = models.DateTimeField("通知时间")

    class Meta:
        verbose_name = "暂停服务通知"
        verbose_name_plural = "暂停服务通知"
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "suspension"], name="marriage_suspension_notice_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.booking} {self.suspension_id}"


class BookingRequest(TimeStampedModel):
    """A booking typed on the public page, waiting for the parties' codes (X2, M1).

    Nothing about a person is checked or told, and nobody is added to the register, until each
    party has typed the code sent to their phone: the phone the register holds for their document
    if it holds one (then a refusal may say why), else the phone typed. What was typed is kept
    encrypted; the page holds `token` in its session.
    """

    token = models.CharField("令牌", max_length=64, unique=True)
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name="登记机关"
    )
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="+", verbose_name="时段")
    details = EncryptedTextField("填写内容（加密）")
    code_a = models.ForeignKey(
        "notifications.PhoneCode", on_delete=models.CASCADE, related_name="+", verbose_name="当事人甲验证码"
    )
    code_b = models.ForeignKey(
        "notifications.PhoneCode", on_delete=models.CASCADE, related_name="+", verbose_name="当事人乙验证码"
    )
    expires_at = models.DateTimeField("失效时间")
    booking = models.OneToOneField(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="预约"
    )

    class Meta:
        verbose_name = "在线预约申请"
        verbose_name_plural = "在线预约申请"
        indexes = [models.Index(fields=["expires_at"], name="marriage_request_expires_at")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.slot_id}"


class MarriagePolicy(ModulePolicy):
    """Registration by appointment (M1–M5); the inquiry's look-back days and the fever line are
    entry screening's (`ScreeningPolicy`)."""

    plan_order = 40
    plan_title = _("婚姻登记")

    daily_quota = models.PositiveSmallIntegerField(
        _("婚姻登记每日总量（对）"),
        default=40,
        validators=within(1, 1000),
        help_text=_("各登记机关可单独调整"),
    )
    booking_horizon_days = models.PositiveSmallIntegerField(
        _("婚姻登记最远可预约天数"), default=30, validators=within(1, 180)
    )
    waitlist_confirm_hours = models.PositiveSmallIntegerField(
        _("候补递补确认时限（小时）"),
        default=24,
        validators=within(1, 168),
        help_text=_("递补到号的候补当事人须在此时间内确认，否则顺延给下一对"),
    )
    surge_booking_opens_days = models.PositiveSmallIntegerField(
        _("高峰日提前开放预约天数"),
        default=7,
        validators=within(0, 180),
        help_text=_("520、521、七夕等高峰日提前此天数开放预约，各高峰日可单独设置"),
    )
    arrival_minutes_before = models.PositiveSmallIntegerField(
        _("婚姻登记提前到达分钟数"), default=15, validators=within(0, 120), help_text=_("写入提前告知")
    )
    active_bookings_per_phone = models.PositiveSmallIntegerField(
        _("每个手机号同时有效的在线预约数"),
        default=1,
        validators=within(1, 20),
        help_text=_("在线预约时，已验证的手机号作为当事人持有的有效预约（含候补）不得超过此数"),
    )
    test_validity_hours = models.PositiveSmallIntegerField(
        _("港澳台及境外当事人核酸检测有效时限（小时）"),
        default=48,
        validators=within(1, 168),
        help_text=_("登记时问询和提前告知中的核酸检测阴性证明时限，与聚集性活动的时限分别设置"),
    )
    public_requests_per_document_per_day = models.PositiveSmallIntegerField(
        _("同一证件每天可在线申请次数"), default=5, validators=within(1, 100)
    )

    class Meta:
        verbose_name = "婚姻登记政策参数"
        verbose_name_plural = "婚姻登记政策参数"
