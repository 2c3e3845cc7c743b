"""Upload fields for evidence: one input that takes several files (a phone's camera or gallery)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shouhu.common.errors import DomainError
from shouhu.evidence.services import check_upload

ACCEPT = ".jpg,.jpeg,.png,.pdf,.docx,.xlsx,image/jpeg,image/png,application/pdf"
MAX_FILES = 20  # not a policy threshold: a bound on one form's files


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceUploadField(forms.FileField):
    """Several files at once; each is checked (type by content, size) when the form is cleaned,
    so a refused file is shown beside the field before anything is kept. `cleaned_data` holds a
    list of uploads (empty when none is required and none was given)."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("证明材料（照片、PDF、Word、Excel）"))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", ACCEPT)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > MAX_FILES:
            raise ValidationError(_("一次最多上传 %(count)s 个文件") % {"count": MAX_FILES}, code="too_many")
        cleaned = [super(EvidenceUploadField, self).clean(upload, initial) for upload in uploads]
        for upload in cleaned:
            try:
                check_upload(upload)
            except DomainError as error:
                raise ValidationError(error.message, code=error.code) from error
        return cleaned
