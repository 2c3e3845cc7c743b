"""Middleware of the project (settings.MIDDLEWARE)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


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
