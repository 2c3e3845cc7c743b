from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shouhu.common.crypto import EncryptedTextField
from shouhu.common.models import TimeStampedModel
from shouhu.people.masking import mask_id_number, mask_phone


# Labels translate on screen; the import reads its own Chinese labels (people.importers).
class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")
    UNKNOWN = "unknown", _("未知")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")
    PASSPORT = "passport", _("护照")
    FOREIGN_PERMANENT = "foreign_permanent", _("外国人永久居留身份证")


class Category(models.TextChoices):
    STAFF = "staff", _("工作人员")
    NURSING_HOME_RESIDENT = "nursing_home_resident", _("养老机构入住老人")
    DIBAO = "dibao", _("低保对象")
    TEKUN = "tekun", _("特困人员")
    LOW_INCOME = "low_income", _("低收入人员")
    RESCUED = "rescued", _("受助人员")
    SERVICE_OBJECT = "service_object", _("其他服务对象")


# Each category's (lazy) label. get_category_display() builds a hashable dict of every choice on
# each call; an import names every category it writes in the audit log.
_CATEGORY_LABELS = dict(Category.choices)


class Person(TimeStampedModel):
    """One natural person, shared by every module (X2)."""

    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices, default=Gender.UNKNOWN)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    id_type = models.CharField("证件类型", max_length=24, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = EncryptedTextField("证件号码", blank=True)
    id_index = models.CharField("证件号码检索码", max_length=64, blank=True, editable=False)
    phone = EncryptedTextField("手机号", blank=True)
    phone_index = models.CharField("手机号检索码", max_length=64, blank=True, editable=False)
    address = models.CharField("现住址", max_length=200, blank=True)
    household_registration = models.CharField("户籍地", max_length=200, blank=True)
    home_unit = models.ForeignKey(
        "orgs.OrgUnit",
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name="所属单位",
        db_index=False,  # the (home_unit, name) index serves it
    )
    deceased_on = models.DateField("死亡日期", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="已合并到"
    )
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_index"],
                condition=~Q(id_index="") & Q(merged_into__isnull=True),
                name="person_unique_document",
                violation_error_message="该证件号码已登记",
            ),
            models.CheckConstraint(
                name="person_name_not_blank",
                condition=~Q(name=""),
                violation_error_message="姓名不能为空",
            ),
        ]
        # Search keys are matched whole, never by prefix: a plain b-tree each (db_index=True adds
        # a second, pattern-matching index on PostgreSQL that every insert would pay for).
        indexes = [
            models.Index(fields=["home_unit", "name"]),
            models.Index(fields=["id_index"], name="person_id_index"),
            models.Index(fields=["phone_index"], name="person_phone_index"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def has_valid_id(self) -> bool:
        return bool(self.id_index)


class PersonCategory(models.Model):
    """A person's standing in a module: staff, resident, 低保, 特困, …"""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="categories", verbose_name="人员"
    )
    category = models.CharField("人员类别", max_length=32, choices=Category.choices)

    class Meta:
        verbose_name = "人员类别"
        verbose_name_plural = "人员类别"
        constraints = [
            models.UniqueConstraint(fields=["person", "category"], name="person_category_unique"),
        ]

    def __str__(self) -> str:
        # get_category_display(), without rebuilding the choices for each call.
        return str(_CATEGORY_LABELS.get(self.category, self.category))


class RevealedField(models.TextChoices):
    ID_NUMBER = "id_number", "证件号码"
    PHONE = "phone", "手机号"
    EXPORT = "export", "导出未脱敏名单"


class PersonalDataReveal(models.Model):
    """Every look at an unmasked number or an unmasked export, with its reason (PIPL)."""

    viewer = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="查看人"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="reveals", verbose_name="人员"
    )
    field = models.CharField("查看内容", max_length=16, choices=RevealedField.choices)
    reason = models.CharField("事由", max_length=200)
    detail = models.CharField("范围", max_length=200, blank=True)
    revealed_at = models.DateTimeField("查看时间", db_index=True)
    remote_addr = models.GenericIPAddressField("IP", null=True, blank=True)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-revealed_at"]
        constraints = [
            models.CheckConstraint(
                name="reveal_has_reason", condition=~Q(reason=""), violation_error_message="请填写查看事由"
            )
        ]

    def __str__(self) -> str:
        return f"{self.viewer} 查看{self.get_field_display()}"


class PersonMerge(models.Model):
    """Two records found to be one person; the duplicate points to the survivor."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="保留记录")
    duplicate = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="合并记录")
    reason = models.CharField("合并原因", max_length=200)
    merged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    merged_at = models.DateTimeField("合并时间")
    moved_links = models.JSONField("转移的关联", default=dict)

    class Meta:
        verbose_name = "人员合并记录"
        verbose_name_plural = "人员合并记录"

    def __str__(self) -> str:
        return f"{self.duplicate_id} → {self.survivor_id}"


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    TRANSFERRED = "transferred", _("已转入申请单位")
    DISMISSED = "dismissed", _("不予转入")


class RegistrationConflict(TimeStampedModel):
    """A unit tried to register a document that the register holds under a unit it cannot see.

    The clerk is told only "cannot be registered here; ask the region" (X1: nothing about people
    outside their scope); the region sees these to resolve: move the person, or say why not."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="registration_conflicts", verbose_name="人员"
    )
    requested_unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="申请登记单位"
    )
    requested_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="申请人",
    )
    attempts = models.PositiveIntegerField("申请次数", default=1)
    last_attempt_at = models.DateTimeField("最近申请时间")
    status = models.CharField(
        "状态", max_length=16, choices=ConflictStatus.choices, default=ConflictStatus.OPEN
    )
    resolved_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    note = models.CharField("处理说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "登记冲突"
        verbose_name_plural = "登记冲突"
        ordering = ["-last_attempt_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "requested_unit"],
                condition=Q(status="open"),
                name="registration_conflict_one_open",
            ),
            models.CheckConstraint(
                name="registration_conflict_resolved_has_note",
                condition=Q(status="open") | ~Q(note=""),
                violation_error_message="请填写处理说明",
            ),
        ]
        indexes = [models.Index(fields=["status", "last_attempt_at"], name="registration_conflict_open")]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.requested_unit_id}"
