"""The rescue API: one class per operation, small input and output serializers (X7). The person
register's numbers never appear unmasked."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.common import bounds
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.people.models import Person
from shouhu.rescue import selectors, services
from shouhu.rescue.models import (
    AssignmentKind,
    EncounterAction,
    Gender,
    Incident,
    IncidentKind,
    PatrolEncounter,
    ProvisionKind,
    RescuedPerson,
    RescuedStatus,
    ReturnStatus,
    ReturnTrip,
    StaffAssignment,
    StreetPatrol,
    Transport,
)
from shouhu.rescue.permissions import RescuePerm

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]
MAX_AGE = 120  # not a policy threshold: the oldest plausible age


# --- Patrols (R1) -----------------------------------------------------------------------------


class EncounterOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = PatrolEncounter
        fields = ["id", "patrol", "place", "description", "action", "note", "rescued"]


class PatrolOutput(bounds.BoundedModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)

    class Meta:
        model = StreetPatrol
        fields = ["id", "station", "station_name", "area", "started_at", "ended_at", "staff", "note"]


class PatrolFilterInput(serializers.Serializer):
    station = ObjectIdField(required=False, allow_null=True, default=None)
    date_from = bounds.ApiDateField(required=False, allow_null=True, default=None)
    date_to = bounds.ApiDateField(required=False, allow_null=True, default=None)


class PatrolInput(serializers.Serializer):
    station = ObjectIdField()
    area = serializers.CharField(max_length=200)
    started_at = bounds.ApiDateTimeField()
    ended_at = bounds.ApiDateTimeField()
    staff = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class PatrolListApi(ScopedAPIView):
    required_perms = {"GET": RescuePerm.VIEW, "POST": RescuePerm.RECORD}

    @extend_schema(
        parameters=[PatrolFilterInput, *PAGE_PARAMETERS],
        responses=PatrolOutput(many=True),
        summary="街面巡查",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = PatrolFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        patrols = selectors.patrol_list(
            viewer=request.user, filters=selectors.PatrolFilters(**filters.validated_data)
        )
        return paginated(self, request, patrols, PatrolOutput)

    @extend_schema(request=PatrolInput, responses={201: PatrolOutput}, summary="登记街面巡查")
    def post(self, request: AuthedRequest) -> Response:
        data = PatrolInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        station = selectors.access_station_for_recording(request.user, values.pop("station"))
        patrol = services.patrol_log(actor=request.user, station=station, data=services.PatrolInput(**values))
        return Response(PatrolOutput(patrol).data, status=status.HTTP_201_CREATED)


class EncounterInput(serializers.Serializer):
    place = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=300)
    action = serializers.ChoiceField(choices=EncounterAction.choices)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    open_record = serializers.BooleanField(
        required=False, default=False, help_text="劝导入站时同时开立受助人员记录"
    )
    name = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, default=Gender.UNKNOWN)
    approx_age = bounds.ApiIntegerField(
        min_value=0, max_value=MAX_AGE, required=False, allow_null=True, default=None
    )


class EncounterCreateApi(ScopedAPIView):
    required_perms = {"POST": RescuePerm.RECORD}

    @extend_schema(request=EncounterInput, responses={201: EncounterOutput}, summary="记录巡查遇到的人员")
    def post(self, request: AuthedRequest, street_patrol_id: int) -> Response:
        patrol = selectors.access_patrol_for_recording(request.user, street_patrol_id)
        data = EncounterInput(data=request.data)
        data.is_valid(raise_exception=True)
        encounter = services.encounter_record(
            actor=request.user, patrol=patrol, data=services.EncounterInput(**data.validated_data)
        )
        return Response(EncounterOutput(encounter).data, status=status.HTTP_201_CREATED)


# --- People rescued (R2) ----------------------------------------------------------------------


class ReturnOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = ReturnTrip
        fields = [
            "id",
            "rescued",
            "destination",
            "transport",
            "escorted",
            "receiver",
            "planned_on",
            "departed_at",
            "arrived_at",
            "confirmed_by_name",
            "confirmation_note",
            "status",
        ]


class RescuedOutput(bounds.BoundedModelSerializer):
    """The register's ID number masked, as on screen."""

    station_name = serializers.CharField(source="station.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default="")
    person_id_number = serializers.CharField(source="person.id_number_masked", read_only=True, default="")
    entry_verdict = serializers.CharField(source="entry_screening.verdict", read_only=True, default="")

    class Meta:
        model = RescuedPerson
        fields = [
            "id",
            "station",
            "station_name",
            "temp_number",
            "name",
            "gender",
            "approx_age",
            "description",
            "found_place",
            "admitted_at",
            "status",
            "left_on",
            "person",
            "person_name",
            "person_id_number",
            "entry_verdict",
            "note",
        ]


class RescuedFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=50)
    station = ObjectIdField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(
        choices=RescuedStatus.choices, required=False, default="", allow_blank=True
    )
    unmatched_only = serializers.BooleanField(required=False, default=False)


