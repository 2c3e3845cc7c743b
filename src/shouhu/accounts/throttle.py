"""Failed logins are counted per client address and per username in the shared cache."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def _keys(address: str, username: str) -> list[str]:
    return [f"login-fail:addr:{address}", f"login-fail:user:{username.lower()}"]


def is_locked(address: str, username: str) -> bool:
    return any(cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT for key in _keys(address, username))


def record_failure(address: str, username: str) -> None:
    # set() with the window each time: the database cache's incr() would reset it to 300 s.
    for key in _keys(address, username):
        cache.set(key, cache.get(key, 0) + 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def clear(address: str, username: str) -> None:
    cache.delete_many(_keys(address, username))


def client_address(request: HttpRequest) -> str:
    """The client's address. Behind the reverse proxy (SHOUHU_BEHIND_PROXY) REMOTE_ADDR is the
    proxy itself, so the proxy's X-Forwarded-For, which it overwrites with the client's
    address, is used; otherwise that header is ignored, as a client could forge it."""
    if settings.SHOUHU_BEHIND_PROXY:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")
