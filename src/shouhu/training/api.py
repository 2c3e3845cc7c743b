"""The training API: one class per operation, small input and output serializers (X7).

Attendees are shown by name, role and masked document number, never the number itself."""

from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.common import bounds
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.orgs import selectors as org_selectors
from shouhu.training import selectors, services
from shouhu.training.models import MAX_HOURS, Attendance, Audience, TrainingSession
from shouhu.training.permissions import TrainingPerm

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]


class AttendanceOutput(bounds.BoundedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    id_number = serializers.CharField(source="person.id_number_masked", read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "person", "person_name", "id_number", "role"]


class SessionOutput(bounds.BoundedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    audience = serializers.ListField(child=serializers.ChoiceField(choices=Audience.choices), read_only=True)
    attendee_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "module",
            "unit",
            "unit_name",
            "held_on",
            "topic",
            "audience",
            "trainer",
            "place",
            "hours",
            "attendee_count",
        ]


class SessionDetailOutput(SessionOutput):
    attendances = AttendanceOutput(many=True, read_only=True, source="attendance_list")

    class Meta(SessionOutput.Meta):
        fields = [*SessionOutput.Meta.fields, "attendances"]


def _detail(session: TrainingSession) -> dict:
    # The list read once, in its order, for the serializer (a prefetch would lose the order).
    setattr(session, "attendance_list", list(selectors.attendances_of(session)))  # noqa: B010
    return SessionDetailOutput(session).data


class SessionFilterInput(serializers.Serializer):
    module = serializers.ChoiceField(choices=Module.choices, required=False, default="", allow_blank=True)
    unit = ObjectIdField(required=False, allow_null=True, default=None)
    date_from = bounds.ApiDateField(required=False, allow_null=True, default=None)
    date_to = bounds.ApiDateField(required=False, allow_null=True, default=None)
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=50)


class SessionInput(serializers.Serializer):
    module = serializers.ChoiceField(choices=Module.choices)
    unit = ObjectIdField(required=False, allow_null=True, default=None, help_text="组织单位；默认本单位")
    held_on = bounds.ApiDateField()
    topic = serializers.CharField(max_length=200)
    audience = serializers.ListField(
        child=serializers.ChoiceField(choices=Audience.choices), min_length=1, max_length=len(Audience.values)
    )
    trainer = serializers.CharField(max_length=100)
    place = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=Decimal("0.1"), max_value=MAX_HOURS
    )


class AttendanceInput(serializers.Serializer):
    person = ObjectIdField(required=False, allow_null=True, default=None, help_text="已登记人员的编号")
    id_number = serializers.CharField(
        max_length=18, required=False, default="", allow_blank=True, help_text="或：证件号码"
    )
    role = serializers.ChoiceField(choices=Audience.choices)


class SessionListApi(ScopedAPIView):
    required_perms = {"GET": TrainingPerm.VIEW}

    @extend_schema(
        parameters=[SessionFilterInput, *PAGE_PARAMETERS],
        responses=SessionOutput(many=True),
        summary="培训记录",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = SessionFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        sessions = selectors.session_list(
            viewer=request.user, filters=selectors.SessionFilters(**filters.validated_data)
        )
        return paginated(self, request, sessions, SessionOutput)


class SessionRecordApi(ScopedAPIView):
    required_perms = {"POST": TrainingPerm.MANAGE}

    @extend_schema(request=SessionInput, responses={201: SessionDetailOutput}, summary="登记培训")
    def post(self, request: AuthedRequest) -> Response:
        data = SessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit_id = values.pop("unit")
        unit = org_selectors.access_unit(request.user, unit_id) if unit_id else request.user.unit
        if unit is None:
            raise DomainError(
                "请指定组织单位", code="invalid_training", field_errors={"unit": ["请指定组织单位"]}
            )
        session = services.session_record(actor=request.user, unit=unit, **values)
        session = selectors.access_session(request.user, session.pk)
        return Response(_detail(session), status=status.HTTP_201_CREATED)


class SessionDetailApi(ScopedAPIView):
    required_perms = {"GET": TrainingPerm.VIEW}

    @extend_schema(responses=SessionDetailOutput, summary="培训详情（含参训名单）")
    def get(self, request: AuthedRequest, training_session_id: int) -> Response:
        return Response(_detail(selectors.access_session(request.user, training_session_id)))


class AttendanceAddApi(ScopedAPIView):
    required_perms = {"POST": TrainingPerm.MANAGE}

    @extend_schema(request=AttendanceInput, responses={201: AttendanceOutput}, summary="添加参训人员")
    def post(self, request: AuthedRequest, training_session_id: int) -> Response:
        session = selectors.access_session_for_recording(request.user, training_session_id)
        data = AttendanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["person"]:
            person = selectors.attendee_by_pk(viewer=request.user, session=session, pk=values["person"])
        elif values["id_number"].strip():
            person = selectors.attendee_by_document(
                viewer=request.user, session=session, id_number=values["id_number"]
            )
        else:
            raise DomainError(
                "请指定人员编号或证件号码", code="invalid_attendance", field_errors={"person": ["请指定人员"]}
            )
        if person is None:
            message = "未找到该人员，或其不在本单位及下级单位登记"
            raise DomainError(message, code="person_not_found", field_errors={"person": [message]})
        attendance = services.attendance_add(
            actor=request.user, session=session, person=person, role=values["role"]
        )
        return Response(AttendanceOutput(attendance).data, status=status.HTTP_201_CREATED)


class AttendanceRemoveInput(serializers.Serializer):
    attendance = ObjectIdField(help_text="参训记录的编号")


class AttendanceRemoveApi(ScopedAPIView):
    required_perms = {"POST": TrainingPerm.MANAGE}

    @extend_schema(request=AttendanceRemoveInput, responses={204: None}, summary="移除参训人员")
    def post(self, request: AuthedRequest, training_session_id: int) -> Response:
        session = selectors.access_session_for_recording(request.user, training_session_id)
        data = AttendanceRemoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        attendance = selectors.attendance_in(session, data.validated_data["attendance"])
        if attendance is None:
            message = "本次培训的参训名单中没有该记录"
            raise DomainError(message, code="attendance_not_found", field_errors={"attendance": [message]})
        services.attendance_remove(actor=request.user, attendance=attendance)
        return Response(status=status.HTTP_204_NO_CONTENT)
