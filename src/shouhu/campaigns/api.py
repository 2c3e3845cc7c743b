from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.campaigns import selectors, services
from shouhu.campaigns.models import (
    Campaign,
    Holiday,
    KeyDate,
    KeyDateCategory,
    ModulePolicy,
    Phase,
    ServiceSuspension,
    ServiceType,
    SuspensionMode,
)
from shouhu.campaigns.permissions import CampaignPerm
from shouhu.campaigns.policy import campaign_on, current_phase, policy_fields, policy_models
from shouhu.common import bounds, clock
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.orgs.selectors import access_unit


class PhaseOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = Phase
        fields = ["id", "number", "name", "starts_on", "ends_on", "target", "focus", "risks"]


class KeyDateOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = KeyDate
        fields = ["id", "name", "category", "starts_on", "ends_on", "is_computed", "warning_days"]


class CampaignOutput(bounds.BoundedModelSerializer):
    phases = PhaseOutput(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "starts_on", "ends_on", "goal", "phases"]


def _policy_serializer(
    model: type[ModulePolicy], suffix: str, **meta: object
) -> type[serializers.Serializer]:
    """A serializer of every rule of one module's policy (a new rule is in the API by itself)."""
    options = type("Meta", (), {"model": model, "fields": policy_fields(model), **meta})
    return type(f"{model.__name__}{suffix}", (bounds.BoundedModelSerializer,), {"Meta": options})


# Each module's policy is addressed by its app's label: /campaigns/<id>/policy/screening/.
POLICY_MODULES: dict[str, type[ModulePolicy]] = {model._meta.app_label: model for model in policy_models()}
POLICY_OUTPUTS = {model: _policy_serializer(model, "Output") for model in policy_models()}
POLICY_INPUTS = {
    model: _policy_serializer(
        model, "Input", extra_kwargs={name: {"required": False} for name in policy_fields(model)}
    )
    for model in policy_models()
}
PolicyModulesOutput = type(
    "PolicyModulesOutput",
    (serializers.Serializer,),
    {module: POLICY_OUTPUTS[model](read_only=True) for module, model in POLICY_MODULES.items()},
)


class PolicyOutput(serializers.Serializer):
    campaign = serializers.IntegerField(read_only=True)
    modules = PolicyModulesOutput(read_only=True)


MODULE_PARAMETER = OpenApiParameter(
    "module", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(POLICY_MODULES), description="模块"
)
ANY_MODULE_OUTPUT = PolymorphicProxySerializer(
    component_name="ModulePolicyOutput",
    serializers=list(POLICY_OUTPUTS.values()),
    resource_type_field_name=None,
)
ANY_MODULE_INPUT = PolymorphicProxySerializer(
    component_name="ModulePolicyInput",
    serializers=list(POLICY_INPUTS.values()),
    resource_type_field_name=None,
)


class CampaignListApi(ScopedAPIView):
    required_perms = {"GET": CampaignPerm.VIEW}

    @extend_schema(responses=CampaignOutput(many=True), summary="行动列表")
    def get(self, request: AuthedRequest) -> Response:
        campaigns = selectors.campaign_list(viewer=request.user).prefetch_related("phases")
        return Response(CampaignOutput(campaigns, many=True).data)


class CurrentPhaseOutput(serializers.Serializer):
    today = bounds.ApiDateField()
    campaign = CampaignOutput(allow_null=True)
    phase = PhaseOutput(allow_null=True)


class CurrentApi(ScopedAPIView):
    required_perms = {"GET": CampaignPerm.VIEW}

    @extend_schema(responses=CurrentPhaseOutput, summary="当前行动与阶段")
    def get(self, request: AuthedRequest) -> Response:
        return Response(
            CurrentPhaseOutput(
                {"today": clock.today(), "campaign": campaign_on(), "phase": current_phase()}
            ).data
        )


class CampaignDetailApi(ScopedAPIView):
    required_perms = {"GET": CampaignPerm.VIEW}

    @extend_schema(responses=CampaignOutput, summary="行动详情")
    def get(self, request: AuthedRequest, campaign_id: int) -> Response:
        return Response(CampaignOutput(selectors.access_campaign(request.user, campaign_id)).data)


