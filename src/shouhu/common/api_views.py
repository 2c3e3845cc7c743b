"""Base classes for API endpoints: permission codes checked in one place."""

from typing import Any, ClassVar

from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.views import APIView


class ScopedAPIView(APIView):
    """An endpoint that needs one Shouhu permission code (rows are scoped by selectors)."""

    required_code: ClassVar[str] = ""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.required_code and not request.user.has_code(self.required_code):
            raise PermissionDenied
