"""One login lockout for every way in (login page, admin, API token), per account and per client
address, counted before the password is checked (X1)."""

import datetime as dt
import io
import re
import threading
from collections import Counter

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import aauthenticate, authenticate
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import connection
from django.test import Client
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import BaseThrottle

from shouhu.accounts.models import User
from shouhu.accounts.tests.factories import PASSWORD, make_user
from shouhu.common import clock

LOCKED = "登录失败次数过多"
WRONG_LOGIN = "请输入一个正确的用户名和密码"  # Django's own message for a wrong password
CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")  # a masked CSRF token differs on every page


@pytest.fixture(autouse=True)
def _empty_cache():
    """The API token's rate limit (DRF) counts in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password_checks(monkeypatch):
    """How many times a password was actually checked (ModelBackend.authenticate, behind the
    lockout), counted across threads."""
    calls = Counter()
    lock = threading.Lock()
    real = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        with lock:
            calls["checks"] += 1
        return real(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return calls


def _staff(tree) -> User:
    # Staff, so that the admin login lets them in too.
    user = make_user("region_admin", tree.region)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def staff_user(tree):
    return _staff(tree)


# Each door: how to post a login, and how it answers a wrong password, a locked client and a success.
def _page(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _admin(client, username, password, **extra):
    return client.post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def _token(client, username, password, **extra):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, **extra)


def _assert_wrong(door, response):
    if door is _token:
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid"
    else:
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()


def _assert_locked(door, response):
    assert response.status_code == 429
    if door is _token:
        assert response.json() == {
            "error": {"code": "login_locked", "message": "登录失败次数过多，请 15 分钟后再试", "fields": {}}
        }
    else:
        assert "登录失败次数过多，请 15 分钟后再试" in response.content.decode()
        assert "_auth_user_id" not in response.client.session


def _assert_success(door, response):
    if door is _token:
        assert response.status_code == 200
        assert response.json()["token"]
    else:
        assert response.status_code == 302
        assert "_auth_user_id" in response.client.session


DOORS = pytest.mark.parametrize("door", [_page, _admin, _token], ids=["login-page", "admin", "token"])


@DOORS
@pytest.mark.django_db
def test_x1_each_door_locks_after_the_limit_and_refuses_the_right_password_until_the_window_passes(
    client, staff_user, settings, fixed_clock, door, password_checks
):
    assert settings.LOGIN_FAILURE_LIMIT == 5
    assert settings.LOGIN_FAILURE_WINDOW_SECONDS == 900
    for _ in range(5):
        _assert_wrong(door, door(client, staff_user.username, "wrong"))
    _assert_locked(door, door(client, staff_user.username, PASSWORD))
    with clock.frozen(fixed_clock + dt.timedelta(seconds=899)):
        _assert_locked(door, door(client, staff_user.username, PASSWORD))
    assert password_checks["checks"] == 5  # the refused ones were never checked
    with clock.frozen(fixed_clock + dt.timedelta(seconds=900)):
        _assert_success(door, door(client, staff_user.username, PASSWORD))


@DOORS
@pytest.mark.django_db
def test_x1_a_success_resets_the_account(client, staff_user, door):
    for _ in range(4):
        _assert_wrong(door, door(client, staff_user.username, "wrong"))
    _assert_success(door, door(client, staff_user.username, PASSWORD))
    client.logout()
    # From another address, so that only the account's count can lock (and the token's rate
    # limit of 10 a minute per address is not reached).
    for _ in range(5):
        _assert_wrong(door, door(client, staff_user.username, "wrong", REMOTE_ADDR="10.0.0.2"))
    _assert_locked(door, door(client, staff_user.username, PASSWORD, REMOTE_ADDR="10.0.0.2"))


@pytest.mark.django_db
def test_x1_the_doors_share_one_count_and_the_username_is_counted_without_case(client, staff_user):
    username = staff_user.username
    _assert_wrong(_page, _page(client, username, "wrong"))
    _assert_wrong(_admin, _admin(client, username.upper(), "wrong"))
    _assert_wrong(_token, _token(client, username, "wrong"))
    _assert_wrong(_page, _page(client, username.title(), "wrong"))
    assert authenticate(None, username=username, password="wrong") is None  # a shell: per account only
    for door in (_page, _admin, _token):
        _assert_locked(door, door(client, username, PASSWORD, REMOTE_ADDR="10.9.9.9"))


@DOORS
@pytest.mark.django_db
def test_x1_one_address_is_locked_across_different_usernames(client, tree, door):
    users = [_staff(tree) for _ in range(6)]
    for user in users[:5]:
        _assert_wrong(door, door(client, user.username, "wrong", REMOTE_ADDR="203.0.113.5"))
    _assert_locked(door, door(client, users[5].username, PASSWORD, REMOTE_ADDR="203.0.113.5"))
    _assert_success(door, door(Client(), users[5].username, PASSWORD, REMOTE_ADDR="203.0.113.6"))


@DOORS
@pytest.mark.django_db
def test_x1_a_username_that_does_not_exist_is_answered_and_locked_the_same(client, staff_user, door):
    def answers(username: str, address: str) -> list[tuple[int, str]]:
        responses = [door(client, username, "wrong", REMOTE_ADDR=address) for _ in range(6)]
        # The page shows the username typed and a new CSRF token each time; compare the rest.
        return [
            (r.status_code, CSRF_TOKEN.sub("", r.content.decode().replace(username, "NAME")))
            for r in responses
        ]

    existing = answers(staff_user.username, "198.51.100.1")
    missing = answers("nobody-here", "198.51.100.2")
    assert existing == missing
    assert [status for status, _body in existing] == [existing[0][0]] * 5 + [429]


@pytest.mark.django_db
def test_x1_the_login_page_says_wrong_password_before_the_limit_and_locked_after(client, county_user):
    first = _page(client, county_user.username, "wrong")
    assert first.status_code == 200
    assert WRONG_LOGIN in first.content.decode()
    for _ in range(4):
        _page(client, county_user.username, "wrong")
    locked = _page(client, county_user.username, PASSWORD)
    assert WRONG_LOGIN not in locked.content.decode()
    assert LOCKED in locked.content.decode()


@pytest.mark.django_db
def test_x1_an_async_login_meets_the_same_lockout(county_user, password_checks):
    login = async_to_sync(aauthenticate)
    for _ in range(5):
        assert login(None, username=county_user.username, password="wrong") is None
    assert login(None, username=county_user.username, password=PASSWORD) is None
    assert authenticate(None, username=county_user.username, password=PASSWORD) is None
    assert password_checks["checks"] == 5


# --- The client address: a forged X-Forwarded-For counts for nothing unless behind the proxy ---


@DOORS
@pytest.mark.django_db
def test_x1_a_forged_forwarded_for_does_not_escape_the_address_lock(client, tree, settings, door):
    assert settings.SHOUHU_BEHIND_PROXY is False
    users = [_staff(tree) for _ in range(6)]
    for number, user in enumerate(users[:5]):
        forged = f"192.0.2.{number}"
        _assert_wrong(door, door(client, user.username, "wrong", HTTP_X_FORWARDED_FOR=forged))
    _assert_locked(door, door(client, users[5].username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99"))


@pytest.mark.django_db
def test_x1_behind_the_proxy_each_forwarded_client_is_counted_apart(client, tree, settings):
    settings.SHOUHU_BEHIND_PROXY = True
    users = [_staff(tree) for _ in range(6)]
    for user in users[:5]:
        _assert_wrong(_token, _token(client, user.username, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7"))
    _assert_locked(_token, _token(client, users[5].username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7"))
    _assert_success(_token, _token(client, users[5].username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9"))


@pytest.mark.django_db
def test_x1_rotating_forwarded_for_does_not_escape_the_token_rate_limit(client, county_user, settings):
    # Right passwords, so only the rate limit (10 a minute per client) can refuse.
    for number in range(10):
        ok = _token(client, county_user.username, PASSWORD, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
        assert ok.status_code == 200
    throttled = _token(client, county_user.username, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "throttled"
    settings.SHOUHU_BEHIND_PROXY = True
    other = _token(client, county_user.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert other.status_code == 200  # behind the proxy, the header names the client


def test_x1_every_drf_throttle_ignores_a_forged_forwarded_for():
    # NUM_PROXIES follows SHOUHU_BEHIND_PROXY (0 here): DRF keys on the connecting address.
    request = APIRequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert BaseThrottle().get_ident(request) == "10.1.1.1"


def test_x1_every_password_login_goes_through_the_lockout(settings):
    assert settings.AUTHENTICATION_BACKENDS == ["shouhu.accounts.backends.LockoutModelBackend"]


# --- Under concurrency (PostgreSQL) ---


def _race(posts: list) -> list[int]:
    statuses: list[int] = []
    barrier = threading.Barrier(len(posts))

    def run(post) -> None:
        try:
            barrier.wait()
            statuses.append(post().status_code)
        except Exception as error:  # the test reports any crash
            statuses.append(f"CRASH:{type(error).__name__}:{error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(post,)) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_x1_thirty_parallel_guesses_at_one_account_check_at_most_the_limit(staff_user, password_checks):
    doors = [_page, _admin, _token]
    posts = [
        # Each from its own address and through any door: only the account's count can stop them.
        lambda i=i: doors[i % 3](Client(), staff_user.username, "wrong", REMOTE_ADDR=f"10.2.0.{i}")
        for i in range(30)
    ]
    statuses = _race(posts)
    assert password_checks["checks"] == 5
    assert statuses.count(429) == 25, statuses
    assert all(status in (200, 400, 429) for status in statuses), statuses
    _assert_locked(_page, _page(Client(), staff_user.username, PASSWORD, REMOTE_ADDR="10.2.1.1"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_x1_thirty_parallel_guesses_from_one_address_check_at_most_the_limit(tree, password_checks):
    posts = [
        # Each at another username (most of them no account at all), all from one address.
        lambda i=i: _page(Client(), f"guess{i}", "wrong", REMOTE_ADDR="10.3.0.1")
        for i in range(30)
    ]
    statuses = _race(posts)
    assert password_checks["checks"] == 5
    assert statuses.count(429) == 25, statuses
    assert statuses.count(200) == 5, statuses


# --- Expired counters ---


@pytest.mark.django_db
def test_x1_the_nightly_purge_deletes_counters_past_every_window(client, county_user, settings, fixed_clock):
    from django.core.management import call_command

    from shouhu.common.models import AttemptCounter

    _page(client, county_user.username, "wrong")
    assert AttemptCounter.objects.count() == 2  # the account and the address
    with clock.frozen(fixed_clock + dt.timedelta(hours=47)):
        call_command("purge_expired", stdout=io.StringIO())
        assert AttemptCounter.objects.count() == 2
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 72 * 3600  # a longer login window is kept whole
    with clock.frozen(fixed_clock + dt.timedelta(hours=49)):
        call_command("purge_expired", stdout=io.StringIO())
        assert AttemptCounter.objects.count() == 2
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 900
    with clock.frozen(fixed_clock + dt.timedelta(hours=49)):
        out = io.StringIO()
        call_command("purge_expired", stdout=out)
        assert AttemptCounter.objects.count() == 0
        assert "2 条" in out.getvalue()
