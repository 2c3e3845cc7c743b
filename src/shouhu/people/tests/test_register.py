"""X2: one person register — a second registration finds the first, a person belongs to one
unit, duplicates are merged with a reason and keep every link."""

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.common.errors import ConflictError, DomainError
from shouhu.people.idcard import check_digit
from shouhu.people.models import (
    Category,
    Person,
    PersonalDataReveal,
    PersonMerge,
    RegistrationConflict,
    RevealedField,
)
from shouhu.people.selectors import PersonFilters, person_list, registration_conflict_list
from shouhu.people.services import (
    PersonInput,
    person_find_by_document,
    person_merge,
    person_register,
    person_reveal,
    person_update,
    registration_conflict_resolve,
)

pytestmark = pytest.mark.django_db


def make_id(birth: str = "19900307", sequence: str = "123") -> str:
    first17 = f"232718{birth}{sequence}"
    return first17 + check_digit(first17)


def register(actor, unit, name="张三", **fields):
    return person_register(actor=actor, data=PersonInput(name=name, home_unit=unit, **fields))


def test_x2_registering_the_same_id_twice_returns_the_existing_person(tree, county_user):
    number = make_id()
    first = register(county_user, tree.village_a, id_number=number, categories=[Category.DIBAO])
    assert first.created
    # Typed differently (spaces, another spelling of the name): still the same person.
    again = register(
        county_user,
        tree.village_a,
        name="张叁",
        id_number=f"{number[:6]} {number[6:14]} {number[14:]}",
        categories=[Category.TEKUN],
    )
    assert again.created is False
    assert again.person.pk == first.person.pk
    assert Person.objects.count() == 1
    # The new category is added to the existing record; nothing else is overwritten.
    assert set(again.person.categories.values_list("category", flat=True)) == {Category.DIBAO, Category.TEKUN}
    assert again.changed
    assert Person.objects.get().name == "张三"
    assert person_find_by_document(id_type="resident_id", id_number=number).pk == first.person.pk


def test_x2_same_id_again_with_nothing_new_changes_nothing(tree, county_user):
    number = make_id()
    register(county_user, tree.village_a, id_number=number, categories=[Category.DIBAO])
    again = register(county_user, tree.village_a, id_number=number, categories=[Category.DIBAO])
    assert (again.created, again.changed) == (False, False)
    assert Person.objects.count() == 1


def test_x2_same_id_in_another_unit_of_ones_own_scope_names_that_unit(tree, county_user):
    number = make_id()
    register(county_user, tree.village_a, id_number=number)
    with pytest.raises(ConflictError, match="不能同时属于两个单位") as caught:
        register(county_user, tree.township_a, id_number=number)
    assert caught.value.code == "person_in_other_unit"
    assert "东山第一社区" in caught.value.message
    assert caught.value.field_errors == {"home_unit": ["此人已登记在其他单位"]}
    assert Person.objects.count() == 1
    assert Person.objects.get().home_unit == tree.village_a
    assert not RegistrationConflict.objects.exists()


def test_x1_a_clerk_learns_nothing_of_a_person_registered_outside_their_scope(
    tree, county_user, other_county_user
):
    """Only "cannot be registered here; ask the region": no unit, no name; the region's list has it."""
    number = make_id()
    register(county_user, tree.village_a, name="张三", id_number=number)
    for _attempt in range(2):
        with pytest.raises(ConflictError) as caught:
            register(other_county_user, tree.county_b, name="李四", id_number=number)
        assert caught.value.code == "registered_elsewhere"
        assert caught.value.message == "此证件号码不能在本单位登记，请联系地区民政局核实处理"
        assert "东山" not in str(caught.value.field_errors)
    assert Person.objects.count() == 1
    conflict = RegistrationConflict.objects.get()
    assert (conflict.requested_unit, conflict.requested_by, conflict.attempts) == (
        tree.county_b,
        other_county_user,
        2,
    )
    assert conflict.person.home_unit == tree.village_a
    assert list(registration_conflict_list(viewer=other_county_user)) == []
    assert list(registration_conflict_list(viewer=county_user)) == []
    region = make_user("region_admin", tree.region)
    assert list(registration_conflict_list(viewer=region)) == [conflict]


def test_x1_the_region_transfers_the_person_or_says_why_not(tree, county_user, other_county_user):
    region = make_user("region_admin", tree.region)
    number = make_id()
    register(county_user, tree.village_a, id_number=number)
    with pytest.raises(ConflictError):
        register(other_county_user, tree.county_b, id_number=number)
    conflict = RegistrationConflict.objects.get()
    with pytest.raises(DomainError, match="请填写处理说明"):
        registration_conflict_resolve(actor=region, conflict=conflict, transfer=True, note=" ")
    registration_conflict_resolve(actor=region, conflict=conflict, transfer=True, note="已迁居漠河市")
    assert Person.objects.get().home_unit == tree.county_b
    with pytest.raises(ConflictError, match="已处理"):
        registration_conflict_resolve(actor=region, conflict=conflict, transfer=False, note="重复")
    # Now in county B's scope: the same registration there finds the record.
    assert register(other_county_user, tree.county_b, id_number=number).created is False


