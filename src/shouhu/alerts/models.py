from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shouhu.common.modules import Module


class Severity(models.TextChoices):  # shown only, never stored as text: labels translate
    INFO = "info", _("提示")
    WARNING = "warning", _("警告")
    URGENT = "urgent", _("紧急")


class Alert(models.Model):
    """Something a unit must know or do (X6), addressed to users resolved when it was raised.

    An alert is open until the condition that raised it is over (`resolved_at`); while it is
    open, raising the same `dedupe_key` again returns it instead of alerting twice.
    """

    source = models.CharField("来源模块", max_length=32, help_text="提出提醒的模块，如 vaccination")
    check_name = models.CharField(
        "提醒检查", max_length=64, blank=True, help_text="由定时提醒检查产生时，检查的名称"
    )
    kind = models.CharField("提醒类型", max_length=64, db_index=True)
    severity = models.CharField("紧急程度", max_length=8, choices=Severity.choices, default=Severity.INFO)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="alerts", verbose_name="涉及单位"
    )
    audience_label = models.CharField("接收对象", max_length=300)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="对象类型",
    )
    object_id = models.PositiveBigIntegerField("对象编号", null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    link = models.CharField("链接", max_length=300, blank=True, help_text="本系统内的页面路径")
    dedupe_key = models.CharField("去重键", max_length=200, blank=True)
    raised_at = models.DateTimeField("提出时间", db_index=True)
    raised_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提出人",
    )
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)
    resolved_note = models.CharField("解除说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "提醒"
        verbose_name_plural = "提醒"
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # The database, not a check-then-insert, keeps two runs from alerting twice.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(resolved_at__isnull=True) & ~Q(dedupe_key=""),
                name="alert_one_open_per_dedupe_key",
                violation_error_message="同一情况已有未解除的提醒",
            ),
            models.CheckConstraint(
                name="alert_title_not_blank", condition=~Q(title=""), violation_error_message="请填写标题"
            ),
            models.CheckConstraint(
                name="alert_severity_known",
                condition=Q(severity__in=Severity.values),
                violation_error_message="未知的紧急程度",
            ),
            models.CheckConstraint(
                name="alert_object_complete",
                condition=Q(content_type__isnull=True, object_id__isnull=True)
                | Q(content_type__isnull=False, object_id__isnull=False),
                violation_error_message="对象类型和对象编号须同时填写",
            ),
        ]
        indexes = [models.Index(fields=["check_name", "resolved_at"], name="alert_check_open")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def source_label(self) -> str:
        return Module(self.source).label if self.source in Module.values else self.source

    @property
    def kind_label(self) -> str:
        from shouhu.alerts.registry import kind_label

        return kind_label(self.kind)

    @property
    def object_type(self) -> str | None:
        """`app_label.model` of the linked object (lists load the content type with the alert)."""
        if self.content_type is None:
            return None
        return f"{self.content_type.app_label}.{self.content_type.model}"


class AlertDelivery(models.Model):
    """One recipient's copy of an alert: their own read and acknowledged state."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries", verbose_name="提醒")
    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="alert_deliveries", verbose_name="接收人"
    )
    delivered_at = models.DateTimeField("送达时间")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    ack_note = models.CharField("确认说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "提醒送达"
        verbose_name_plural = "提醒送达"
        ordering = ["-delivered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "user"], name="alertdelivery_once_per_user", violation_error_message="已送达"
            ),
            models.CheckConstraint(
                name="alertdelivery_acknowledged_is_read",
                condition=Q(acknowledged_at__isnull=True) | Q(read_at__isnull=False),
                violation_error_message="确认收到的提醒必须已读",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-delivered_at"], name="alertdelivery_inbox"),
            # The header badge counts these on every page: a small partial index answers it.
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="alertdelivery_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.alert} → {self.user}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None
