"""The assistance API: one class per operation, small input and output serializers (X7).

Households, members, responsible people, visits, follow-ups, temporary assistance and payment
rolls are reached through the selectors' access helpers, so another county's record and a
missing one both answer 404. ID numbers and phones leave masked, as on screen; bank accounts
never leave (only the bank's batch file, whose export is logged, carries them).
"""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.assistance import selectors, services
from shouhu.assistance.models import (
    APPLICABLE_STANDINGS,
    NON_HEAD_RELATIONS,
    AffectedReason,
    Application,
    ApplicationStatus,
    AreaType,
    AssistanceReason,
    CareDelivery,
    CareNeed,
    CareTask,
    CaseByCaseReview,
    FollowUp,
    Household,
    HouseholdMember,
    IncomeAssessment,
    IncomeKind,
    IncomeLine,
    Level,
    Payment,
    PaymentRoll,
    PaymentStatus,
    Relation,
    Responsibility,
    ReviewDecision,
    Schedule,
    SignalKind,
    Standard,
    Standing,
    TemporaryAssistance,
    Visit,
)
from shouhu.assistance.permissions import AssistancePerm
from shouhu.common import bounds, clock
from shouhu.common.access import get_in_scope
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.common.tabular import upload_bytes
from shouhu.inquiries import selectors as inquiry_selectors
from shouhu.inquiries.models import Channel
from shouhu.people.models import IdType

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]
RECENT_VISITS = 10  # the detail shows the latest; the visits endpoint lists them all
MAX_LINES = 50
MAX_DAYS_ISOLATED = 31


# --- Households (A2) -----------------------------------------------------------------------------


class HouseholdRecordOutput(bounds.BoundedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "unit",
            "unit_name",
            "area_type",
            "standing",
            "affected_reason",
            "situation",
            "address",
            "registered_on",
        ]


class HouseholdOutput(bounds.BoundedModelSerializer):
    """A row of the list, with what `selectors.household_list` annotates."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    head_name = serializers.CharField(read_only=True, allow_null=True)
    size = serializers.IntegerField(read_only=True)
    levels_held = serializers.IntegerField(read_only=True, help_text="已落实包保责任人的层级数（共 3 级）")
    last_visit = bounds.ApiDateField(read_only=True, allow_null=True)
    latest_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, read_only=True, allow_null=True, help_text="最近一次核算的低保金"
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "unit",
            "unit_name",
            "area_type",
            "standing",
            "affected_reason",
            "head_name",
            "size",
            "levels_held",
            "last_visit",
            "latest_amount",
            "registered_on",
        ]


class MemberOutput(bounds.BoundedModelSerializer):
    """The member's ID number masked, as on screen."""

    name = serializers.CharField(source="person.name", read_only=True)
    id_type = serializers.CharField(source="person.id_type", read_only=True)
    id_number = serializers.CharField(source="person.id_number_masked", read_only=True)

    class Meta:
        model = HouseholdMember
        fields = [
            "id",
            "household",
            "person",
            "name",
            "id_type",
            "id_number",
            "relation",
            "joined_on",
            "left_on",
            "left_reason",
        ]


class ResponsibilityOutput(bounds.BoundedModelSerializer):
    """The responsible person's phone masked, as on screen."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)

    class Meta:
        model = Responsibility
        fields = ["id", "household", "level", "unit", "unit_name", "name", "phone", "assigned_on", "ended_on"]


class VisitOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = Visit
        fields = ["id", "household", "visited_on", "visitor", "findings", "needs"]


class FollowUpOutput(bounds.BoundedModelSerializer):
    unit_name = serializers.CharField(source="household.unit.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "household",
            "unit_name",
            "person",
            "person_name",
            "kind",
            "happened_on",
            "detail",
            "opened_at",
            "closed_at",
            "outcome",
        ]


class AssessmentOutput(bounds.BoundedModelSerializer):
    below_standard = serializers.BooleanField(read_only=True, help_text="人均月收入低于低保标准")

    class Meta:
        model = IncomeAssessment
        fields = [
            "id",
            "household",
            "month",
            "household_size",
            "total_income",
            "total_deductions",
            "per_capita_income",
            "dibao_standard",
            "below_standard",
            "dibao_amount",
            "note",
            "assessed_at",
        ]


class HouseholdDetailOutput(HouseholdRecordOutput):
    """Current members first; the responsible people in office; the latest visits; the open
    follow-ups; every assessment (its working on the assessment's own endpoint)."""

    head_name = serializers.CharField(read_only=True, allow_null=True)
    size = serializers.IntegerField(read_only=True)
    members = MemberOutput(many=True, read_only=True)
    responsibilities = ResponsibilityOutput(many=True, read_only=True)
    visits = VisitOutput(many=True, read_only=True)
    follow_ups = FollowUpOutput(many=True, read_only=True)
    assessments = AssessmentOutput(many=True, read_only=True)

    class Meta(HouseholdRecordOutput.Meta):
        fields = [
            *HouseholdRecordOutput.Meta.fields,
            "head_name",
            "size",
            "members",
            "responsibilities",
            "visits",
            "follow_ups",
            "assessments",
        ]


def _household_body(request: AuthedRequest, household: Household) -> dict[str, Any]:
    members = list(selectors.members_of(household))
    current = [m for m in members if m.left_on is None]
    head = next((m for m in current if m.relation == Relation.HEAD), None)
    in_office = [r for r in selectors.responsibilities_of(household) if r.ended_on is None]
    open_follow_ups = selectors.follow_up_list(
        viewer=request.user, filters=selectors.FollowUpFilters(open_only=True)
    ).filter(household=household)
    body = dict(HouseholdRecordOutput(household).data)
    body["head_name"] = head.person.name if head else None
    body["size"] = len(current)
    body["members"] = MemberOutput(members, many=True).data
    body["responsibilities"] = ResponsibilityOutput(in_office, many=True).data
    body["visits"] = VisitOutput(list(selectors.visits_of(household)[:RECENT_VISITS]), many=True).data
    body["follow_ups"] = FollowUpOutput(list(open_follow_ups), many=True).data
    body["assessments"] = AssessmentOutput(list(selectors.assessments_of(household)), many=True).data
    return body


class HouseholdFilterInput(serializers.Serializer):
    search = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=50, help_text="成员姓名"
    )
    unit = ObjectIdField(required=False, allow_null=True, default=None, help_text="单位（含下级）")
    standing = serializers.ChoiceField(choices=Standing.choices, required=False, default="", allow_blank=True)
    missing_level = serializers.BooleanField(required=False, default=False, help_text="包保责任人未落实")
    visit_overdue = serializers.BooleanField(required=False, default=False, help_text="走访逾期")
    unprotected = serializers.BooleanField(required=False, default=False, help_text="应保未保")