def test_x1_a_clerk_editing_a_number_to_one_registered_elsewhere_learns_nothing(
    tree, county_user, other_county_user
):
    number = make_id()
    register(county_user, tree.village_a, name="张三", id_number=number)
    mine = register(other_county_user, tree.county_b, name="李四").person
    with pytest.raises(ConflictError) as caught:
        person_update(
            actor=other_county_user,
            person=mine,
            data=PersonInput(name="李四", home_unit=tree.county_b, id_number=number),
        )
    assert caught.value.code == "registered_elsewhere"
    assert RegistrationConflict.objects.get().requested_unit == tree.county_b


def test_x2_people_without_an_id_are_not_matched_to_each_other(tree, county_user):
    register(county_user, tree.village_a, name="无证人员")
    register(county_user, tree.village_a, name="无证人员")
    assert Person.objects.count() == 2


def test_x2_api_registration_twice_answers_201_then_200_with_one_row(client, tree, county_user):
    client.force_login(county_user)
    body = {"name": "张三", "id_number": make_id(), "home_unit": tree.village_a.pk, "categories": ["dibao"]}
    first = client.post("/api/v1/people/", body, content_type="application/json")
    assert first.status_code == 201
    second = client.post("/api/v1/people/", body, content_type="application/json")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Person.objects.count() == 1


