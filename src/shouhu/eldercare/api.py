"""The nursing-home API: one class per operation, small input and output serializers (X7).

Objects are looked up in the caller's scope before the input is read, so another county's id
answers 404 whatever the body says.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.common import bounds
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.common.errors import DomainError
from shouhu.eldercare import selectors, services
from shouhu.eldercare.models import (
    Closure,
    DailyLog,
    Direction,
    HealthCheck,
    Movement,
    Symptom,
    TestOutcome,
    TestResult,
    TestRound,
)
from shouhu.eldercare.permissions import EldercarePerm
from shouhu.orgs.models import OrgUnit
from shouhu.people.models import Person

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]
MAX_ITEMS = 100


def _person_in(home: OrgUnit, person_id: int) -> Person:
    person = selectors.people_of_home(home).filter(pk=person_id).first()
    if person is None:
        message = f"该人员不是{home.name}登记的入住老人或工作人员"
        raise DomainError(message, code="not_in_home", field_errors={"person": [message]})
    return person


# --- Closures ----------------------------------------------------------------------------------


class HomeClosureOutput(bounds.BoundedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Closure
        fields = ["id", "unit", "unit_name", "starts_on", "ends_on", "directive", "end_note"]


class HomeClosureFilterInput(serializers.Serializer):
    unit = ObjectIdField(required=False, allow_null=True, default=None)
    active_on = bounds.ApiDateField(required=False, allow_null=True, default=None)


class ClosureListApi(ScopedAPIView):
    required_perms = {"GET": EldercarePerm.VIEW}

    @extend_schema(
        parameters=[HomeClosureFilterInput, *PAGE_PARAMETERS],
        responses=HomeClosureOutput(many=True),
        summary="封闭管理列表",
    )
    def get(self, request: AuthedRequest) -> Response:
        data = HomeClosureFilterInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        filters = selectors.ClosureFilters(**data.validated_data)
        return paginated(
            self, request, selectors.closure_list(viewer=request.user, filters=filters), HomeClosureOutput
        )


class ClosureDetailApi(ScopedAPIView):
    required_perms = {"GET": EldercarePerm.VIEW}

    @extend_schema(responses=HomeClosureOutput, summary="封闭管理详情")
    def get(self, request: AuthedRequest, closure_id: int) -> Response:
        return Response(HomeClosureOutput(selectors.access_closure(request.user, closure_id)).data)


# --- Movements ---------------------------------------------------------------------------------


class HomeMovementInput(serializers.Serializer):
    home = ObjectIdField()
    person = ObjectIdField()
    direction = serializers.ChoiceField(choices=Direction.choices)
    purpose = serializers.CharField(max_length=200)
    approver = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    approval_reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class HomeMovementOutput(bounds.BoundedModelSerializer):
    outcome = serializers.CharField(read_only=True, help_text="allowed 非封闭期已登记；exception 经批准进出")

    class Meta:
        model = Movement
        fields = [
            "id",
            "unit",
            "closure",
            "person",
            "direction",
            "outcome",
            "purpose",
            "approver",
            "approval_reason",
            "requested_at",
        ]


class MovementCreateApi(ScopedAPIView):
    """A movement request: refused (409, and recorded) while the home is closed, unless approved."""

    required_perms = {"POST": EldercarePerm.RECORD}

    @extend_schema(request=HomeMovementInput, responses={201: HomeMovementOutput}, summary="人员进出登记")
    def post(self, request: AuthedRequest) -> Response:
        data = HomeMovementInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        home = selectors.access_home_for_recording(request.user, values["home"])
        movement = services.movement_request(
            actor=request.user,
            home=home,
            person=_person_in(home, values["person"]),
            direction=values["direction"],
            purpose=values["purpose"],
            approver=values["approver"],
            approval_reason=values["approval_reason"],
        )
        return Response(HomeMovementOutput(movement).data, status=status.HTTP_201_CREATED)


# --- Testing rounds ----------------------------------------------------------------------------


class NucleicRoundOutput(bounds.BoundedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    sampled_count = serializers.IntegerField(read_only=True)
    positive_count = serializers.IntegerField(read_only=True)
    awaiting_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = TestRound
        fields = [
            "id",
            "unit",
            "unit_name",
            "tested_on",
            "scope",
            "note",
            "member_count",
            "sampled_count",
            "positive_count",
            "awaiting_count",
        ]


class NucleicResultOutput(bounds.BoundedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = TestResult
        fields = ["id", "person", "person_name", "result", "reason", "recorded_at"]


class NucleicRoundDetailOutput(NucleicRoundOutput):
    results = NucleicResultOutput(many=True, read_only=True)

    class Meta(NucleicRoundOutput.Meta):
        fields = [*NucleicRoundOutput.Meta.fields, "results"]


class NucleicRoundFilterInput(serializers.Serializer):
    unit = ObjectIdField(required=False, allow_null=True, default=None)


class RoundListApi(ScopedAPIView):
    required_perms = {"GET": EldercarePerm.VIEW}

    @extend_schema(
        parameters=[NucleicRoundFilterInput, *PAGE_PARAMETERS],
        responses=NucleicRoundOutput(many=True),
        summary="核酸检测轮次列表",
    )
    def get(self, request: AuthedRequest) -> Response:
        data = NucleicRoundFilterInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        filters = selectors.RoundFilters(**data.validated_data)
        return paginated(
            self, request, selectors.round_list(viewer=request.user, filters=filters), NucleicRoundOutput
        )


def _round_body(test_round: TestRound) -> dict:
    body = dict(NucleicRoundOutput(test_round).data)
    body["results"] = NucleicResultOutput(list(selectors.round_results(test_round)), many=True).data
    return body


class RoundDetailApi(ScopedAPIView):
    required_perms = {"GET": EldercarePerm.VIEW}

    @extend_schema(responses=NucleicRoundDetailOutput, summary="核酸检测轮次详情（含每人结果）")
    def get(self, request: AuthedRequest, round_id: int) -> Response:
        return Response(_round_body(selectors.access_round(request.user, round_id)))


class NucleicResultInput(serializers.Serializer):
    person = ObjectIdField()
    result = serializers.ChoiceField(choices=[(v, label) for v, label in TestOutcome.choices if v])
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class ResultRecordApi(ScopedAPIView):
    """Enter or correct one person's result; a positive result alerts at once."""

    required_perms = {"POST": EldercarePerm.RECORD}

    @extend_schema(request=NucleicResultInput, responses=NucleicResultOutput, summary="录入核酸检测结果")
    def post(self, request: AuthedRequest, round_id: int) -> Response:
        test_round = selectors.access_round_for_recording(request.user, round_id)
        data = NucleicResultInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = selectors.round_member(test_round, values["person"])
        if person is None:
            message = "该人员不在本轮检测名单中"
            raise DomainError(message, code="not_in_round", field_errors={"person": [message]})
        result = services.round_result_record(
            actor=request.user,
            test_round=test_round,
            person=person,
            result=values["result"],
            reason=values["reason"],
        )
        return Response(NucleicResultOutput(result).data)


