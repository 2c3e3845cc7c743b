"""Evidence files (证明材料): photos, scans and documents kept as proof of work done.

A file belongs to a unit (its scope) and a module; the record it proves (a finding's
rectification, a check) holds it through a ManyToManyField. The file is stored under a random
name — never the uploaded one — and its type is the one its content showed (`ContentType`),
never the name's or the browser's claim. Who may download it is the owning module's rule: its
view checks its own `access_*` first, then calls `views.evidence_response`.
"""

import secrets

from django.db import models
from django.db.models import Q

from shouhu.common import clock
from shouhu.common.clock import now
from shouhu.common.modules import Module


class ContentType(models.TextChoices):
    """The types an evidence file may have, as its content shows them."""

    JPEG = "image/jpeg", "JPEG 图片"
    PNG = "image/png", "PNG 图片"
    PDF = "application/pdf", "PDF 文档"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word 文档"
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel 表格"


EXTENSIONS = {
    ContentType.JPEG: ".jpg",
    ContentType.PNG: ".png",
    ContentType.PDF: ".pdf",
    ContentType.DOCX: ".docx",
    ContentType.XLSX: ".xlsx",
}


def random_path(instance: "EvidenceFile", filename: str) -> str:
    """`evidence/<yyyy>/<mm>/<random>.<ext>`: the uploaded name never becomes a path."""
    today = clock.today()
    extension = EXTENSIONS.get(ContentType(instance.content_type), "") if instance.content_type else ""
    return f"evidence/{today:%Y}/{today:%m}/{secrets.token_hex(16)}{extension}"


class EvidenceFile(models.Model):
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="evidence_files", verbose_name="所属单位"
    )
    module = models.CharField("所属任务", max_length=16, choices=Module.choices)
    file = models.FileField("文件", upload_to=random_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100, choices=ContentType.choices)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间", default=now)

    class Meta:
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="evidence_known_type",
                condition=Q(content_type__in=ContentType.values),
                violation_error_message="不支持的文件类型",
            ),
            models.CheckConstraint(
                name="evidence_not_empty", condition=Q(size__gt=0), violation_error_message="文件不能为空"
            ),
        ]
        indexes = [models.Index(fields=["unit", "module"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type in (ContentType.JPEG, ContentType.PNG)