class HouseholdInput(serializers.Serializer):
    unit = ObjectIdField(help_text="所在村（社区）")
    area_type = serializers.ChoiceField(choices=AreaType.choices)
    standing = serializers.ChoiceField(choices=Standing.choices)
    affected_reason = serializers.ChoiceField(
        choices=AffectedReason.choices, required=False, default="", allow_blank=True
    )
    situation = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    registered_on = bounds.ApiDateField(required=False, allow_null=True, default=None)
    head_name = serializers.CharField(max_length=50)
    head_id_type = serializers.ChoiceField(
        choices=IdType.choices, required=False, default="", allow_blank=True
    )
    head_id_number = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)


class HouseholdListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW, "POST": AssistancePerm.RECORD}

    @extend_schema(
        parameters=[HouseholdFilterInput, *PAGE_PARAMETERS],
        responses=HouseholdOutput(many=True),
        summary="困难家庭",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = HouseholdFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        households = selectors.household_list(
            viewer=request.user, filters=selectors.HouseholdFilters(**filters.validated_data)
        )
        return paginated(self, request, households, HouseholdOutput)

    @extend_schema(request=HouseholdInput, responses={201: HouseholdDetailOutput}, summary="登记困难家庭")
    def post(self, request: AuthedRequest) -> Response:
        data = HouseholdInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit = get_in_scope(selectors.village_writable(viewer=request.user), values.pop("unit"))
        household = services.household_open(
            actor=request.user,
            data=services.HouseholdInput(
                unit=unit,
                area_type=values["area_type"],
                standing=values["standing"],
                affected_reason=values["affected_reason"],
                situation=values["situation"],
                address=values["address"],
                registered_on=values["registered_on"],
            ),
            head_name=values["head_name"],
            head_id_type=values["head_id_type"],
            head_id_number=values["head_id_number"],
        )
        fresh = selectors.access_household(request.user, household.pk)
        return Response(_household_body(request, fresh), status=status.HTTP_201_CREATED)


class HouseholdDetailApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW}

    @extend_schema(
        responses=HouseholdDetailOutput, summary="困难家庭详情（成员、包保责任人、走访、跟进事项、核算）"
    )
    def get(self, request: AuthedRequest, household_id: int) -> Response:
        household = selectors.access_household(request.user, household_id)
        return Response(_household_body(request, household))


class HouseholdUpdateInput(serializers.Serializer):
    """What is left out keeps its current value."""

    area_type = serializers.ChoiceField(choices=AreaType.choices, required=False)
    standing = serializers.ChoiceField(choices=Standing.choices, required=False)
    affected_reason = serializers.ChoiceField(
        choices=AffectedReason.choices, required=False, allow_blank=True
    )
    situation = serializers.CharField(max_length=300, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)


class HouseholdUpdateApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.RECORD}

    @extend_schema(
        request=HouseholdUpdateInput, responses=HouseholdDetailOutput, summary="修改困难家庭的类别或情况"
    )
    def post(self, request: AuthedRequest, household_id: int) -> Response:
        household = selectors.access_household_for_recording(request.user, household_id)
        data = HouseholdUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.household_update(
            actor=request.user,
            household=household,
            area_type=values.get("area_type", household.area_type),
            standing=values.get("standing", household.standing),
            affected_reason=values.get("affected_reason", household.affected_reason),
            situation=values.get("situation", household.situation),
            address=values.get("address", household.address),
        )
        fresh = selectors.access_household(request.user, household.pk)
        return Response(_household_body(request, fresh))


# --- Members (A2) --------------------------------------------------------------------------------


class MemberInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    relation = serializers.ChoiceField(choices=Relation.choices)
    id_type = serializers.ChoiceField(choices=IdType.choices, required=False, default="", allow_blank=True)
    id_number = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    joined_on = bounds.ApiDateField(required=False, allow_null=True, default=None)


class MemberJoinApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.RECORD}

    @extend_schema(request=MemberInput, responses={201: MemberOutput}, summary="添加家庭成员")
    def post(self, request: AuthedRequest, household_id: int) -> Response:
        household = selectors.access_household_for_recording(request.user, household_id)
        data = MemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_join(actor=request.user, household=household, **data.validated_data)
        return Response(MemberOutput(member).data, status=status.HTTP_201_CREATED)


class MemberLeaveInput(serializers.Serializer):
    left_on = bounds.ApiDateField()
    left_reason = serializers.CharField(max_length=100)


class MemberLeaveApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.RECORD}

    @extend_schema(
        request=MemberLeaveInput, responses=MemberOutput, summary="家庭成员离开（迁出、婚嫁、死亡等）"
    )
    def post(self, request: AuthedRequest, household_member_id: int) -> Response:
        member = selectors.access_member_for_recording(request.user, household_member_id)
        data = MemberLeaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        left = services.member_leave(
            actor=request.user, member=member, left_on=values["left_on"], reason=values["left_reason"]
        )
        return Response(MemberOutput(left).data)


class MemberRelationInput(serializers.Serializer):
    relation = serializers.ChoiceField(
        choices=NON_HEAD_RELATIONS,
        help_text="与户主关系（更换户主请用设为户主）",
    )


class MemberRelationApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.RECORD}

    @extend_schema(request=MemberRelationInput, responses=MemberOutput, summary="更正家庭成员与户主关系")
    def post(self, request: AuthedRequest, household_member_id: int) -> Response:
        member = selectors.access_member_for_recording(request.user, household_member_id)
        data = MemberRelationInput(data=request.data)
        data.is_valid(raise_exception=True)
        changed = services.member_relation_change(actor=request.user, member=member, **data.validated_data)
        return Response(MemberOutput(changed).data)


# --- Three-level responsibility (A1) -------------------------------------------------------------


class ResponsibilityInput(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    assigned_on = bounds.ApiDateField(required=False, allow_null=True, default=None)


class ResponsibilityAssignApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.MANAGE}

    @extend_schema(
        request=ResponsibilityInput,
        responses={201: ResponsibilityOutput},
        summary="指定包保责任人（原责任人同日卸任）",
    )
    def post(self, request: AuthedRequest, household_id: int) -> Response:
        household = selectors.access_household_for_recording(request.user, household_id)
        data = ResponsibilityInput(data=request.data)
        data.is_valid(raise_exception=True)
        responsibility = services.responsibility_assign(
            actor=request.user, household=household, **data.validated_data
        )
        return Response(ResponsibilityOutput(responsibility).data, status=status.HTTP_201_CREATED)