class PolicyApi(ScopedAPIView):
    required_perms = {"GET": CampaignPerm.VIEW}

    @extend_schema(responses=PolicyOutput, summary="防控政策参数（各模块）")
    def get(self, request: AuthedRequest, campaign_id: int) -> Response:
        campaign = selectors.access_campaign(request.user, campaign_id)
        policies = selectors.campaign_policies(viewer=request.user, campaign=campaign)
        modules = {policy._meta.app_label: policy for policy in policies}
        return Response(PolicyOutput({"campaign": campaign.pk, "modules": modules}).data)


class ModulePolicyApi(ScopedAPIView):
    required_perms = {"GET": CampaignPerm.VIEW, "PATCH": CampaignPerm.MANAGE_POLICY}

    def _model(self, module: str) -> type[ModulePolicy]:
        if module not in POLICY_MODULES:
            raise NotFound("没有该模块的政策参数")
        return POLICY_MODULES[module]

    @extend_schema(
        operation_id="v1_campaigns_module_policy_retrieve",
        parameters=[MODULE_PARAMETER],
        responses=ANY_MODULE_OUTPUT,
        summary="某一模块的防控政策参数",
    )
    def get(self, request: AuthedRequest, campaign_id: int, module: str) -> Response:
        model = self._model(module)
        campaign = selectors.access_campaign(request.user, campaign_id)
        policies = selectors.campaign_policies(viewer=request.user, campaign=campaign)
        policy = next(policy for policy in policies if isinstance(policy, model))
        return Response(POLICY_OUTPUTS[model](policy).data)

    @extend_schema(
        operation_id="v1_campaigns_module_policy_partial_update",
        parameters=[MODULE_PARAMETER],
        request=ANY_MODULE_INPUT,
        responses=ANY_MODULE_OUTPUT,
        summary="修改某一模块的防控政策参数（地区管理员）",
    )
    def patch(self, request: AuthedRequest, campaign_id: int, module: str) -> Response:
        model = self._model(module)
        campaign = selectors.access_campaign(request.user, campaign_id)
        data = POLICY_INPUTS[model](data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        policy = services.policy_update(
            actor=request.user, campaign=campaign, model=model, values=dict(data.validated_data)
        )
        return Response(POLICY_OUTPUTS[model](policy).data)


class KeyDateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    category = serializers.ChoiceField(choices=KeyDateCategory.choices)
    starts_on = bounds.ApiDateField()
    ends_on = bounds.ApiDateField(required=False, allow_null=True)
    warning_days = bounds.ApiIntegerField(required=False, allow_null=True, min_value=0, max_value=90)


class KeyDateListApi(ScopedAPIView):
    required_perms = {"GET": CampaignPerm.VIEW, "POST": CampaignPerm.MANAGE}

    @extend_schema(responses=KeyDateOutput(many=True), summary="重要节点")
    def get(self, request: AuthedRequest, campaign_id: int) -> Response:
        campaign = selectors.access_campaign(request.user, campaign_id)
        key_dates = selectors.key_date_list(viewer=request.user, campaign=campaign)
        return Response(KeyDateOutput(key_dates, many=True).data)

    @extend_schema(request=KeyDateInput, responses={201: KeyDateOutput}, summary="添加重要节点")
    def post(self, request: AuthedRequest, campaign_id: int) -> Response:
        campaign = selectors.access_campaign(request.user, campaign_id)
        data = KeyDateInput(data=request.data)
        data.is_valid(raise_exception=True)
        key_date = services.key_date_create(actor=request.user, campaign=campaign, **data.validated_data)
        return Response(KeyDateOutput(key_date).data, status=status.HTTP_201_CREATED)


class HolidayOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = Holiday
        fields = ["date", "name", "kind"]


class HolidayListApi(ScopedAPIView):
    required_perms = {"GET": CampaignPerm.VIEW}

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=False)],
        responses=HolidayOutput(many=True),
        summary="法定节假日与调休",
    )
    def get(self, request: AuthedRequest) -> Response:
        parsed = bounds.query_year(request.query_params, label="年份")
        return Response(
            HolidayOutput(selectors.holiday_list(viewer=request.user, year=parsed), many=True).data
        )


