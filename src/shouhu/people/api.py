from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shouhu.accounts.types import AuthedRequest
from shouhu.common import bounds
from shouhu.common.api import ObjectIdField
from shouhu.common.api_views import ScopedAPIView, paginated
from shouhu.orgs.selectors import access_unit
from shouhu.people import selectors, services
from shouhu.people.models import Category, ConflictStatus, Gender, IdType, Person, RevealedField
from shouhu.people.permissions import PeoplePerm


class PersonOutput(bounds.BoundedModelSerializer):
    """Numbers are always masked here; the reveal endpoint gives one number with a reason."""

    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    home_unit_name = serializers.CharField(source="home_unit.name", read_only=True)
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "id_type",
            "id_number",
            "phone",
            "address",
            "household_registration",
            "home_unit",
            "home_unit_name",
            "categories",
            "deceased_on",
        ]

    def get_categories(self, person: Person) -> list[str]:
        return [c.category for c in person.categories.all()]


class PersonFilterInput(serializers.Serializer):
    search = serializers.CharField(required=False, default="", allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False, default="", allow_blank=True)
    unit = ObjectIdField(required=False, allow_null=True, default=None)


class PersonInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_type = serializers.ChoiceField(choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, default="", allow_blank=True)
    birth_date = bounds.ApiDateField(required=False, allow_null=True, default=None)
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    household_registration = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )
    home_unit = ObjectIdField()
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.choices), required=False, default=list
    )


class PersonListApi(ScopedAPIView):
    required_perms = {"GET": PeoplePerm.VIEW, "POST": PeoplePerm.MANAGE}

    @extend_schema(
        parameters=[PersonFilterInput, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses=PersonOutput(many=True),
        summary="人员列表（号码脱敏）",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = PersonFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        people = selectors.person_list(
            viewer=request.user, filters=selectors.PersonFilters(**filters.validated_data)
        )
        return paginated(self, request, people, PersonOutput)

    @extend_schema(
        request=PersonInputSerializer,
        responses={201: PersonOutput, 200: PersonOutput},
        summary="登记人员（已登记则返回原记录）",
    )
    def post(self, request: AuthedRequest) -> Response:
        data = PersonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["home_unit"] = access_unit(request.user, values["home_unit"])
        registration = services.person_register(actor=request.user, data=services.PersonInput(**values))
        code = status.HTTP_201_CREATED if registration.created else status.HTTP_200_OK
        return Response(PersonOutput(registration.person).data, status=code)


class PersonDetailApi(ScopedAPIView):
    required_perms = {"GET": PeoplePerm.VIEW}

    @extend_schema(responses=PersonOutput, summary="人员详情（号码脱敏）")
    def get(self, request: AuthedRequest, person_id: int) -> Response:
        return Response(PersonOutput(selectors.access_person(request.user, person_id)).data)


class RevealInput(serializers.Serializer):
    field = serializers.ChoiceField(choices=[RevealedField.ID_NUMBER, RevealedField.PHONE])
    reason = serializers.CharField(max_length=200)


class RevealOutput(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class PersonRevealApi(ScopedAPIView):
    required_perms = {"POST": PeoplePerm.REVEAL}

    @extend_schema(request=RevealInput, responses=RevealOutput, summary="查看完整号码（记录事由）")
    def post(self, request: AuthedRequest, person_id: int) -> Response:
        person = selectors.access_person(request.user, person_id)
        data = RevealInput(data=request.data)
        data.is_valid(raise_exception=True)
        value = services.person_reveal(
            actor=request.user,
            person=person,
            field_name=data.validated_data["field"],
            reason=data.validated_data["reason"],
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
        return Response(RevealOutput({"field": data.validated_data["field"], "value": value}).data)


class PersonSearchInput(serializers.Serializer):
    """Exact numbers go in the body, never in a URL that access logs keep."""

    id_number = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        if not attrs["id_number"].strip() and not attrs["phone"].strip():
            raise serializers.ValidationError("请填写证件号码或手机号")
        return attrs


class PersonSearchApi(ScopedAPIView):
    required_perms = {"POST": PeoplePerm.VIEW}

    @extend_schema(
        request=PersonSearchInput,
        responses=PersonOutput(many=True),
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        summary="按证件号码或手机号精确查找人员",
    )
    def post(self, request: AuthedRequest) -> Response:
        data = PersonSearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        people = selectors.person_list(
            viewer=request.user, filters=selectors.PersonFilters(**data.validated_data)
        )
        return paginated(self, request, people, PersonOutput)


class RegistrationConflictOutput(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.name")
    id_number = serializers.CharField(source="person.id_number_masked")
    home_unit = serializers.IntegerField(source="person.home_unit_id")
    home_unit_name = serializers.CharField(source="person.home_unit.name")
    requested_unit = serializers.IntegerField(source="requested_unit_id")
    requested_unit_name = serializers.CharField(source="requested_unit.name")
    requested_by = serializers.CharField(source="requested_by.username", allow_null=True, default=None)
    attempts = serializers.IntegerField()
    last_attempt_at = bounds.ApiDateTimeField()
    status = serializers.ChoiceField(choices=ConflictStatus.choices)
    note = serializers.CharField()
    resolved_at = bounds.ApiDateTimeField(allow_null=True)


class RegistrationConflictFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=ConflictStatus.choices, required=False, default="")


class RegistrationConflictListApi(ScopedAPIView):
    required_perms = {"GET": PeoplePerm.RESOLVE_CONFLICTS}

    @extend_schema(
        parameters=[
            RegistrationConflictFilterInput,
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=RegistrationConflictOutput(many=True),
        summary="登记冲突（下级单位无法登记、待地区核实的证件）",
    )
    def get(self, request: AuthedRequest) -> Response:
        filters = RegistrationConflictFilterInput(data=request.query_params)
        filters.is_valid(raise_exception=True)
        conflicts = selectors.registration_conflict_list(
            viewer=request.user, status=filters.validated_data["status"]
        )
        return paginated(self, request, conflicts, RegistrationConflictOutput)


class RegistrationConflictResolveInput(serializers.Serializer):
    transfer = serializers.BooleanField(help_text="true：转入申请单位；false：不予转入")
    note = serializers.CharField(max_length=200)


class RegistrationConflictResolveApi(ScopedAPIView):
    required_perms = {"POST": PeoplePerm.RESOLVE_CONFLICTS}

    @extend_schema(
        request=RegistrationConflictResolveInput, responses=RegistrationConflictOutput, summary="处理登记冲突"
    )
    def post(self, request: AuthedRequest, registration_conflict_id: int) -> Response:
        conflict = selectors.access_registration_conflict(request.user, registration_conflict_id)
        data = RegistrationConflictResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        resolved = services.registration_conflict_resolve(
            actor=request.user,
            conflict=conflict,
            transfer=data.validated_data["transfer"],
            note=data.validated_data["note"],
        )
        return Response(
            RegistrationConflictOutput(selectors.access_registration_conflict(request.user, resolved.pk)).data
        )