# --- Visits (A2) ---------------------------------------------------------------------------------


class VisitInput(serializers.Serializer):
    visited_on = bounds.ApiDateField()
    visitor = serializers.CharField(max_length=50)
    findings = serializers.CharField(max_length=500)
    needs = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class VisitListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW, "POST": AssistancePerm.RECORD}

    @extend_schema(parameters=PAGE_PARAMETERS, responses=VisitOutput(many=True), summary="走访记录")
    def get(self, request: AuthedRequest, household_id: int) -> Response:
        household = selectors.access_household(request.user, household_id)
        return paginated(self, request, selectors.visits_of(household), VisitOutput)

    @extend_schema(request=VisitInput, responses={201: VisitOutput}, summary="记录走访")
    def post(self, request: AuthedRequest, household_id: int) -> Response:
        household = selectors.access_household_for_recording(request.user, household_id)
        data = VisitInput(data=request.data)
        data.is_valid(raise_exception=True)
        visit = services.visit_record(actor=request.user, household=household, **data.validated_data)
        return Response(VisitOutput(visit).data, status=status.HTTP_201_CREATED)


# --- Follow-ups: 早发现 (A2) ---------------------------------------------------------------------


class FollowUpFilterInput(serializers.Serializer):
    open_only = serializers.BooleanField(required=False, default=True, help_text="只看未处理的")
    kind = serializers.ChoiceField(choices=SignalKind.choices, required=False, default="", allow_blank=True)


class FollowUpListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW}

    @extend_schema(
        parameters=[FollowUpFilterInput, *PAGE_PARAMETERS],
        responses=FollowUpOutput(many=True),
        summary="早发现跟进事项",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = FollowUpFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        follow_ups = selectors.follow_up_list(
            viewer=request.user, filters=selectors.FollowUpFilters(**filters.validated_data)
        )
        return paginated(self, request, follow_ups, FollowUpOutput)


class FollowUpCloseInput(serializers.Serializer):
    outcome = serializers.CharField(max_length=300)


class FollowUpCloseApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.MANAGE}

    @extend_schema(request=FollowUpCloseInput, responses=FollowUpOutput, summary="跟进事项处理完成")
    def post(self, request: AuthedRequest, follow_up_id: int) -> Response:
        follow_up = selectors.access_follow_up_for_recording(request.user, follow_up_id)
        data = FollowUpCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        closed = services.follow_up_close(actor=request.user, follow_up=follow_up, **data.validated_data)
        return Response(FollowUpOutput(closed).data)


# --- Standards (A8) ------------------------------------------------------------------------------


class StandardOutput(bounds.BoundedModelSerializer):
    county_name = serializers.CharField(source="county.name", read_only=True)

    class Meta:
        model = Standard
        fields = [
            "id",
            "county",
            "county_name",
            "area_type",
            "effective_from",
            "dibao_standard",
            "tekun_standard",
            "minimum_wage",
            "employment_cost_percent",
            "isolation_living_cost_percent",
            "document",
        ]


def _yuan(**kwargs: Any) -> serializers.DecimalField:
    """A standard's amount per month: positive, as its column holds it."""
    return serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0.01"), **kwargs)


class StandardInput(serializers.Serializer):
    county = ObjectIdField()
    area_type = serializers.ChoiceField(choices=AreaType.choices)
    effective_from = bounds.ApiDateField()
    dibao_standard = _yuan(help_text="低保标准（元/人·月）")
    tekun_standard = _yuan(help_text="特困人员基本生活标准（元/人·月）")
    minimum_wage = _yuan(help_text="最低工资标准（元/月）")
    employment_cost_percent = bounds.ApiIntegerField(min_value=0, max_value=100)
    isolation_living_cost_percent = bounds.ApiIntegerField(min_value=0, max_value=100)
    document = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class StandardListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW, "POST": AssistancePerm.MANAGE}

    @extend_schema(parameters=PAGE_PARAMETERS, responses=StandardOutput(many=True), summary="救助标准")
    def get(self, request: AuthedRequest) -> Response:
        return paginated(self, request, selectors.standard_list(viewer=request.user), StandardOutput)

    @extend_schema(request=StandardInput, responses={201: StandardOutput}, summary="录入本县救助标准")
    def post(self, request: AuthedRequest) -> Response:
        data = StandardInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        county = get_in_scope(selectors.county_writable(viewer=request.user), values.pop("county"))
        standard = services.standard_create(
            actor=request.user, data=services.StandardInput(county=county, **values)
        )
        return Response(StandardOutput(standard).data, status=status.HTTP_201_CREATED)


# --- Income assessment (A4, A8) ------------------------------------------------------------------


class WorkingStepOutput(serializers.Serializer):
    """One line of `IncomeAssessment.working` (`services.Step.as_dict`)."""

    # A declared field: DRF's metaclass takes it out of the class, so it never shadows Field.label.
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    formula = serializers.CharField(read_only=True)
    amount = serializers.CharField(read_only=True, help_text="金额（元），扣减为负数")


class IncomeLineOutput(bounds.BoundedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = IncomeLine
        fields = ["id", "person", "person_name", "kind", "amount", "back_at_work", "isolation_days"]


class AssessmentDetailOutput(AssessmentOutput):
    working = WorkingStepOutput(many=True, read_only=True, help_text="核算过程，逐行")
    lines = IncomeLineOutput(many=True, read_only=True)

    class Meta(AssessmentOutput.Meta):
        fields = [*AssessmentOutput.Meta.fields, "standard", "minimum_wage", "working", "lines"]


class IncomeLineInput(serializers.Serializer):
    person = ObjectIdField(help_text="本户成员的人员编号")
    kind = serializers.ChoiceField(choices=IncomeKind.choices)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0"))
    back_at_work = serializers.BooleanField(required=False, default=False, help_text="已外出务工或返岗复工")
    isolation_days = bounds.ApiIntegerField(
        min_value=0, max_value=MAX_DAYS_ISOLATED, required=False, default=0, help_text="当月居家隔离天数"
    )


class AssessmentInput(serializers.Serializer):
    month = bounds.ApiDateField(help_text="核算月份（该月任一日期，按该月核算）")
    lines = serializers.ListField(child=IncomeLineInput(), max_length=MAX_LINES, allow_empty=True)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


def _line_inputs(household: Household, lines: list[dict[str, Any]]) -> list[services.IncomeLineInput]:
    """Each line's person among the household's members (those who left included: the service
    decides who was a member in the month assessed)."""
    people = {member.person_id: member.person for member in selectors.members_of(household)}
    errors: dict[str, list[str]] = {}
    found = []
    for index, line in enumerate(lines):
        values = dict(line)
        person = people.get(values.pop("person"))
        if person is None:
            errors[f"lines.{index}.person"] = [_("该人员不是本户的家庭成员")]
            continue
        found.append(services.IncomeLineInput(person=person, **values))
    if errors:
        summary = "；".join(m for ms in errors.values() for m in ms)
        raise DomainError(summary, code="not_a_member", field_errors=errors)
    return found


class AssessmentRecordApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.MANAGE}

    @extend_schema(
        request=AssessmentInput,
        responses={201: AssessmentDetailOutput},
        summary="家庭收入核算（按当月适用标准计算低保金）",
    )
    def post(self, request: AuthedRequest, household_id: int) -> Response:
        household = selectors.access_household_for_recording(request.user, household_id)
        data = AssessmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        assessment = services.assessment_record(
            actor=request.user,
            household=household,
            month=values["month"],
            lines=_line_inputs(household, values["lines"]),
            note=values["note"],
        )
        fresh = selectors.access_assessment(request.user, assessment.pk)
        return Response(AssessmentDetailOutput(fresh).data, status=status.HTTP_201_CREATED)


class AssessmentDetailApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW}

    @extend_schema(responses=AssessmentDetailOutput, summary="收入核算详情（含逐行核算过程）")
    def get(self, request: AuthedRequest, income_assessment_id: int) -> Response:
        assessment = selectors.access_assessment(request.user, income_assessment_id)
        return Response(AssessmentDetailOutput(assessment).data)


# --- Case-by-case review: 一事一议 (A10) ----------------------------------------------------------


class ReviewOutput(bounds.BoundedModelSerializer):
    class Meta:
        model = CaseByCaseReview
        fields = [
            "id",
            "household",
            "hardship",
            "proposed_amount",
            "met_on",
            "participants",
            "decision",
            "approved_amount",
            "approved_by",
            "reference",
        ]


def _amount(**kwargs: Any) -> serializers.DecimalField:
    """An amount in yuan, as the grant and review columns hold it."""
    return serializers.DecimalField(max_digits=10, decimal_places=2, **kwargs)


class ReviewInput(serializers.Serializer):
    hardship = serializers.CharField(max_length=500, help_text="重大生活困难情况")
    proposed_amount = _amount(min_value=Decimal("0.01"), help_text="提议救助金额（元）")
    met_on = bounds.ApiDateField(help_text="议定日期")
    participants = serializers.CharField(max_length=300, help_text="参加人员")
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    approved_amount = _amount(
        min_value=Decimal("0"), required=False, default=Decimal("0"), help_text="议定救助金额（不同意的为 0）"
    )
    approved_by = serializers.CharField(max_length=50, help_text="审批人")
    reference = serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True, help_text="会议纪要或批文编号"
    )


class ReviewListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW, "POST": AssistancePerm.MANAGE}

    @extend_schema(parameters=PAGE_PARAMETERS, responses=ReviewOutput(many=True), summary="一事一议记录")
    def get(self, request: AuthedRequest, household_id: int) -> Response:
        household = selectors.access_household(request.user, household_id)
        return paginated(self, request, selectors.reviews_of(household), ReviewOutput)

    @extend_schema(
        request=ReviewInput, responses={201: ReviewOutput}, summary="记录一事一议（议定情况和审批）"
    )
    def post(self, request: AuthedRequest, household_id: int) -> Response:
        household = selectors.access_household_for_recording(request.user, household_id)
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_record(
            actor=request.user, household=household, data=services.ReviewInput(**data.validated_data)
        )
        return Response(ReviewOutput(review).data, status=status.HTTP_201_CREATED)


# --- Temporary assistance: 临时救助 (A5, A6, A7) --------------------------------------------------


class GrantOutput(bounds.BoundedModelSerializer):
    """A grant with its household's village and head (what `selectors.grant_list` annotates)."""

    unit_name = serializers.CharField(source="household.unit.name", read_only=True)
    head_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = TemporaryAssistance
        fields = [
            "id",
            "household",
            "unit_name",
            "head_name",
            "reason",
            "schedule",
            "amount",
            "starts_on",
            "ended_on",
            "end_reason",
            "is_advance",
            "documents_completed_on",
            "expected_months",
            "review",
            "note",
            "granted_at",
        ]


def _grant_body(request: AuthedRequest, grant: TemporaryAssistance) -> dict[str, Any]:
    """The grant as the list shows it (its head's name annotated), read back after a write."""
    return dict(GrantOutput(get_in_scope(selectors.grant_list(viewer=request.user), grant.pk)).data)


class GrantFilterInput(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=AssistanceReason.choices, required=False, default="", allow_blank=True
    )
    in_force_only = serializers.BooleanField(required=False, default=False, help_text="只看本月在发的")
    awaiting_documents = serializers.BooleanField(
        required=False, default=False, help_text="先行救助逾期未补齐要件"
    )


class GrantInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=AssistanceReason.choices)
    schedule = serializers.ChoiceField(choices=Schedule.choices)
    amount = _amount(min_value=Decimal("0.01"), help_text="救助金额（元，按月的为每月）")
    starts_on = bounds.ApiDateField(help_text="起始月份（该月任一日期，按该月起算）")
    is_advance = serializers.BooleanField(required=False, default=False, help_text="先行救助（要件后补）")
    expected_months = bounds.ApiIntegerField(
        min_value=0,
        max_value=32767,
        required=False,
        allow_null=True,
        default=None,
        help_text="困难预计持续月数（因疫情无法务工的须填写）",
    )
    review = ObjectIdField(
        required=False, allow_null=True, default=None, help_text="本户的一事一议编号（超过常规上限时）"
    )
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


def _review_of(household: Household, review_id: int | None) -> CaseByCaseReview | None:
    """The review named among the household's own; another one is refused as not found."""
    if review_id is None:
        return None
    review = selectors.reviews_of(household).filter(pk=review_id).first()
    if review is None:
        message = _("未找到本户的该一事一议")
        raise DomainError(message, code="invalid_temporary_assistance", field_errors={"review": [message]})
    return review


class GrantCreateApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.MANAGE}

    @extend_schema(
        request=GrantInput,
        responses={201: GrantOutput},
        summary="给予临时救助（超过常规上限须附本户已同意的一事一议）",
    )
    def post(self, request: AuthedRequest, household_id: int) -> Response:
        household = selectors.access_household_for_recording(request.user, household_id)
        data = GrantInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        review = _review_of(household, values.pop("review"))
        grant = services.temporary_assistance_grant(
            actor=request.user, household=household, data=services.GrantInput(review=review, **values)
        )
        return Response(_grant_body(request, grant), status=status.HTTP_201_CREATED)


class GrantListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW}

    @extend_schema(
        parameters=[GrantFilterInput, *PAGE_PARAMETERS],
        responses=GrantOutput(many=True),
        summary="临时救助",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = GrantFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        grants = selectors.grant_list(
            viewer=request.user, filters=selectors.GrantFilters(**filters.validated_data)
        )
        return paginated(self, request, grants, GrantOutput)


class GrantDocumentsInput(serializers.Serializer):
    completed_on = bounds.ApiDateField(help_text="要件补齐日期")


class GrantDocumentsApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.MANAGE}

    @extend_schema(request=GrantDocumentsInput, responses=GrantOutput, summary="先行救助要件已补齐")
    def post(self, request: AuthedRequest, temporary_assistance_id: int) -> Response:
        grant = selectors.access_grant_for_recording(request.user, temporary_assistance_id)
        data = GrantDocumentsInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.temporary_assistance_documents_completed(
            actor=request.user, grant=grant, **data.validated_data
        )
        return Response(_grant_body(request, done))


class GrantEndInput(serializers.Serializer):
    ended_on = bounds.ApiDateField(help_text="停发月份（该月任一日期，该月起不再发放）")
    reason = serializers.CharField(max_length=200, help_text="停发原因")


class GrantEndApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.MANAGE}

    @extend_schema(request=GrantEndInput, responses=GrantOutput, summary="按月临时救助停发")
    def post(self, request: AuthedRequest, temporary_assistance_id: int) -> Response:
        grant = selectors.access_grant_for_recording(request.user, temporary_assistance_id)
        data = GrantEndInput(data=request.data)
        data.is_valid(raise_exception=True)
        ended = services.temporary_assistance_end(actor=request.user, grant=grant, **data.validated_data)
        return Response(_grant_body(request, ended))


# --- Applications for 低保 and 特困 (A4, A7) -----------------------------------------------------


class ApplicationOutput(bounds.BoundedModelSerializer):
    """An application with its household's village and head (what the selectors annotate)."""

    unit_name = serializers.CharField(source="household.unit.name", read_only=True)
    head_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "household",
            "unit_name",
            "head_name",
            "standing",
            "reason",
            "applied_on",
            "grant",
            "inquiry",
            "status",
            "accepted_on",
            "investigated_on",
            "findings",
            "assessment",
            "publicised_from",
            "publicised_until",
            "objections",
            "decided_on",
            "refused_at",
            "refusal_reason",
        ]


def _application_body(request: AuthedRequest, application: Application) -> dict[str, Any]:
    """The application read back through the viewer's scope after a write."""
    return dict(ApplicationOutput(selectors.access_application(request.user, application.pk)).data)


class ApplicationFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ApplicationStatus.choices, required=False, default="", allow_blank=True
    )
    open_only = serializers.BooleanField(required=False, default=False, help_text="只看办理中的")
    late_only = serializers.BooleanField(required=False, default=False, help_text="只看逾期的")


class ApplicationListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW}

    @extend_schema(
        parameters=[ApplicationFilterInput, *PAGE_PARAMETERS],
        responses=ApplicationOutput(many=True),
        summary="低保特困申请",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = ApplicationFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        applications = selectors.application_list(
            viewer=request.user, filters=selectors.ApplicationFilters(**filters.validated_data)
        )
        return paginated(self, request, applications, ApplicationOutput)


class ApplicationDetailApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW}

    @extend_schema(responses=ApplicationOutput, summary="低保特困申请详情")
    def get(self, request: AuthedRequest, application_id: int) -> Response:
        application = selectors.access_application(request.user, application_id)
        return Response(ApplicationOutput(application).data)


class ApplicationInput(serializers.Serializer):
    standing = serializers.ChoiceField(
        choices=APPLICABLE_STANDINGS,
        help_text="申请类别",
    )
    reason = serializers.CharField(max_length=300, help_text="申请理由")
    applied_on = bounds.ApiDateField(
        required=False, allow_null=True, default=None, help_text="申请日期，默认今天"
    )
    inquiry = ObjectIdField(required=False, allow_null=True, default=None, help_text="来自救助热线的来电编号")


class ApplicationSubmitApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.RECORD}

    @extend_schema(request=ApplicationInput, responses={201: ApplicationOutput}, summary="提出低保或特困申请")
    def post(self, request: AuthedRequest, household_id: int) -> Response:
        household = selectors.access_household_for_recording(request.user, household_id)
        data = ApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        inquiry = None
        if values["inquiry"] is not None:
            inquiry = (
                inquiry_selectors.inquiry_list(viewer=request.user, module=Module.ASSISTANCE)
                .filter(pk=values["inquiry"])
                .first()
            )
            if inquiry is None:
                message = _("未找到该救助热线来电")
                raise DomainError(message, code="invalid_application", field_errors={"inquiry": [message]})
        application = services.application_submit(
            actor=request.user,
            household=household,
            data=services.ApplicationInput(
                standing=values["standing"],
                reason=values["reason"],
                applied_on=values["applied_on"] or clock.today(),
                inquiry=inquiry,
            ),
        )
        return Response(_application_body(request, application), status=status.HTTP_201_CREATED)


class ApplicationAcceptInput(serializers.Serializer):
    accepted_on = bounds.ApiDateField(help_text="受理日期")


class ApplicationAcceptApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.RECORD}

    @extend_schema(request=ApplicationAcceptInput, responses=ApplicationOutput, summary="受理申请")
    def post(self, request: AuthedRequest, application_id: int) -> Response:
        application = selectors.access_application_for_recording(request.user, application_id)
        data = ApplicationAcceptInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.application_accept(actor=request.user, application=application, **data.validated_data)
        return Response(_application_body(request, done))


class ApplicationInvestigateInput(serializers.Serializer):
    investigated_on = bounds.ApiDateField(help_text="入户调查日期")
    findings = serializers.CharField(max_length=500, help_text="调查情况")
    assessment = ObjectIdField(
        required=False, allow_null=True, default=None, help_text="本户的家庭收入核算编号（申请低保的必填）"
    )


class ApplicationInvestigateApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.RECORD}

    @extend_schema(request=ApplicationInvestigateInput, responses=ApplicationOutput, summary="入户调查")
    def post(self, request: AuthedRequest, application_id: int) -> Response:
        application = selectors.access_application_for_recording(request.user, application_id)
        data = ApplicationInvestigateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        assessment_id = values.pop("assessment")
        assessment = None
        if assessment_id is not None:
            assessment = selectors.assessments_of(application.household).filter(pk=assessment_id).first()
            if assessment is None:
                message = _("未找到本户的该核算")
                raise DomainError(message, code="invalid_application", field_errors={"assessment": [message]})
        done = services.application_investigate(
            actor=request.user, application=application, assessment=assessment, **values
        )
        return Response(_application_body(request, done))


