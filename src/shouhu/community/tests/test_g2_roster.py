"""G2: who is who — each village's prevention organisation, people of the register, gaps by policy."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shouhu.campaigns.services import policy_update
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.importing import importer_for, read_import, run_import
from shouhu.community import selectors, services
from shouhu.community.models import CommunityPolicy, RosterMember, RosterRole
from shouhu.community.tests.factories import fill_roster, id_number, make_member
from shouhu.people.models import Person
from shouhu.people.services import PersonInput, person_register


def test_g2_adding_by_name_and_id_number_creates_the_person_in_the_register(tree, plan_campaign):
    member = make_member(tree.village_a, "李四", RosterRole.GRID_HEAD, number=id_number(1))
    person = Person.objects.get(pk=member.person_id)
    assert person.name == "李四"
    assert person.home_unit_id == tree.village_a.pk
    assert member.phone_masked == "138****8000"


def test_g2_adding_a_registered_person_links_them_and_refuses_a_wrong_name(tree, plan_campaign, village_user):
    existing = person_register(
        actor=None, data=PersonInput(name="王五", home_unit=tree.village_a, id_number=id_number(2))
    ).person
    member = make_member(
        tree.village_a, "王五", RosterRole.VOLUNTEER, number=id_number(2), actor=village_user
    )
    assert member.person_id == existing.pk
    assert Person.objects.filter(name="王五").count() == 1
    with pytest.raises(DomainError) as refused:
        make_member(tree.village_a, "王六", RosterRole.GRID_HEAD, number=id_number(2), actor=village_user)
    assert "name" in refused.value.field_errors


def test_g2_a_person_holds_a_role_once_per_village(tree, plan_campaign):
    make_member(tree.village_a, "赵一", RosterRole.GRID_HEAD, number=id_number(3))
    with pytest.raises(ConflictError):
        make_member(tree.village_a, "赵一", RosterRole.GRID_HEAD, number=id_number(3))
    # Another role is another row.
    make_member(tree.village_a, "赵一", RosterRole.VOLUNTEER, number=id_number(3))
    assert RosterMember.objects.filter(person__name="赵一").count() == 2


def test_g2_a_phone_is_required_and_checked(tree, plan_campaign):
    with pytest.raises(DomainError) as refused:
        services.roster_add(
            actor=None,
            village=tree.village_a,
            data=services.RosterInput(role=RosterRole.CLINIC, phone="12", name="钱二"),
        )
    assert "phone" in refused.value.field_errors
    with pytest.raises(DomainError):
        services.roster_add(
            actor=None,
            village=tree.township_a,
            data=services.RosterInput(role="clinic", phone="13800138000", name="x"),
        )


def _village(villages, pk):
    return next(v for v in villages if v.pk == pk)


def test_g2_gaps_name_the_missing_roles_from_the_policy(tree, plan_campaign):
    required = CommunityPolicy.objects.get(campaign=plan_campaign).required_roles()
    make_member(tree.village_a, "孙书记", RosterRole.PARTY_ORG)
    gaps, _ = selectors.village_roster_counts(tree.village_a)
    assert gaps == ["村（居）委会", "村卫生室（社区卫生服务站）", "网格长", "两委负责人"]
    assert "building_head" not in required  # the plan's default: villages may have no buildings
    fill_roster(tree.village_a)
    assert selectors.village_roster_counts(tree.village_a)[0] == []
    # The policy, not the code, says what a filled roster holds.
    policy_update(
        actor=None, campaign=plan_campaign, model=CommunityPolicy, values={"roster_min_grid_head": 3}
    )
    assert selectors.village_roster_counts(tree.village_a)[0] == ["网格长（1/3）"]


def test_g2_county_sees_which_villages_lack_a_roster(client, tree, plan_campaign, county_user):
    fill_roster(tree.village_a)
    from shouhu.orgs.tests.factories import make_unit

    empty = make_unit(tree.township_a, "village", "东山第二社区")
    client.force_login(county_user)
    page = client.get(reverse("community:overview") + "?all=1&gaps=on")
    assert page.status_code == 200
    text = page.content.decode()
    assert "东山第二社区" in text
    assert "东山第一社区" not in text
    assert "党组织" in text
    export = client.get(reverse("community:overview") + "?all=1&gaps=on&export=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == empty.name
    assert "网格长" in rows[1][1]


def test_g2_a_township_sees_its_villages_only(client, tree, plan_campaign, township_user):
    make_member(tree.village_a, "东山人")
    make_member(tree.village_b, "西林吉人")
    client.force_login(township_user)
    roster = client.get(reverse("community:roster_list")).content.decode()
    assert "东山人" in roster
    assert "西林吉人" not in roster
    assert client.get(reverse("community:village_home", args=[tree.village_b.pk])).status_code == 404


def test_g2_village_staff_add_to_their_roster_on_the_page(client, tree, plan_campaign, village_user):
    client.force_login(village_user)
    assert client.get(reverse("community:overview")).url == reverse(
        "community:village_home", args=[tree.village_a.pk]
    )
    response = client.post(
        reverse("community:roster_add", args=[tree.village_a.pk]),
        {"name": "周楼长", "id_number": id_number(9), "role": "building_head", "phone": "13912345678"},
    )
    assert response.status_code == 302
    page = client.get(reverse("community:village_home", args=[tree.village_a.pk])).content.decode()
    assert "周楼长" in page
    assert "139****5678" in page
    assert "13912345678" not in page
    # Another village's roster is not theirs to keep.
    other = client.post(
        reverse("community:roster_add", args=[tree.village_b.pk]),
        {"name": "x", "role": "volunteer", "phone": "13912345678"},
    )
    assert other.status_code == 404


def test_g2_roster_export_is_masked(client, tree, plan_campaign, county_user):
    make_member(tree.village_a, "吴网格", number=id_number(11))
    client.force_login(county_user)
    export = client.get(reverse("community:roster_list") + "?export=xlsx")
    cells = [
        c for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True) for c in row
    ]
    assert "吴网格" in cells
    assert "138****8000" in cells
    assert "13800138000" not in cells
    assert id_number(11) not in cells


def test_g2_roster_list_queries_do_not_grow(
    client, tree, plan_campaign, county_user, django_assert_max_num_queries
):
    for n in range(12):
        make_member(tree.village_a, f"志愿者{n}", RosterRole.VOLUNTEER)
    client.force_login(county_user)
    client.get(reverse("community:roster_list"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("community:roster_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("community:overview") + "?all=1").status_code == 200


def test_g2_roster_import_reports_bad_rows(tree, plan_campaign, village_user):
    importer = importer_for("community_roster")
    assert importer is not None
    rows = (
        "村（社区）,姓名,身份证号,角色,联系电话,两委负责人\n"
        f"东山第一社区,郑书记,{id_number(20)},党组织,13800000001,是\n"
        f"东山第一社区,冯医生,{id_number(21)},村医,13800000002,\n"
        f"西林吉村,外县人,{id_number(22)},网格长,13800000003,\n"
        f"东山第一社区,陈某,{id_number(23)},保安,13800000004,\n"
    )
    table = read_import(importer, "roster.csv", rows.encode())
    report = run_import(
        importer=importer, actor=village_user, table=table, dry_run=False, import_valid_rows=True
    )
    assert report.created == 2
    assert sorted(e.row for e in report.errors) == [4, 5]
    assert RosterMember.objects.get(person__name="郑书记").is_responsible
    assert RosterMember.objects.get(person__name="冯医生").role == RosterRole.CLINIC
