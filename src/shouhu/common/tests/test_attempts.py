"""The attempt counter lets no more than its limit through, even when requests arrive together."""

import datetime as dt
import threading

import pytest
from django.db import connection

from shouhu.common import attempts, clock
from shouhu.common.models import AttemptCounter

LOGIN = attempts.Limit(scope="test-login", limit=3, window_seconds=600)
SENDS = attempts.Limit(scope="test-sends", limit=2, window_seconds=600)


@pytest.mark.django_db
def test_x1_attempts_stop_at_the_limit_and_count_nothing_once_refused():
    assert [attempts.attempt_take([(LOGIN, "alice")]) for _ in range(5)] == [True, True, True, False, False]
    assert attempts.attempts_left(LOGIN, "alice") == 0
    assert AttemptCounter.objects.get(scope="test-login").count == 3
    assert attempts.attempt_take([(LOGIN, "bob")])


@pytest.mark.django_db
def test_x1_any_key_at_its_limit_refuses_and_the_others_are_not_counted():
    assert attempts.attempt_take([(SENDS, "13800000000"), (LOGIN, "10.0.0.1")])
    assert attempts.attempt_take([(SENDS, "13800000000"), (LOGIN, "10.0.0.1")])
    assert not attempts.attempt_take([(SENDS, "13800000000"), (LOGIN, "10.0.0.1")])
    assert attempts.attempts_left(LOGIN, "10.0.0.1") == 1


@pytest.mark.django_db
def test_x1_the_window_runs_from_the_last_attempt(fixed_clock):
    for _ in range(3):
        attempts.attempt_take([(LOGIN, "alice")])
    with clock.frozen(fixed_clock + dt.timedelta(seconds=599)):
        assert not attempts.attempt_take([(LOGIN, "alice")])
    with clock.frozen(fixed_clock + dt.timedelta(seconds=600)):
        assert attempts.attempt_take([(LOGIN, "alice")])
        assert attempts.attempts_left(LOGIN, "alice") == 2


@pytest.mark.django_db
def test_x2_counters_hold_no_phone_or_id_number_and_are_purged(fixed_clock):
    attempts.attempt_take([(SENDS, "13800138000")])
    row = AttemptCounter.objects.get()
    assert "13800138000" not in row.key_digest
    attempts.attempts_clear(SENDS, "13800138000")
    assert not AttemptCounter.objects.exists()
    attempts.attempt_take([(SENDS, "13800138000")])
    with clock.frozen(fixed_clock + dt.timedelta(seconds=601)):
        assert attempts.attempts_purge(older_than_seconds=600) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_x1_a_burst_of_parallel_attempts_lets_only_the_limit_through():
    results: list[bool] = []
    barrier = threading.Barrier(12)

    def run() -> None:
        try:
            barrier.wait()
            results.append(attempts.attempt_take([(LOGIN, "alice"), (SENDS, "10.0.0.9")]))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 10 + [True] * 2
