"""Middleware of the project (settings.MIDDLEWARE)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

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
