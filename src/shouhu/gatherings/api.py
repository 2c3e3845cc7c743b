"""The gatherings API (G3 × X7): one class per operation, small input and output serializers.

Personal numbers leave masked only. The township's decisions are declared with the read code and
checked for the decide code after the gathering is reached, so another township's gathering
answers 404 to everyone, as on the pages."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.common import bounds
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.gatherings import selectors, services
from shouhu.gatherings.models import Gathering, GatheringKind, GatheringStatus, TestResult
from shouhu.gatherings.permissions import GatheringPerm
from shouhu.gatherings.services import MAX_HEADCOUNT

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]


class GatheringOutput(bounds.BoundedModelSerializer):
    """The organiser's phone masked, as on screen."""

    village_name = serializers.CharField(source="unit.name", read_only=True)
    organiser_phone = serializers.CharField(source="organiser_phone_masked", read_only=True)
    headcount = serializers.IntegerField(read_only=True)

    class Meta:
        model = Gathering
        fields = [
            "id",
            "unit",
            "village_name",
            "kind",
            "title",
            "organiser_name",
            "organiser_phone",
            "place",
            "starts_at",
            "ends_at",
            "expected_headcount",
            "participant_count",
            "headcount",
            "status",
            "applied_at",
            "decided_at",
            "decision_reason",
            "funeral_case",
            "marriage_booking",
            "note",
        ]


class GatheringListOutput(GatheringOutput):
    pending_tests = serializers.IntegerField(read_only=True, help_text="仍需检测的人数")

    class Meta(GatheringOutput.Meta):
        fields = [*GatheringOutput.Meta.fields, "pending_tests"]


class GatheringFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=50)
    status = serializers.ChoiceField(
        choices=GatheringStatus.choices, required=False, default="", allow_blank=True
    )
    needs_test = serializers.BooleanField(required=False, default=False)
    village = ObjectIdField(required=False, allow_null=True, default=None)
    date_from = bounds.ApiDateField(required=False, allow_null=True, default=None)
    date_to = bounds.ApiDateField(required=False, allow_null=True, default=None)


