"""Base classes for API endpoints: permission codes checked in one place."""

from typing import Any, ClassVar

from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shouhu.common.api import StandardPagination


class ScopedAPIView(APIView):
    """An endpoint that needs one Shouhu permission code (rows are scoped by selectors)."""

    required_code: ClassVar[str] = ""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not self.required_code:
            return
        user = request.user
        # Anonymous requests were already turned away by IsAuthenticated (the default permission).
        if not user.is_authenticated or not user.has_code(self.required_code):
            raise PermissionDenied


def paginated(view: APIView, request: Request, queryset: Any, serializer: type) -> Response:
    """One page of a list endpoint in the standard envelope (count, next, previous, results)."""
    paginator = StandardPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)
