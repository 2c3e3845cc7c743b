"""Requests from the public with a deadline: one mechanism for every module (SPEC A11, P2).

A request (诉求) arrives by a channel — the assistance hotline (救助热线), an online question, a
walk-in — for a module and the unit that handles it. The module's policy sets the hours within
which it must get a first answer and be closed; both deadlines are fixed when it is received, so
a later policy change does not move them. Assistance's hotline is the first user; publicity's
public questions (P2) will be the next.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shouhu.common.crypto import EncryptedTextField
from shouhu.common.models import TimeStampedModel
from shouhu.common.modules import Module
from shouhu.people.masking import mask_phone


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("热线电话")
    ONLINE = "online", _("网上留言")
    WALK_IN = "walk_in", _("来访")


class Inquiry(TimeStampedModel):
    module = models.CharField("所属任务", max_length=16, choices=Module.choices)
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="inquiries", verbose_name="受理单位"
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField("受理时间")
    caller_name = models.CharField("来电（访）人", max_length=50, blank=True)
    caller_phone = EncryptedTextField("联系电话", blank=True)
    summary = models.CharField("诉求内容", max_length=1000)
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="涉及人员",
    )
    assigned_to = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_inquiries",
        verbose_name="承办人",
    )
    answer_due_at = models.DateTimeField("首次答复时限")
    first_answer_at = models.DateTimeField("首次答复时间", null=True, blank=True)
    first_answer = models.CharField("首次答复内容", max_length=500, blank=True)
    close_due_at = models.DateTimeField("办结时限")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    outcome = models.CharField("办理结果", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    class Meta:
        verbose_name = "群众诉求"
        verbose_name_plural = "群众诉求"
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="inquiry_has_summary", condition=~Q(summary=""), violation_error_message="请填写诉求内容"
            ),
            models.CheckConstraint(
                name="inquiry_deadlines_in_order",
                condition=Q(answer_due_at__gte=F("received_at")) & Q(close_due_at__gte=F("answer_due_at")),
                violation_error_message="答复和办结时限须在受理之后",
            ),
            models.CheckConstraint(
                name="inquiry_answer_has_text",
                condition=Q(first_answer_at__isnull=True) | ~Q(first_answer=""),
                violation_error_message="请填写答复内容",
            ),
            models.CheckConstraint(
                name="inquiry_closed_with_outcome",
                condition=Q(closed_at__isnull=True) | (~Q(outcome="") & Q(first_answer_at__isnull=False)),
                violation_error_message="办结须有答复和办理结果",
            ),
        ]
        indexes = [
            models.Index(fields=["module", "closed_at", "received_at"]),
            models.Index(fields=["unit", "module"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.received_at:%Y-%m-%d %H:%M}"

    @property
    def caller_phone_masked(self) -> str:
        return mask_phone(self.caller_phone)