class RescuedInput(serializers.Serializer):
    station = ObjectIdField()
    name = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, default=Gender.UNKNOWN)
    approx_age = bounds.ApiIntegerField(
        min_value=0, max_value=MAX_AGE, required=False, allow_null=True, default=None
    )
    description = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    found_place = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    admitted_at = bounds.ApiDateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class RescuedListApi(ScopedAPIView):
    required_perms = {"GET": RescuePerm.VIEW, "POST": RescuePerm.RECORD}

    @extend_schema(
        parameters=[RescuedFilterInput, *PAGE_PARAMETERS],
        responses=RescuedOutput(many=True),
        summary="受助人员",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = RescuedFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        people = selectors.rescued_list(
            viewer=request.user, filters=selectors.RescuedFilters(**filters.validated_data)
        )
        return paginated(self, request, people, RescuedOutput)

    @extend_schema(
        request=RescuedInput, responses={201: RescuedOutput}, summary="登记受助人员（生成临时编号）"
    )
    def post(self, request: AuthedRequest) -> Response:
        data = RescuedInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        station = selectors.access_station_for_recording(request.user, values.pop("station"))
        rescued = services.rescued_admit(
            actor=request.user, station=station, data=services.RescuedInput(**values)
        )
        return Response(RescuedOutput(rescued).data, status=status.HTTP_201_CREATED)


class RescuedDetailOutput(RescuedOutput):
    returns = ReturnOutput(many=True, read_only=True)

    class Meta(RescuedOutput.Meta):
        fields = [*RescuedOutput.Meta.fields, "returns"]


class RescuedDetailApi(ScopedAPIView):
    required_perms = {"GET": RescuePerm.VIEW}

    @extend_schema(responses=RescuedDetailOutput, summary="受助人员详情（含返乡）")
    def get(self, request: AuthedRequest, rescued_id: int) -> Response:
        return Response(RescuedDetailOutput(selectors.access_rescued(request.user, rescued_id)).data)


class ProvisionInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ProvisionKind.choices)
    provided_on = bounds.ApiDateField()
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class ProvisionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    provided_on = bounds.ApiDateField()
    note = serializers.CharField()


class ProvisionCreateApi(ScopedAPIView):
    required_perms = {"POST": RescuePerm.RECORD}

    @extend_schema(request=ProvisionInput, responses={201: ProvisionOutput}, summary="记录基本权益保障")
    def post(self, request: AuthedRequest, rescued_id: int) -> Response:
        rescued = selectors.access_rescued_for_recording(request.user, rescued_id)
        data = ProvisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        provision = services.provision_record(actor=request.user, rescued=rescued, **data.validated_data)
        return Response(ProvisionOutput(provision).data, status=status.HTTP_201_CREATED)


class MatchInput(serializers.Serializer):
    person = ObjectIdField(required=False, allow_null=True, default=None, help_text="已登记人员的编号")
    name = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    id_number = serializers.CharField(max_length=18, required=False, default="", allow_blank=True)


