"""The screening API: one class per operation, small input and output serializers (X7)."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.campaigns.policy import current_policy
from shouhu.common import bounds, clock
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.common.validation import parse_temperature
from shouhu.people import selectors as people_selectors
from shouhu.screening import selectors, services
from shouhu.screening.models import (
    HealthCode,
    IsolationKind,
    IsolationRecord,
    ItineraryCode,
    RecordSource,
    RiskArea,
    RiskLevel,
    Screening,
    ScreeningPolicy,
    ScreeningSource,
    Verdict,
)
from shouhu.screening.permissions import ScreeningPerm
from shouhu.screening.rules import Facts, TravelEntry, travel_check

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]


# --- Travel -----------------------------------------------------------------------------------


class TravelEntrySerializer(serializers.Serializer):
    place = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    province = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    code = serializers.CharField(max_length=12, required=False, default="", allow_blank=True)
    arrived_on = bounds.ApiDateField()
    left_on = bounds.ApiDateField(required=False, allow_null=True, default=None)


def _entries(items: list[dict[str, Any]]) -> list[TravelEntry]:
    return [TravelEntry(**item) for item in items]


class TravelCheckInput(serializers.Serializer):
    travel = TravelEntrySerializer(many=True)


class TravelMatchOutput(serializers.Serializer):
    place = serializers.CharField()
    risk_area = serializers.IntegerField()
    risk_area_place = serializers.CharField()
    level = serializers.ChoiceField(choices=RiskLevel.choices)


class TravelCheckOutput(serializers.Serializer):
    lookback_days = serializers.IntegerField()
    matches = TravelMatchOutput(many=True)
    possible = TravelMatchOutput(many=True)
    unknown_places = serializers.ListField(child=serializers.CharField())


class TravelCheckApi(ScopedAPIView):
    required_perms = {"POST": ScreeningPerm.VIEW}

    @extend_schema(request=TravelCheckInput, responses=TravelCheckOutput, summary="旅居史与中高风险地区比对")
    def post(self, request: AuthedRequest) -> Response:
        data = TravelCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        entries = services.clean_travel(_entries(data.validated_data["travel"]))
        today = clock.today()
        policy = current_policy(ScreeningPolicy, today)
        check = travel_check(entries, on=today, policy=policy)

        def rows(matches: list) -> list[dict[str, Any]]:
            return [
                {
                    "place": m.entry.label,
                    "risk_area": m.area.pk,
                    "risk_area_place": m.area.place_label,
                    "level": m.area.level,
                }
                for m in matches
            ]

        body = {
            "lookback_days": policy.risk_lookback_days,
            "matches": rows(check.matches),
            "possible": rows(check.possible),
            "unknown_places": [e.place for e in check.unknown],
        }
        return Response(TravelCheckOutput(body).data)


# --- Risk areas -------------------------------------------------------------------------------


class RiskAreaOutput(bounds.BoundedModelSerializer):
    place = serializers.CharField(source="place_label", read_only=True)

    class Meta:
        model = RiskArea
        fields = [
            "id",
            "level",
            "place",
            "province",
            "city",
            "county",
            "township",
            "community",
            "admin_code",
            "effective_from",
            "effective_to",
            "source",
            "note",
        ]


class RiskAreaFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=50)
    level = serializers.ChoiceField(choices=RiskLevel.choices, required=False, default="", allow_blank=True)
    active_on = bounds.ApiDateField(required=False, allow_null=True, default=None)
    include_history = serializers.BooleanField(required=False, default=False)


class RiskAreaInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=RiskLevel.choices)
    province = serializers.CharField(max_length=30)
    city = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    county = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    township = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    community = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    admin_code = serializers.CharField(max_length=12, required=False, default="", allow_blank=True)
    effective_from = bounds.ApiDateField()
    effective_to = bounds.ApiDateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class RiskAreaListApi(ScopedAPIView):
    required_perms = {"GET": ScreeningPerm.VIEW, "POST": ScreeningPerm.MANAGE_RISK_AREAS}

    @extend_schema(
        parameters=[RiskAreaFilterInput, *PAGE_PARAMETERS],
        responses=RiskAreaOutput(many=True),
        summary="中高风险地区（默认只列仍在生效的）",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = RiskAreaFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        areas = selectors.risk_area_list(
            viewer=request.user, filters=selectors.RiskAreaFilters(**filters.validated_data)
        )
        return paginated(self, request, areas, RiskAreaOutput)

    @extend_schema(
        request=RiskAreaInputSerializer,
        responses={201: RiskAreaOutput, 200: RiskAreaOutput},
        summary="登记中高风险地区（相同记录已存在则返回原记录）",
    )
    def post(self, request: AuthedRequest) -> Response:
        data = RiskAreaInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recording = services.risk_area_create(
            actor=request.user, data=services.RiskAreaInput(**data.validated_data), source=RecordSource.API
        )
        code = status.HTTP_201_CREATED if recording.created else status.HTTP_200_OK
        return Response(RiskAreaOutput(recording.area).data, status=code)


class RiskAreaDetailApi(ScopedAPIView):
    required_perms = {"GET": ScreeningPerm.VIEW}

    @extend_schema(responses=RiskAreaOutput, summary="中高风险地区详情")
    def get(self, request: AuthedRequest, risk_area_id: int) -> Response:
        return Response(RiskAreaOutput(selectors.access_risk_area(request.user, risk_area_id)).data)


class RiskAreaEndInput(serializers.Serializer):
    last_day = bounds.ApiDateField()
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class RiskAreaEndApi(ScopedAPIView):
    required_perms = {"POST": ScreeningPerm.MANAGE_RISK_AREAS}

    @extend_schema(request=RiskAreaEndInput, responses=RiskAreaOutput, summary="结束中高风险地区（保留历史）")
    def post(self, request: AuthedRequest, risk_area_id: int) -> Response:
        area = selectors.access_risk_area(request.user, risk_area_id)
        data = RiskAreaEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        area = services.risk_area_end(actor=request.user, area=area, **data.validated_data)
        return Response(RiskAreaOutput(area).data)


# --- Isolation register ---------------------------------------------------------------------


class IsolationOutput(bounds.BoundedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    home_unit = serializers.IntegerField(source="person.home_unit_id", read_only=True)

    class Meta:
        model = IsolationRecord
        fields = [
            "id",
            "person",
            "person_name",
            "home_unit",
            "kind",
            "starts_on",
            "planned_end_on",
            "actual_end_on",
            "source",
            "note",
            "end_reason",
            "confirmed_on",
        ]


class IsolationFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=50)
    kind = serializers.ChoiceField(
        choices=IsolationKind.choices, required=False, default="", allow_blank=True
    )
    active_on = bounds.ApiDateField(required=False, allow_null=True, default=None)


class IsolationInput(serializers.Serializer):
    person = ObjectIdField()
    kind = serializers.ChoiceField(choices=IsolationKind.choices)
    starts_on = bounds.ApiDateField()
    planned_end_on = bounds.ApiDateField(required=False, allow_null=True, default=None)
    # A declared field named like Field.source (the attribute DRF reads it from): the API's
    # word for where the isolation order came from.
    source = serializers.CharField(max_length=100)  # type: ignore[assignment]
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    confirmed_on = bounds.ApiDateField(
        required=False, allow_null=True, default=None, help_text="确诊病例的确诊日期；非确诊病例不填"
    )


class IsolationListApi(ScopedAPIView):
    required_perms = {"GET": ScreeningPerm.VIEW, "POST": ScreeningPerm.MANAGE_ISOLATION}

    @extend_schema(
        parameters=[IsolationFilterInput, *PAGE_PARAMETERS],
        responses=IsolationOutput(many=True),
        summary="隔离人员",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = IsolationFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        records = selectors.isolation_list(
            viewer=request.user, filters=selectors.IsolationFilters(**filters.validated_data)
        )
        return paginated(self, request, records, IsolationOutput)

    @extend_schema(
        request=IsolationInput,
        responses={201: IsolationOutput, 200: IsolationOutput},
        summary="登记隔离（计划解除日期默认按政策参数计算）",
    )
    def post(self, request: AuthedRequest) -> Response:
        data = IsolationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = selectors.access_person_for_recording(request.user, values.pop("person"))
        recording = services.isolation_record(
            actor=request.user, person=person, entered_via=RecordSource.API, **values
        )
        code = status.HTTP_201_CREATED if recording.created else status.HTTP_200_OK
        return Response(IsolationOutput(recording.record).data, status=code)


class IsolationDetailApi(ScopedAPIView):
    required_perms = {"GET": ScreeningPerm.VIEW}

    @extend_schema(responses=IsolationOutput, summary="隔离记录详情")
    def get(self, request: AuthedRequest, isolation_id: int) -> Response:
        return Response(IsolationOutput(selectors.access_isolation(request.user, isolation_id)).data)


class IsolationEndInput(serializers.Serializer):
    ended_on = bounds.ApiDateField()
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class IsolationEndApi(ScopedAPIView):
    required_perms = {"POST": ScreeningPerm.MANAGE_ISOLATION}

    @extend_schema(request=IsolationEndInput, responses=IsolationOutput, summary="解除隔离")
    def post(self, request: AuthedRequest, isolation_id: int) -> Response:
        record = selectors.access_isolation_for_recording(request.user, isolation_id)
        data = IsolationEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.isolation_end(actor=request.user, record=record, **data.validated_data)
        return Response(IsolationOutput(record).data)


class IsolationConfirmInput(serializers.Serializer):
    confirmed_on = bounds.ApiDateField()


class IsolationConfirmApi(ScopedAPIView):
    required_perms = {"POST": ScreeningPerm.MANAGE_ISOLATION}

    @extend_schema(request=IsolationConfirmInput, responses=IsolationOutput, summary="标记为确诊病例")
    def post(self, request: AuthedRequest, isolation_id: int) -> Response:
        record = selectors.access_isolation_for_recording(request.user, isolation_id)
        data = IsolationConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.isolation_mark_confirmed(actor=request.user, record=record, **data.validated_data)
        return Response(IsolationOutput(record).data)


class PersonIsolationOutput(serializers.Serializer):
    person = serializers.IntegerField()
    on = bounds.ApiDateField()
    in_isolation = serializers.BooleanField()
    record = IsolationOutput(allow_null=True)


class PersonIsolationApi(ScopedAPIView):
    required_perms = {"GET": ScreeningPerm.VIEW}

    @extend_schema(
        parameters=[OpenApiParameter("on", str, description="日期，默认今天")],
        responses=PersonIsolationOutput,
        summary="某人某日是否在隔离期内",
    )
    def get(self, request: AuthedRequest, person_id: int) -> Response:
        person = people_selectors.access_person(request.user, person_id)
        day = bounds.query_day(request.query_params, "on", label="日期") or clock.today()
        record = selectors.person_in_isolation_on(person, day)
        body = {"person": person.pk, "on": day, "in_isolation": record is not None, "record": record}
        return Response(PersonIsolationOutput(body).data)


# --- Screenings -------------------------------------------------------------------------------


class ScreeningOutput(bounds.BoundedModelSerializer):
    """Names and numbers as on screen: the visitor's phone masked."""

    name = serializers.CharField(source="who", read_only=True)
    visitor_phone = serializers.CharField(source="visitor_phone_masked", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    reasons = serializers.ListField(source="reason_list", child=serializers.CharField(), read_only=True)
    notes = serializers.ListField(source="note_list", child=serializers.CharField(), read_only=True)
    reason_codes = serializers.ListField(child=serializers.CharField(), read_only=True)
    travel = TravelEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Screening
        fields = [
            "id",
            "unit",
            "unit_name",
            "person",
            "name",
            "visitor_phone",
            "screened_at",
            "health_code",
            "itinerary_code",
            "itinerary_star",
            "temperature",
            "mask",
            "refused_checks",
            "travel",
            "verdict",
            "reason_codes",
            "reasons",
            "notes",
            "needs_review",
            "source",
            "screened_by",
            "confirmed_at",
        ]


class ScreeningFilterInput(serializers.Serializer):
    unit = ObjectIdField(required=False, allow_null=True, default=None)
    verdict = serializers.ChoiceField(choices=Verdict.choices, required=False, default="", allow_blank=True)
    day = bounds.ApiDateField(required=False, allow_null=True, default=None)
    needs_review = serializers.BooleanField(required=False, default=False)
    search = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=50,
        help_text="一人的来访：姓名、证件号码或手机号（证件号码、手机号和访客姓名须完整）",
    )


