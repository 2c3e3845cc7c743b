"""Keeping an uploaded evidence file: its type read from its content, its size bounded.

The name a browser sends and the type it claims are both the uploader's word; only the first
bytes of the file decide what it is (JPEG, PNG, PDF, or a Word/Excel file, which is a ZIP whose
entries say which). Anything else is refused, whatever it is called.
"""

import hashlib
import io
import unicodedata
import zipfile
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.common.audit import acting_as
from shouhu.common.modules import Module
from shouhu.common.validation import clean, refuse
from shouhu.evidence.models import EXTENSIONS, ContentType, EvidenceFile
from shouhu.orgs.models import OrgUnit

HEAD_BYTES = 8  # not a policy threshold: the longest signature read below
CHUNK = 64 * 1024  # not a policy threshold: read size while hashing
NAME_LENGTH = 200  # not a policy threshold: the column's length
ZIP_MAX_ENTRIES = 10_000  # not a policy threshold: an office file has a few dozen entries


def max_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def _office_type(upload: IO[bytes]) -> ContentType | None:
    """A Word or Excel file (OOXML) by its ZIP entries; None for any other ZIP or a broken one.
    Only the ZIP's directory is read: nothing is unpacked."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_ENTRIES:
                return None
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return ContentType.DOCX
    if "xl/workbook.xml" in names:
        return ContentType.XLSX
    return None


def sniff(upload: IO[bytes]) -> ContentType | None:
    """What the file's content says it is, or None when it is none of the allowed types."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return ContentType.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ContentType.PNG
    if head.startswith(b"%PDF-"):
        return ContentType.PDF
    if head.startswith(b"PK\x03\x04"):
        return _office_type(upload)
    return None


def safe_name(name: str, content_type: ContentType) -> str:
    """The uploaded name without any folder, control characters or a misleading extension: kept
    for people to read and offered when downloading, never used as a path."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    extension = EXTENSIONS[content_type]
    stem = (stem or _("证明材料"))[: NAME_LENGTH - len(extension)]
    return f"{stem}{extension}"


def _digest(upload: IO[bytes]) -> str:
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(CHUNK), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def check_upload(upload: Any) -> tuple[ContentType, int]:
    """The upload's type and size, or a refusal (empty, too large, or not an allowed type by its
    content)."""
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    name = getattr(upload, "name", "") or ""
    if not size:
        raise refuse(_("文件“%(name)s”是空的") % {"name": name}, code="evidence_empty", field="evidence")
    if size > limit:
        raise refuse(
            _("文件“%(name)s”超过 %(limit)s MB 的上限") % {"name": name, "limit": f"{limit / 1024 / 1024:g}"},
            code="evidence_too_large",
            field="evidence",
        )
    content_type = sniff(upload)
    if content_type is None:
        raise refuse(
            _("文件“%(name)s”不是允许的类型：只收 JPEG、PNG 图片，PDF、Word（docx）、Excel（xlsx）文件")
            % {"name": name},
            code="evidence_type",
            field="evidence",
        )
    return content_type, size


@transaction.atomic
def evidence_store(*, actor: User | None, unit: OrgUnit, module: str, upload: Any) -> EvidenceFile:
    """Keep one uploaded file as evidence of `unit`'s work in `module`."""
    if module not in Module.values:
        raise refuse(_("未知的任务"), code="invalid_evidence", field="module")
    content_type, size = check_upload(upload)
    sha256 = _digest(upload)
    evidence = EvidenceFile(
        unit=unit,
        module=module,
        original_name=safe_name(getattr(upload, "name", "") or "", content_type),
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    upload.seek(0)
    clean(evidence, exclude=["file"])
    # The storage names the file (models.random_path); the uploaded name is not passed on.
    evidence.file.save("upload", File(upload), save=False)
    with acting_as(actor):
        evidence.save()
    return evidence
