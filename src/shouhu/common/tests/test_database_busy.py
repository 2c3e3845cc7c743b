"""X4 on SQLite: a long import does not turn other users' writes into server errors.

SQLite has one write lock for the whole database. A dry run takes it a chunk at a time and lets
waiting writers in between; the import itself must stay one transaction (all or nothing), so a
request that waits past the busy timeout is told "系统繁忙，请稍后重试" with a 503, never a 500.
These run on a file copy of the test database (common.tests.databases), as deployed.
"""

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from shouhu.accounts.tests.factories import PASSWORD
from shouhu.common import error_views, importing
from shouhu.common.importing import importer_for, run_import
from shouhu.common.tabular import read_table
from shouhu.common.tests.databases import file_database, in_thread
from shouhu.people.models import Person
from shouhu.people.tests.test_import import _csv, _rows

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's write lock covers the database"
)

BUSY = "系统繁忙，请稍后重试"


@contextlib.contextmanager
def write_locked(path: Path) -> Iterator[None]:
    """Another connection holds the write lock, as a long import does."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def _login(username: str):
    return Client().post("/accounts/login/", {"username": username, "password": PASSWORD})


@pytest.mark.django_db(transaction=True)
def test_x4_a_login_while_the_database_is_held_is_told_to_retry_not_a_500(county_user):
    with file_database(timeout=0.3) as path:
        assert path is not None
        with write_locked(path):
            refused = in_thread(lambda: _login(county_user.username))
        after = in_thread(lambda: _login(county_user.username))
    assert refused.status_code == 503
    assert refused["Retry-After"] == str(error_views.BUSY_RETRY_AFTER_SECONDS)
    html = refused.content.decode()
    assert BUSY in html
    assert "Traceback" not in html
    assert "OperationalError" not in html
    assert after.status_code == 302  # once the lock is free, the same login goes through


@pytest.mark.django_db(transaction=True)
def test_x4_x7_an_api_write_while_the_database_is_held_gets_the_error_body_with_503(county_user):
    def token():
        return Client().post(
            "/api/v1/auth/token/",
            {"username": county_user.username, "password": PASSWORD},
            content_type="application/json",
        )

    with file_database(timeout=0.3) as path:
        assert path is not None
        with write_locked(path):
            refused = in_thread(token)
    assert refused.status_code == 503
    assert refused["Retry-After"] == str(error_views.BUSY_RETRY_AFTER_SECONDS)
    assert refused.json() == {"error": {"code": "database_busy", "message": BUSY, "fields": {}}}


@pytest.mark.django_db(transaction=True)
def test_x4_only_the_lock_error_is_a_503_other_database_errors_stay_500(county_user, tmp_path):
    with connection.cursor() as cursor, pytest.raises(OperationalError) as missing:
        cursor.execute("SELECT * FROM no_such_table")
    assert not error_views.is_database_busy(missing.value)
    first = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    second = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None, timeout=0)
    first.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError) as locked:
        second.execute("BEGIN IMMEDIATE")
    first.execute("ROLLBACK")
    assert error_views.is_database_busy(locked.value)
    wrapped = OperationalError(str(locked.value))
    wrapped.__cause__ = locked.value
    assert error_views.is_database_busy(wrapped)

    # Raised outside a view (a middleware saving the session): the 500 handler answers 503.
    request = RequestFactory().post("/accounts/login/")
    try:
        raise wrapped
    except OperationalError:
        busy = error_views.server_error(request)
    try:
        raise missing.value
    except OperationalError:
        broken = error_views.server_error(request)
    assert (busy.status_code, broken.status_code) == (503, 500)
    assert BUSY in busy.content.decode()


@pytest.mark.django_db(transaction=True)
def test_x4_a_dry_run_lets_another_writer_in_between_its_chunks(tree, county_user, monkeypatch):
    """The finding: a 45,000-row dry run held the write lock throughout and logins failed."""
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    monkeypatch.setattr(importing, "DRY_RUN_HOLD_SECONDS", 0)  # pause after every chunk
    importer = importer_for("people")
    real_import_rows = importer.import_rows
    other_got_in = threading.Event()
    other_failed: list[str] = []
    seen_in_chunks: list[bool] = []
    table = read_table("p.csv", _csv(_rows(tree, 6)), required_headers=["姓名"])

    with file_database(timeout=10) as path:
        assert path is not None

        def other_writer() -> None:
            other = sqlite3.connect(path, isolation_level=None, timeout=5)
            try:
                other.execute("BEGIN IMMEDIATE")
                other_got_in.set()
                other.execute("ROLLBACK")
            except sqlite3.OperationalError as error:
                other_failed.append(str(error))
            finally:
                other.close()

        writer = threading.Thread(target=other_writer)

        def import_rows(**kwargs):
            results = real_import_rows(**kwargs)
            if not seen_in_chunks:  # inside the first chunk: the lock is held, the writer waits
                writer.start()
                time.sleep(0.3)
            seen_in_chunks.append(other_got_in.is_set())
            return results

        monkeypatch.setattr(importer, "import_rows", import_rows)
        report = in_thread(
            lambda: run_import(importer=importer, actor=county_user, table=table, dry_run=True)
        )
        writer.join()
        written = in_thread(Person.objects.count)
    assert other_failed == []
    assert seen_in_chunks == [False, True, True]  # it got in after the first chunk, not at the end
    assert (report.created, report.written, written) == (6, False, 0)
