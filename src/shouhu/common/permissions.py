"""Permission codes checked in one place: pages call `require`, API classes declare theirs.

An API class says which code each HTTP method needs (`required_perms = {"GET": X.VIEW,
"POST": X.CREATE}`); `MethodPermission`, the API's default permission, reads it. A handler
whose method the map does not name is refused, so one added without its code answers 403 rather
than serving everyone. Which *rows* a user reaches is still the selectors' business.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

if TYPE_CHECKING:
    # DRF reads this module while `rest_framework.views` is still loading (a default setting).
    from rest_framework.views import APIView

# Not permission codes: what an endpoint that needs no role declares, said out loud so that a
# missing declaration is never mistaken for an open door.
PUBLIC = "public"  # anyone, signed in or not (the token exchange, the public pages' API)
SIGNED_IN = "signed_in"  # any signed-in user, whatever their role (their own account)

# HEAD is GET without the body: it needs what GET needs.
SAME_AS = {"HEAD": "GET"}


@runtime_checkable
class HoldsCodes(Protocol):
    """A user whose role carries permission codes (`accounts.User`)."""

    def has_code(self, code: str) -> bool: ...


def holds(user: object, code: str) -> bool:
    """Whether `user` may do what `code` allows (`PUBLIC`/`SIGNED_IN` included)."""
    if code == PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return code == SIGNED_IN or (isinstance(user, HoldsCodes) and user.has_code(code))


def require(request: HttpRequest, code: str) -> None:
    """Pages: 403 unless the user's role carries the permission code (rows are scoped apart)."""
    if not holds(request.user, code):
        raise PermissionDenied


def require_to_post(request: HttpRequest, code: str) -> None:
    """Pages that show a list or a record and, to those who may, a form on the same page: a
    POST needs the write code (403), where a GET needs only the page's read code."""
    if request.method == "POST":
        require(request, code)


def required_perms(view: object) -> Mapping[str, str]:
    """The codes an API class declares, by upper-case HTTP method."""
    return getattr(view, "required_perms", {})


class MethodPermission(BasePermission):
    """The code the view declares for the request's method; a handler without one is refused.

    OPTIONS describes the endpoint: it is answered to whoever may use one of its methods, and
    DRF's metadata then asks this class again for each method it describes."""

    def has_permission(self, request: Request, view: "APIView") -> bool:
        declared = required_perms(view)
        method = SAME_AS.get(request.method or "", request.method or "")
        if method == "OPTIONS":
            return any(holds(request.user, code) for code in declared.values())
        code = declared.get(method)
        if code is None:
            # A method the class does not handle is DRF's 405, the same for everyone; one it
            # handles without declaring a code is refused.
            return not hasattr(view, method.lower())
        return holds(request.user, code)
