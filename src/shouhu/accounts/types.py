"""Request types for views that only ever see a signed-in user.

`request.user` is typed `User | AnonymousUser`. Behind `@login_required` (pages) or a
permission code (API, `common.permissions.MethodPermission`) it is always a `User`; annotating
`request` with these classes says so to the type checker. They are never instantiated. They
live beside `User`: `common`, below every app, cannot name it.
"""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

if TYPE_CHECKING:
    # Imported for type checking only: models must not load while apps are being set up.
    from shouhu.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    """A Django request whose user is signed in (views under `@login_required`)."""

    user: "User"
    htmx: HtmxDetails


class AuthedRequest(Request):
    """A DRF request whose user is signed in (endpoints that need a permission code)."""

    user: "User"