def test_x2_api_conflict_in_another_unit_is_409(client, tree, county_user, region_admin):
    number = make_id()
    register(county_user, tree.village_a, id_number=number)
    client.force_login(region_admin)
    response = client.post(
        "/api/v1/people/",
        {"name": "张三", "id_number": number, "home_unit": tree.village_b.pk},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "不能同时属于两个单位" in response.json()["error"]["message"]
    assert Person.objects.count() == 1


def test_x2_page_registration_of_a_known_id_opens_the_existing_record(client, tree, county_user):
    existing = register(county_user, tree.village_a, id_number=make_id()).person
    client.force_login(county_user)
    response = client.post(
        "/people/new/",
        {"name": "张三", "id_type": "resident_id", "id_number": make_id(), "home_unit": tree.village_a.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{existing.pk}/"
    assert Person.objects.count() == 1


def test_x2_page_shows_a_contradicting_gender_beside_the_field(client, tree, county_user):
    client.force_login(county_user)
    response = client.post(
        "/people/new/",
        {
            "name": "张三",
            "id_type": "resident_id",
            "id_number": make_id(),  # a man
            "gender": "female",
            "home_unit": tree.village_a.pk,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["gender"] == ["性别与身份证号不符（身份证号显示为男）"]
    assert not Person.objects.exists()


# --- Merge ----------------------------------------------------------------------------------


@pytest.fixture
def pair(tree, county_user):
    survivor = register(
        county_user,
        tree.village_a,
        name="王五",
        id_number=make_id(sequence="135"),
        categories=[Category.DIBAO],
    ).person
    duplicate = register(
        county_user, tree.nursing_home_a, name="王五", categories=[Category.NURSING_HOME_RESIDENT]
    ).person
    return survivor, duplicate


def test_x2_merge_keeps_every_link_and_records_the_reason(tree, county_user, pair):
    survivor, duplicate = pair
    reveal_user = make_user("county_staff", tree.county_a)
    person_reveal(actor=reveal_user, person=duplicate, field_name="phone", reason="核实", remote_addr=None)
    person_reveal(
        actor=reveal_user, person=duplicate, field_name="id_number", reason="核实", remote_addr=None
    )
    person_reveal(actor=reveal_user, person=survivor, field_name="id_number", reason="核实", remote_addr=None)

    merge = person_merge(actor=county_user, survivor=survivor, duplicate=duplicate, reason=" 同一位老人 ")

    assert set(survivor.categories.values_list("category", flat=True)) == {
        Category.DIBAO,
        Category.NURSING_HOME_RESIDENT,
    }
    assert PersonalDataReveal.objects.filter(person=survivor).count() == 3
    assert not PersonalDataReveal.objects.filter(person=duplicate).exists()
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    stored = PersonMerge.objects.get()
    assert stored == merge
    assert (stored.survivor, stored.duplicate, stored.merged_by) == (survivor, duplicate, county_user)
    assert stored.reason == "同一位老人"
    assert stored.moved_links == {"people.PersonalDataReveal": 2}


def test_x2_registering_a_merged_duplicates_id_finds_the_survivor(tree, county_user):
    number = make_id(sequence="357")
    survivor = register(county_user, tree.village_a, name="赵六").person  # registered without an ID
    duplicate = register(county_user, tree.village_a, name="赵六", id_number=number).person
    person_merge(actor=county_user, survivor=survivor, duplicate=duplicate, reason="同一人")
    again = register(county_user, tree.village_a, name="赵六", id_number=number)
    assert again.created is False
    assert again.person.pk == survivor.pk
    assert Person.objects.filter(merged_into__isnull=True).count() == 1


def test_x2_merge_needs_a_reason(county_user, pair):
    survivor, duplicate = pair
    with pytest.raises(DomainError) as caught:
        person_merge(actor=county_user, survivor=survivor, duplicate=duplicate, reason="  ")
    assert caught.value.field_errors == {"reason": ["请填写合并原因"]}
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert not PersonMerge.objects.exists()


def test_x2_merge_refuses_itself_and_a_second_merge(county_user, pair):
    survivor, duplicate = pair
    with pytest.raises(DomainError, match="自身"):
        person_merge(actor=county_user, survivor=survivor, duplicate=survivor, reason="误操作")
    person_merge(actor=county_user, survivor=survivor, duplicate=duplicate, reason="同一人")
    duplicate.refresh_from_db()
    with pytest.raises(ConflictError, match="已被合并"):
        person_merge(actor=county_user, survivor=survivor, duplicate=duplicate, reason="再来一次")


def test_x2_merged_duplicate_disappears_from_lists_and_detail(client, county_user, pair):
    survivor, duplicate = pair
    assert set(person_list(viewer=county_user)) == {survivor, duplicate}
    person_merge(actor=county_user, survivor=survivor, duplicate=duplicate, reason="同一人")
    assert list(person_list(viewer=county_user)) == [survivor]
    assert list(person_list(viewer=county_user, filters=PersonFilters(search="王五"))) == [survivor]
    client.force_login(county_user)
    assert client.get(f"/people/{duplicate.pk}/").status_code == 404
    assert [p["id"] for p in client.get("/api/v1/people/").json()["results"]] == [survivor.pk]


def test_x2_merge_page_folds_the_duplicate_in(client, county_user, pair):
    survivor, duplicate = pair
    client.force_login(county_user)
    response = client.post(
        f"/people/{survivor.pk}/merge/", {"duplicate": duplicate.pk, "reason": "养老院与低保名单同一人"}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert PersonMerge.objects.get().reason == "养老院与低保名单同一人"


def test_x2_reveal_needs_a_reason_and_a_known_field(county_user, pair):
    survivor, _ = pair
    with pytest.raises(DomainError, match="事由"):
        person_reveal(
            actor=county_user, person=survivor, field_name="id_number", reason=" ", remote_addr=None
        )
    with pytest.raises(DomainError):
        person_reveal(
            actor=county_user, person=survivor, field_name="address", reason="核实", remote_addr=None
        )
    assert not PersonalDataReveal.objects.exists()
    value = person_reveal(
        actor=county_user,
        person=survivor,
        field_name=RevealedField.ID_NUMBER,
        reason="核实",
        remote_addr=None,
    )
    assert value == make_id(sequence="135")


def test_x3_x2_person_history_is_audited_and_masked(client, tree, county_user):
    from shouhu.people.idcard import check_digit

    first17 = "23270019500308123"
    number = first17 + check_digit(first17)
    person = register(county_user, tree.village_a, name="赵六", id_number=number, phone="13812345678").person
    client.force_login(county_user)
    page = client.get(f"/people/{person.pk}/history/").content.decode()
    assert "赵六" in page
    assert "232700********" in page
    assert number not in page
    assert "13812345678" not in page
    assert str(county_user) in page


@pytest.mark.parametrize(
    ("id_type", "number", "stored"),
    [
        ("hk_macao_permit", "H12345678", "H12345678"),
        ("hk_macao_permit", "m 1234567890", "M1234567890"),
        ("taiwan_permit", "12345678", "12345678"),
        ("taiwan_permit", "1234567890(b)", "1234567890B"),
        ("taiwan_permit", "1234567890（B）", "1234567890B"),
    ],
)
def test_x2_permits_in_their_own_formats_are_accepted(tree, id_type, number, stored):
    from shouhu.people.services import clean_person

    data = PersonInput(name="陈大文", home_unit=tree.village_a, id_type=id_type, id_number=number)
    assert clean_person(data).values["id_number"] == stored


@pytest.mark.parametrize(
    ("id_type", "number"),
    [
        ("hk_macao_permit", "H7654321"),
        ("hk_macao_permit", "A12345678"),
        ("hk_macao_permit", "H123456789"),
        ("taiwan_permit", "1234567"),
        ("taiwan_permit", "T1234567"),
    ],
)
def test_x2_permit_numbers_of_the_wrong_shape_are_refused_with_the_format(tree, id_type, number):
    from shouhu.people.services import clean_person

    data = PersonInput(name="陈大文", home_unit=tree.village_a, id_type=id_type, id_number=number)
    with pytest.raises(DomainError) as refused:
        clean_person(data)
    assert "通行证号码应为" in refused.value.field_errors["id_number"][0]
