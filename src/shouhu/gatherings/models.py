"""Gatherings (三类聚集活动, G3): weddings, funerals, banquets and parties in villages.

A gathering is entered at the village committee. At or above the policy's headcount it is an
application that the township approves or refuses before the day; below it, it is recorded only.
Its participant list is checked against the policy's test window (`selectors.participant_check`).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ModulePolicy, within
from shouhu.common.crypto import EncryptedTextField
from shouhu.common.models import TimeStampedModel
from shouhu.people.masking import mask_phone


class GatheringKind(models.TextChoices):
    WEDDING = "wedding", _("婚事（婚礼、婚宴）")
    FUNERAL = "funeral", _("丧事（治丧、祭奠）")
    BANQUET = "banquet", _("宴席（寿宴、满月宴、升学宴等）")
    PARTY = "party", _("聚餐聚会")
    OTHER = "other", _("其他聚集性活动")


class GatheringStatus(models.TextChoices):
    RECORDED = "recorded", _("已备案（未达审批人数）")
    APPLIED = "applied", _("待乡镇审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")
    CANCELLED = "cancelled", _("已取消")


# A gathering in one of these may still take place (its list is checked, its door is kept).
LIVE_STATUSES = (GatheringStatus.RECORDED, GatheringStatus.APPLIED, GatheringStatus.APPROVED)
DECIDED_STATUSES = (GatheringStatus.APPROVED, GatheringStatus.REFUSED)


class Gathering(TimeStampedModel):
    """One gathering held in a village, and the township's decision on it when it needs one."""

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="gatherings", verbose_name="村（社区）"
    )
    kind = models.CharField("活动类型", max_length=16, choices=GatheringKind.choices)
    title = models.CharField("活动名称", max_length=100)
    organiser_name = models.CharField("举办人", max_length=50)
    organiser_phone = EncryptedTextField("举办人联系电话")
    place = models.CharField("举办地点", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    expected_headcount = models.PositiveIntegerField("预计人数")
    # Denormalised from the list, written under the gathering's row lock by every participant
    # write: the list page and the approval rule read the headcount without counting.
    participant_count = models.PositiveIntegerField("名单人数", default=0)
    status = models.CharField(
        "状态", max_length=16, choices=GatheringStatus.choices, default=GatheringStatus.RECORDED
    )
    applied_at = models.DateTimeField("申请受理时间", null=True, blank=True)
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decision_reason = models.CharField("审批意见", max_length=300, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    funeral_case = models.ForeignKey(
        "funerals.FuneralCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gatherings",
        verbose_name="治丧记录",
    )
    marriage_booking = models.ForeignKey(
        "marriage.Booking",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gatherings",
        verbose_name="婚姻登记预约",
    )
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "聚集性活动"
        verbose_name_plural = "聚集性活动"
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="gathering_ends_after_start",
                condition=Q(ends_at__gt=F("starts_at")),
                violation_error_message="结束时间须晚于开始时间",
            ),
            models.CheckConstraint(
                name="gathering_expects_someone",
                condition=Q(expected_headcount__gte=1),
                violation_error_message="预计人数须至少为 1",
            ),
            models.CheckConstraint(
                name="gathering_has_names",
                condition=~Q(title="") & ~Q(organiser_name="") & ~Q(place=""),
                violation_error_message="请填写活动名称、举办人和举办地点",
            ),
            models.CheckConstraint(
                name="gathering_decision_recorded",
                condition=~Q(status__in=DECIDED_STATUSES) | Q(decided_at__isnull=False),
                violation_error_message="审批须有审批时间",
            ),
            models.CheckConstraint(
                name="gathering_refusal_has_reason",
                condition=~Q(status=GatheringStatus.REFUSED) | ~Q(decision_reason=""),
                violation_error_message="不予批准须说明理由",
            ),
            models.CheckConstraint(
                name="gathering_application_taken",
                condition=Q(status__in=(GatheringStatus.RECORDED, GatheringStatus.CANCELLED))
                | Q(applied_at__isnull=False),
                violation_error_message="审批中的活动须有申请受理时间",
            ),
            models.CheckConstraint(
                name="gathering_cancel_recorded",
                condition=~Q(status=GatheringStatus.CANCELLED) | Q(cancelled_at__isnull=False),
                violation_error_message="取消须有取消时间",
            ),
            models.UniqueConstraint(
                fields=["funeral_case"],
                condition=Q(funeral_case__isnull=False, status__in=LIVE_STATUSES),
                name="gathering_one_live_per_funeral_case",
                violation_error_message="该治丧记录已登记聚集性活动",
            ),
            models.UniqueConstraint(
                fields=["marriage_booking"],
                condition=Q(marriage_booking__isnull=False, status__in=LIVE_STATUSES),
                name="gathering_one_live_per_booking",
                violation_error_message="该婚姻登记预约已登记聚集性活动",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def organiser_phone_masked(self) -> str:
        return mask_phone(self.organiser_phone)

    @property
    def headcount(self) -> int:
        """What decides whether approval is needed: the larger of the expected and listed people."""
        return max(self.expected_headcount, self.participant_count)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class TestResult(models.TextChoices):
    __test__ = False  # not a pytest test class, whatever its name

    NEGATIVE = "negative", _("阴性")
    POSITIVE = "positive", _("阳性")
    NONE = "none", _("未检测")


class Participant(TimeStampedModel):
    """One person on a gathering's list, with their latest nucleic-acid test as they showed it."""

    gathering = models.ForeignKey(
        Gathering, on_delete=models.CASCADE, related_name="participants", verbose_name="聚集性活动"
    )
    name = models.CharField("姓名", max_length=50)
    id_number = EncryptedTextField("证件号码", blank=True)
    id_index = models.CharField("证件号码检索码", max_length=64, blank=True, editable=False)
    # What every screen and export shows of the number, kept beside it: the list and its check
    # read a thousand names without decrypting a thousand numbers.
    id_masked = models.CharField("证件号码（脱敏）", max_length=40, blank=True, editable=False)
    phone = EncryptedTextField("联系电话", blank=True)
    test_result = models.CharField(
        "核酸检测结果", max_length=16, choices=TestResult.choices, default=TestResult.NONE
    )
    sampled_at = models.DateTimeField("采样时间", null=True, blank=True)

    class Meta:
        verbose_name = "活动参加人员"
        verbose_name_plural = "活动参加人员"
        ordering = ["gathering", "pk"]
        constraints = [
            models.CheckConstraint(
                name="participant_name_not_blank",
                condition=~Q(name=""),
                violation_error_message="姓名不能为空",
            ),
            models.CheckConstraint(
                name="participant_result_has_time",
                condition=(Q(test_result=TestResult.NONE) & Q(sampled_at__isnull=True))
                | (~Q(test_result=TestResult.NONE) & Q(sampled_at__isnull=False)),
                violation_error_message="有检测结果须填写采样时间，未检测则不填",
            ),
            models.UniqueConstraint(
                fields=["gathering", "id_index"],
                condition=~Q(id_index=""),
                name="participant_once_per_gathering",
                violation_error_message="该证件号码已在名单中",
            ),
        ]
        indexes = [models.Index(fields=["gathering", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class GatheringsPolicy(ModulePolicy):
    """Gatherings in villages and communities (三、（三）; G3)."""

    plan_order = 53
    plan_title = _("聚集性活动")

    approval_headcount = models.PositiveSmallIntegerField(
        _("须审批的聚集活动人数"),
        default=30,
        validators=within(2, 1000),
        help_text=_("预计或名单人数达到此数的，须提前向村委会申请、报乡镇政府批准；不足此数的登记备案"),
    )
    test_window_hours = models.PositiveSmallIntegerField(
        _("核酸检测阴性报告有效小时数"),
        default=48,
        validators=within(1, 168),
        help_text=_("参加人员的阴性结果，采样时间须在活动开始前此小时数之内"),
    )
    application_lead_days = models.PositiveSmallIntegerField(
        _("须提前申请天数"),
        default=1,
        validators=within(0, 30),
        help_text=_("须审批的活动，最晚在开始日期前此天数受理申请（0：开始前均可受理）"),
    )
    decision_due_hours = models.PositiveSmallIntegerField(
        _("审批临近提醒小时数"),
        default=24,
        validators=within(1, 168),
        help_text=_("距开始不足此小时数仍未审批的申请，列为逾期并提醒乡镇和村"),
    )

    class Meta:
        verbose_name = "聚集性活动政策参数"
        verbose_name_plural = "聚集性活动政策参数"
