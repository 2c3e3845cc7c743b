"""Pages of the import mechanism: upload → dry-run preview and error report → import."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from shouhu.accounts.types import AuthedHttpRequest
from shouhu.common import import_jobs
from shouhu.common.errors import DomainError
from shouhu.common.forms import add_domain_error, form_status
from shouhu.common.importing import (
    Importer,
    ImportReport,
    count_import_rows,
    error_report_xlsx,
    importer_for,
    template_xlsx,
)
from shouhu.common.models import ImportStatus
from shouhu.common.tabular import upload_bytes
from shouhu.site.selectors import access_import_job

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label="文件（xlsx 或 csv，UTF-8 或 GB18030 编码）")


def _importer(request: AuthedHttpRequest, kind: str) -> Importer:
    importer = importer_for(kind)
    if importer is None:
        raise Http404("没有这种导入")
    if not request.user.has_code(importer.permission):
        raise PermissionDenied
    return importer


@login_required
def import_upload(request: AuthedHttpRequest, kind: str) -> HttpResponse:
    importer = _importer(request, kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = upload_bytes(upload)
            # Checked here so a wrong file is refused on the form, before anything is stored; a
            # large workbook is read whole by the dry run (a background task), not in the request.
            row_count = count_import_rows(importer, upload.name, data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            job = import_jobs.upload(
                actor=request.user, kind=kind, filename=upload.name, data=data, row_count=row_count
            )
            return redirect("imports:job", job_id=job.pk)
    return render(
        request,
        "imports/upload.html",
        {"form": form, "importer": importer, "kind": kind},
        status=form_status(form),
    )


@login_required
@require_safe
def import_template(request: AuthedHttpRequest, kind: str) -> HttpResponse:
    importer = _importer(request, kind)
    response = HttpResponse(template_xlsx(importer), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{importer.title}导入模板.xlsx") or ""
    return response


@login_required
def import_job(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    job = access_import_job(request.user, job_id)
    importer = _importer(request, job.kind)
    report = ImportReport.from_dict(job.report) if job.report else None
    if request.method == "POST":
        mode = request.POST.get("mode", "")
        if mode not in ("", "all", "valid"):
            mode = ""
        if mode == "all" and report and report.errors:
            messages.error(request, "文件有错误：请修正后重新上传，或选择“只导入无误的行”")
            return redirect("imports:job", job_id=job.pk)
        try:
            job = import_jobs.start(job, mode=mode, row_count=report.total if report else 0)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if job.status == ImportStatus.IMPORTED and job.report:
                done = ImportReport.from_dict(job.report)
                messages.success(
                    request, f"已导入：新增 {done.created}，更新 {done.updated}，未变 {done.unchanged}"
                )
        return redirect("imports:job", job_id=job.pk)
    context = {
        "job": job,
        "report": report,
        "importer": importer,
        "running": job.status in import_jobs.RUNNING,
        "interrupted": import_jobs.is_interrupted(job),
        "progress": import_jobs.job_progress(job.pk),
    }
    if request.htmx and request.htmx.target == "job-status":
        return render(request, "imports/job.html#status", context)
    return render(request, "imports/job.html", context)


@login_required
@require_safe
def import_errors(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    job = access_import_job(request.user, job_id)
    response = HttpResponse(error_report_xlsx(ImportReport.from_dict(job.report)), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"错误报告-{job.filename}.xlsx") or ""
    return response
