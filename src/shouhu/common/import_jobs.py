"""Running an import job: inline for small files, as a background task for large ones.

The whole import runs in one transaction, so a worker killed midway leaves no half-imported
rows, and the task may simply run again: a live worker queues it again (common.workers), and
the job shows as queued, then running. Until then, or when no worker runs, the job shows as
interrupted and can be started again by hand. Progress is written to the "progress" cache,
outside that transaction, so the page can show it while the import runs.
"""

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django_tasks import task

from shouhu.common import clock, crypto, workers
from shouhu.common.errors import DomainError
from shouhu.common.importing import ImportReport, importer_for, read_import, run_import
from shouhu.common.models import ImportJob, ImportStatus
from shouhu.common.tabular import Table

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

RUNNING = {ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.IMPORTING}


def _progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def job_progress(job_id: int) -> dict[str, object] | None:
    value = caches["progress"].get(_progress_key(job_id))
    return value if isinstance(value, dict) else None


def _record_progress(job_id: int, done: int, total: int) -> None:
    caches["progress"].set(
        _progress_key(job_id), {"done": done, "total": total, "at": clock.now().isoformat()}, timeout=86_400
    )


def is_interrupted(job: ImportJob) -> bool:
    """A running job whose worker has not reported for a while has died."""
    if job.status not in RUNNING or job.status == ImportStatus.QUEUED:
        return False
    progress = job_progress(job.pk)
    last = dt.datetime.fromisoformat(str(progress["at"])) if progress else job.started_at
    if last is None:
        return False
    return (clock.now() - last).total_seconds() > settings.SHOUHU_IMPORT_STALE_SECONDS


def _still_reading(job_id: int) -> None:
    """Reading a large workbook takes a while: the job must not look dead meanwhile."""
    progress = job_progress(job_id) or {}
    _record_progress(job_id, 0, int(str(progress.get("total", 0))))


def table_of(job: ImportJob) -> Table:
    importer = importer_for(job.kind)
    if importer is None:
        raise DomainError("没有这种导入", code="unknown_import")
    return read_import(
        importer,
        job.filename,
        crypto.decrypt_bytes(bytes(job.content)),
        on_rows=lambda: _still_reading(job.pk),
    )


def execute(job_id: int) -> ImportReport | None:
    """Run a queued job: its dry run, or its import in the mode the user chose."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    importer = importer_for(job.kind)
    if importer is None or job.status not in (
        ImportStatus.QUEUED,
        ImportStatus.CHECKING,
        ImportStatus.IMPORTING,
    ):
        return None
    checking = not job.mode
    job.status = ImportStatus.CHECKING if checking else ImportStatus.IMPORTING
    job.started_at = clock.now()
    job.save(update_fields=["status", "started_at", "updated_at"])
    try:
        report = run_import(
            importer=importer,
            actor=job.created_by,
            table=table_of(job),
            dry_run=checking,
            import_valid_rows=job.mode == "valid",
            on_progress=lambda done, total: _record_progress(job.pk, done, total),
        )
    except DomainError as error:
        job.status = ImportStatus.FAILED
        job.failure = error.message[:300]
        job.save(update_fields=["status", "failure", "updated_at"])
        return None
    job.report = report.as_dict()
    job.status = ImportStatus.CHECKED if checking else ImportStatus.IMPORTED
    job.save(update_fields=["report", "status", "updated_at"])
    return report


@task()
def run_import_job(job_id: int) -> None:
    execute(job_id)


def _still_running(job_id: int) -> bool:
    """The import reports progress even when its worker's heartbeat cannot reach the database."""
    job = ImportJob.objects.filter(pk=job_id).first()
    return job is not None and job.status in RUNNING - {ImportStatus.QUEUED} and not is_interrupted(job)


def _requeued(job_id: int) -> None:
    # Only a job still marked running: one whose import committed just now stays imported.
    ImportJob.objects.filter(pk=job_id, status__in=[ImportStatus.CHECKING, ImportStatus.IMPORTING]).update(
        status=ImportStatus.QUEUED, updated_at=clock.now()
    )
    progress = job_progress(job_id)
    _record_progress(job_id, 0, int(str(progress["total"])) if progress else 0)


def _abandoned(job_id: int) -> None:
    ImportJob.objects.filter(pk=job_id, status__in=RUNNING).update(
        status=ImportStatus.FAILED,
        failure="后台处理多次中断，已停止；请检查文件后重新开始",
        updated_at=clock.now(),
    )


workers.rerunnable(run_import_job, still_running=_still_running, requeued=_requeued, abandoned=_abandoned)


def start(job: ImportJob, *, mode: str, row_count: int) -> ImportJob:
    """Queue a job (mode "" = dry run), or run it now if the file is small."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status == ImportStatus.IMPORTED:
            raise DomainError("该文件已经导入过，不会重复导入", code="already_imported")
        if locked.status in RUNNING and not is_interrupted(locked):
            raise DomainError("该文件正在处理，请稍候", code="import_running")
        if mode and not locked.report:
            raise DomainError("请先完成预检", code="not_checked")
        locked.mode = mode
        locked.status = ImportStatus.QUEUED
        locked.failure = ""
        locked.save(update_fields=["mode", "status", "failure", "updated_at"])
    _record_progress(locked.pk, 0, row_count)
    if row_count <= settings.SHOUHU_IMPORT_INLINE_ROWS:
        execute(locked.pk)
    else:
        transaction.on_commit(lambda: run_import_job.enqueue(locked.pk))
    locked.refresh_from_db()
    return locked


def upload(*, actor: "AbstractBaseUser", kind: str, filename: str, data: bytes, row_count: int) -> ImportJob:
    """Keep an uploaded file (encrypted) and start its dry run."""
    job = ImportJob.objects.create(
        kind=kind, filename=filename, content=crypto.encrypt_bytes(data), created_by_id=actor.pk
    )
    return start(job, mode="", row_count=row_count)
