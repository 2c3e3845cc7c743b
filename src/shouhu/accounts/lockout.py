"""One login lockout for every way in: the login form, the admin login, the API token.

Each of them calls `django.contrib.auth.authenticate`, and the lockout lives there, in the
authentication backend (`accounts.backends.LockoutModelBackend`): an attempt is counted per
account (the username, case-insensitive, whether or not the account exists) and per client
address *before* the password is checked, in one atomic step (`common.attempts`). A burst of
parallel guesses is thus counted one by one, and once either count is at the limit the
password is not checked at all, even a right one, until the window has passed since the last
counted attempt. A proven password clears both counts, so the clerks of one office behind
one address do not lock each other out by logging in.

The doors ask `refused(request)` after a failed authentication to tell a lockout from a
wrong password: a locked client is answered with `message()` and HTTP 429, a wrong password
before the limit as before.
"""

import math
import unicodedata
import weakref

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shouhu.common import attempts
from shouhu.common.clients import client_address
from shouhu.common.errors import DomainError

# The requests the backend refused in this process: weak, so a finished request is forgotten.
# A set rather than an attribute on the request: the API's request is DRF's wrapper, and the
# token view must see what the backend marked on that very object.
_refused: "weakref.WeakSet[object]" = weakref.WeakSet()


class LoginLocked(DomainError):
    """The API's answer to a locked client (the error body with HTTP 429)."""

    status_code = 429


def _account_limit() -> attempts.Limit:
    return attempts.Limit(
        "login-account", settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_FAILURE_WINDOW_SECONDS
    )


def _address_limit() -> attempts.Limit:
    return attempts.Limit(
        "login-address", settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_FAILURE_WINDOW_SECONDS
    )


def account_key(username: str) -> str:
    """The account as counted: "Zhang", "ZHANG" and a full-width "Ｚｈａｎｇ" are one account."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def _address(request: HttpRequest | None) -> str:
    # A call without a request (a shell, a script) is counted per account only.
    return client_address(request) if request is not None else ""


def attempt_reserve(request: HttpRequest | None, username: str) -> bool:
    """Count one login attempt for the account and the client address; False (and nothing
    counted, the request marked as refused) when either is at the limit."""
    taken = attempts.attempt_take(
        [(_account_limit(), account_key(username)), (_address_limit(), _address(request))]
    )
    if not taken and request is not None:
        _refused.add(request)
    return taken


def attempts_forget(request: HttpRequest | None, username: str) -> None:
    """After a proven password: the account's and the address's attempts were honest."""
    attempts.attempts_clear(_account_limit(), account_key(username))
    attempts.attempts_clear(_address_limit(), _address(request))


def refused(request: object) -> bool:
    """Whether the lockout refused this request's login (rather than a wrong password)."""
    return request in _refused


def message() -> str:
    minutes = max(1, math.ceil(settings.LOGIN_FAILURE_WINDOW_SECONDS / 60))
    return _("登录失败次数过多，请 %(minutes)d 分钟后再试") % {"minutes": minutes}


def locked_error() -> LoginLocked:
    return LoginLocked(message(), code="login_locked")
