from django.db import models


class TimeStampedModel(models.Model):
    """Every record knows when it was made and last changed."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    CHECKING = "checking", "正在预检"
    CHECKED = "checked", "已预检"
    IMPORTING = "importing", "正在导入"
    IMPORTED = "imported", "已导入"
    FAILED = "failed", "失败"


class ImportJob(TimeStampedModel):
    """An uploaded file between its dry run and its import (kept encrypted: it holds personal data)."""

    kind = models.CharField("导入类型", max_length=50)
    filename = models.CharField("文件名", max_length=200)
    content = models.BinaryField("文件内容（加密）")
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    status = models.CharField(
        "状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.CHECKED
    )
    report = models.JSONField("结果", default=dict)
    mode = models.CharField(
        "导入方式", max_length=8, blank=True, help_text="all：全部导入；valid：只导入无误的行"
    )
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    failure = models.CharField("失败原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class AttemptCounter(models.Model):
    """Attempts of one kind (`scope`) by one client, account, phone or ID (`key_digest`).

    The key is a keyed hash: the table never holds a phone or ID number (common.attempts)."""

    scope = models.CharField("类型", max_length=40)
    key_digest = models.CharField("对象摘要", max_length=64)
    count = models.PositiveIntegerField("次数", default=0)
    last_at = models.DateTimeField("最近一次")

    class Meta:
        verbose_name = "尝试次数"
        verbose_name_plural = "尝试次数"
        constraints = [
            models.UniqueConstraint(fields=["scope", "key_digest"], name="attempt_counter_one_per_key"),
        ]
        indexes = [models.Index(fields=["last_at"], name="attempt_counter_last_at")]

    def __str__(self) -> str:
        return f"{self.scope} {self.count}"


class KeyKind(models.TextChoices):
    FIELD = "field", "加密密钥"
    INDEX = "index", "检索密钥"


class PersonalDataKey(models.Model):
    """A key the stored personal data needs, named by its fingerprint, never by the key itself
    (common.keyring): field keys that encrypted data still stored, and the blind-index key the
    search indexes were built with."""

    kind = models.CharField("类型", max_length=8, choices=KeyKind.choices)
    fingerprint = models.CharField("指纹", max_length=64)
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "个人信息密钥指纹"
        verbose_name_plural = "个人信息密钥指纹"
        constraints = [
            models.UniqueConstraint(fields=["kind", "fingerprint"], name="personal_data_key_once"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind="index"), name="personal_data_key_one_index_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.fingerprint[:12]}"


class WorkerHeartbeat(models.Model):
    """A background worker's sign of life (common.workers): beaten every few seconds while it
    runs, marked stopped when it exits cleanly; a row that stops beating is a dead worker."""

    worker_id = models.CharField("工作进程", max_length=64, unique=True)
    host = models.CharField("主机", max_length=255)
    pid = models.PositiveIntegerField("进程号")
    started_at = models.DateTimeField("启动时间")
    beat_at = models.DateTimeField("最近心跳")
    stopped_at = models.DateTimeField("停止时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台工作进程"
        verbose_name_plural = "后台工作进程"

    def __str__(self) -> str:
        return f"{self.worker_id} {self.host}:{self.pid}"
