"""Guessing a booking code is limited per client address and per code, without a hint (M2).

A wrong code and a wrong phone answer the same; after the limit, even a right pair is refused
until the window ends. The limits are the login limits of the settings.
"""

from django.conf import settings
from django.core.cache import cache


def _keys(address: str, code: str) -> list[str]:
    return [f"marriage-lookup:addr:{address}", f"marriage-lookup:code:{code.upper()[:32]}"]


def is_locked(address: str, code: str) -> bool:
    return any(cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT for key in _keys(address, code))


def record_failure(address: str, code: str) -> None:
    # add + incr, not get + set: parallel guesses must each count, or a burst slips past the limit.
    for key in _keys(address, code):
        if cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)
