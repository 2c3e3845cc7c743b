"""The marriage API for staff: bookings (list, detail, book for a couple, cancel, check in) and
non-compliance reports (list, close) and where they go. The public books through the pages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.campaigns.permissions import CampaignPerm
from shouhu.common import bounds
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.common.errors import DomainError
from shouhu.marriage import selectors, services
from shouhu.marriage.forms import PARTY_ID_TYPES
from shouhu.marriage.models import BookingStatus, NonComplianceReport, RecipientKind, ReportStatus
from shouhu.marriage.permissions import MarriagePerm

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]


class PartyOutput(serializers.Serializer):
    role = serializers.CharField()
    name = serializers.CharField()
    id_type = serializers.CharField(source="person.id_type")
    id_number_masked = serializers.CharField(source="person.id_number_masked")
    phone_masked = serializers.CharField()
    is_hmt = serializers.BooleanField()


class BookingOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    date = bounds.ApiDateField()
    starts_at = serializers.TimeField(source="slot.starts_at")
    ends_at = serializers.TimeField(source="slot.ends_at")
    status = serializers.ChoiceField(choices=BookingStatus.choices)
    offer_expires_at = bounds.ApiDateTimeField(allow_null=True)
    parties = PartyOutput(many=True, source="parties.all")


class BookingFilterInput(serializers.Serializer):
    unit = ObjectIdField(required=False)
    date = bounds.ApiDateField(required=False)
    status = serializers.ChoiceField(choices=BookingStatus.choices, required=False)


class BookingListApi(ScopedAPIView):
    required_perms = {"GET": MarriagePerm.VIEW}

    @extend_schema(
        parameters=[BookingFilterInput, *PAGE_PARAMETERS],
        responses=BookingOutput(many=True),
        summary="婚姻登记预约列表",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = BookingFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        bookings = selectors.booking_list(
            viewer=request.user,
            filters=selectors.BookingFilters(
                unit=data.get("unit"), date=data.get("date"), status=data.get("status", "")
            ),
        )
        return paginated(self, request, bookings, BookingOutput)


class PartyInput(serializers.Serializer):
    name = serializers.CharField(max_length=30)
    id_type = serializers.ChoiceField(choices=PARTY_ID_TYPES)
    id_number = serializers.CharField(max_length=30)
    phone = serializers.CharField(max_length=20)


class BookingCreateInput(serializers.Serializer):
    slot = ObjectIdField()
    party_a = PartyInput()
    party_b = PartyInput()
    join_waitlist = serializers.BooleanField(default=False)


class BookingCreateApi(ScopedAPIView):
    """A clerk books for a couple who telephoned (any registry of the region: 全区通办)."""

    required_perms = {"POST": MarriagePerm.COUNTER}

    @extend_schema(request=BookingCreateInput, responses={201: BookingOutput}, summary="代为预约")
    def post(self, request: AuthedRequest) -> Response:
        data = BookingCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        slot = selectors.public_slot(values["slot"])
        if slot is None:
            raise DomainError("未找到该时段", code="invalid", field_errors={"slot": ["未找到该时段"]})
        booking = services.booking_create(
            unit=slot.unit,
            slot=slot,
            party_a=services.PartyInput(**values["party_a"]),
            party_b=services.PartyInput(**values["party_b"]),
            join_waitlist=values["join_waitlist"],
            actor=request.user,
            disclose=services.disclose_to_staff(request.user),
        )
        return Response(
            BookingOutput(selectors.booking_with_parties(booking)).data, status=status.HTTP_201_CREATED
        )


class BookingDetailApi(ScopedAPIView):
    required_perms = {"GET": MarriagePerm.VIEW}

    @extend_schema(responses=BookingOutput, summary="预约详情")
    def get(self, request: AuthedRequest, booking_id: int) -> Response:
        return Response(BookingOutput(selectors.access_booking(request.user, booking_id)).data)


class BookingCancelApi(ScopedAPIView):
    required_perms = {"POST": MarriagePerm.COUNTER}

    @extend_schema(request=None, responses=BookingOutput, summary="取消预约")
    def post(self, request: AuthedRequest, booking_id: int) -> Response:
        booking = selectors.access_booking(request.user, booking_id)
        services.booking_cancel(booking=booking, actor=request.user, reason="登记机关取消")
        return Response(BookingOutput(selectors.booking_fresh(booking)).data)


class BookingCheckInApi(ScopedAPIView):
    required_perms = {"POST": MarriagePerm.COUNTER}

    @extend_schema(request=None, responses=BookingOutput, summary="现场签到")
    def post(self, request: AuthedRequest, booking_id: int) -> Response:
        booking = selectors.access_booking(request.user, booking_id)
        services.counter_check_in(actor=request.user, booking=booking)
        return Response(BookingOutput(selectors.booking_fresh(booking)).data)


class ReportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField(source="unit.name")
    booking = serializers.IntegerField(source="booking_id")
    reasons = serializers.CharField()
    recipients = serializers.CharField()
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    created_at = bounds.ApiDateTimeField()
    closed_at = bounds.ApiDateTimeField(allow_null=True)
    outcome = serializers.CharField()


class ReportFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReportStatus.choices, required=False)


class ReportListApi(ScopedAPIView):
    required_perms = {"GET": MarriagePerm.VIEW}

    @extend_schema(
        parameters=[ReportFilterInput, *PAGE_PARAMETERS],
        responses=ReportOutput(many=True),
        summary="情况报告列表",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = ReportFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reports = selectors.report_list(viewer=request.user, status=filters.validated_data.get("status", ""))
        return paginated(self, request, reports, ReportOutput)


class ReportCloseInput(serializers.Serializer):
    outcome = serializers.CharField(max_length=300)


class ReportCloseApi(ScopedAPIView):
    required_perms = {"POST": MarriagePerm.MANAGE_REPORTS}

    @extend_schema(request=ReportCloseInput, responses=ReportOutput, summary="办结情况报告")
    def post(self, request: AuthedRequest, marriage_report_id: int) -> Response:
        report: NonComplianceReport = selectors.access_report(request.user, marriage_report_id)
        data = ReportCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        closed = services.report_close(
            actor=request.user, report=report, outcome=data.validated_data["outcome"]
        )
        return Response(ReportOutput(closed).data)


class RecipientOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RecipientKind.choices)
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    unit_name = serializers.CharField(source="unit.name", allow_null=True, default=None)


class RecipientInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RecipientKind.choices)
    unit = ObjectIdField(required=False, allow_null=True)


class RecipientListApi(ScopedAPIView):
    """Where non-compliance reports go; none set means the county bureau and the coordinators."""

    required_perms = {"GET": MarriagePerm.VIEW}

    @extend_schema(responses=RecipientOutput(many=True), summary="情况报告对象")
    def get(self, request: AuthedRequest) -> Response:
        recipients = selectors.report_recipient_list(viewer=request.user)
        return Response(RecipientOutput(recipients, many=True).data)


class RecipientCreateApi(ScopedAPIView):
    required_perms = {"POST": CampaignPerm.MANAGE}

    @extend_schema(request=RecipientInput, responses={201: RecipientOutput}, summary="添加情况报告对象")
    def post(self, request: AuthedRequest) -> Response:
        data = RecipientInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        unit = None
        if values.get("unit") is not None:
            unit = selectors.recipient_unit(values["unit"])
            if unit is None:
                raise DomainError("未找到该单位", code="invalid", field_errors={"unit": ["未找到该单位"]})
        recipient = services.report_recipient_add(actor=request.user, kind=values["kind"], unit=unit)
        return Response(RecipientOutput(recipient).data, status=status.HTTP_201_CREATED)


class RecipientDeleteApi(ScopedAPIView):
    required_perms = {"POST": CampaignPerm.MANAGE}

    @extend_schema(request=None, responses={204: None}, summary="移除情况报告对象")
    def post(self, request: AuthedRequest, report_recipient_id: int) -> Response:
        recipient = selectors.access_report_recipient(request.user, report_recipient_id)
        services.report_recipient_remove(actor=request.user, recipient=recipient)
        return Response(status=status.HTTP_204_NO_CONTENT)