class ScreeningInput(serializers.Serializer):
    unit = ObjectIdField()
    person = ObjectIdField(required=False, allow_null=True, default=None)
    visitor_name = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    visitor_phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    # The answers are asked, never assumed: a client that leaves one out is told so (400), as the
    # desk form preselects nothing.
    health_code = serializers.ChoiceField(choices=HealthCode.choices, help_text="健康码颜色")
    itinerary_code = serializers.ChoiceField(choices=ItineraryCode.choices, help_text="行程码颜色")
    itinerary_star = serializers.BooleanField(help_text="行程码是否带星号")
    temperature = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)
    mask = serializers.BooleanField(help_text="是否佩戴口罩")
    refused_checks = serializers.BooleanField(default=False)
    travel = TravelEntrySerializer(many=True, required=False, default=list)


class ScreeningListApi(ScopedAPIView):
    required_perms = {"GET": ScreeningPerm.VIEW, "POST": ScreeningPerm.SCREEN}

    @extend_schema(
        parameters=[ScreeningFilterInput, *PAGE_PARAMETERS],
        responses=ScreeningOutput(many=True),
        summary="入口查验记录",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = ScreeningFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = dict(filters.validated_data)
        screenings = selectors.screening_list(
            viewer=request.user,
            filters=selectors.ScreeningFilters(
                unit=values["unit"],
                verdict=values["verdict"],
                day=values["day"],
                needs_review=values["needs_review"],
                search=values["search"],
            ),
        )
        return paginated(self, request, screenings, ScreeningOutput)

    @extend_schema(
        request=ScreeningInput,
        responses={201: ScreeningOutput},
        summary="登记一次入口查验（结论按政策参数判定）",
    )
    def post(self, request: AuthedRequest) -> Response:
        data = ScreeningInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit = selectors.access_institution_for_screening(request.user, values["unit"])
        person = people_selectors.access_person(request.user, values["person"]) if values["person"] else None
        facts = Facts(
            health_code=values["health_code"],
            itinerary_code=values["itinerary_code"],
            itinerary_star=values["itinerary_star"],
            temperature=parse_temperature(values.get("temperature")),
            mask=values["mask"],
            refused_checks=values["refused_checks"],
            travel=tuple(_entries(values["travel"])),
        )
        screening = services.screening_record(
            actor=request.user,
            unit=unit,
            facts=facts,
            person=person,
            visitor_name=values["visitor_name"],
            visitor_phone=values["visitor_phone"],
            source=ScreeningSource.API,
        )
        return Response(ScreeningOutput(screening).data, status=status.HTTP_201_CREATED)


class ScreeningDetailApi(ScopedAPIView):
    required_perms = {"GET": ScreeningPerm.VIEW}

    @extend_schema(responses=ScreeningOutput, summary="入口查验记录详情")
    def get(self, request: AuthedRequest, screening_id: int) -> Response:
        return Response(ScreeningOutput(selectors.access_screening(request.user, screening_id)).data)


class ConfirmInput(serializers.Serializer):
    temperature = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)
    health_code = serializers.ChoiceField(choices=HealthCode.choices, required=False)
    itinerary_code = serializers.ChoiceField(choices=ItineraryCode.choices, required=False)
    itinerary_star = serializers.BooleanField(required=False, allow_null=True, default=None)
    mask = serializers.BooleanField(required=False, allow_null=True, default=None)
    refused_checks = serializers.BooleanField(default=False)


class ScreeningConfirmApi(ScopedAPIView):
    required_perms = {"POST": ScreeningPerm.SCREEN}

    @extend_schema(request=ConfirmInput, responses=ScreeningOutput, summary="确认扫码申报（测温并给出结论）")
    def post(self, request: AuthedRequest, screening_id: int) -> Response:
        screening = selectors.access_screening_for_screening(request.user, screening_id)
        data = ConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        screening = services.declaration_confirm(
            actor=request.user,
            screening=screening,
            temperature=values.get("temperature"),
            health_code=values.get("health_code"),
            itinerary_code=values.get("itinerary_code"),
            itinerary_star=values.get("itinerary_star"),
            mask=values.get("mask"),
            refused_checks=values["refused_checks"],
        )
        return Response(ScreeningOutput(screening).data)
