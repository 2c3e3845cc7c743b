"""Base class for API endpoints: permission codes declared per method, checked in one place."""

from collections.abc import Mapping
from typing import Any, ClassVar

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shouhu.common.api import StandardPagination
from shouhu.common.permissions import MethodPermission


class ScopedAPIView(APIView):
    """An endpoint whose rows are scoped by selectors and whose methods each need a code.

    `required_perms` maps each HTTP method the class handles to its permission code (or to
    `PUBLIC`/`SIGNED_IN`); `MethodPermission` refuses a method the map does not name."""

    required_perms: ClassVar[Mapping[str, str]] = {}
    permission_classes = [MethodPermission]


def paginated(view: APIView, request: Request, queryset: Any, serializer: type) -> Response:
    """One page of a list endpoint in the standard envelope (count, next, previous, results)."""
    paginator = StandardPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)
