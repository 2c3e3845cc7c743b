"""The funerals API: one class per operation, small input and output serializers (X7)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.common import bounds
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.funerals import selectors, services
from shouhu.funerals.models import (
    CeremonyType,
    FuneralCase,
    PPEItem,
    PPEMovement,
    PPEStock,
    RemainsStep,
    RemainsStepRecord,
)
from shouhu.funerals.permissions import FuneralPerm
from shouhu.people import selectors as people_selectors

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]
MAX_ISSUES_PER_STEP = 10
MAX_ATTENDANCE = 32767  # the column's range; the rule's cap is the policy's


# --- Cases (F1) ------------------------------------------------------------------------------


class StepOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = RemainsStepRecord
        fields = ["id", "step", "sequence", "done_at", "staff", "vehicle", "protective_equipment", "note"]


class CaseOutput(bounds.BoundedModelSerializer):
    """The family's phone masked, as on screen."""

    home_name = serializers.CharField(source="home.name", read_only=True)
    deceased_name = serializers.CharField(source="deceased.name", read_only=True)
    contact_phone = serializers.CharField(source="contact_phone_masked", read_only=True)
    next_step = serializers.SerializerMethodField()

    class Meta:
        model = FuneralCase
        fields = [
            "id",
            "home",
            "home_name",
            "deceased",
            "deceased_name",
            "died_on",
            "contact_name",
            "contact_phone",
            "service_date",
            "ceremony_type",
            "attendance",
            "covid_remains",
            "remains_stage",
            "next_step",
            "note",
        ]

    def get_next_step(self, case: FuneralCase) -> str | None:
        due = selectors.next_step(case)
        return due.value if due else None


class CaseDetailOutput(CaseOutput):
    steps = StepOutput(many=True, read_only=True)

    class Meta(CaseOutput.Meta):
        fields = [*CaseOutput.Meta.fields, "steps"]


class CaseFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=50)
    home = ObjectIdField(required=False, allow_null=True, default=None)
    ceremony_type = serializers.ChoiceField(
        choices=CeremonyType.choices, required=False, default="", allow_blank=True
    )
    covid_only = serializers.BooleanField(required=False, default=False)
    open_only = serializers.BooleanField(required=False, default=False)
    date_from = bounds.ApiDateField(required=False, allow_null=True, default=None)
    date_to = bounds.ApiDateField(required=False, allow_null=True, default=None)


