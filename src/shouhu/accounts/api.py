from typing import Any

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from shouhu.accounts import lockout, services
from shouhu.accounts.types import AuthedRequest
from shouhu.common.api_views import ScopedAPIView
from shouhu.common.clients import client_address
from shouhu.common.permissions import PUBLIC, SIGNED_IN, MethodPermission


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    unit_id = serializers.IntegerField(allow_null=True)
    unit_name = serializers.CharField(allow_null=True)
    permissions = serializers.ListField(child=serializers.CharField())


class MeApi(ScopedAPIView):
    required_perms = {"GET": SIGNED_IN}

    @extend_schema(responses=MeOutput, summary="当前用户")
    def get(self, request: AuthedRequest) -> Response:
        user = request.user
        return Response(
            MeOutput(
                {
                    "id": user.pk,
                    "username": user.username,
                    "display_name": user.display_name,
                    "role": user.role,
                    "role_label": user.role_label,
                    "unit_id": user.unit_id,
                    "unit_name": user.unit.name if user.unit is not None else None,
                    "permissions": sorted(user.permission_codes),
                }
            ).data
        )


class LoginThrottle(AnonRateThrottle):
    """Token requests per client address, whatever the outcome (the lockout counts failures)."""

    scope = "login"

    def get_ident(self, request: Request) -> str:
        # The same address as the lockout's: X-Forwarded-For only from the proxy that writes it.
        return client_address(request)


# The answer is a credential, asked for before anyone is signed in: PrivateResponsesMiddleware
# does not see a user, so the view says itself that nothing may keep it.
@method_decorator(never_cache, name="dispatch")
class TokenApi(ObtainAuthToken):
    """Exchange a username and password for an API token (rate-limited, behind the login lockout)."""

    throttle_classes = [LoginThrottle]
    authentication_classes: list = []
    permission_classes = [MethodPermission]
    required_perms = {"POST": PUBLIC}

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if lockout.refused(request):
                raise lockout.locked_error()
            raise ValidationError(serializer.errors)
        return Response({"token": services.api_token_issue(user=serializer.validated_data["user"])})