class MatchApi(ScopedAPIView):
    required_perms = {"POST": RescuePerm.RECORD}

    @extend_schema(request=MatchInput, responses={200: RescuedOutput}, summary="与人员登记比对关联")
    def post(self, request: AuthedRequest, rescued_id: int) -> Response:
        from shouhu.people import selectors as people_selectors

        rescued = selectors.access_rescued_for_recording(request.user, rescued_id)
        data = MatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person_id = values.pop("person")
        person: Person | None = people_selectors.access_person(request.user, person_id) if person_id else None
        services.rescued_match(actor=request.user, rescued=rescued, person=person, **values)
        return Response(RescuedOutput(selectors.access_rescued(request.user, rescued.pk)).data)


# --- Returns home (R2) and staff sent out (R4) ------------------------------------------------


class ReturnInput(serializers.Serializer):
    destination = serializers.CharField(max_length=200)
    transport = serializers.ChoiceField(choices=Transport.choices)
    receiver = serializers.CharField(max_length=100)
    planned_on = bounds.ApiDateField()
    escorted = serializers.BooleanField(required=False, default=False)


class ReturnArrangeApi(ScopedAPIView):
    required_perms = {"POST": RescuePerm.RECORD}

    @extend_schema(request=ReturnInput, responses={201: ReturnOutput}, summary="安排返乡")
    def post(self, request: AuthedRequest, rescued_id: int) -> Response:
        rescued = selectors.access_rescued_for_recording(request.user, rescued_id)
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        trip = services.return_arrange(
            actor=request.user, rescued=rescued, data=services.ReturnInput(**data.validated_data)
        )
        return Response(ReturnOutput(trip).data, status=status.HTTP_201_CREATED)


class DepartInput(serializers.Serializer):
    departed_at = bounds.ApiDateTimeField()


class ReturnDepartApi(ScopedAPIView):
    required_perms = {"POST": RescuePerm.RECORD}

    @extend_schema(request=DepartInput, responses={200: ReturnOutput}, summary="登记返乡出发")
    def post(self, request: AuthedRequest, return_trip_id: int) -> Response:
        trip = selectors.access_return_for_recording(request.user, return_trip_id)
        data = DepartInput(data=request.data)
        data.is_valid(raise_exception=True)
        trip = services.return_depart(actor=request.user, trip=trip, **data.validated_data)
        return Response(ReturnOutput(trip).data)


class ArrivalInput(serializers.Serializer):
    arrived_at = bounds.ApiDateTimeField()
    confirmed_by_name = serializers.CharField(max_length=100, help_text="接收方确认人")
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class ReturnArriveApi(ScopedAPIView):
    required_perms = {"POST": RescuePerm.RECORD}

    @extend_schema(request=ArrivalInput, responses={200: ReturnOutput}, summary="接收方确认到达")
    def post(self, request: AuthedRequest, return_trip_id: int) -> Response:
        trip = selectors.access_return_for_recording(request.user, return_trip_id)
        data = ArrivalInput(data=request.data)
        data.is_valid(raise_exception=True)
        trip = services.return_confirm_arrival(actor=request.user, trip=trip, **data.validated_data)
        return Response(ReturnOutput(trip).data)


class ReturnFilterInput(serializers.Serializer):
    station = ObjectIdField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(
        choices=ReturnStatus.choices, required=False, default="", allow_blank=True
    )
    overdue_only = serializers.BooleanField(required=False, default=False)


class ReturnListApi(ScopedAPIView):
    required_perms = {"GET": RescuePerm.VIEW}

    @extend_schema(
        parameters=[ReturnFilterInput, *PAGE_PARAMETERS], responses=ReturnOutput(many=True), summary="返乡"
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = ReturnFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        trips = selectors.return_list(
            viewer=request.user, filters=selectors.ReturnFilters(**filters.validated_data)
        )
        return paginated(self, request, trips, ReturnOutput)


class AssignmentInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AssignmentKind.choices)
    staff = ObjectIdField(help_text="本站工作人员（人员登记编号）")
    task_on = bounds.ApiDateField()
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class AssignmentOutput(bounds.BoundedModelSerializer):
    staff_name = serializers.CharField(source="staff.name", read_only=True)

    class Meta:
        model = StaffAssignment
        fields = ["id", "rescued", "kind", "staff", "staff_name", "task_on", "note"]


