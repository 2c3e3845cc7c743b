"""The background worker's heartbeat, and taking over the tasks of a worker that died.

django-tasks-db marks a task RUNNING when a worker claims it and finished when the worker is
done; a worker killed in between (out of memory, `kill -9`, a reboot) leaves the task RUNNING
for ever. So `manage.py run_worker` (db_worker with the same options) records a heartbeat per
worker id, and each live worker recovers the running tasks of dead ones: a task known to be
safe to run again (`rerunnable`) is queued again, at most SHOUHU_TASK_MAX_ATTEMPTS starts in
all, anything else is marked failed. A worker is dead when it has stopped (a clean exit marks
its row) or has not beaten for SHOUHU_WORKER_STALE_SECONDS, and its task shows no sign of life
of its own (on SQLite a long import holds the database's one write lock, so the heartbeat
waits, while the import still reports progress to the progress cache).
"""

import dataclasses
import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from shouhu.common import clock
from shouhu.common.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# How often a worker beats, as a share of the stale period: a worker misses several beats
# (a slow database, a pause) before anyone takes it for dead.
BEATS_PER_STALE_PERIOD = 6


class WorkerLost(RuntimeError):
    """The worker running a task died; the task was not safe to run again, or failed too often."""


@dataclasses.dataclass(frozen=True)
class Rerun:
    """How a task whose worker died is handled. Each callable gets the task's arguments.

    still_running: a sign of life besides the heartbeat (then the task is left alone);
    requeued: called in the transaction that queues the task again;
    abandoned: called in the transaction that marks it failed."""

    still_running: Callable[..., bool]
    requeued: Callable[..., None]
    abandoned: Callable[..., None]


_RERUNNABLE: dict[str, Rerun] = {}


def rerunnable(
    task: Task[..., Any],
    *,
    still_running: Callable[..., bool],
    requeued: Callable[..., None],
    abandoned: Callable[..., None],
) -> None:
    """Declare that `task` may run again after its worker died mid-way (it leaves nothing half
    done: one transaction, or idempotent steps)."""
    _RERUNNABLE[task.module_path] = Rerun(still_running, requeued, abandoned)


def _rerun_of(task_path: str) -> Rerun | None:
    # Importing the task's module registers it, as it does when a worker runs the task.
    try:
        import_string(task_path)
    except ImportError:
        return None
    return _RERUNNABLE.get(task_path)


def _stale_before() -> dt.datetime:
    return clock.now() - dt.timedelta(seconds=settings.SHOUHU_WORKER_STALE_SECONDS)


def beat_interval() -> float:
    return max(1.0, settings.SHOUHU_WORKER_STALE_SECONDS / BEATS_PER_STALE_PERIOD)


def worker_started(*, worker_id: str) -> dt.datetime:
    now = clock.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": now,
            "beat_at": now,
            "stopped_at": None,
        },
    )
    return now


def worker_beat(*, worker_id: str, started_at: dt.datetime) -> None:
    """A beat never revives a worker marked stopped (a beat still in flight when it stopped)."""
    now = clock.now()
    if WorkerHeartbeat.objects.filter(worker_id=worker_id, stopped_at__isnull=True).update(beat_at=now):
        return
    # Forgotten by another worker that took it for dead (its beats were held up): back again.
    WorkerHeartbeat.objects.get_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": now,
        },
    )


def worker_stopped(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(stopped_at=clock.now())


def _running_tasks() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("id", "task_path", "worker_ids")
    )


def _claimed_by(task: DBTaskResult) -> str:
    return task.worker_ids[-1] if task.worker_ids else ""


def _shows_life(task: DBTaskResult) -> bool:
    rerun = _rerun_of(task.task_path)
    return rerun is not None and rerun.still_running(*task.args_kwargs["args"], **task.args_kwargs["kwargs"])


def _dead_workers(*, besides: str) -> set[str]:
    """Workers that stopped or stopped beating, other than `besides`, whose running task (if
    any) shows no life of its own."""
    silent = set(
        WorkerHeartbeat.objects.exclude(worker_id=besides)
        .filter(Q(stopped_at__isnull=False) | Q(beat_at__lt=_stale_before()))
        .values_list("worker_id", flat=True)
    )
    if not silent:
        return set()
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    for task in running.only("id", "task_path", "worker_ids", "args_kwargs"):
        if _claimed_by(task) in silent and _shows_life(task):
            silent.discard(_claimed_by(task))
    return silent


