from django.core.exceptions import PermissionDenied

from shouhu.common.types import AuthedHttpRequest


def require(request: AuthedHttpRequest, code: str) -> None:
    """Pages: 403 unless the user's role carries the permission code (rows are scoped apart)."""
    if not request.user.has_code(code):
        raise PermissionDenied
