"""The task worker the services run: django-tasks-db's `db_worker`, with all its options, plus a
heartbeat and the recovery of dead workers' tasks (common.workers)."""

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from shouhu.common.workers import Heartbeat


class Command(DbWorkerCommand):
    help = "运行后台任务（db_worker 的全部选项），记录心跳，并接手已停止的工作进程留下的任务"

    def handle(self, *args: Any, **options: Any) -> None:
        # With --reload this process only restarts a child on code changes; the child runs the
        # tasks, so the child beats (a restarted child takes over the task its predecessor left).
        reload_parent = (
            options["reload"] and not options["batch"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        )
        if reload_parent:
            super().handle(*args, **options)
            return
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
