"""The DRF side of evidence uploads: a multipart field taking several files under one name."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from shouhu.common import bounds
from shouhu.common.errors import DomainError
from shouhu.evidence.forms import MAX_FILES
from shouhu.evidence.models import EvidenceFile
from shouhu.evidence.services import check_upload


class EvidenceUploadSerializerField(serializers.ListField):
    """`evidence` sent several times in a multipart body; each file checked like the form does."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", serializers.FileField(allow_empty_file=False))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty", True)
        kwargs.setdefault("max_length", MAX_FILES)
        kwargs.setdefault("help_text", _("证明材料：JPEG、PNG 图片，PDF、Word（docx）、Excel（xlsx）文件"))
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        uploads = super().to_internal_value(data)
        for upload in uploads:
            try:
                check_upload(upload)
            except DomainError as error:
                raise serializers.ValidationError(error.message, code=error.code) from error
        return uploads


class EvidenceFileSerializer(bounds.BoundedModelSerializer):
    """What an API answer says of a kept file (the owning module adds its download link)."""

    class Meta:
        model = EvidenceFile
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at"]
        read_only_fields = fields