class CaseInput(serializers.Serializer):
    home = ObjectIdField()
    person = ObjectIdField(required=False, allow_null=True, default=None, help_text="已登记人员的编号")
    deceased_name = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    deceased_id_number = serializers.CharField(max_length=18, required=False, default="", allow_blank=True)
    died_on = bounds.ApiDateField()
    contact_name = serializers.CharField(max_length=50)
    contact_phone = serializers.CharField(max_length=20)
    service_date = bounds.ApiDateField()
    ceremony_type = serializers.ChoiceField(choices=CeremonyType.choices)
    attendance = bounds.ApiIntegerField(min_value=0, max_value=MAX_ATTENDANCE, required=False, default=0)
    covid_remains = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class CaseListApi(ScopedAPIView):
    required_perms = {"GET": FuneralPerm.VIEW, "POST": FuneralPerm.MANAGE_CASES}

    @extend_schema(
        parameters=[CaseFilterInput, *PAGE_PARAMETERS], responses=CaseOutput(many=True), summary="治丧记录"
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = CaseFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        cases = selectors.case_list(
            viewer=request.user, filters=selectors.CaseFilters(**filters.validated_data)
        )
        return paginated(self, request, cases, CaseOutput)

    @extend_schema(request=CaseInput, responses={201: CaseDetailOutput}, summary="登记治丧")
    def post(self, request: AuthedRequest) -> Response:
        data = CaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        home = selectors.access_home_for_recording(request.user, values.pop("home"))
        person_id = values.pop("person")
        person = people_selectors.access_person(request.user, person_id) if person_id else None
        case = services.case_register(
            actor=request.user, home=home, data=services.CaseInput(deceased=person, **values)
        )
        return Response(CaseDetailOutput(case).data, status=status.HTTP_201_CREATED)


class CaseDetailApi(ScopedAPIView):
    required_perms = {"GET": FuneralPerm.VIEW}

    @extend_schema(responses=CaseDetailOutput, summary="治丧记录详情（含遗体处置环节）")
    def get(self, request: AuthedRequest, funeral_case_id: int) -> Response:
        return Response(CaseDetailOutput(selectors.access_case(request.user, funeral_case_id)).data)


# --- Remains steps (F2) ----------------------------------------------------------------------


class PPEUseInput(serializers.Serializer):
    item = serializers.ChoiceField(choices=PPEItem.choices)
    quantity = bounds.ApiIntegerField(min_value=1, max_value=services.MAX_QUANTITY)


class StepInput(serializers.Serializer):
    step = serializers.ChoiceField(choices=RemainsStep.choices)
    done_at = bounds.ApiDateTimeField()
    staff = serializers.CharField(max_length=100)
    vehicle = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    protective_equipment = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    issues = serializers.ListField(
        child=PPEUseInput(), required=False, default=list, max_length=MAX_ISSUES_PER_STEP
    )


class StepRecordApi(ScopedAPIView):
    required_perms = {"POST": FuneralPerm.MANAGE_CASES}

    @extend_schema(
        request=StepInput,
        responses={201: CaseDetailOutput},
        summary="记录遗体处置的下一环节（可同时从库存领用防护物资）",
    )
    def post(self, request: AuthedRequest, funeral_case_id: int) -> Response:
        case = selectors.access_case_for_recording(request.user, funeral_case_id)
        data = StepInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        issues = [services.PPEUse(**use) for use in values.pop("issues")]
        services.remains_step_record(
            actor=request.user, case=case, data=services.StepInput(issues=issues, **values)
        )
        fresh = selectors.access_case(request.user, case.pk)
        return Response(CaseDetailOutput(fresh).data, status=status.HTTP_201_CREATED)


# --- Protective equipment (F3) ---------------------------------------------------------------


class StockOutput(bounds.BoundedModelSerializer):
    home_name = serializers.CharField(source="home.name", read_only=True)

    class Meta:
        model = PPEStock
        fields = ["id", "home", "home_name", "item", "quantity"]


class StockFilterInput(serializers.Serializer):
    home = ObjectIdField(required=False, allow_null=True, default=None)


class MovementOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = PPEMovement
        fields = [
            "id",
            "home",
            "item",
            "kind",
            "quantity",
            "balance_after",
            "issued_to",
            "supplier",
            "step",
            "happened_at",
        ]


class StockListApi(ScopedAPIView):
    required_perms = {"GET": FuneralPerm.VIEW}

    @extend_schema(
        parameters=[StockFilterInput, *PAGE_PARAMETERS],
        responses=StockOutput(many=True),
        summary="防护物资库存",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = StockFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated(
            self, request, selectors.stock_list(viewer=request.user, **filters.validated_data), StockOutput
        )


class ReceiptInput(serializers.Serializer):
    item = serializers.ChoiceField(choices=PPEItem.choices)
    quantity = bounds.ApiIntegerField(min_value=1, max_value=services.MAX_QUANTITY)
    supplier = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class ReceiptApi(ScopedAPIView):
    required_perms = {"POST": FuneralPerm.MANAGE_PPE}

    @extend_schema(request=ReceiptInput, responses={201: MovementOutput}, summary="防护物资入库")
    def post(self, request: AuthedRequest, funeral_home_id: int) -> Response:
        home = selectors.access_home_for_recording(request.user, funeral_home_id)
        data = ReceiptInput(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.ppe_receive(actor=request.user, home=home, **data.validated_data)
        return Response(MovementOutput(movement).data, status=status.HTTP_201_CREATED)


class IssueInput(serializers.Serializer):
    item = serializers.ChoiceField(choices=PPEItem.choices)
    quantity = bounds.ApiIntegerField(min_value=1, max_value=services.MAX_QUANTITY)
    issued_to = serializers.CharField(max_length=50)


class IssueApi(ScopedAPIView):
    required_perms = {"POST": FuneralPerm.MANAGE_PPE}

    @extend_schema(
        request=IssueInput, responses={201: MovementOutput}, summary="防护物资发放（超过库存即拒绝）"
    )
    def post(self, request: AuthedRequest, funeral_home_id: int) -> Response:
        home = selectors.access_home_for_recording(request.user, funeral_home_id)
        data = IssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.ppe_issue(actor=request.user, home=home, **data.validated_data)
        return Response(MovementOutput(movement).data, status=status.HTTP_201_CREATED)