class ApplicationPubliciseInput(serializers.Serializer):
    starts_on = bounds.ApiDateField(help_text="公示开始日期（公示天数按政策）")


class ApplicationPubliciseApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.RECORD}

    @extend_schema(request=ApplicationPubliciseInput, responses=ApplicationOutput, summary="公示调查结果")
    def post(self, request: AuthedRequest, application_id: int) -> Response:
        application = selectors.access_application_for_recording(request.user, application_id)
        data = ApplicationPubliciseInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.application_publicise(
            actor=request.user, application=application, **data.validated_data
        )
        return Response(_application_body(request, done))


class ApplicationApproveInput(serializers.Serializer):
    decided_on = bounds.ApiDateField(help_text="审批日期（公示期满后）")
    objections = serializers.CharField(
        max_length=300, required=False, default="", allow_blank=True, help_text="公示期间异议及核实情况"
    )


class ApplicationApproveApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.MANAGE}

    @extend_schema(
        request=ApplicationApproveInput, responses=ApplicationOutput, summary="审批同意：纳入低保或特困供养"
    )
    def post(self, request: AuthedRequest, application_id: int) -> Response:
        application = selectors.access_application_for_recording(request.user, application_id)
        data = ApplicationApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.application_approve(
            actor=request.user, application=application, **data.validated_data
        )
        return Response(_application_body(request, done))


class ApplicationRefuseInput(serializers.Serializer):
    decided_on = bounds.ApiDateField(help_text="办结日期")
    reason = serializers.CharField(max_length=300, help_text="不予受理或不予批准的理由")


class ApplicationRefuseApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.RECORD}

    @extend_schema(
        request=ApplicationRefuseInput,
        responses=ApplicationOutput,
        summary="不予受理或不予批准（写明理由；公示后的决定属县级）",
    )
    def post(self, request: AuthedRequest, application_id: int) -> Response:
        application = selectors.access_application_for_recording(request.user, application_id)
        if application.status == ApplicationStatus.PUBLICISED and not request.user.has_code(
            AssistancePerm.MANAGE
        ):
            raise PermissionDenied(_("公示后的审批决定由县级民政部门作出"))
        data = ApplicationRefuseInput(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.application_refuse(actor=request.user, application=application, **data.validated_data)
        return Response(_application_body(request, done))


class GrantToDibaoApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.MANAGE}

    @extend_schema(
        request=None,
        responses={201: ApplicationOutput},
        summary="因疫情无法务工、困难持续达政策月数的，由临时救助提出低保申请",
    )
    def post(self, request: AuthedRequest, temporary_assistance_id: int) -> Response:
        grant = selectors.access_grant_for_recording(request.user, temporary_assistance_id)
        application = services.temporary_assistance_to_dibao(actor=request.user, grant=grant)
        return Response(_application_body(request, application), status=status.HTTP_201_CREATED)


# --- Payment rolls and arrears (A3) --------------------------------------------------------------


class RollOutput(bounds.BoundedModelSerializer):
    """A roll with what `selectors.roll_list` counts of its payments."""

    county_name = serializers.CharField(source="county.name", read_only=True)
    payment_count = serializers.IntegerField(read_only=True, help_text="发放明细数")
    total = _amount(read_only=True, allow_null=True, help_text="应发总额（元）")
    paid_count = serializers.IntegerField(read_only=True, help_text="已发放的明细数")

    class Meta:
        model = PaymentRoll
        fields = [
            "id",
            "county",
            "county_name",
            "month",
            "generated_at",
            "payment_count",
            "total",
            "paid_count",
        ]


def _roll_body(request: AuthedRequest, roll: PaymentRoll) -> dict[str, Any]:
    """The roll with its counts, as the list shows it."""
    return dict(RollOutput(selectors.roll_list(viewer=request.user).get(pk=roll.pk)).data)


class PaymentOutput(bounds.BoundedModelSerializer):
    """A roll's row: the payee by name only — never the account or the ID number."""

    unit_name = serializers.CharField(source="household.unit.name", read_only=True)
    head_name = serializers.CharField(read_only=True, allow_null=True, help_text="收款人（户主）")

    class Meta:
        model = Payment
        fields = [
            "id",
            "household",
            "unit_name",
            "head_name",
            "kind",
            "grant_id",
            "amount",
            "status",
            "paid_amount",
            "settled_on",
            "bank_note",
        ]


class RollGenerateInput(serializers.Serializer):
    county = ObjectIdField(help_text="本县（市、区）")
    month = bounds.ApiDateField(help_text="发放月份（该月任一日期）")


class RollListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW, "POST": AssistancePerm.MANAGE}

    @extend_schema(parameters=PAGE_PARAMETERS, responses=RollOutput(many=True), summary="发放花名册")
    def get(self, request: AuthedRequest) -> Response:
        return paginated(self, request, selectors.roll_list(viewer=request.user), RollOutput)

    @extend_schema(
        request=RollGenerateInput,
        responses={201: RollOutput, 200: RollOutput},
        summary="生成本县当月发放花名册（已有的只补充缺少的明细，返回 200）",
    )
    def post(self, request: AuthedRequest) -> Response:
        data = RollGenerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        county = get_in_scope(selectors.county_writable(viewer=request.user), values["county"])
        month = values["month"].replace(day=1)
        existed = selectors.roll_list(viewer=request.user).filter(county=county, month=month).exists()
        roll = services.roll_generate(actor=request.user, county=county, month=month)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(_roll_body(request, roll), status=code)


class RollDetailApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW}

    @extend_schema(responses=RollOutput, summary="发放花名册详情（明细见 payments）")
    def get(self, request: AuthedRequest, payment_roll_id: int) -> Response:
        roll = selectors.access_roll(request.user, payment_roll_id)
        return Response(_roll_body(request, roll))


class PaymentFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=PaymentStatus.choices, required=False, default="", allow_blank=True
    )


class RollPaymentListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW}

    @extend_schema(
        parameters=[PaymentFilterInput, *PAGE_PARAMETERS],
        responses=PaymentOutput(many=True),
        summary="发放花名册明细",
    )
    def get(self, request: AuthedRequest, payment_roll_id: int) -> Response:
        roll = selectors.access_roll(request.user, payment_roll_id)
        filters = PaymentFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        payments = selectors.payments_of(roll)
        if filters.validated_data["status"]:
            payments = payments.filter(status=filters.validated_data["status"])
        return paginated(self, request, payments, PaymentOutput)


class RollReconcileInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="银行反馈文件（xlsx 或 csv：流水号、处理结果、实发金额、处理日期、备注）"
    )


class RollReconcileOutput(serializers.Serializer):
    updated = serializers.IntegerField(read_only=True, help_text="更新的明细数")


class RollReconcileApi(ScopedAPIView):
    # Multipart only: the bank's file as uploaded. A bad row refuses the whole file, each bad row
    # reported under `row N` (the spreadsheet's own row number).
    required_perms = {"POST": AssistancePerm.MANAGE}
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": RollReconcileInput},
        responses=RollReconcileOutput,
        summary="导入银行反馈文件核对发放结果（有误则整份不导入）",
    )
    def post(self, request: AuthedRequest, payment_roll_id: int) -> Response:
        roll = selectors.access_roll_for_recording(request.user, payment_roll_id)
        data = RollReconcileInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        reconciled = services.roll_reconcile_file(
            actor=request.user, roll=roll, filename=upload.name, data=upload_bytes(upload)
        )
        return Response(RollReconcileOutput({"updated": reconciled.updated}).data)


class ArrearOutput(bounds.BoundedModelSerializer):
    """A payment not made in full by its month's pay day, with its payee by name only."""

    month = bounds.ApiDateField(source="roll.month", read_only=True, help_text="发放月份")
    county_name = serializers.CharField(source="roll.county.name", read_only=True)
    unit_name = serializers.CharField(source="household.unit.name", read_only=True)
    head_name = serializers.CharField(read_only=True, allow_null=True, help_text="收款人（户主）")
    short = serializers.SerializerMethodField(help_text="欠发金额（元）")

    class Meta:
        model = Payment
        fields = [
            "id",
            "roll",
            "month",
            "county_name",
            "household",
            "unit_name",
            "head_name",
            "kind",
            "grant_id",
            "amount",
            "paid_amount",
            "short",
            "status",
            "settled_on",
            "bank_note",
        ]

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_short(self, payment: Payment) -> str:
        return f"{payment.amount - payment.paid_amount:.2f}"


class ArrearListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW}

    @extend_schema(
        parameters=PAGE_PARAMETERS,
        responses=ArrearOutput(many=True),
        summary="欠发、少发救助金（过了当月发放截止日仍未足额发放的）",
    )
    def get(self, request: AuthedRequest) -> Response:
        unpaid = selectors.arrears(viewer=request.user, today=clock.today())
        return paginated(self, request, unpaid, ArrearOutput)


class ArrearCountyOutput(serializers.Serializer):
    county = serializers.IntegerField(source="roll__county_id", read_only=True)
    county_name = serializers.CharField(source="roll__county__name", read_only=True)
    payments = serializers.IntegerField(read_only=True, help_text="欠发明细数")
    households = serializers.IntegerField(read_only=True, help_text="欠发户数")
    short = _amount(read_only=True, help_text="欠发金额（元）")


class ArrearByCountyApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW}

    @extend_schema(responses=ArrearCountyOutput(many=True), summary="各县欠发救助金汇总")
    def get(self, request: AuthedRequest) -> Response:
        rows = selectors.arrears_by_county(viewer=request.user, today=clock.today())
        return Response(ArrearCountyOutput(rows, many=True).data)


# --- Care of isolated people: 照料 (A9) -----------------------------------------------------------


class CareTaskOutput(bounds.BoundedModelSerializer):
    """A task with what `selectors.care_task_list` annotates (its last delivery)."""

    unit_name = serializers.CharField(source="household.unit.name", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    last_delivery = bounds.ApiDateField(read_only=True, allow_null=True, help_text="最近一次送达日期")

    class Meta:
        model = CareTask
        fields = [
            "id",
            "household",
            "unit_name",
            "person",
            "person_name",
            "isolation",
            "starts_on",
            "last_delivery",
            "opened_at",
            "closed_at",
            "close_reason",
        ]


def _care_needs(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=CareNeed.choices), max_length=len(CareNeed.choices), **kwargs
    )


class CareDeliveryOutput(bounds.BoundedModelSerializer):
    needs = _care_needs(read_only=True, help_text="需求类别")

    class Meta:
        model = CareDelivery
        fields = ["id", "task", "delivered_on", "needs", "items", "delivered_by"]


class CareFilterInput(serializers.Serializer):
    open_only = serializers.BooleanField(required=False, default=True, help_text="只看未结束的")
    overdue_only = serializers.BooleanField(required=False, default=False, help_text="只看超期未送达的")


class CareTaskListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW}

    @extend_schema(
        parameters=[CareFilterInput, *PAGE_PARAMETERS],
        responses=CareTaskOutput(many=True),
        summary="居家隔离困难群众照料",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = CareFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        tasks = selectors.care_task_list(
            viewer=request.user, filters=selectors.CareFilters(**filters.validated_data)
        )
        return paginated(self, request, tasks, CareTaskOutput)


class CareDeliveryInput(serializers.Serializer):
    delivered_on = bounds.ApiDateField(help_text="送达日期")
    needs = _care_needs(help_text="需求类别（可多选）")
    items = serializers.CharField(max_length=300, help_text="送达物资或服务")
    delivered_by = serializers.CharField(max_length=50, help_text="送达人")


class CareDeliveryListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW, "POST": AssistancePerm.RECORD}

    @extend_schema(
        parameters=PAGE_PARAMETERS, responses=CareDeliveryOutput(many=True), summary="照料送达记录"
    )
    def get(self, request: AuthedRequest, care_task_id: int) -> Response:
        every = selectors.care_task_list(viewer=request.user, filters=selectors.CareFilters(open_only=False))
        task = get_in_scope(every, care_task_id)
        return paginated(self, request, selectors.deliveries_of(task), CareDeliveryOutput)

    @extend_schema(
        request=CareDeliveryInput,
        responses={201: CareDeliveryOutput},
        summary="记录照料送达（物资、药品、取暖）",
    )
    def post(self, request: AuthedRequest, care_task_id: int) -> Response:
        task = selectors.access_care_task_for_recording(request.user, care_task_id)
        data = CareDeliveryInput(data=request.data)
        data.is_valid(raise_exception=True)
        delivery = services.care_delivery_record(actor=request.user, task=task, **data.validated_data)
        return Response(CareDeliveryOutput(delivery).data, status=status.HTTP_201_CREATED)


# --- The assistance hotline: 救助热线 (A11) -------------------------------------------------------
# Calls are requests of the shared `shouhu.inquiries` app, always for `Module.ASSISTANCE`. The
# output names its fields one by one (not a model serializer of `Inquiry`: a view module names
# another app's model only as a type). The caller's phone leaves masked, never in clear.


