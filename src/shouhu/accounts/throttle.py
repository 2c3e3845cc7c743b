"""Failed logins are counted per address and per username in the shared cache."""

from django.conf import settings
from django.core.cache import cache


def _keys(address: str, username: str) -> list[str]:
    return [f"login-fail:addr:{address}", f"login-fail:user:{username.lower()}"]


def is_locked(address: str, username: str) -> bool:
    return any(cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT for key in _keys(address, username))


def record_failure(address: str, username: str) -> None:
    for key in _keys(address, username):
        cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
        cache.incr(key)


def clear(address: str, username: str) -> None:
    cache.delete_many(_keys(address, username))
