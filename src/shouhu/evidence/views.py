"""Serving an evidence file. There are no evidence pages: the module that owns the record holding
the file checks the viewer's access with its own `access_*`, then answers with `evidence_response`.
"""

from django.http import FileResponse, Http404

from shouhu.common.exports import attachment_header
from shouhu.evidence.models import ContentType, EvidenceFile


def evidence_response(evidence: EvidenceFile) -> FileResponse:
    """The file as a download: never shown inline, its type the one its content showed when it was
    kept, the browser told not to guess another and to run nothing in it."""
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404("未找到该文件") from None
    content_type = (
        evidence.content_type if evidence.content_type in ContentType.values else "application/octet-stream"
    )
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = attachment_header(evidence.original_name or "evidence")
    response["Content-Length"] = str(evidence.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
