"""The outbox API for staff: list messages (masked) and re-send one."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.common import bounds
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.notifications import selectors, services
from shouhu.notifications.models import MessageStatus
from shouhu.notifications.permissions import NotificationPerm

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]


class MessageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    kind = serializers.CharField()
    phone_masked = serializers.CharField()
    body = serializers.CharField()
    status = serializers.ChoiceField(choices=MessageStatus.choices)
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    created_at = bounds.ApiDateTimeField()
    sent_at = bounds.ApiDateTimeField(allow_null=True)


class MessageFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=MessageStatus.choices, required=False)


class MessageListApi(ScopedAPIView):
    required_perms = {"GET": NotificationPerm.VIEW}

    @extend_schema(
        parameters=[MessageFilterInput, *PAGE_PARAMETERS],
        responses=MessageOutput(many=True),
        summary="短信发件箱",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = MessageFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        messages = selectors.message_list(
            viewer=request.user,
            filters=selectors.OutboxFilters(status=filters.validated_data.get("status", "")),
        )
        return paginated(self, request, messages, MessageOutput)


class MessageResendApi(ScopedAPIView):
    required_perms = {"POST": NotificationPerm.RESEND}

    @extend_schema(request=None, responses=MessageOutput, summary="重新发送短信")
    def post(self, request: AuthedRequest, outbox_message_id: int) -> Response:
        message = selectors.access_message(request.user, outbox_message_id)
        return Response(MessageOutput(services.message_resend(actor=request.user, message=message)).data)