# --- Health checks -----------------------------------------------------------------------------


class HomeHealthCheckInput(serializers.Serializer):
    home = ObjectIdField()
    person = ObjectIdField()
    temperature = serializers.DecimalField(max_digits=3, decimal_places=1)
    symptoms = serializers.ListField(
        child=serializers.ChoiceField(choices=Symptom.choices),
        required=False,
        default=list,
        max_length=MAX_ITEMS,
    )
    checked_at = bounds.ApiDateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class HomeHealthCheckOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = HealthCheck
        fields = ["id", "unit", "person", "checked_at", "temperature", "symptoms", "note", "is_abnormal"]


class HealthCheckCreateApi(ScopedAPIView):
    required_perms = {"POST": EldercarePerm.RECORD}

    @extend_schema(
        request=HomeHealthCheckInput, responses={201: HomeHealthCheckOutput}, summary="记录健康监测"
    )
    def post(self, request: AuthedRequest) -> Response:
        data = HomeHealthCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        home = selectors.access_home_for_recording(request.user, values["home"])
        check = services.health_check_record(
            actor=request.user,
            home=home,
            person=_person_in(home, values["person"]),
            temperature=values["temperature"],
            symptoms=values["symptoms"],
            checked_at=values["checked_at"],
            note=values["note"],
        )
        return Response(HomeHealthCheckOutput(check).data, status=status.HTTP_201_CREATED)


# --- Daily logs --------------------------------------------------------------------------------


class PreventionLogInput(serializers.Serializer):
    home = ObjectIdField()
    day = bounds.ApiDateField()
    done_items = serializers.ListField(
        child=ObjectIdField(), required=False, default=list, max_length=MAX_ITEMS
    )
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class PreventionLogOutput(bounds.BoundedModelSerializer):
    done_items: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = DailyLog
        fields = ["id", "unit", "day", "done_items", "note"]


class DailyLogRecordApi(ScopedAPIView):
    """Record or correct a home's prevention log for a day (not a future one)."""

    required_perms = {"POST": EldercarePerm.RECORD}

    @extend_schema(request=PreventionLogInput, responses=PreventionLogOutput, summary="填写防控日志")
    def post(self, request: AuthedRequest) -> Response:
        data = PreventionLogInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        home = selectors.access_home_for_recording(request.user, values["home"])
        wanted = set(values["done_items"])
        items = selectors.checklist_items_by_id(wanted)
        if len(items) != len(wanted):
            message = "包含不存在的检查事项"
            raise DomainError(message, code="invalid", field_errors={"done_items": [message]})
        log = services.daily_log_record(
            actor=request.user, home=home, day=values["day"], done_items=items, note=values["note"]
        )
        return Response(PreventionLogOutput(log).data)
