"""Findings over the API: the list, one finding with its history, and the three steps — the
rectification reported with evidence (multipart), accepted, returned. One class per operation."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.common import bounds
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.common.modules import Module
from shouhu.evidence.api import EvidenceUploadSerializerField
from shouhu.orgs import selectors as org_selectors
from shouhu.rectification import selectors, services
from shouhu.rectification.models import EventKind, Finding, FindingStatus
from shouhu.rectification.permissions import RectificationPerm

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]


class EvidenceOutput(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    original_name = serializers.CharField(read_only=True, help_text="文件名")
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)
    sha256 = serializers.CharField(read_only=True)
    uploaded_at = bounds.ApiDateTimeField(read_only=True)
    url = serializers.SerializerMethodField(help_text="下载地址")

    @extend_schema_field(serializers.CharField())
    def get_url(self, evidence: Any) -> str:
        finding_id = self.context["finding_id"]
        return reverse("rectification:finding_evidence", args=[finding_id, evidence.pk])


class EventOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EventKind.choices, read_only=True)
    at = bounds.ApiDateTimeField(read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, allow_null=True)
    actor_name = serializers.CharField(source="actor", read_only=True, allow_null=True)
    note = serializers.CharField(read_only=True)


class FindingOutput(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    module = serializers.ChoiceField(choices=Module.choices, read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True, help_text="责任单位")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    found_unit = serializers.IntegerField(source="found_unit_id", read_only=True, allow_null=True)
    found_unit_name = serializers.CharField(source="found_unit.name", read_only=True, allow_null=True)
    origin_model = serializers.CharField(read_only=True, help_text="来源记录类型（应用.模型）")
    origin_id = serializers.IntegerField(read_only=True)
    origin_label = serializers.CharField(read_only=True)
    found_on = bounds.ApiDateField(read_only=True)
    description = serializers.CharField(read_only=True)
    assigned_to = serializers.CharField(read_only=True, help_text="交办对象")
    deadline = bounds.ApiDateField(read_only=True, help_text="整改期限")
    status = serializers.ChoiceField(choices=FindingStatus.choices, read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True, help_text="逾期未整改")
    submitted_at = bounds.ApiDateTimeField(read_only=True, allow_null=True)
    submission_note = serializers.CharField(read_only=True)
    accepted_at = bounds.ApiDateTimeField(read_only=True, allow_null=True)
    acceptance_note = serializers.CharField(read_only=True)
    returned_count = serializers.IntegerField(read_only=True)
    return_reason = serializers.CharField(read_only=True)
    escalated_at = bounds.ApiDateTimeField(read_only=True, allow_null=True)
    escalated_to_name = serializers.CharField(source="escalated_to.name", read_only=True, allow_null=True)


class FindingDetailOutput(FindingOutput):
    evidence = serializers.SerializerMethodField()
    events = EventOutput(many=True, read_only=True, source="events.all")

    @extend_schema_field(EvidenceOutput(many=True))
    def get_evidence(self, finding: Finding) -> Any:
        return EvidenceOutput(finding.evidence.all(), many=True, context={"finding_id": finding.pk}).data


class FindingFilterInput(serializers.Serializer):
    module = serializers.ChoiceField(choices=Module.choices, required=False, default="", allow_blank=True)
    status = serializers.ChoiceField(
        choices=FindingStatus.choices, required=False, default="", allow_blank=True
    )
    overdue_only = serializers.BooleanField(required=False, default=False, help_text="只看逾期未整改的")
    unit = ObjectIdField(required=False, allow_null=True, default=None, help_text="责任单位（含下级）")
    search = serializers.CharField(required=False, default="", allow_blank=True, max_length=50)


class SubmitInput(serializers.Serializer):
    note = serializers.CharField(max_length=1000, help_text="整改情况")
    evidence = EvidenceUploadSerializerField()


class AcceptInput(serializers.Serializer):
    note = serializers.CharField(
        max_length=500, required=False, default="", allow_blank=True, help_text="验收意见"
    )


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="退回理由")


def _detail(request: AuthedRequest, finding_id: int) -> dict[str, Any]:
    return FindingDetailOutput(selectors.access_finding(request.user, finding_id)).data


class FindingListApi(ScopedAPIView):
    required_perms = {"GET": RectificationPerm.VIEW}

    @extend_schema(
        parameters=[FindingFilterInput, *PAGE_PARAMETERS],
        responses=FindingOutput(many=True),
        summary="整改问题（逾期的在前）",
    )
    def get(self, request: AuthedRequest) -> Response:
        data = FindingFilterInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit_id = values.pop("unit")
        unit = org_selectors.access_unit(request.user, unit_id) if unit_id else None
        filters = selectors.FindingFilters(
            module=values["module"],
            status=values["status"],
            overdue_only=values["overdue_only"],
            unit_path=unit.path if unit else "",
            search=values["search"],
        )
        findings = selectors.finding_list(viewer=request.user, filters=filters)
        return paginated(self, request, findings, FindingOutput)


class FindingDetailApi(ScopedAPIView):
    required_perms = {"GET": RectificationPerm.VIEW}

    @extend_schema(responses=FindingDetailOutput, summary="整改问题详情（办理经过、证明材料）")
    def get(self, request: AuthedRequest, finding_id: int) -> Response:
        return Response(_detail(request, finding_id))


class FindingSubmitApi(ScopedAPIView):
    required_perms = {"POST": RectificationPerm.RECTIFY}
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": SubmitInput},
        responses=FindingDetailOutput,
        summary="责任单位报送整改情况（附照片、文件，可多个 evidence）",
    )
    def post(self, request: AuthedRequest, finding_id: int) -> Response:
        finding = selectors.access_finding(request.user, finding_id)
        data = SubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.finding_submit(actor=request.user, finding=finding, **data.validated_data)
        return Response(_detail(request, finding_id))


class FindingAcceptApi(ScopedAPIView):
    required_perms = {"POST": RectificationPerm.REVIEW}

    @extend_schema(request=AcceptInput, responses=FindingDetailOutput, summary="验收销号")
    def post(self, request: AuthedRequest, finding_id: int) -> Response:
        finding = selectors.access_finding(request.user, finding_id)
        data = AcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.finding_accept(actor=request.user, finding=finding, **data.validated_data)
        return Response(_detail(request, finding_id))


class FindingReturnApi(ScopedAPIView):
    required_perms = {"POST": RectificationPerm.REVIEW}

    @extend_schema(request=ReturnInput, responses=FindingDetailOutput, summary="退回责任单位重新整改")
    def post(self, request: AuthedRequest, finding_id: int) -> Response:
        finding = selectors.access_finding(request.user, finding_id)
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.finding_return(actor=request.user, finding=finding, **data.validated_data)
        return Response(_detail(request, finding_id))
