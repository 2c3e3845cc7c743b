from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shouhu.campaigns.models import ModulePolicy, within
from shouhu.common.crypto import EncryptedTextField
from shouhu.common.models import TimeStampedModel
from shouhu.people.masking import mask_phone


class MessageStatus(models.TextChoices):  # shown only, never stored as text: labels translate
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutboxMessage(TimeStampedModel):
    """One text message to a phone, kept after sending so staff can see and re-send it.

    Writers enqueue inside their own transaction, so a message exists exactly when the change
    it announces was committed; `send_outbox` delivers later through the configured sender.
    """

    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="发送单位"
    )
    kind = models.CharField("类别", max_length=64)
    phone = EncryptedTextField("手机号")
    phone_index = models.CharField("手机号检索码", max_length=64, editable=False)
    body = models.TextField("内容")
    status = models.CharField(
        "状态", max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    last_error = models.CharField("最近错误", max_length=200, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信发件箱"
        verbose_name_plural = "短信发件箱"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="outbox_body_not_blank", condition=~Q(body=""), violation_error_message="内容不能为空"
            ),
        ]
        # The search key is matched whole: a plain b-tree (db_index=True adds a pattern index).
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["phone_index"], name="outbox_phone_index"),
        ]

    def __str__(self) -> str:
        return f"{self.phone_masked} {self.get_status_display()}"

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class PhoneCode(TimeStampedModel):
    """A one-time code sent to a phone, to prove that whoever types it holds that phone.

    Public pages ask for one before they act for a person or tell anything about them. The code
    is kept only as a keyed hash; the page holds `token` in its session, never the code."""

    token = models.CharField("令牌", max_length=64, unique=True)
    purpose = models.CharField("用途", max_length=40)
    phone = EncryptedTextField("手机号")
    phone_index = models.CharField("手机号检索码", max_length=64, editable=False)
    code_digest = models.CharField("验证码摘要", max_length=64)
    expires_at = models.DateTimeField("失效时间")
    wrong_tries = models.PositiveSmallIntegerField("输错次数", default=0)
    verified_at = models.DateTimeField("验证时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["expires_at"], name="phone_code_expires_at")]

    def __str__(self) -> str:
        return f"{self.purpose} {mask_phone(self.phone)}"


class PhoneCodePolicy(ModulePolicy):
    """The one-time codes that prove a phone on the public pages (`notifications.codes`)."""

    plan_order = 90
    plan_title = _("公众页面短信验证码")

    code_valid_minutes = models.PositiveSmallIntegerField(
        _("短信验证码有效分钟数"), default=10, validators=within(1, 60)
    )
    code_tries = models.PositiveSmallIntegerField(
        _("短信验证码可输错次数"),
        default=5,
        validators=within(1, 20),
        help_text=_("输错达到此次数，须重新获取"),
    )
    codes_per_phone_per_day = models.PositiveSmallIntegerField(
        _("每个手机号每天可获取验证码次数"), default=5, validators=within(1, 100)
    )
    codes_per_address_per_hour = models.PositiveSmallIntegerField(
        _("每个网络地址每小时可获取验证码次数"),
        default=20,
        validators=within(1, 10000),
        help_text=_("同一网络（如同一单位、同一运营商出口）的所有用户共用此上限"),
    )

    class Meta:
        verbose_name = "短信验证码政策参数"
        verbose_name_plural = "短信验证码政策参数"
