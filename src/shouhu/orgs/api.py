from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.common import bounds
from shouhu.common.api import ObjectIdField, StandardPagination
from shouhu.common.api_views import ScopedAPIView
from shouhu.orgs import selectors, services
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind, UnitStatus
from shouhu.orgs.permissions import OrgPerm


class UnitOutput(bounds.BoundedModelSerializer):
    parent_id = serializers.SerializerMethodField()
    kind_label = serializers.CharField(read_only=True)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_label",
            "institution_type",
            "coordinated_modules",
            "address",
            "contact_person",
            "contact_phone",
            "status",
            "is_demo",
            "depth",
            "parent_id",
        ]

    def get_parent_id(self, unit: OrgUnit) -> int | None:
        return self.context.get("parents", {}).get(unit.path[: -unit.steplen])


class UnitFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True)
    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False, default="", allow_blank=True)
    institution_type = serializers.ChoiceField(
        choices=InstitutionType.choices, required=False, default="", allow_blank=True
    )
    status = serializers.ChoiceField(choices=UnitStatus.choices, required=False, default="", allow_blank=True)
    county = ObjectIdField(required=False, allow_null=True, default=None)


class UnitListApi(ScopedAPIView):
    required_perms = {"GET": OrgPerm.VIEW}

    @extend_schema(
        parameters=[UnitFilterInput, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=UnitOutput(many=True),
        summary="单位列表（按用户管辖范围）",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = UnitFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        units = selectors.unit_list(
            viewer=request.user, filters=selectors.UnitFilters(**filters.validated_data)
        )
        paginator = StandardPagination()
        page = list(paginator.paginate_queryset(units, request, view=self) or [])
        data = UnitOutput(page, many=True, context={"parents": selectors.parent_ids(page)}).data
        return paginator.get_paginated_response(data)


class UnitUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_person = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=UnitStatus.choices, required=False)


class UnitDetailApi(ScopedAPIView):
    required_perms = {"GET": OrgPerm.VIEW, "PATCH": OrgPerm.MANAGE}

    @extend_schema(responses=UnitOutput, summary="单位详情")
    def get(self, request: AuthedRequest, unit_id: int) -> Response:
        unit = selectors.access_unit(request.user, unit_id)
        return Response(UnitOutput(unit, context={"parents": selectors.parent_ids([unit])}).data)

    @extend_schema(request=UnitUpdateInput, responses=UnitOutput, summary="修改单位信息")
    def patch(self, request: AuthedRequest, unit_id: int) -> Response:
        unit = selectors.access_unit(request.user, unit_id)
        data = UnitUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        unit = services.unit_update(actor=request.user, unit=unit, **data.validated_data)
        return Response(UnitOutput(unit, context={"parents": selectors.parent_ids([unit])}).data)
