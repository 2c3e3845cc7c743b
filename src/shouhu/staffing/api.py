"""The staffing API (R4, R5): one class per operation, small input and output serializers (X7)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.common import bounds
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.common.validation import refuse
from shouhu.screening.places import PROVINCE_CHOICES
from shouhu.staffing import selectors, services
from shouhu.staffing.models import LeaveKind, LeaveRequest, LeaveStatus, Transport, TravelReport
from shouhu.staffing.permissions import StaffingPerm

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]


# --- Leave requests -----------------------------------------------------------------------------


class LeaveOutput(bounds.BoundedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "person",
            "person_name",
            "unit",
            "unit_name",
            "kind",
            "starts_on",
            "ends_on",
            "reason",
            "destination",
            "status",
            "filed_by",
            "filed_at",
            "decided_by",
            "decided_at",
            "refusal_reason",
            "returned_on",
        ]


class LeaveFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=50)
    unit = ObjectIdField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(
        choices=LeaveStatus.choices, required=False, default="", allow_blank=True
    )
    kind = serializers.ChoiceField(choices=LeaveKind.choices, required=False, default="", allow_blank=True)
    overdue_only = serializers.BooleanField(required=False, default=False)
    mine = serializers.BooleanField(required=False, default=False)
    date_from = bounds.ApiDateField(required=False, allow_null=True, default=None)
    date_to = bounds.ApiDateField(required=False, allow_null=True, default=None)


class LeaveInput(serializers.Serializer):
    person = ObjectIdField(help_text="工作人员（人员库编号）")
    kind = serializers.ChoiceField(choices=LeaveKind.choices)
    starts_on = bounds.ApiDateField()
    ends_on = bounds.ApiDateField()
    reason = serializers.CharField(max_length=200)
    destination = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class LeaveListApi(ScopedAPIView):
    required_perms = {"GET": StaffingPerm.VIEW, "POST": StaffingPerm.REQUEST}

    @extend_schema(
        parameters=[LeaveFilterInput, *PAGE_PARAMETERS],
        responses=LeaveOutput(many=True),
        summary="请销假记录",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = LeaveFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        leaves = selectors.leave_list(
            viewer=request.user, filters=selectors.LeaveFilters(**filters.validated_data)
        )
        return paginated(self, request, leaves, LeaveOutput)

    @extend_schema(request=LeaveInput, responses={201: LeaveOutput}, summary="提交请假申请")
    def post(self, request: AuthedRequest) -> Response:
        data = LeaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = selectors.access_staff_person(request.user, values.pop("person"))
        leave = services.leave_file(actor=request.user, data=services.LeaveInput(person=person, **values))
        return Response(LeaveOutput(leave).data, status=status.HTTP_201_CREATED)


class LeaveDetailApi(ScopedAPIView):
    required_perms = {"GET": StaffingPerm.VIEW}

    @extend_schema(responses=LeaveOutput, summary="请假详情")
    def get(self, request: AuthedRequest, staff_leave_id: int) -> Response:
        return Response(LeaveOutput(selectors.access_leave(request.user, staff_leave_id)).data)


class LeaveApproveApi(ScopedAPIView):
    required_perms = {"POST": StaffingPerm.APPROVE}

    @extend_schema(request=None, responses=LeaveOutput, summary="批准请假（审批人不能是申请提交人或本人）")
    def post(self, request: AuthedRequest, staff_leave_id: int) -> Response:
        leave = selectors.access_leave(request.user, staff_leave_id)
        return Response(LeaveOutput(services.leave_approve(actor=request.user, leave=leave)).data)


class RefuseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class LeaveRefuseApi(ScopedAPIView):
    required_perms = {"POST": StaffingPerm.APPROVE}

    @extend_schema(request=RefuseInput, responses=LeaveOutput, summary="不批准请假（须填写理由）")
    def post(self, request: AuthedRequest, staff_leave_id: int) -> Response:
        leave = selectors.access_leave(request.user, staff_leave_id)
        data = RefuseInput(data=request.data)
        data.is_valid(raise_exception=True)
        leave = services.leave_refuse(actor=request.user, leave=leave, reason=data.validated_data["reason"])
        return Response(LeaveOutput(leave).data)


class ReturnInput(serializers.Serializer):
    returned_on = bounds.ApiDateField()


class LeaveReturnApi(ScopedAPIView):
    required_perms = {"POST": StaffingPerm.REQUEST}

    @extend_schema(request=ReturnInput, responses=LeaveOutput, summary="销假")
    def post(self, request: AuthedRequest, staff_leave_id: int) -> Response:
        leave = selectors.access_leave(request.user, staff_leave_id)
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        leave = services.leave_return(actor=request.user, leave=leave, **data.validated_data)
        return Response(LeaveOutput(leave).data)


# --- Travel reports -----------------------------------------------------------------------------


class TravelOutput(bounds.BoundedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    risk_areas = serializers.ListField(source="risk_area_list", child=serializers.CharField(), read_only=True)
    risk_possible = serializers.ListField(
        source="risk_possible_list", child=serializers.CharField(), read_only=True
    )
    awaiting_acknowledgement = serializers.BooleanField(read_only=True)

    class Meta:
        model = TravelReport
        fields = [
            "id",
            "person",
            "person_name",
            "unit",
            "unit_name",
            "leave",
            "destination_province",
            "destination",
            "destination_code",
            "departs_on",
            "returns_on",
            "transport",
            "transport_detail",
            "purpose",
            "filed_by",
            "filed_at",
            "filed_late",
            "risk_checked_on",
            "risk_hit",
            "risk_level",
            "risk_areas",
            "risk_possible",
            "acknowledgement_required",
            "awaiting_acknowledgement",
            "acknowledged_by",
            "acknowledged_at",
            "acknowledgement_note",
            "returned_on",
        ]


class TravelFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=50)
    unit = ObjectIdField(required=False, allow_null=True, default=None)
    risk_only = serializers.BooleanField(required=False, default=False)
    awaiting_only = serializers.BooleanField(required=False, default=False)
    away_only = serializers.BooleanField(required=False, default=False)
    mine = serializers.BooleanField(required=False, default=False)
    date_from = bounds.ApiDateField(required=False, allow_null=True, default=None)
    date_to = bounds.ApiDateField(required=False, allow_null=True, default=None)


class TravelInput(serializers.Serializer):
    person = ObjectIdField(help_text="工作人员（人员库编号）")
    destination_province = serializers.ChoiceField(choices=PROVINCE_CHOICES)
    destination = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    destination_code = serializers.CharField(max_length=12, required=False, default="", allow_blank=True)
    departs_on = bounds.ApiDateField()
    returns_on = bounds.ApiDateField()
    transport = serializers.ChoiceField(choices=Transport.choices)
    transport_detail = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    purpose = serializers.CharField(max_length=200)
    leave = ObjectIdField(required=False, allow_null=True, default=None, help_text="对应的请假（可选）")


class TravelListApi(ScopedAPIView):
    required_perms = {"GET": StaffingPerm.VIEW, "POST": StaffingPerm.REQUEST}

    @extend_schema(
        parameters=[TravelFilterInput, *PAGE_PARAMETERS],
        responses=TravelOutput(many=True),
        summary="出行报备",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = TravelFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reports = selectors.travel_list(
            viewer=request.user, filters=selectors.TravelFilters(**filters.validated_data)
        )
        return paginated(self, request, reports, TravelOutput)

    @extend_schema(
        request=TravelInput,
        responses={201: TravelOutput},
        summary="出行报备（目的地按中高风险地区名单核查，涉及的须单位负责人确认）",
    )
    def post(self, request: AuthedRequest) -> Response:
        data = TravelInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = selectors.access_staff_person(request.user, values.pop("person"))
        leave_id = values.pop("leave")
        leave = None
        if leave_id is not None:
            leave = selectors.leaves_for_travel(person).filter(pk=leave_id).first()
            if leave is None:
                raise refuse("所选请假不是该工作人员的", code="leave_mismatch", field="leave")
        report = services.travel_report(
            actor=request.user, data=services.TravelInput(person=person, leave=leave, **values)
        )
        return Response(TravelOutput(report).data, status=status.HTTP_201_CREATED)


class TravelDetailApi(ScopedAPIView):
    required_perms = {"GET": StaffingPerm.VIEW}

    @extend_schema(responses=TravelOutput, summary="出行报备详情")
    def get(self, request: AuthedRequest, travel_report_id: int) -> Response:
        return Response(TravelOutput(selectors.access_travel(request.user, travel_report_id)).data)


class AcknowledgeInput(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class TravelAcknowledgeApi(ScopedAPIView):
    required_perms = {"POST": StaffingPerm.APPROVE}

    @extend_schema(request=AcknowledgeInput, responses=TravelOutput, summary="单位负责人确认涉风险地区出行")
    def post(self, request: AuthedRequest, travel_report_id: int) -> Response:
        report = selectors.access_travel(request.user, travel_report_id)
        data = AcknowledgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.travel_acknowledge(actor=request.user, report=report, **data.validated_data)
        return Response(TravelOutput(report).data)


class TravelReturnApi(ScopedAPIView):
    required_perms = {"POST": StaffingPerm.REQUEST}

    @extend_schema(
        request=ReturnInput, responses=TravelOutput, summary="登记出行返回（按实际日期再次核查风险地区）"
    )
    def post(self, request: AuthedRequest, travel_report_id: int) -> Response:
        report = selectors.access_travel(request.user, travel_report_id)
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.travel_return(actor=request.user, report=report, **data.validated_data)
        return Response(TravelOutput(report).data)


# --- Education coverage (R5) --------------------------------------------------------------------


class CoverageOutput(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    unit_name = serializers.CharField(source="unit.name")
    staff = serializers.IntegerField()
    trained = serializers.IntegerField()
    percent = serializers.IntegerField()


class CoverageFilterInput(serializers.Serializer):
    since = bounds.ApiDateField(required=False, allow_null=True, default=None)


class EducationCoverageApi(ScopedAPIView):
    required_perms = {"GET": StaffingPerm.VIEW}

    @extend_schema(
        parameters=[CoverageFilterInput],
        responses=CoverageOutput(many=True),
        summary="各单位工作人员防疫教育覆盖（已参加培训人数 ÷ 工作人员数，低者在前）",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = CoverageFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        lines = selectors.education_coverage(viewer=request.user, **filters.validated_data)
        return Response(CoverageOutput(lines, many=True).data)