def worker_health() -> str:
    """ "ok" when a worker is alive, "stale" when the last ones died without stopping (killed),
    "none" when no worker runs (or every worker stopped cleanly)."""
    rows = list(WorkerHeartbeat.objects.values_list("worker_id", "beat_at", "stopped_at"))
    if any(stopped is None and beat >= _stale_before() for _id, beat, stopped in rows):
        return "ok"
    unstopped = {worker_id for worker_id, _beat, stopped in rows if stopped is None}
    if not unstopped:
        return "none"
    alive = unstopped - _dead_workers(besides="")
    return "ok" if alive else "stale"


def tasks_waiting() -> bool:
    """Tasks queued and due, or claimed and not finished: work that needs a live worker."""
    return (
        DBTaskResult.objects.ready().exists()
        or DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    )


@dataclasses.dataclass(frozen=True)
class Recovery:
    task_id: str
    task_path: str
    dead_worker: str
    requeued: bool


def tasks_recover(*, live_worker_id: str) -> list[Recovery]:
    """Queue again, or mark failed, the running tasks of dead workers; forget dead workers
    that have nothing left running."""
    dead = _dead_workers(besides=live_worker_id)
    if not dead:
        return []
    recovered = []
    for candidate in _running_tasks():
        if _claimed_by(candidate) in dead:
            outcome = _recover(candidate.pk, dead)
            if outcome is not None:
                recovered.append(outcome)
    still_claimed = {_claimed_by(task) for task in _running_tasks()}
    WorkerHeartbeat.objects.filter(worker_id__in=dead - still_claimed).delete()
    return recovered


def _recover(task_id: Any, dead: set[str]) -> Recovery | None:
    with transaction.atomic():
        # Locked and read again: another live worker may be recovering the same task.
        task = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(pk=task_id, status=TaskResultStatus.RUNNING)
            .first()
        )
        if task is None or _claimed_by(task) not in dead:
            return None
        args, kwargs = task.args_kwargs["args"], task.args_kwargs["kwargs"]
        rerun = _rerun_of(task.task_path)
        requeue = rerun is not None and len(task.worker_ids) < settings.SHOUHU_TASK_MAX_ATTEMPTS
        if requeue:
            assert rerun is not None
            task.status = TaskResultStatus.READY
            task.started_at = None
            task.save(update_fields=["status", "started_at"])
            rerun.requeued(*args, **kwargs)
        else:
            # Recorded as db_worker records a task that raised: the exception's class and text.
            lost = WorkerLost(
                f"后台工作进程 {_claimed_by(task)} 在运行该任务时停止，任务已开始 {len(task.worker_ids)} 次"
                f" (worker {_claimed_by(task)} died while running it; started {len(task.worker_ids)} times)"
            )
            task.status = TaskResultStatus.FAILED
            task.finished_at = timezone.now()  # the library's own timestamps use the system time
            task.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
            task.traceback = str(lost)
            task.return_value = None
            task.save(
                update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"]
            )
            if rerun is not None:
                rerun.abandoned(*args, **kwargs)
    logger.warning(
        "Recovered task id=%s path=%s of dead worker %s: %s",
        task.pk,
        task.task_path,
        _claimed_by(task),
        "queued again" if requeue else "marked failed",
    )
    return Recovery(str(task.pk), task.task_path, _claimed_by(task), requeue)


class Heartbeat:
    """Beats for one worker id, and recovers dead workers' tasks, from a thread of its own (with
    its own database connection, so a long task does not hold it up on PostgreSQL)."""

    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.started_at = clock.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{worker_id}", daemon=True)

    def start(self) -> None:
        # The first beat and recovery happen before any task is claimed: a worker restarted
        # after a crash takes over its predecessor's task at once, if that one stopped cleanly.
        self.started_at = worker_started(worker_id=self.worker_id)
        tasks_recover(live_worker_id=self.worker_id)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=beat_interval())
        try:
            worker_stopped(worker_id=self.worker_id)
        except DatabaseError:
            logger.warning(
                "Could not mark worker %s stopped; it will count as stale", self.worker_id, exc_info=True
            )

    def _beat_and_recover(self) -> None:
        worker_beat(worker_id=self.worker_id, started_at=self.started_at)
        tasks_recover(live_worker_id=self.worker_id)

    def _run(self) -> None:
        try:
            while not self._stop.wait(beat_interval()):
                close_old_connections()
                try:
                    self._beat_and_recover()
                except Exception:
                    # Logged and tried again at the next beat: a heartbeat thread that died
                    # while its worker runs would get the worker's task taken over and run twice.
                    logger.exception("Heartbeat of worker %s failed", self.worker_id)
        finally:
            connections.close_all()
