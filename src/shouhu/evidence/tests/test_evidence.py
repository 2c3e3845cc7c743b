import hashlib
import re
import zipfile
from pathlib import Path

import pytest

from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.evidence import services
from shouhu.evidence.forms import EvidenceUploadField
from shouhu.evidence.models import ContentType, EvidenceFile
from shouhu.evidence.tests.factories import JPEG, PDF, PNG, office, upload
from shouhu.evidence.views import evidence_response


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def store(tree, county_user, the_upload):
    return services.evidence_store(
        actor=county_user, unit=tree.township_a, module=Module.COMMUNITY, upload=the_upload
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.jpg", JPEG, ContentType.JPEG),
        ("a.png", PNG, ContentType.PNG),
        ("a.pdf", PDF, ContentType.PDF),
        ("a.docx", office("word"), ContentType.DOCX),
        ("a.xlsx", office("xl"), ContentType.XLSX),
        # The name does not decide: a PDF called .jpg is kept as a PDF, named .pdf.
        ("扫描件.jpg", PDF, ContentType.PDF),
    ],
    ids=["jpeg", "png", "pdf", "docx", "xlsx", "pdf-named-jpg"],
)
def test_each_allowed_type_is_kept_by_its_content(tree, county_user, media, name, content, expected):
    evidence = store(tree, county_user, upload(name, content, "image/jpeg"))
    evidence.refresh_from_db()
    assert evidence.content_type == expected
    assert evidence.size == len(content)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.unit == tree.township_a
    assert evidence.uploaded_by == county_user
    stored = Path(evidence.file.path)
    assert stored.read_bytes() == content
    assert stored.is_relative_to(media)
    # The stored path is random, never the uploaded name.
    assert re.fullmatch(r"evidence/2022/01/[0-9a-f]{32}\.[a-z]{3,4}", evidence.file.name)
    assert evidence.original_name.endswith(services.EXTENSIONS[expected])


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows program
        b"GIF89a\x01\x00\x01\x00",
    ],
    ids=["html", "exe", "gif"],
)
def test_g1_a_file_whose_content_is_not_allowed_is_refused_even_named_jpg(tree, county_user, content):
    with pytest.raises(DomainError) as refused:
        store(tree, county_user, upload("现场照片.jpg", content, "image/jpeg"))
    assert refused.value.code == "evidence_type"
    assert "不是允许的类型" in refused.value.message
    assert refused.value.field_errors["evidence"]
    assert not EvidenceFile.objects.exists()


def test_a_zip_that_is_not_an_office_file_is_refused(tree, county_user):
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    with pytest.raises(DomainError, match="不是允许的类型"):
        store(tree, county_user, upload("报告.docx", buffer.getvalue()))


def test_g1_a_file_over_the_size_limit_is_refused(tree, county_user, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    with pytest.raises(DomainError) as refused:
        store(tree, county_user, upload("big.jpg", JPEG + b"\x00" * 1000))
    assert refused.value.code == "evidence_too_large"
    assert "超过" in refused.value.message
    assert not EvidenceFile.objects.exists()
    assert store(tree, county_user, upload("small.jpg", JPEG)).size == len(JPEG)


def test_an_empty_file_is_refused(tree, county_user):
    with pytest.raises(DomainError, match="空的"):
        store(tree, county_user, upload("empty.jpg", b""))


def test_the_uploaded_name_loses_its_folders_and_control_characters(tree, county_user):
    evidence = store(tree, county_user, upload("..\\..\\etc/pass\x00wd\r\n.jpg.pdf", PDF))
    assert evidence.original_name == "pass wd.jpg.pdf".replace(" ", "")
    assert "/" not in evidence.original_name
    assert "\\" not in evidence.original_name


def test_g1_the_stored_file_is_served_as_a_sandboxed_attachment(tree, county_user):
    evidence = store(tree, county_user, upload("整改照片.jpg", JPEG))
    response = evidence_response(evidence)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == JPEG


def test_the_form_field_takes_several_files_and_refuses_a_bad_one():
    from django.core.exceptions import ValidationError

    field = EvidenceUploadField()
    assert field.clean([upload("a.jpg"), upload("b.pdf", PDF)])
    assert field.clean([]) == []
    with pytest.raises(ValidationError, match="不是允许的类型"):
        field.clean([upload("a.jpg"), upload("b.jpg", b"not an image")])
    with pytest.raises(ValidationError):
        EvidenceUploadField(required=True).clean([])
