"""X4: a task worker that dies is noticed (/healthz) and its running import is taken over by a
live worker, which runs it to the end; a live worker's task is left alone."""

import datetime as dt
import io
import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from shouhu.common import clock, import_jobs, workers
from shouhu.common.models import ImportJob, ImportStatus, WorkerHeartbeat
from shouhu.people.models import Person
from shouhu.people.tests.test_import import _csv, _rows


@task()
def not_known_to_be_safe_twice() -> None:
    """A task nobody declared safe to run again."""


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    settings.SHOUHU_IMPORT_INLINE_ROWS = 5


@pytest.fixture
def signals_kept():
    """The worker installs its own SIGINT/SIGTERM handlers; the test run keeps pytest's."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def _ago(seconds: float) -> dt.datetime:
    return clock.now() - dt.timedelta(seconds=seconds)


def _heartbeat(worker_id: str, *, beat_at: dt.datetime, stopped: bool = False) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host="worker-host",
        pid=4242,
        started_at=beat_at,
        beat_at=beat_at,
        stopped_at=beat_at if stopped else None,
    )


def _claimed(task_id, *worker_ids: str) -> None:
    """As db_worker's claim leaves a task: RUNNING, with the claiming workers' ids."""
    DBTaskResult.objects.filter(pk=task_id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=list(worker_ids)
    )


@pytest.fixture
def upload(client, tree, county_user, django_capture_on_commit_callbacks):
    """Upload 12 people: too many to check in the request, so the dry run is queued as a task."""

    def uploaded() -> ImportJob:
        client.force_login(county_user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/imports/people/", {"file": SimpleUploadedFile("p.csv", _csv(_rows(tree, 12)))})
        return ImportJob.objects.get()

    return uploaded


def _died_while_checking(job: ImportJob, worker_id: str, *, seconds_ago: float) -> None:
    """The worker claimed the dry run, started it, and was killed (kill -9: nothing cleaned up)."""
    (task_result,) = DBTaskResult.objects.all()
    _claimed(task_result.pk, *task_result.worker_ids, worker_id)
    with clock.frozen(_ago(seconds_ago)):
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.CHECKING, started_at=clock.now())
        import_jobs._record_progress(job.pk, 0, 12)
        _heartbeat(worker_id, beat_at=clock.now())


@pytest.mark.django_db(transaction=True)
def test_x4_a_dead_workers_import_is_taken_over_and_completes(client, upload, database_tasks, signals_kept):
    job = upload()
    assert job.status == ImportStatus.QUEUED
    _died_while_checking(job, "dead-worker", seconds_ago=600)
    page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "已中断" in page  # what the page showed for good before

    call_command(
        "run_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "live-worker",
        stdout=io.StringIO(),
    )  # fmt: skip

    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert job.report["created"] == 12
    (task_result,) = DBTaskResult.objects.all()
    assert task_result.status == TaskResultStatus.SUCCESSFUL
    assert task_result.worker_ids == ["dead-worker", "live-worker"]
    assert not WorkerHeartbeat.objects.filter(worker_id="dead-worker").exists()  # forgotten once recovered
    assert WorkerHeartbeat.objects.get(worker_id="live-worker").stopped_at is not None  # a clean exit
    assert "已中断" not in client.get(f"/imports/jobs/{job.pk}/").content.decode()
    # The import itself, queued by the user, runs on the same worker command.
    client.post(f"/imports/jobs/{job.pk}/", {"mode": "all"})
    call_command(
        "run_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "live-worker",
        stdout=io.StringIO(),
    )  # fmt: skip
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTED
    assert Person.objects.count() == 12


@pytest.mark.django_db
def test_x4_recovery_queues_the_task_again_and_shows_the_job_queued(client, upload, database_tasks):
    job = upload()
    _died_while_checking(job, "dead-worker", seconds_ago=600)
    (recovered,) = workers.tasks_recover(live_worker_id="live-worker")
    assert (recovered.dead_worker, recovered.requeued) == ("dead-worker", True)
    (task_result,) = DBTaskResult.objects.all()
    assert task_result.status == TaskResultStatus.READY
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    fragment = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "已中断" not in fragment
    assert "排队中" in fragment


@pytest.mark.django_db
def test_x4_a_live_workers_task_is_left_alone(client, upload, database_tasks, settings):
    job = upload()
    _died_while_checking(job, "busy-worker", seconds_ago=600)
    WorkerHeartbeat.objects.filter(worker_id="busy-worker").update(beat_at=_ago(5))  # it still beats
    assert workers.tasks_recover(live_worker_id="live-worker") == []
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING
    assert workers.worker_health() == "ok"
    # Silent for longer than the stale period: now it is dead.
    WorkerHeartbeat.objects.filter(worker_id="busy-worker").update(
        beat_at=_ago(settings.SHOUHU_WORKER_STALE_SECONDS + 1)
    )
    assert [r.dead_worker for r in workers.tasks_recover(live_worker_id="live-worker")] == ["busy-worker"]


@pytest.mark.django_db
def test_x4_an_import_still_reporting_progress_is_left_alone(client, upload, database_tasks):
    # On SQLite the import's transaction holds the one write lock, so its worker cannot beat;
    # the import's own progress (outside the database) shows it is alive.
    job = upload()
    _died_while_checking(job, "blocked-worker", seconds_ago=600)
    import_jobs._record_progress(job.pk, 500, 12)
    assert workers.tasks_recover(live_worker_id="live-worker") == []
    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING
    assert workers.worker_health() == "ok"


@pytest.mark.django_db
def test_x4_a_task_whose_worker_keeps_dying_is_failed_after_the_attempts(
    client, upload, database_tasks, settings
):
    settings.SHOUHU_TASK_MAX_ATTEMPTS = 2
    job = upload()
    _died_while_checking(job, "first-worker", seconds_ago=900)
    workers.tasks_recover(live_worker_id="live-worker")
    _died_while_checking(job, "second-worker", seconds_ago=600)
    (recovered,) = workers.tasks_recover(live_worker_id="live-worker")
    assert not recovered.requeued
    task_result = DBTaskResult.objects.get()
    assert task_result.status == TaskResultStatus.FAILED
    assert task_result.exception_class_path == "shouhu.common.workers.WorkerLost"
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "多次中断" in job.failure
    assert "多次中断" in client.get(f"/imports/jobs/{job.pk}/").content.decode()


@pytest.mark.django_db
def test_x4_a_task_not_declared_safe_to_rerun_is_failed_not_run_twice(database_tasks):
    result = not_known_to_be_safe_twice.enqueue()
    _claimed(result.id, "dead-worker")
    _heartbeat("dead-worker", beat_at=_ago(600))
    (recovered,) = workers.tasks_recover(live_worker_id="live-worker")
    assert not recovered.requeued
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED


@pytest.mark.django_db
def test_x4_a_worker_that_stopped_cleanly_hands_over_at_once(database_tasks):
    result = not_known_to_be_safe_twice.enqueue()
    _claimed(result.id, "reloaded-worker")  # stopped mid-task by the reloader, a second ago
    _heartbeat("reloaded-worker", beat_at=_ago(1), stopped=True)
    assert [r.dead_worker for r in workers.tasks_recover(live_worker_id="live-worker")] == ["reloaded-worker"]


@pytest.mark.django_db
def test_x4_healthz_reports_the_worker(client, database_tasks, settings):
    def health():
        response = client.get("/healthz")
        return response.status_code, response.json()["worker"]

    assert health() == (200, "none")  # nothing waits: a site without a worker is not broken
    result = not_known_to_be_safe_twice.enqueue()
    assert health() == (503, "none")  # a task waits and nobody will run it
    _heartbeat("worker-a", beat_at=_ago(2))
    assert health() == (200, "ok")
    WorkerHeartbeat.objects.filter(worker_id="worker-a").update(
        beat_at=_ago(settings.SHOUHU_WORKER_STALE_SECONDS + 1)
    )
    assert health() == (503, "stale")  # killed: it never said goodbye
    _claimed(result.id, "worker-a")
    assert health() == (503, "stale")  # its task is stuck RUNNING
    WorkerHeartbeat.objects.filter(worker_id="worker-a").update(stopped_at=_ago(1))
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)
    assert health() == (200, "none")  # stopped cleanly, nothing left waiting


@pytest.mark.django_db
def test_x4_the_worker_beats(database_tasks):
    beat = workers.Heartbeat("worker-b")
    beat.start()
    try:
        row = WorkerHeartbeat.objects.get(worker_id="worker-b")
        assert (row.beat_at, row.stopped_at) == (clock.now(), None)
        assert workers.worker_health() == "ok"
    finally:
        beat.stop()
    assert WorkerHeartbeat.objects.get(worker_id="worker-b").stopped_at == clock.now()
    assert workers.worker_health() == "none"
    workers.worker_beat(worker_id="worker-b", started_at=beat.started_at)  # a beat still in flight
    assert workers.worker_health() == "none"  # does not bring a stopped worker back


@pytest.mark.django_db
def test_x4_a_worker_taken_for_dead_comes_back_with_its_next_beat(database_tasks):
    workers.worker_started(worker_id="worker-c")
    WorkerHeartbeat.objects.filter(worker_id="worker-c").delete()  # forgotten while its beats were held up
    with clock.frozen(_ago(-5)):
        workers.worker_beat(worker_id="worker-c", started_at=_ago(0))
        assert workers.worker_health() == "ok"
