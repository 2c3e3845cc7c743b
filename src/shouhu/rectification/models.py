"""Findings and their rectification (问题整改): one mechanism for every module (SPEC G1, L3, Q2, Q3).

A finding is a problem found during a module's work — a county bureau's field visit to a
township (G1), a lottery outlet's failed check (L3), a leader's walk-through (Q2), an inspection
(Q3) — passed to the unit that must fix it, with a deadline. The responsible unit reports what it
did with evidence (photos, documents); the unit that found it, or one above, accepts it (closed)
or returns it (open again). An open finding left past its deadline by the policy's days is
escalated to the parent of the responsible unit, once.

The module's record it came from is named by `origin_model` ("app_label.modelname") and
`origin_id`, so the mechanism needs no foreign key into any module.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ModulePolicy, within
from shouhu.common.models import TimeStampedModel
from shouhu.common.modules import Module


class RectificationPolicy(ModulePolicy):
    """How long a finding may wait (G1, L3, Q2, Q3). The plan asks that problems found be
    rectified (发现问题严肃整改) and names no number of days: the defaults are this project's."""

    plan_order = 85
    plan_title = _("问题整改")

    default_deadline_days = models.PositiveSmallIntegerField(
        _("默认整改期限（天）"),
        default=7,
        validators=within(1, 90),
        help_text=_("登记问题时整改期限的默认值：发现之日起的天数，登记人可另定"),
    )
    escalation_days = models.PositiveSmallIntegerField(
        _("逾期上报上级天数"),
        default=3,
        validators=within(0, 60),
        help_text=_("问题逾期仍未整改，超过此天数即上报责任单位的上一级单位（0：逾期次日即上报）"),
    )

    class Meta:
        verbose_name = _("问题整改政策")
        verbose_name_plural = _("问题整改政策")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    SUBMITTED = "submitted", _("待验收")
    ACCEPTED = "accepted", _("已验收销号")


class Finding(TimeStampedModel):
    module = models.CharField("所属任务", max_length=16, choices=Module.choices)
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="findings", verbose_name="责任单位"
    )
    found_unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings_found",
        verbose_name="发现单位",
    )
    origin_model = models.CharField("来源记录类型", max_length=100)
    origin_id = models.PositiveBigIntegerField("来源记录编号")
    origin_label = models.CharField("来源", max_length=200)
    found_on = models.DateField("发现日期")
    found_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发现人",
    )
    description = models.CharField("问题描述", max_length=1000)
    assigned_to = models.CharField("交办对象", max_length=100, blank=True)
    deadline = models.DateField("整改期限")
    status = models.CharField(
        "状态", max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    submitted_at = models.DateTimeField("报送整改时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报送人",
    )
    submission_note = models.CharField("整改情况", max_length=1000, blank=True)
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="验收人",
    )
    acceptance_note = models.CharField("验收意见", max_length=500, blank=True)
    returned_count = models.PositiveSmallIntegerField("退回次数", default=0)
    return_reason = models.CharField("最近退回理由", max_length=500, blank=True)
    escalated_at = models.DateTimeField("逾期上报时间", null=True, blank=True)
    escalated_to = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings_escalated",
        verbose_name="上报单位",
    )
    evidence = models.ManyToManyField(
        "evidence.EvidenceFile", blank=True, related_name="+", verbose_name="证明材料"
    )

    class Meta:
        verbose_name = "整改问题"
        verbose_name_plural = "整改问题"
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                name="finding_has_description",
                condition=~Q(description=""),
                violation_error_message="请填写问题描述",
            ),
            models.CheckConstraint(
                name="finding_has_origin",
                condition=~Q(origin_model=""),
                violation_error_message="问题须有来源记录",
            ),
            models.CheckConstraint(
                name="finding_deadline_after_found",
                condition=Q(deadline__gte=F("found_on")),
                violation_error_message="整改期限不能早于发现日期",
            ),
            models.CheckConstraint(
                name="finding_status_known",
                condition=Q(status__in=FindingStatus.values),
                violation_error_message="未知的整改状态",
            ),
            models.CheckConstraint(
                name="finding_submitted_has_report",
                condition=Q(status=FindingStatus.OPEN)
                | (Q(submitted_at__isnull=False) & ~Q(submission_note="")),
                violation_error_message="报送整改须有整改情况和报送时间",
            ),
            models.CheckConstraint(
                name="finding_accepted_has_reviewer",
                condition=(
                    Q(status=FindingStatus.ACCEPTED, accepted_at__isnull=False, accepted_by__isnull=False)
                    | (
                        ~Q(status=FindingStatus.ACCEPTED)
                        & Q(accepted_at__isnull=True, accepted_by__isnull=True)
                    )
                ),
                violation_error_message="验收销号须有验收人和验收时间，未验收的问题不能有",
            ),
            models.CheckConstraint(
                name="finding_returned_has_reason",
                condition=Q(returned_count=0) | ~Q(return_reason=""),
                violation_error_message="退回须写明理由",
            ),
            models.CheckConstraint(
                name="finding_escalation_complete",
                condition=Q(escalated_at__isnull=True, escalated_to__isnull=True)
                | Q(escalated_at__isnull=False, escalated_to__isnull=False),
                violation_error_message="逾期上报须有上报单位和时间",
            ),
        ]
        indexes = [
            models.Index(fields=["module", "status", "deadline"]),
            models.Index(fields=["unit", "status", "deadline"]),
            models.Index(fields=["origin_model", "origin_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name}：{self.description[:30]}"


class EventKind(models.TextChoices):
    RECORDED = "recorded", _("登记问题")
    SUBMITTED = "submitted", _("报送整改")
    ACCEPTED = "accepted", _("验收销号")
    RETURNED = "returned", _("退回重改")
    ESCALATED = "escalated", _("逾期上报")


class FindingEvent(models.Model):
    """One step of a finding's history, with the files sent at that step."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events", verbose_name="问题")
    kind = models.CharField("环节", max_length=10, choices=EventKind.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="经办人",
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="单位"
    )
    note = models.CharField("说明", max_length=1000, blank=True)
    evidence = models.ManyToManyField(
        "evidence.EvidenceFile", blank=True, related_name="+", verbose_name="证明材料"
    )

    class Meta:
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="finding_event_kind_known",
                condition=Q(kind__in=EventKind.values),
                violation_error_message="未知的整改环节",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
