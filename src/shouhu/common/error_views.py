"""Error pages: Chinese pages in the site's layout, and the API's one JSON error body under /api/.

DRF answers errors raised inside its views itself (`shouhu.common.api.exception_handler`); these
handlers answer what never reaches a DRF view — an unknown /api/ address, an unhandled exception,
a failed CSRF check — so an API client never gets an HTML page either.
"""

import base64
import hashlib
import re

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults

from .api import MESSAGES_BY_CODE, error_body
from .bounds import InvalidQuery

API_PREFIX = "/api/"
SERVER_ERROR_MESSAGE = "服务器内部错误，请稍后再试"
BAD_REQUEST_MESSAGE = "请求无效"


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


def server_error(request: HttpRequest) -> HttpResponse:
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
