"""Middleware of the project (settings.MIDDLEWARE)."""

import ipaddress
from collections.abc import Callable

from auditlog.cid import set_cid
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

from shouhu.common.audit import request_context
from shouhu.common.clients import client_address
from shouhu.common.error_views import API_PREFIX


class PrivateResponsesMiddleware:
    """Nothing shown to a signed-in user is kept by the browser or any cache on the way.

    Pages, exports and API answers to a signed-in user carry names, ID numbers and phones: with
    `Cache-Control: no-store, private` the back button on a shared office computer, after the
    clerk has logged out, shows nothing, and no proxy keeps a copy. It looks at the user after
    the view has run, so a DRF token user counts too. Public pages keep their own `never_cache`
    (merged, never weakened); static files are answered by WhiteNoise before this runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


PAGE_METHODS = ["GET", "HEAD", "POST"]


class PageMethodsMiddleware:
    """Pages answer what a browser's links and forms send: GET, HEAD and POST.

    A page view written `if request.method == "POST": …` answers PUT or DELETE as if it were a
    GET, which hides a missing permission check behind a harmless-looking 200. Those methods
    belong to the API, whose classes declare the permission code of each method they take
    (common.permissions); pages refuse them here, once, with 405."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in PAGE_METHODS and not request.path.startswith(API_PREFIX):
            return HttpResponseNotAllowed(PAGE_METHODS)
        return self.get_response(request)


class AuditMiddleware:
    """django-auditlog's AuditlogMiddleware, with the client's address as every limit sees it.

    Changes made while a request is handled are audited with its user, its client's address and
    port and its correlation id, as auditlog's own middleware does, and `acting_as` and the bulk
    entries (`common.audit`) find the address here without reading auditlog's internals. The
    address is `client_address`'s: X-Forwarded-For only behind our proxy (auditlog trusts any
    client's header), an IPv6 client as its /64 (the network's first address, as the address
    column holds addresses). The user is the session's: a token's is named by the services.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        if not isinstance(settings.AUDITLOG_DISABLE_REMOTE_ADDR, bool):
            raise TypeError("Setting 'AUDITLOG_DISABLE_REMOTE_ADDR' must be a boolean")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        set_cid(request)
        try:
            with request_context(
                actor=_session_user(request),
                remote_addr=_audited_address(request),
                remote_port=_forwarded_port(request),
            ):
                return self.get_response(request)
        finally:
            set_cid()  # no id for what the thread does next outside a request (a task, a command)


def _session_user(request: HttpRequest) -> object | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, get_user_model()) and user.is_authenticated else None


def _audited_address(request: HttpRequest) -> str | None:
    if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
        return None
    try:
        return str(ipaddress.ip_network(client_address(request), strict=False).network_address)
    except ValueError:
        return None  # no address, or not one (a test client's, a broken proxy's)


def _forwarded_port(request: HttpRequest) -> int | None:
    # The header is the proxy's only behind it; otherwise any client could write it.
    if not settings.SHOUHU_BEHIND_PROXY:
        return None
    try:
        port = int(request.headers.get("X-Forwarded-Port", ""))
    except ValueError:
        return None
    return port if 0 <= port <= 65535 else None