class GatheringListApi(ScopedAPIView):
    required_perms = {"GET": GatheringPerm.VIEW}

    @extend_schema(
        parameters=[GatheringFilterInput, *PAGE_PARAMETERS],
        responses=GatheringListOutput(many=True),
        summary="聚集性活动",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = GatheringFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        gatherings = selectors.gathering_list(
            viewer=request.user, filters=selectors.GatheringFilters(**filters.validated_data)
        )
        return paginated(self, request, gatherings, GatheringListOutput)


class GatheringInput(serializers.Serializer):
    village = ObjectIdField()
    kind = serializers.ChoiceField(choices=GatheringKind.choices)
    title = serializers.CharField(max_length=100)
    organiser_name = serializers.CharField(max_length=50)
    organiser_phone = serializers.CharField(max_length=20)
    place = serializers.CharField(max_length=200)
    starts_at = bounds.ApiDateTimeField()
    ends_at = bounds.ApiDateTimeField()
    expected_headcount = bounds.ApiIntegerField(min_value=1, max_value=MAX_HEADCOUNT)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class RegisteredOutput(serializers.Serializer):
    gathering = GatheringOutput()
    needs_approval = serializers.BooleanField()
    message = serializers.CharField()


class GatheringCreateApi(ScopedAPIView):
    required_perms = {"POST": GatheringPerm.RECORD}

    @extend_schema(
        request=GatheringInput, responses={201: RegisteredOutput}, summary="受理聚集性活动（达到人数为申请）"
    )
    def post(self, request: AuthedRequest) -> Response:
        data = GatheringInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        village = selectors.get_village_for_recording(request.user, values.pop("village"))
        registered = services.gathering_register(
            actor=request.user, village=village, data=services.GatheringInput(**values)
        )
        return Response(RegisteredOutput(registered).data, status=status.HTTP_201_CREATED)


class GatheringDetailApi(ScopedAPIView):
    required_perms = {"GET": GatheringPerm.VIEW}

    @extend_schema(responses=GatheringOutput, summary="聚集性活动详情")
    def get(self, request: AuthedRequest, gathering_id: int) -> Response:
        return Response(GatheringOutput(selectors.access_gathering(request.user, gathering_id)).data)


class DecisionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


def _for_deciding(request: AuthedRequest, gathering_id: int) -> Gathering:
    gathering = selectors.access_gathering_for_deciding(request.user, gathering_id)
    if not request.user.has_code(GatheringPerm.DECIDE):
        raise PermissionDenied
    return gathering


class GatheringApproveApi(ScopedAPIView):
    required_perms = {"POST": GatheringPerm.VIEW}  # and the decide code, once the gathering is reached

    @extend_schema(request=DecisionInput, responses=GatheringOutput, summary="乡镇批准（须在活动开始前）")
    def post(self, request: AuthedRequest, gathering_id: int) -> Response:
        gathering = _for_deciding(request, gathering_id)
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        gathering = services.gathering_approve(
            actor=request.user, gathering=gathering, reason=data.validated_data["reason"]
        )
        return Response(GatheringOutput(gathering).data)


class RefusalInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class GatheringRefuseApi(ScopedAPIView):
    required_perms = {"POST": GatheringPerm.VIEW}  # and the decide code, once the gathering is reached

    @extend_schema(request=RefusalInput, responses=GatheringOutput, summary="乡镇不予批准（须说明理由）")
    def post(self, request: AuthedRequest, gathering_id: int) -> Response:
        gathering = _for_deciding(request, gathering_id)
        data = RefusalInput(data=request.data)
        data.is_valid(raise_exception=True)
        gathering = services.gathering_refuse(
            actor=request.user, gathering=gathering, reason=data.validated_data["reason"]
        )
        return Response(GatheringOutput(gathering).data)


class ParticipantOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    id_number = serializers.CharField(source="id_masked", help_text="脱敏")
    test_result = serializers.ChoiceField(choices=TestResult.choices)
    sampled_at = bounds.ApiDateTimeField(allow_null=True)


class ParticipantListApi(ScopedAPIView):
    required_perms = {"GET": GatheringPerm.VIEW}

    @extend_schema(parameters=PAGE_PARAMETERS, responses=ParticipantOutput(many=True), summary="参加人员名单")
    def get(self, request: AuthedRequest, gathering_id: int) -> Response:
        gathering = selectors.access_gathering(request.user, gathering_id)
        return paginated(self, request, selectors.participants_of(gathering), ParticipantOutput)


class ParticipantInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    test_result = serializers.ChoiceField(choices=TestResult.choices, required=False, default=TestResult.NONE)
    sampled_at = bounds.ApiDateTimeField(required=False, allow_null=True, default=None)


class ParticipantAddOutput(serializers.Serializer):
    participant = ParticipantOutput()
    now_needs_approval = serializers.BooleanField(help_text="本次加入使已备案的活动达到审批人数，已转为申请")
    message = serializers.CharField()


class ParticipantAddApi(ScopedAPIView):
    required_perms = {"POST": GatheringPerm.VIEW}  # and the record code, once the gathering is reached

    @extend_schema(request=ParticipantInput, responses={201: ParticipantAddOutput}, summary="加入参加人员")
    def post(self, request: AuthedRequest, gathering_id: int) -> Response:
        gathering = selectors.access_gathering_for_recording(request.user, gathering_id)
        if not request.user.has_code(GatheringPerm.RECORD):
            raise PermissionDenied
        data = ParticipantInput(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.participant_add(
            actor=request.user, gathering=gathering, data=services.ParticipantInput(**data.validated_data)
        )
        return Response(ParticipantAddOutput(change).data, status=status.HTTP_201_CREATED)


class CheckRowOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    id_number = serializers.CharField(source="id_masked", help_text="脱敏")
    test_result = serializers.ChoiceField(choices=TestResult.choices)
    sampled_at = bounds.ApiDateTimeField(allow_null=True)
    verdict = serializers.ChoiceField(choices=selectors.VERDICT_ORDER)
    admitted = serializers.BooleanField()
    reason = serializers.CharField()


class CheckOutput(serializers.Serializer):
    test_window_hours = serializers.IntegerField(source="hours")
    earliest_sampling = bounds.ApiDateTimeField(source="earliest")
    refusal = serializers.CharField(allow_null=True, help_text="活动本身不得举办的原因（所有人不准入）")
    rows = CheckRowOutput(many=True, help_text="仍需检测的在前")


class CheckApi(ScopedAPIView):
    required_perms = {"GET": GatheringPerm.VIEW}

    @extend_schema(responses=CheckOutput, summary="名单核验（核酸检测结果与采样时间）")
    def get(self, request: AuthedRequest, gathering_id: int) -> Response:
        gathering = selectors.access_gathering(request.user, gathering_id)
        rules = selectors.policy()
        check = selectors.participant_check(gathering, rules=rules)
        body = {
            "hours": check.hours,
            "earliest": check.earliest,
            "refusal": selectors.gathering_refusal(gathering, rules),
            "rows": check.rows,
        }
        return Response(CheckOutput(body).data)


class DoorInput(serializers.Serializer):
    query = serializers.CharField(max_length=30, help_text="姓名或证件号码")


class DoorOutput(serializers.Serializer):
    query = serializers.CharField()
    refusal = serializers.CharField(allow_null=True, help_text="活动本身不得举办的原因（所有人不准入）")
    matches = CheckRowOutput(many=True)


class DoorCheckApi(ScopedAPIView):
    """Posted, not a query string: an ID number must not reach logs."""

    required_perms = {"POST": GatheringPerm.VIEW}  # and the record code, once the gathering is reached

    @extend_schema(request=DoorInput, responses=DoorOutput, summary="现场核验：准入或不准入及原因")
    def post(self, request: AuthedRequest, gathering_id: int) -> Response:
        gathering = selectors.access_gathering_for_recording(request.user, gathering_id)
        if not request.user.has_code(GatheringPerm.RECORD):
            raise PermissionDenied
        data = DoorInput(data=request.data)
        data.is_valid(raise_exception=True)
        answer = selectors.door_check(gathering=gathering, query=data.validated_data["query"])
        return Response(DoorOutput(answer).data)
