from django.db import models


class TimeStampedModel(models.Model):
    """Every record knows when it was made and last changed."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class ImportStatus(models.TextChoices):
    CHECKED = "checked", "已预检"
    IMPORTED = "imported", "已导入"


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

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"
