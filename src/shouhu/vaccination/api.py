"""The vaccination ledger's API: one class per operation, small input and output serializers."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.common import bounds, clock
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.common.errors import DomainError
from shouhu.people.models import Person
from shouhu.vaccination import region, selectors, services
from shouhu.vaccination.figures import Figures
from shouhu.vaccination.models import (
    ContactMethod,
    ContactOutcome,
    Contraindication,
    ContraindicationSource,
    Deferral,
    DoseSource,
    Mobilisation,
    MobilisationContact,
    VaccinationReport,
    VaccinationStatus,
    VaccineDose,
    VaccineProduct,
)
from shouhu.vaccination.permissions import VaccinationPerm

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]


# --- Products -----------------------------------------------------------------------------------


class ProductOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = VaccineProduct
        fields = [
            "id",
            "short_name",
            "name",
            "manufacturer",
            "doses_for_completion",
            "min_interval_days",
            "booster_after_days",
        ]


class ProductListApi(ScopedAPIView):
    required_perms = {"GET": VaccinationPerm.VIEW}
    pagination_class = None

    @extend_schema(responses=ProductOutput(many=True), summary="疫苗产品及其接种程序")
    def get(self, request: AuthedRequest) -> Response:
        return Response(ProductOutput(selectors.product_list(), many=True).data)


# --- Doses --------------------------------------------------------------------------------------


class DoseOutput(bounds.BoundedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    home_unit = serializers.IntegerField(source="person.home_unit_id", read_only=True)
    home_unit_name = serializers.CharField(source="person.home_unit.name", read_only=True)
    product_short_name = serializers.CharField(source="product.short_name", read_only=True)

    class Meta:
        model = VaccineDose
        fields = [
            "id",
            "person",
            "person_name",
            "home_unit",
            "home_unit_name",
            "dose_number",
            "vaccinated_on",
            "product",
            "product_short_name",
            "place",
            "source",
            "created_at",
        ]


class DoseFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True)
    product = ObjectIdField(required=False, allow_null=True, default=None)
    unit = ObjectIdField(required=False, allow_null=True, default=None)
    person = ObjectIdField(required=False, allow_null=True, default=None)
    date_from = bounds.ApiDateField(required=False, allow_null=True, default=None)
    date_to = bounds.ApiDateField(required=False, allow_null=True, default=None)


class DoseInput(serializers.Serializer):
    person = ObjectIdField()
    product = ObjectIdField()
    dose_number = bounds.ApiIntegerField(min_value=1, max_value=20)
    vaccinated_on = bounds.ApiDateField()
    place = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class DoseListApi(ScopedAPIView):
    required_perms = {"GET": VaccinationPerm.VIEW, "POST": VaccinationPerm.RECORD}

    @extend_schema(
        parameters=[DoseFilterInput, *PAGE_PARAMETERS],
        responses=DoseOutput(many=True),
        summary="接种记录列表",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = DoseFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        doses = selectors.dose_list(
            viewer=request.user, filters=selectors.DoseFilters(**filters.validated_data)
        )
        return paginated(self, request, doses, DoseOutput)

    @extend_schema(
        request=DoseInput,
        responses={201: DoseOutput, 200: DoseOutput},
        summary="登记一剂接种（同一剂次、日期和疫苗已登记则返回原记录）",
    )
    def post(self, request: AuthedRequest) -> Response:
        data = DoseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = selectors.access_person_for_recording(request.user, values["person"])
        product = selectors.product_list().filter(pk=values["product"]).first()
        if product is None:
            raise DomainError(
                "未知的疫苗产品", code="unknown_product", field_errors={"product": ["未知的疫苗产品"]}
            )
        recording = services.dose_record(
            actor=request.user,
            person=person,
            product=product,
            dose_number=values["dose_number"],
            vaccinated_on=values["vaccinated_on"],
            place=values["place"],
            source=DoseSource.API,
        )
        dose = selectors.dose_list(viewer=request.user).get(pk=recording.dose.pk)
        code = status.HTTP_201_CREATED if recording.created else status.HTTP_200_OK
        return Response(DoseOutput(dose).data, status=code)


class DoseDetailApi(ScopedAPIView):
    required_perms = {"GET": VaccinationPerm.VIEW}

    @extend_schema(responses=DoseOutput, summary="一剂接种记录")
    def get(self, request: AuthedRequest, dose_id: int) -> Response:
        return Response(DoseOutput(selectors.access_dose(request.user, dose_id)).data)


# --- A person's record -------------------------------------------------------------------------


class ContraindicationOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = Contraindication
        fields = ["id", "condition", "source", "source_detail", "noted_on", "lifted_on", "lift_reason"]


class DeferralOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = Deferral
        fields = ["id", "reason", "starts_on", "until", "ended_on"]


class PersonRecordOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    home_unit = serializers.IntegerField(source="home_unit_id")
    home_unit_name = serializers.CharField(source="home_unit.name")
    has_valid_id = serializers.BooleanField()
    vaccination_status = serializers.ChoiceField(choices=VaccinationStatus.choices)
    doses_given = serializers.IntegerField()
    doses_required = serializers.IntegerField(allow_null=True)
    has_contraindication = serializers.BooleanField()
    has_deferral = serializers.BooleanField()
    mobiliser = serializers.SerializerMethodField()
    doses = serializers.SerializerMethodField()
    contraindications = serializers.SerializerMethodField()
    deferrals = serializers.SerializerMethodField()

    def get_mobiliser(self, person: Person) -> str:
        mobilisation = selectors.mobilisation_of(person)
        return mobilisation.mobiliser_label if mobilisation else ""

    @extend_schema_field(DoseOutput(many=True))
    def get_doses(self, person: Person) -> list[Any]:
        return list(
            DoseOutput(selectors.doses_of(person).select_related("person__home_unit"), many=True).data
        )

    @extend_schema_field(ContraindicationOutput(many=True))
    def get_contraindications(self, person: Person) -> list[Any]:
        return list(ContraindicationOutput(selectors.contraindications_of(person), many=True).data)

    @extend_schema_field(DeferralOutput(many=True))
    def get_deferrals(self, person: Person) -> list[Any]:
        return list(DeferralOutput(selectors.deferrals_of(person), many=True).data)


class PersonRecordApi(ScopedAPIView):
    required_perms = {"GET": VaccinationPerm.VIEW}

    @extend_schema(responses=PersonRecordOutput, summary="个人接种档案（剂次、禁忌症、暂缓、动员人）")
    def get(self, request: AuthedRequest, person_id: int) -> Response:
        return Response(PersonRecordOutput(selectors.access_person(request.user, person_id)).data)


# --- Contraindications, deferrals, mobiliser and contacts (V1, V3) ----------------------------


class ContraindicationInput(serializers.Serializer):
    condition = serializers.CharField(max_length=200, help_text="禁忌情况")
    # DRF pops declared fields off the class; mypy sees Field.source being redefined.
    source = serializers.ChoiceField(choices=ContraindicationSource.choices, help_text="依据")  # type: ignore[assignment]
    source_detail = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True, help_text="出具单位或证明"
    )
    noted_on = bounds.ApiDateField(required=False, allow_null=True, default=None, help_text="默认今天")


class ContraindicationCreateApi(ScopedAPIView):
    required_perms = {"POST": VaccinationPerm.RECORD}

    @extend_schema(
        request=ContraindicationInput,
        responses={201: ContraindicationOutput},
        summary="登记禁忌症（此人不再列入待接种名单）",
    )
    def post(self, request: AuthedRequest, person_id: int) -> Response:
        person = selectors.access_person_for_recording(request.user, person_id)
        data = ContraindicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.contraindication_record(actor=request.user, person=person, **data.validated_data)
        return Response(ContraindicationOutput(item).data, status=status.HTTP_201_CREATED)


class LiftInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="解除原因")


class ContraindicationLiftApi(ScopedAPIView):
    required_perms = {"POST": VaccinationPerm.RECORD}

    @extend_schema(
        request=LiftInput, responses=ContraindicationOutput, summary="解除禁忌症（今天起重新列入待接种名单）"
    )
    def post(self, request: AuthedRequest, contraindication_id: int) -> Response:
        item = selectors.access_contraindication_for_recording(request.user, contraindication_id)
        data = LiftInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.contraindication_lift(
            actor=request.user, contraindication=item, reason=data.validated_data["reason"]
        )
        return Response(ContraindicationOutput(item).data)


class DeferralInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="暂缓原因")
    until = bounds.ApiDateField(help_text="暂缓至（含当天），之后自动列回待接种名单")
    starts_on = bounds.ApiDateField(required=False, allow_null=True, default=None, help_text="默认今天")


class DeferralCreateApi(ScopedAPIView):
    required_perms = {"POST": VaccinationPerm.RECORD}

    @extend_schema(request=DeferralInput, responses={201: DeferralOutput}, summary="暂缓接种至某日")
    def post(self, request: AuthedRequest, person_id: int) -> Response:
        person = selectors.access_person_for_recording(request.user, person_id)
        data = DeferralInput(data=request.data)
        data.is_valid(raise_exception=True)
        deferral = services.deferral_record(actor=request.user, person=person, **data.validated_data)
        return Response(DeferralOutput(deferral).data, status=status.HTTP_201_CREATED)


class DeferralEndApi(ScopedAPIView):
    required_perms = {"POST": VaccinationPerm.RECORD}

    @extend_schema(request=None, responses=DeferralOutput, summary="提前结束暂缓（今天起重新列入待接种名单）")
    def post(self, request: AuthedRequest, deferral_id: int) -> Response:
        deferral = selectors.access_deferral_for_recording(request.user, deferral_id)
        deferral = services.deferral_end(actor=request.user, deferral=deferral)
        return Response(DeferralOutput(deferral).data)


class MobilisationOutput(bounds.BoundedModelSerializer):
    mobiliser_label = serializers.CharField(read_only=True)

    class Meta:
        model = Mobilisation
        fields = [
            "person",
            "mobiliser_user",
            "mobiliser_name",
            "mobiliser_role",
            "mobiliser_label",
            "assigned_on",
        ]


class MobiliserInput(serializers.Serializer):
    mobiliser_user = ObjectIdField(
        required=False, allow_null=True, default=None, help_text="本单位及下级的一名在岗工作人员"
    )
    mobiliser_name = serializers.CharField(
        max_length=50, required=False, default="", allow_blank=True, help_text="或：动员人姓名（二者选一）"
    )
    mobiliser_role = serializers.CharField(
        max_length=50, required=False, default="", allow_blank=True, help_text="如村医、网格员、亲属"
    )


class MobiliserAssignApi(ScopedAPIView):
    required_perms = {"POST": VaccinationPerm.RECORD}

    @extend_schema(
        request=MobiliserInput, responses=MobilisationOutput, summary="指定一对一动员人（替换原动员人）"
    )
    def post(self, request: AuthedRequest, person_id: int) -> Response:
        person = selectors.access_person_for_recording(request.user, person_id)
        data = MobiliserInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = None
        if values["mobiliser_user"] is not None:
            user = (
                selectors.mobiliser_candidates(viewer=request.user)
                .filter(pk=values["mobiliser_user"])
                .first()
            )
            if user is None:
                message = "未找到该工作人员，或其不在本单位及下级单位"
                raise DomainError(
                    message, code="unknown_mobiliser", field_errors={"mobiliser_user": [message]}
                )
        mobilisation = services.mobiliser_assign(
            actor=request.user,
            person=person,
            mobiliser_user=user,
            mobiliser_name=values["mobiliser_name"],
            mobiliser_role=values["mobiliser_role"],
        )
        return Response(MobilisationOutput(mobilisation).data)


class ContactOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = MobilisationContact
        fields = [
            "id",
            "person",
            "contacted_on",
            "method",
            "outcome",
            "next_step",
            "next_contact_on",
            "mobiliser_label",
        ]


class ContactInput(serializers.Serializer):
    contacted_on = bounds.ApiDateField(help_text="联系日期")
    method = serializers.ChoiceField(choices=ContactMethod.choices, help_text="方式")
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices, help_text="结果")
    next_step = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    next_contact_on = bounds.ApiDateField(required=False, allow_null=True, default=None)


class ContactLogApi(ScopedAPIView):
    required_perms = {"POST": VaccinationPerm.RECORD}

    @extend_schema(
        request=ContactInput, responses={201: ContactOutput}, summary="记录一次动员联系（结果和下一步）"
    )
    def post(self, request: AuthedRequest, person_id: int) -> Response:
        person = selectors.access_person_for_recording(request.user, person_id)
        data = ContactInput(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_log(actor=request.user, person=person, **data.validated_data)
        return Response(ContactOutput(contact).data, status=status.HTTP_201_CREATED)


# --- To-do list --------------------------------------------------------------------------------


class TodoOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(source="id_number_masked")
    home_unit = serializers.IntegerField(source="home_unit_id")
    home_unit_name = serializers.CharField(source="home_unit.name")
    vaccination_status = serializers.ChoiceField(choices=VaccinationStatus.choices)
    doses_given = serializers.IntegerField()
    mobiliser = serializers.SerializerMethodField()
    last_contact_on = bounds.ApiDateField(allow_null=True)
    last_outcome = serializers.CharField(allow_null=True)
    next_contact_on = bounds.ApiDateField(allow_null=True)

    def get_mobiliser(self, person: Person) -> str:
        mobilisation = selectors.mobilisation_of(person)
        return mobilisation.mobiliser_label if mobilisation else ""


class TodoFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True)
    unit = ObjectIdField(required=False, allow_null=True, default=None)
    mobiliser = serializers.ChoiceField(
        choices=["assigned", "unassigned", "mine"], required=False, default="", allow_blank=True
    )
    vaccination_status = serializers.ChoiceField(
        choices=VaccinationStatus.choices,
        required=False,
        default="",
        allow_blank=True,
        help_text="未接种或未完成全程（名单中只有这两种）",
    )


class TodoListApi(ScopedAPIView):
    required_perms = {"GET": VaccinationPerm.VIEW}

    @extend_schema(
        parameters=[TodoFilterInput, *PAGE_PARAMETERS],
        responses=TodoOutput(many=True),
        summary="待接种名单（动态消号：未完成全程且无禁忌、未暂缓）",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = TodoFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = dict(filters.validated_data)
        values["status"] = values.pop("vaccination_status")
        people = selectors.todo_list(viewer=request.user, filters=selectors.TodoFilters(**values))
        return paginated(self, request, people, TodoOutput)


# --- Reports ------------------------------------------------------------------------------------


class FiguresOutput(serializers.Serializer):
    baseline = serializers.IntegerField()
    completed = serializers.IntegerField()
    booster = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    not_vaccinated = serializers.IntegerField()
    contraindicated = serializers.IntegerField()
    deferred = serializers.IntegerField()
    unclear = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)
    completeness_rate = serializers.FloatField(allow_null=True)


def _figures(figures: Figures) -> dict[str, Any]:
    return {
        **figures.as_dict(),
        "completion_rate": figures.completion_rate,
        "completeness_rate": figures.completeness_rate,
    }


class ReportOutput(bounds.BoundedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    submitted_by_name = serializers.CharField(source="submitted_by", read_only=True)
    figures = serializers.SerializerMethodField()

    class Meta:
        model = VaccinationReport
        fields = [
            "id",
            "unit",
            "unit_name",
            "period_start",
            "period_end",
            "due_on",
            "as_of",
            "figures",
            "note",
            "submitted_at",
            "submitted_by_name",
            "is_late",
        ]

    @extend_schema_field(FiguresOutput)
    def get_figures(self, report: VaccinationReport) -> dict[str, Any]:
        return _figures(report.figures)


class ReportFilterInput(serializers.Serializer):
    unit = ObjectIdField(required=False, allow_null=True, default=None)
    late = serializers.BooleanField(required=False, default=False)


class ReportSubmitInput(serializers.Serializer):
    period_start = bounds.ApiDateField(help_text="报送周期的第一天")
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ReportListApi(ScopedAPIView):
    required_perms = {"GET": VaccinationPerm.VIEW, "POST": VaccinationPerm.MANAGE_REPORTS}

    @extend_schema(
        parameters=[ReportFilterInput, *PAGE_PARAMETERS],
        responses=ReportOutput(many=True),
        summary="接种进度报告列表",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = ReportFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reports = selectors.report_list(
            viewer=request.user, filters=selectors.ReportFilters(**filters.validated_data)
        )
        return paginated(self, request, reports, ReportOutput)

    @extend_schema(
        request=ReportSubmitInput,
        responses={201: ReportOutput},
        summary="确认并报送本单位一个周期的接种进度（数据由系统计算）",
    )
    def post(self, request: AuthedRequest) -> Response:
        data = ReportSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_submit(actor=request.user, **data.validated_data)
        return Response(ReportOutput(report).data, status=status.HTTP_201_CREATED)


class ReportDetailApi(ScopedAPIView):
    required_perms = {"GET": VaccinationPerm.VIEW}

    @extend_schema(responses=ReportOutput, summary="一份接种进度报告")
    def get(self, request: AuthedRequest, report_id: int) -> Response:
        return Response(ReportOutput(selectors.access_report(request.user, report_id)).data)


# --- Region ranking ----------------------------------------------------------------------------


class RankingFilterInput(serializers.Serializer):
    view = serializers.ChoiceField(
        choices=list(region.VIEW_LABELS.items()), required=False, default=region.RegionView.COUNTY
    )
    sort = serializers.ChoiceField(
        choices=list(region.RANK_LABELS.items()), required=False, default=region.RankBy.COMPLETION
    )
    as_of = bounds.ApiDateField(required=False, allow_null=True, default=None)


class RankingRowOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    unit_kind = serializers.CharField()
    figures = FiguresOutput()
    on_time_rate = serializers.FloatField(allow_null=True)
    reports_due = serializers.IntegerField()
    reports_late = serializers.IntegerField()
    reports_missing = serializers.IntegerField()
    unclear_baseline = serializers.BooleanField()
    behind = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class RegionRankingApi(ScopedAPIView):
    required_perms = {"GET": VaccinationPerm.VIEW_REGION}

    @extend_schema(
        parameters=[RankingFilterInput],
        responses=RankingRowOutput(many=True),
        summary="全区接种进度排名（按县：块；按科室和直属单位：条）",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = RankingFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = region.region_ranking(
            viewer=request.user,
            view=region.RegionView(filters.validated_data["view"]),
            rank_by=region.RankBy(filters.validated_data["sort"]),
            as_of=min(filters.validated_data["as_of"] or clock.today(), clock.today()),
        )
        data = [
            {
                "rank": row.rank,
                "unit": row.unit.pk,
                "unit_name": row.unit.name,
                "unit_kind": row.unit.kind,
                "figures": _figures(row.figures),
                "on_time_rate": row.reporting.on_time_rate,
                "reports_due": row.reporting.due,
                "reports_late": row.reporting.late,
                "reports_missing": row.reporting.missing,
                "unclear_baseline": row.unclear_baseline,
                "behind": row.behind,
                "reasons": row.reasons,
            }
            for row in rows
        ]
        return Response(RankingRowOutput(data, many=True).data)
