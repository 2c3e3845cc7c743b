"""The authentication backend: Django's ModelBackend behind the login lockout (accounts.lockout)."""

from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from shouhu.accounts import lockout
from shouhu.accounts.models import User


class LockoutModelBackend(ModelBackend):
    """Checks a password only after an attempt was counted for its account and client address.

    It is the only backend (settings.AUTHENTICATION_BACKENDS), so every caller of
    `authenticate()` meets it: the login form, the admin login, the token endpoint. When the
    attempt is refused it raises PermissionDenied, which makes `authenticate()` stop without
    asking any other backend and answer None; `lockout.refused(request)` then tells the door.
    A backend added later must be guarded the same way, or it would be a way around the lockout.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None  # not a password login: ModelBackend would not check anything either
        if not lockout.attempt_reserve(request, username):
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            lockout.attempts_forget(request, username)
        return user

    async def aauthenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        # ModelBackend's own async version checks the password without calling authenticate():
        # an async login would have gone around the lockout.
        return await sync_to_async(self.authenticate)(request, username=username, password=password, **kwargs)
