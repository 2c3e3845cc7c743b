"""The client's address, the one every limit per client is keyed on (logins, public pages)."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind the reverse proxy (SHOUHU_BEHIND_PROXY) REMOTE_ADDR is the
    proxy itself, so the proxy's X-Forwarded-For, which it overwrites with the client's
    address, is used; otherwise that header is ignored, as a client could forge it."""
    if settings.SHOUHU_BEHIND_PROXY:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")