class AssignmentCreateApi(ScopedAPIView):
    required_perms = {"POST": RescuePerm.RECORD}

    @extend_schema(
        request=AssignmentInput,
        responses={201: AssignmentOutput},
        summary="安排护送返乡或外出寻亲（未完成全程接种的工作人员不予安排）",
    )
    def post(self, request: AuthedRequest, rescued_id: int) -> Response:
        from shouhu.common.access import get_in_scope

        rescued = selectors.access_rescued_for_recording(request.user, rescued_id)
        data = AssignmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        staff = get_in_scope(selectors.station_staff(rescued.station), values.pop("staff"))
        assignment = services.assignment_make(actor=request.user, rescued=rescued, staff=staff, **values)
        return Response(AssignmentOutput(assignment).data, status=status.HTTP_201_CREATED)


# --- Incidents (R3) ---------------------------------------------------------------------------


class IncidentOutput(bounds.BoundedModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "station",
            "station_name",
            "rescued",
            "kind",
            "occurred_at",
            "description",
            "reported_at",
            "last_report_at",
            "closed_at",
            "liability",
            "closing_note",
        ]


class IncidentFilterInput(serializers.Serializer):
    station = ObjectIdField(required=False, allow_null=True, default=None)
    open_only = serializers.BooleanField(required=False, default=False)
    kind = serializers.ChoiceField(choices=IncidentKind.choices, required=False, default="", allow_blank=True)


class IncidentInput(serializers.Serializer):
    station = ObjectIdField()
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    occurred_at = bounds.ApiDateTimeField()
    description = serializers.CharField(max_length=2000)
    rescued = ObjectIdField(required=False, allow_null=True, default=None)


class IncidentListApi(ScopedAPIView):
    required_perms = {"GET": RescuePerm.VIEW, "POST": RescuePerm.RECORD}

    @extend_schema(
        parameters=[IncidentFilterInput, *PAGE_PARAMETERS],
        responses=IncidentOutput(many=True),
        summary="安全事件",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = IncidentFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        incidents = selectors.incident_list(
            viewer=request.user, filters=selectors.IncidentFilters(**filters.validated_data)
        )
        return paginated(self, request, incidents, IncidentOutput)

    @extend_schema(request=IncidentInput, responses={201: IncidentOutput}, summary="报告安全事件（即时上报）")
    def post(self, request: AuthedRequest) -> Response:
        data = IncidentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        station = selectors.access_station_for_recording(request.user, values.pop("station"))
        rescued_id = values.pop("rescued")
        rescued = selectors.access_rescued_for_recording(request.user, rescued_id) if rescued_id else None
        incident = services.incident_report(
            actor=request.user, station=station, data=services.IncidentInput(rescued=rescued, **values)
        )
        return Response(IncidentOutput(incident).data, status=status.HTTP_201_CREATED)


class FollowUpInput(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class IncidentFollowUpApi(ScopedAPIView):
    required_perms = {"POST": RescuePerm.RECORD}

    @extend_schema(request=FollowUpInput, responses={201: IncidentOutput}, summary="安全事件续报")
    def post(self, request: AuthedRequest, rescue_incident_id: int) -> Response:
        incident = selectors.access_incident_for_recording(request.user, rescue_incident_id)
        data = FollowUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.incident_follow_up(actor=request.user, incident=incident, **data.validated_data)
        return Response(
            IncidentOutput(selectors.access_incident(request.user, incident.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class CloseInput(serializers.Serializer):
    liability = serializers.BooleanField(allow_null=True, help_text="是否为责任事故（结案时须认定）")
    note = serializers.CharField(max_length=2000)


class IncidentCloseApi(ScopedAPIView):
    required_perms = {"POST": RescuePerm.CLOSE_INCIDENTS}

    @extend_schema(
        request=CloseInput, responses={200: IncidentOutput}, summary="安全事件结案（认定是否责任事故）"
    )
    def post(self, request: AuthedRequest, rescue_incident_id: int) -> Response:
        incident = selectors.access_incident_for_recording(request.user, rescue_incident_id)
        data = CloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        incident = services.incident_close(actor=request.user, incident=incident, **data.validated_data)
        return Response(IncidentOutput(incident).data)
