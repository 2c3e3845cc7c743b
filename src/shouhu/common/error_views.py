"""Error pages: Chinese pages in the site's layout, and the API's one JSON error body under /api/.

DRF answers errors raised inside its views itself (`shouhu.common.api.exception_handler`); these
handlers answer what never reaches a DRF view — an unknown /api/ address, an unhandled exception,
a failed CSRF check — so an API client never gets an HTML page either.

A busy database is not a server error. On SQLite one writer at a time holds the database; a
request that waited the busy timeout (20 s) for a long import to finish meets "database is
locked". That request, and only that one, is answered 503 with `Retry-After` and a Chinese
"please retry", on pages and in the API alike: by `DatabaseBusyMiddleware` when a view raised it,
by `server_error` when a middleware did (saving the session).
"""

import base64
import hashlib
import logging
import re
import sqlite3
import sys
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from .api import MESSAGES_BY_CODE, error_body
from .bounds import InvalidQuery

API_PREFIX = "/api/"
SERVER_ERROR_MESSAGE = "服务器内部错误，请稍后再试"
BAD_REQUEST_MESSAGE = "请求无效"
BUSY_RETRY_AFTER_SECONDS = 10

logger = logging.getLogger(__name__)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    # As DRF's renderer does: UTF-8 Chinese, not \u escapes.
    return JsonResponse(error_body(code, message), status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, InvalidQuery):
        # A query parameter out of range: say which one and why (it holds nothing of anyone's).
        if _is_api(request):
            body = error_body("invalid", exception.message, exception.field_errors)
            return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
        return HttpResponseBadRequest(loader.render_to_string("400.html", {"reason": exception.message}))
    if _is_api(request):
        return _api_error("bad_request", BAD_REQUEST_MESSAGE, 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _api_error("permission_denied", MESSAGES_BY_CODE["permission_denied"], 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _api_error("not_found", MESSAGES_BY_CODE["not_found"], 404)
    return defaults.page_not_found(request, exception)


def is_database_busy(error: BaseException | None) -> bool:
    """SQLite's "database is locked" (SQLITE_BUSY: another writer held the lock past the busy
    timeout), as Django raises it or as sqlite3 does. Any other OperationalError is not."""
    cause = error.__cause__ if isinstance(error, OperationalError) else error
    if not isinstance(cause, sqlite3.OperationalError):
        return False
    return getattr(cause, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY


def database_busy(request: HttpRequest) -> HttpResponse:
    logger.warning("Database busy: %s %s answered 503", request.method, request.path)
    response: HttpResponse
    if _is_api(request):
        response = _api_error("database_busy", _("系统繁忙，请稍后重试"), 503)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Turns a view's "database is locked" into the 503 of `database_busy` (last in MIDDLEWARE,
    so it sees the view's exception first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return database_busy(request) if is_database_busy(exception) else None


def server_error(request: HttpRequest) -> HttpResponse:
    if is_database_busy(sys.exc_info()[1]):
        return database_busy(request)  # raised outside a view, e.g. while saving the session
    if _is_api(request):
        return _api_error("server_error", SERVER_ERROR_MESSAGE, 500)
    response = defaults.server_error(request)
    response["Content-Security-Policy"] = _server_error_policy(response.content.decode())
    return response


STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _server_error_policy(html: str) -> str:
    """500.html stands alone (no static files: whatever failed may be among them) with its CSS
    inline, so it gets its own policy, which allows that style block by its hash and nothing else
    (the site's policy, set by the middleware only where no policy is set yet, allows no inline
    style)."""
    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'"
        for block in STYLE_BLOCK.findall(html)
    ]
    style = " ".join(hashes) or "'none'"
    return (
        f"default-src 'none'; style-src {style}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a stale or foreign form, explained in Chinese (never the DEBUG hint).

    The middleware has already logged the reason; the page renders a fresh token, so reloading
    the form and submitting again works.
    """
    if _is_api(request):
        return _api_error("permission_denied", MESSAGES_BY_CODE["permission_denied"], 403)
    return render(request, "403_csrf.html", status=403)
