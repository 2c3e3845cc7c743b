"""The community API: one class per operation, small input and output serializers (X7).
Phones leave masked, as on screen."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.campaigns.policy import current_policy
from shouhu.common import bounds
from shouhu.common.access import get_in_scope
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.community import selectors, services
from shouhu.community.models import (
    CommunityPolicy,
    EmergencyState,
    FieldVisit,
    RosterMember,
    RosterRole,
    SupplyItem,
    SupplyMovement,
)
from shouhu.community.permissions import CommunityPerm

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]


class RosterMemberOutput(bounds.BoundedModelSerializer):
    village_name = serializers.CharField(source="village.name", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)

    class Meta:
        model = RosterMember
        fields = [
            "id",
            "village",
            "village_name",
            "person",
            "name",
            "role",
            "title",
            "estate",
            "phone",
            "is_responsible",
        ]


class StateOutput(bounds.BoundedModelSerializer):
    started_by = serializers.CharField(source="started_by.__str__", read_only=True)

    class Meta:
        model = EmergencyState
        fields = [
            "id",
            "village",
            "started_at",
            "started_by",
            "reason",
            "ended_at",
            "end_reason",
            "suspension",
        ]


class VillageOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    gaps = serializers.ListField(child=serializers.CharField())
    open_emergency = serializers.BooleanField()


class VillageFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=50)
    township = ObjectIdField(required=False, allow_null=True, default=None)
    gaps_only = serializers.BooleanField(required=False, default=False)
    emergency_only = serializers.BooleanField(required=False, default=False)


class VillageListApi(ScopedAPIView):
    required_perms = {"GET": CommunityPerm.VIEW}

    @extend_schema(
        parameters=[VillageFilterInput, *PAGE_PARAMETERS],
        responses=VillageOutput(many=True),
        summary="村（社区）防控组织名单情况",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = VillageFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        required = current_policy(CommunityPolicy).required_roles()
        villages = selectors.village_list(
            viewer=request.user, filters=selectors.VillageFilters(**filters.validated_data)
        )

        class Attached(VillageOutput):
            def to_representation(self, instance: object) -> dict:
                instance.gaps = selectors.roster_gaps(instance, required=required)  # type: ignore[attr-defined]
                return super().to_representation(instance)

        return paginated(self, request, villages, Attached)


class RosterFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=50)
    village = ObjectIdField(required=False, allow_null=True, default=None)
    role = serializers.ChoiceField(choices=RosterRole.choices, required=False, default="", allow_blank=True)


class RosterListApi(ScopedAPIView):
    required_perms = {"GET": CommunityPerm.VIEW}

    @extend_schema(
        parameters=[RosterFilterInput, *PAGE_PARAMETERS],
        responses=RosterMemberOutput(many=True),
        summary="防控组织名单",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = RosterFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        members = selectors.roster_list(
            viewer=request.user, filters=selectors.RosterFilters(**filters.validated_data)
        )
        return paginated(self, request, members, RosterMemberOutput)


class RosterInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18, required=False, default="", allow_blank=True)
    role = serializers.ChoiceField(choices=RosterRole.choices)
    title = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    estate = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=20)
    is_responsible = serializers.BooleanField(required=False, default=False)


class RosterAddApi(ScopedAPIView):
    required_perms = {"POST": CommunityPerm.MANAGE}

    @extend_schema(request=RosterInput, responses={201: RosterMemberOutput}, summary="防控组织添加人员")
    def post(self, request: AuthedRequest, village_id: int) -> Response:
        village = selectors.access_village_for_recording(request.user, village_id)
        data = RosterInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.roster_add(
            actor=request.user, village=village, data=services.RosterInput(**data.validated_data)
        )
        return Response(RosterMemberOutput(member).data, status=status.HTTP_201_CREATED)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class EmergencyStartApi(ScopedAPIView):
    required_perms = {"POST": CommunityPerm.SWITCH_EMERGENCY}

    @extend_schema(request=ReasonInput, responses={201: StateOutput}, summary="启动应急状态")
    def post(self, request: AuthedRequest, village_id: int) -> Response:
        village = selectors.access_village_for_recording(request.user, village_id)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        state = services.emergency_start(
            actor=request.user, village=village, reason=data.validated_data["reason"]
        )
        return Response(StateOutput(state).data, status=status.HTTP_201_CREATED)


class EmergencyEndApi(ScopedAPIView):
    required_perms = {"POST": CommunityPerm.SWITCH_EMERGENCY}

    @extend_schema(request=ReasonInput, responses=StateOutput, summary="结束应急状态")
    def post(self, request: AuthedRequest, village_id: int) -> Response:
        village = selectors.access_village_for_recording(request.user, village_id)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        state = services.emergency_end(
            actor=request.user, village=village, reason=data.validated_data["reason"]
        )
        return Response(StateOutput(state).data)


class MovementOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = SupplyMovement
        fields = [
            "id",
            "village",
            "item",
            "kind",
            "quantity",
            "balance_after",
            "issued_to",
            "supplier",
            "happened_at",
        ]


class ReceiptInput(serializers.Serializer):
    item = serializers.ChoiceField(choices=SupplyItem.choices)
    quantity = bounds.ApiIntegerField(min_value=1, max_value=services.MAX_QUANTITY)
    supplier = serializers.CharField(max_length=100)


class IssueInput(serializers.Serializer):
    item = serializers.ChoiceField(choices=SupplyItem.choices)
    quantity = bounds.ApiIntegerField(min_value=1, max_value=services.MAX_QUANTITY)
    issued_to = serializers.CharField(max_length=50)


class SupplyReceiptApi(ScopedAPIView):
    required_perms = {"POST": CommunityPerm.MANAGE}

    @extend_schema(request=ReceiptInput, responses={201: MovementOutput}, summary="应急物资入库")
    def post(self, request: AuthedRequest, village_id: int) -> Response:
        village = selectors.access_village_for_recording(request.user, village_id)
        data = ReceiptInput(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.supply_receive(actor=request.user, village=village, **data.validated_data)
        return Response(MovementOutput(movement).data, status=status.HTTP_201_CREATED)


class SupplyIssueApi(ScopedAPIView):
    required_perms = {"POST": CommunityPerm.MANAGE}

    @extend_schema(request=IssueInput, responses={201: MovementOutput}, summary="应急物资发放")
    def post(self, request: AuthedRequest, village_id: int) -> Response:
        village = selectors.access_village_for_recording(request.user, village_id)
        data = IssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.supply_issue(actor=request.user, village=village, **data.validated_data)
        return Response(MovementOutput(movement).data, status=status.HTTP_201_CREATED)


class VisitOutput(bounds.BoundedModelSerializer):
    place_name = serializers.CharField(source="place.name", read_only=True)

    class Meta:
        model = FieldVisit
        fields = ["id", "county", "place", "place_name", "visited_on", "staff", "checked", "notes"]


class FindingInput(serializers.Serializer):
    description = serializers.CharField(max_length=1000)
    assigned_to = serializers.CharField(max_length=100)
    deadline = bounds.ApiDateField(required=False, allow_null=True, default=None)


class VisitInput(serializers.Serializer):
    place = ObjectIdField()
    visited_on = bounds.ApiDateField()
    staff = serializers.CharField(max_length=200)
    checked = serializers.CharField(max_length=2000)
    notes = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    findings = FindingInput(many=True, required=False, default=list)


class VisitListApi(ScopedAPIView):
    required_perms = {"GET": CommunityPerm.VIEW, "POST": CommunityPerm.RECORD_VISITS}

    @extend_schema(parameters=PAGE_PARAMETERS, responses=VisitOutput(many=True), summary="督导检查")
    def get(self, request: AuthedRequest) -> Response:
        return paginated(self, request, selectors.visit_list(viewer=request.user), VisitOutput)

    @extend_schema(request=VisitInput, responses={201: VisitOutput}, summary="登记督导检查（含发现的问题）")
    def post(self, request: AuthedRequest) -> Response:
        data = VisitInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        place = get_in_scope(selectors.visitable_places(viewer=request.user), values.pop("place"))
        findings = [services.FindingInput(**f) for f in values.pop("findings")]
        visit = services.visit_record(
            actor=request.user, data=services.VisitInput(place=place, findings=findings, **values)
        )
        return Response(VisitOutput(visit).data, status=status.HTTP_201_CREATED)


class VisitFindingApi(ScopedAPIView):
    required_perms = {"POST": CommunityPerm.RECORD_VISITS}

    @extend_schema(request=FindingInput, responses={201: None}, summary="督导检查添加发现的问题")
    def post(self, request: AuthedRequest, field_visit_id: int) -> Response:
        visit = selectors.access_visit_for_recording(request.user, field_visit_id)
        data = FindingInput(data=request.data)
        data.is_valid(raise_exception=True)
        finding = services.visit_finding_add(
            actor=request.user, visit=visit, data=services.FindingInput(**data.validated_data)
        )
        return Response({"id": finding.pk}, status=status.HTTP_201_CREATED)  # type: ignore[attr-defined]
