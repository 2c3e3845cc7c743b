from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.alerts import selectors, services
from shouhu.alerts.models import AlertDelivery, Severity
from shouhu.alerts.permissions import AlertPerm
from shouhu.common import bounds
from shouhu.common.api import ErrorSerializer, StandardPagination
from shouhu.common.api_views import ScopedAPIView


class AlertOutput(serializers.Serializer):
    """One alert as its recipient sees it: the alert and their own read/acknowledged state."""

    id = serializers.IntegerField(source="alert.pk")
    # A declared field, not Field.source: DRF's serializer metaclass takes declared fields out of the
    # class's attributes when the class is made, and the key in the body must be "source" like the
    # model's field.
    source = serializers.CharField(source="alert.source")  # type: ignore[assignment]
    source_label = serializers.CharField(source="alert.source_label")
    kind = serializers.CharField(source="alert.kind")
    kind_label = serializers.CharField(source="alert.kind_label")
    severity = serializers.ChoiceField(source="alert.severity", choices=Severity.choices)
    title = serializers.CharField(source="alert.title")
    body = serializers.CharField(source="alert.body")
    unit = serializers.IntegerField(source="alert.unit_id")
    unit_name = serializers.CharField(source="alert.unit.name")
    link = serializers.CharField(source="alert.link")
    object_type = serializers.CharField(source="alert.object_type", allow_null=True)
    object_id = serializers.IntegerField(source="alert.object_id", allow_null=True)
    raised_at = bounds.ApiDateTimeField(source="alert.raised_at")
    is_open = serializers.BooleanField(source="alert.is_open")
    resolved_at = bounds.ApiDateTimeField(source="alert.resolved_at", allow_null=True)
    delivered_at = bounds.ApiDateTimeField()
    read_at = bounds.ApiDateTimeField(allow_null=True)
    acknowledged_at = bounds.ApiDateTimeField(allow_null=True)
    ack_note = serializers.CharField()


class AlertFilterInput(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)
    unacknowledged = serializers.BooleanField(required=False, default=False)
    kind = serializers.CharField(required=False, default="", allow_blank=True, max_length=64)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, default="", allow_blank=True)


class AlertListApi(ScopedAPIView):
    """The signed-in user's own alerts; nobody sees another user's inbox."""

    required_perms = {"GET": AlertPerm.INBOX}

    @extend_schema(
        parameters=[AlertFilterInput, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=AlertOutput(many=True),
        summary="我的提醒（最新在前）",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = AlertFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        deliveries = selectors.inbox(
            viewer=request.user, filters=selectors.InboxFilters(**filters.validated_data)
        )
        paginator = StandardPagination()
        page = paginator.paginate_queryset(deliveries, request, view=self)
        return paginator.get_paginated_response(AlertOutput(page, many=True).data)


class UnreadCountOutput(serializers.Serializer):
    unread = serializers.IntegerField()


class UnreadCountApi(ScopedAPIView):
    """How many of the user's alerts are unread (the header badge)."""

    required_perms = {"GET": AlertPerm.INBOX}

    @extend_schema(responses=UnreadCountOutput, summary="我的未读提醒数")
    def get(self, request: AuthedRequest) -> Response:
        return Response(UnreadCountOutput({"unread": selectors.unread_count(viewer=request.user)}).data)


class AlertDetailApi(ScopedAPIView):
    """One alert delivered to the user; any other id answers 404, existing or not."""

    required_perms = {"GET": AlertPerm.INBOX}

    @extend_schema(responses=AlertOutput, summary="提醒详情（只限发给自己的）")
    def get(self, request: AuthedRequest, alert_id: int) -> Response:
        return Response(AlertOutput(selectors.access_delivery(request.user, alert_id)).data)


class AlertReadApi(ScopedAPIView):
    """Mark the user's copy read; reading again keeps the first time."""

    required_perms = {"POST": AlertPerm.INBOX}

    @extend_schema(request=None, responses=AlertOutput, summary="标为已读")
    def post(self, request: AuthedRequest, alert_id: int) -> Response:
        delivery: AlertDelivery = selectors.access_delivery(request.user, alert_id)
        delivery = services.alert_mark_read(actor=request.user, delivery=delivery)
        return Response(AlertOutput(delivery).data)


class AcknowledgeInput(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class AlertAcknowledgeApi(ScopedAPIView):
    """Confirm receipt, with an optional note; a second confirmation answers 409."""

    required_perms = {"POST": AlertPerm.INBOX}

    @extend_schema(
        request=AcknowledgeInput,
        responses={200: AlertOutput, 409: ErrorSerializer},
        summary="确认收到（可附说明）",
    )
    def post(self, request: AuthedRequest, alert_id: int) -> Response:
        delivery = selectors.access_delivery(request.user, alert_id)
        data = AcknowledgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        delivery = services.alert_acknowledge(
            actor=request.user, delivery=delivery, note=data.validated_data["note"]
        )
        return Response(AlertOutput(delivery).data)