class SuspensionOutput(bounds.BoundedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = ServiceSuspension
        fields = [
            "id",
            "unit",
            "unit_name",
            "service",
            "mode",
            "starts_on",
            "ends_on",
            "reason",
            "limit_note",
            "lifted_at",
            "lift_reason",
        ]


class SuspensionInput(serializers.Serializer):
    unit = ObjectIdField()
    service = serializers.ChoiceField(choices=ServiceType.choices)
    mode = serializers.ChoiceField(choices=SuspensionMode.choices, default=SuspensionMode.SUSPENDED)
    starts_on = bounds.ApiDateField()
    ends_on = bounds.ApiDateField()
    reason = serializers.CharField(max_length=200)
    limit_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SuspensionFilterInput(serializers.Serializer):
    service = serializers.ChoiceField(
        choices=ServiceType.choices, required=False, default="", allow_blank=True
    )
    unit = ObjectIdField(required=False, allow_null=True, default=None)
    active_on = bounds.ApiDateField(required=False, allow_null=True, default=None)


class SuspensionListApi(ScopedAPIView):
    required_perms = {"GET": CampaignPerm.VIEW_SUSPENSIONS, "POST": CampaignPerm.MANAGE_SUSPENSIONS}

    @extend_schema(
        parameters=[SuspensionFilterInput, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=SuspensionOutput(many=True),
        summary="服务暂停/限流列表",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = SuspensionFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        suspensions = selectors.suspension_list(
            viewer=request.user, filters=selectors.SuspensionFilters(**filters.validated_data)
        )
        return paginated(self, request, suspensions, SuspensionOutput)

    @extend_schema(request=SuspensionInput, responses={201: SuspensionOutput}, summary="登记服务暂停或限流")
    def post(self, request: AuthedRequest) -> Response:
        data = SuspensionInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["unit"] = access_unit(request.user, fields["unit"])
        suspension = services.suspension_create(actor=request.user, **fields)
        return Response(SuspensionOutput(suspension).data, status=status.HTTP_201_CREATED)


class SuspensionDetailApi(ScopedAPIView):
    required_perms = {"GET": CampaignPerm.VIEW_SUSPENSIONS}

    @extend_schema(responses=SuspensionOutput, summary="服务暂停详情")
    def get(self, request: AuthedRequest, suspension_id: int) -> Response:
        return Response(SuspensionOutput(selectors.access_suspension(request.user, suspension_id)).data)


class LiftInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class SuspensionLiftApi(ScopedAPIView):
    required_perms = {"POST": CampaignPerm.MANAGE_SUSPENSIONS}

    @extend_schema(request=LiftInput, responses=SuspensionOutput, summary="提前解除服务暂停")
    def post(self, request: AuthedRequest, suspension_id: int) -> Response:
        suspension = selectors.access_suspension(request.user, suspension_id)
        data = LiftInput(data=request.data)
        data.is_valid(raise_exception=True)
        suspension = services.suspension_lift(
            actor=request.user, suspension=suspension, **data.validated_data
        )
        return Response(SuspensionOutput(suspension).data)


class AvailabilityInput(serializers.Serializer):
    unit = ObjectIdField()
    service = serializers.ChoiceField(choices=ServiceType.choices)
    date = bounds.ApiDateField(required=False)


class AvailabilityOutput(serializers.Serializer):
    is_open = serializers.BooleanField()
    is_limited = serializers.BooleanField()
    message = serializers.CharField()


class AvailabilityApi(ScopedAPIView):
    required_perms = {"GET": CampaignPerm.VIEW_SUSPENSIONS}

    @extend_schema(
        parameters=[AvailabilityInput], responses=AvailabilityOutput, summary="某单位某日某项服务是否办理"
    )
    def get(self, request: AuthedRequest) -> Response:
        query = AvailabilityInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        unit = access_unit(request.user, query.validated_data["unit"])
        answer = selectors.service_availability(
            service=query.validated_data["service"],
            unit=unit,
            on=query.validated_data.get("date") or clock.today(),
        )
        return Response(AvailabilityOutput(answer).data)