class HotlineOutput(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True, help_text="受理单位")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    received_at = bounds.ApiDateTimeField(read_only=True, help_text="受理时间")
    caller_name = serializers.CharField(read_only=True, help_text="来电（访）人")
    caller_phone = serializers.CharField(
        source="caller_phone_masked", read_only=True, help_text="联系电话（已脱敏）"
    )
    person = serializers.IntegerField(
        source="person_id", read_only=True, allow_null=True, help_text="涉及人员"
    )
    person_name = serializers.CharField(source="person.name", read_only=True, allow_null=True)
    summary = serializers.CharField(read_only=True, help_text="诉求内容")
    assigned_to = serializers.IntegerField(
        source="assigned_to_id", read_only=True, allow_null=True, help_text="承办人"
    )
    assigned_to_name = serializers.CharField(source="assigned_to", read_only=True, allow_null=True)
    answer_due_at = bounds.ApiDateTimeField(read_only=True, help_text="首次答复时限")
    first_answer_at = bounds.ApiDateTimeField(read_only=True, allow_null=True)
    first_answer = serializers.CharField(read_only=True, help_text="首次答复内容")
    close_due_at = bounds.ApiDateTimeField(read_only=True, help_text="办结时限")
    closed_at = bounds.ApiDateTimeField(read_only=True, allow_null=True)
    outcome = serializers.CharField(read_only=True, help_text="办理结果")
    breached = serializers.SerializerMethodField(help_text="已超过首次答复或办结时限仍未办结")

    @extend_schema_field(serializers.BooleanField())
    def get_breached(self, inquiry: Any) -> bool:
        if inquiry.closed_at is not None:
            return False
        now = clock.now()
        unanswered = inquiry.first_answer_at is None and inquiry.answer_due_at < now
        return bool(unanswered or inquiry.close_due_at < now)


def _hotline_body(request: AuthedRequest, inquiry_id: int) -> dict[str, Any]:
    """The call as the list shows it, read back after a write."""
    inquiry = inquiry_selectors.access_inquiry(request.user, inquiry_id, module=Module.ASSISTANCE)
    return dict(HotlineOutput(inquiry).data)


class HotlineFilterInput(serializers.Serializer):
    open_only = serializers.BooleanField(required=False, default=False, help_text="只看未办结的")
    breached_only = serializers.BooleanField(required=False, default=False, help_text="只看超时的")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default="", allow_blank=True)
    search = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=50, help_text="诉求内容"
    )


class HotlineInput(serializers.Serializer):
    summary = serializers.CharField(max_length=1000, help_text="诉求内容")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.HOTLINE)
    caller_name = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    caller_phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    received_at = bounds.ApiDateTimeField(
        required=False, allow_null=True, default=None, help_text="受理时间（不填为现在）"
    )
    household = ObjectIdField(required=False, allow_null=True, default=None, help_text="涉及的困难家庭")


class HotlineListApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW, "POST": AssistancePerm.MANAGE}

    @extend_schema(
        parameters=[HotlineFilterInput, *PAGE_PARAMETERS],
        responses=HotlineOutput(many=True),
        summary="救助热线诉求",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = HotlineFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        calls = inquiry_selectors.inquiry_list(
            viewer=request.user,
            module=Module.ASSISTANCE,
            filters=inquiry_selectors.InquiryFilters(**filters.validated_data),
        )
        return paginated(self, request, calls, HotlineOutput)

    @extend_schema(
        request=HotlineInput,
        responses={201: HotlineOutput},
        summary="登记救助热线来电（按政策时限答复、办结）",
    )
    def post(self, request: AuthedRequest) -> Response:
        unit = request.user.unit
        if unit is None:
            raise PermissionDenied()
        data = HotlineInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        household_id = values.pop("household")
        household = (
            selectors.access_household(request.user, household_id) if household_id is not None else None
        )
        inquiry = services.hotline_call_receive(actor=request.user, unit=unit, household=household, **values)
        return Response(_hotline_body(request, inquiry.pk), status=status.HTTP_201_CREATED)


class HotlineDetailApi(ScopedAPIView):
    required_perms = {"GET": AssistancePerm.VIEW}

    @extend_schema(responses=HotlineOutput, summary="救助热线诉求详情")
    def get(self, request: AuthedRequest, inquiry_id: int) -> Response:
        return Response(_hotline_body(request, inquiry_id))


class HotlineAssignInput(serializers.Serializer):
    user = ObjectIdField(help_text="受理单位或其下级单位的工作人员")


class HotlineAssignApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.MANAGE}

    @extend_schema(request=HotlineAssignInput, responses=HotlineOutput, summary="指定救助热线诉求的承办人")
    def post(self, request: AuthedRequest, inquiry_id: int) -> Response:
        inquiry = inquiry_selectors.access_inquiry_for_recording(
            request.user, inquiry_id, module=Module.ASSISTANCE
        )
        data = HotlineAssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = get_in_scope(selectors.hotline_assignees(inquiry), data.validated_data["user"])
        services.hotline_call_assign(actor=request.user, inquiry=inquiry, user=user)
        return Response(_hotline_body(request, inquiry.pk))


class HotlineAnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=500, help_text="首次答复内容")


class HotlineAnswerApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.MANAGE}

    @extend_schema(
        request=HotlineAnswerInput, responses=HotlineOutput, summary="首次答复来电人（只答复一次）"
    )
    def post(self, request: AuthedRequest, inquiry_id: int) -> Response:
        inquiry = inquiry_selectors.access_inquiry_for_recording(
            request.user, inquiry_id, module=Module.ASSISTANCE
        )
        data = HotlineAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.hotline_call_answer(actor=request.user, inquiry=inquiry, **data.validated_data)
        return Response(_hotline_body(request, inquiry.pk))


class HotlineCloseInput(serializers.Serializer):
    outcome = serializers.CharField(max_length=500, help_text="办理结果")


class HotlineCloseApi(ScopedAPIView):
    required_perms = {"POST": AssistancePerm.MANAGE}

    @extend_schema(
        request=HotlineCloseInput, responses=HotlineOutput, summary="办结救助热线诉求（须先首次答复）"
    )
    def post(self, request: AuthedRequest, inquiry_id: int) -> Response:
        inquiry = inquiry_selectors.access_inquiry_for_recording(
            request.user, inquiry_id, module=Module.ASSISTANCE
        )
        data = HotlineCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.hotline_call_close(actor=request.user, inquiry=inquiry, **data.validated_data)
        return Response(_hotline_body(request, inquiry.pk))
