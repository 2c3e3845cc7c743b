"""Tests that need several connections: on SQLite, a file copy of the test database.

The suite's in-memory SQLite database is one shared-cache database whose table locks are not
retried by busy_timeout and fail at once ("database table is locked"); a file in WAL mode with
BEGIN IMMEDIATE (the project's settings) is what a deployment runs, so that is what tests of
locking and races run against. Connections opened after `file_database()` starts (in other
threads) use the copy; the test's own thread keeps the in-memory database.
"""

import contextlib
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.db import connection, connections


@contextlib.contextmanager
def file_database(*, timeout: float) -> Iterator[Path | None]:
    """Yield the copy's path (None on PostgreSQL, which needs no copy); `timeout` is how long a
    connection of the copy waits for the write lock (the deployment's is 20 s)."""
    if connection.vendor != "sqlite":
        yield None
        return
    settings = connections.settings["default"]
    original = settings["NAME"]
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "copy.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
            copy.execute("PRAGMA journal_mode=WAL")  # before the threads: switching mode needs the file alone
        options = settings.setdefault("OPTIONS", {})
        original_timeout = options.get("timeout")
        settings["NAME"] = str(target)
        options["timeout"] = timeout
        try:
            yield target
        finally:
            settings["NAME"] = original
            options["timeout"] = original_timeout


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run `fn` on a connection of its own (the file database on SQLite) and return its result."""
    box: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            box.append(fn())
        except BaseException as error:  # handed to the test's thread below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return box[0]
