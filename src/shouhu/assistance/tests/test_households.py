"""Households, members, three-level responsibility, visits and the signals of other modules (A1, A2)."""

import datetime as dt

import pytest
from django.db import IntegrityError

from shouhu.accounts.tests.factories import make_user
from shouhu.assistance import selectors, services
from shouhu.assistance.models import (
    AffectedReason,
    AreaType,
    FollowUp,
    HouseholdMember,
    Level,
    Relation,
    Responsibility,
    SignalKind,
    Standing,
)
from shouhu.assistance.tests.factories import DAY, make_household
from shouhu.common.errors import ConflictError, DomainError
from shouhu.funerals import services as funerals
from shouhu.funerals.tests.factories import case_input, make_home
from shouhu.people.models import Person
from shouhu.screening.services import isolation_mark_confirmed, isolation_record
from shouhu.screening.tests.factories import make_person


@pytest.fixture
def village_user(tree):
    return make_user("village_staff", tree.village_a)


def test_a2_household_groups_persons_of_the_register(tree, village_user):
    household = make_household(tree.village_a, "王桂芝", actor=village_user)
    spouse = services.member_join(
        actor=village_user, household=household, name="李大勇", relation=Relation.SPOUSE
    )
    people = Person.objects.filter(assistance_memberships__household=household)
    assert sorted(people.values_list("name", flat=True)) == ["李大勇", "王桂芝"]
    assert {p.home_unit_id for p in people} == {tree.village_a.pk}
    assert spouse.relation == Relation.SPOUSE
    assert services.household_size(household) == 2


def test_a2_person_without_id_document_is_registrable_and_stays_unchecked_only_by_absence(tree, village_user):
    household = make_household(tree.village_a, "赵老汉", actor=village_user)
    head = household.members.get().person
    assert head.id_number == ""
    assert head.id_index == ""
    # A number given is still checked by the register.
    with pytest.raises(DomainError) as refused:
        services.member_join(
            actor=village_user, household=household, name="赵小明", relation=Relation.CHILD, id_number="123"
        )
    assert "身份证" in refused.value.message or "号码" in refused.value.message
    assert household.members.count() == 1  # nothing half-written


def test_a2_a_person_belongs_to_one_household_at_a_time_and_history_is_kept(tree, village_user):
    first = make_household(tree.village_a, "王桂芝", actor=village_user)
    person = first.members.get().person
    second = make_household(tree.village_a, "刘淑珍", actor=village_user)
    with pytest.raises(ConflictError):
        services.member_add(actor=village_user, household=second, person=person, relation=Relation.PARENT)
    member = first.members.get()
    services.member_leave(actor=village_user, member=member, left_on=DAY, reason="随子女生活")
    moved = services.member_add(actor=village_user, household=second, person=person, relation=Relation.PARENT)
    assert moved.left_on is None
    assert HouseholdMember.objects.filter(person=person).count() == 2  # the old membership stays
    # The database holds the rule too, whatever the caller.
    with pytest.raises(IntegrityError):
        HouseholdMember.objects.create(household=first, person=person, relation=Relation.OTHER, joined_on=DAY)


def test_a2_household_needs_a_village_and_a_reason_when_affected(tree, village_user):
    with pytest.raises(DomainError) as refused:
        services.household_open(
            actor=village_user,
            data=services.HouseholdInput(
                unit=tree.township_a, area_type=AreaType.URBAN, standing=Standing.EPIDEMIC_AFFECTED
            ),
            head_name="孙立军",
        )
    assert set(refused.value.field_errors) == {"unit", "affected_reason"}
    assert not Person.objects.filter(name="孙立军").exists()  # the head was not left in the register
    household = services.household_open(
        actor=village_user,
        data=services.HouseholdInput(
            unit=tree.village_a,
            area_type=AreaType.URBAN,
            standing=Standing.EPIDEMIC_AFFECTED,
            affected_reason=AffectedReason.LOST_WORK,
        ),
        head_name="孙立军",
    )
    assert household.get_affected_reason_display() == "无法外出务工或返岗复工"


def test_a2_member_of_another_county_is_not_linked_by_number(tree, village_user):
    stranger = make_person(tree.village_b, "周国强", id_number="11010519491231002X")
    household = make_household(tree.village_a, actor=village_user)
    with pytest.raises(DomainError) as refused:
        services.member_join(
            actor=village_user,
            household=household,
            name="另一个名字",
            relation=Relation.OTHER,
            id_number=stranger.id_number,
        )
    # The same refusal whatever the name typed: the form cannot be used to test names.
    assert refused.value.code == "person_out_of_reach"


def test_a1_every_household_has_named_people_at_three_levels_and_reassignment_keeps_history(
    tree, county_user
):
    household = make_household(tree.village_a)
    missing = selectors.HouseholdFilters(missing_level=True)
    assert list(selectors.household_list(viewer=county_user, filters=missing)) == [household]
    services.responsibility_assign(actor=county_user, household=household, level=Level.COUNTY, name="张局长")
    services.responsibility_assign(
        actor=county_user, household=household, level=Level.TOWNSHIP, name="刘干事", phone="13904571234"
    )
    first = services.responsibility_assign(
        actor=county_user,
        household=household,
        level=Level.VILLAGE,
        name="陈书记",
        assigned_on=dt.date(2022, 1, 1),
    )
    assert list(selectors.household_list(viewer=county_user, filters=missing)) == []
    assert first.unit == tree.village_a
    township = Responsibility.objects.get(household=household, level=Level.TOWNSHIP)
    assert township.unit == tree.township_a
    assert township.phone_masked == "139****1234"
    second = services.responsibility_assign(
        actor=county_user, household=household, level=Level.VILLAGE, name="王委员", assigned_on=DAY
    )
    first.refresh_from_db()
    assert first.ended_on == DAY
    assert second.ended_on is None
    assert Responsibility.objects.filter(household=household, level=Level.VILLAGE).count() == 2
    listed = selectors.household_list(viewer=county_user).get()
    assert listed.levels_held == 3


def test_a1_a_user_named_responsible_must_work_at_that_level(tree, county_user):
    household = make_household(tree.village_a)
    other_village_user = make_user("village_staff", tree.village_b)
    with pytest.raises(DomainError) as refused:
        services.responsibility_assign(
            actor=county_user, household=household, level=Level.VILLAGE, name="", user=other_village_user
        )
    assert refused.value.code == "responsible_outside_unit"


def test_a2_visits_follow_the_policy_interval_per_standing(tree, plan_campaign, village_user):
    # Registered 2021-12-01; 低保 every 14 days, 特困 every 7 (the policy's defaults).
    dibao = make_household(tree.village_a, "王桂芝", registered_on=dt.date(2021, 12, 22))
    tekun = make_household(
        tree.village_a, "刘淑珍", standing=Standing.TEKUN_DISPERSED, registered_on=dt.date(2021, 12, 22)
    )
    overdue = selectors.HouseholdFilters(visit_overdue=True)
    assert list(selectors.household_list(viewer=village_user, filters=overdue)) == [tekun]
    services.visit_record(
        actor=village_user,
        household=tekun,
        visited_on=DAY,
        visitor="陈书记",
        findings="取暖煤已备足",
        needs="药品",
    )
    assert list(selectors.household_list(viewer=village_user, filters=overdue)) == []
    assert dibao.pk  # 低保: 14 days after 12-22 is 01-05, due today but not overdue


def test_a2_visit_dates_are_checked(tree, village_user):
    household = make_household(tree.village_a, registered_on=dt.date(2021, 12, 22))
    with pytest.raises(DomainError) as refused:
        services.visit_record(
            actor=village_user,
            household=household,
            visited_on=DAY + dt.timedelta(days=1),
            visitor="",
            findings="",
        )
    assert set(refused.value.field_errors) == {"visited_on", "visitor", "findings"}
    with pytest.raises(DomainError):
        services.visit_record(
            actor=village_user,
            household=household,
            visited_on=dt.date(2021, 12, 1),
            visitor="陈",
            findings="好",
        )


def test_a2_isolation_of_a_member_opens_a_follow_up_once(tree, village_user, county_user):
    household = make_household(tree.village_a)
    head = household.members.get().person
    isolation_record(
        actor=village_user, person=head, kind="home", starts_on=dt.date(2022, 1, 4), source="社区排查"
    )
    follow_up = FollowUp.objects.get()
    assert (follow_up.household, follow_up.person, follow_up.kind) == (household, head, SignalKind.ISOLATION)
    assert follow_up.detail == "居家隔离"
    assert list(selectors.follow_up_list(viewer=county_user)) == [follow_up]
    # A person outside every household opens nothing.
    isolation_record(
        actor=village_user,
        person=make_person(tree.village_a, "路人甲"),
        kind="home",
        starts_on=dt.date(2022, 1, 4),
        source="社区排查",
    )
    assert FollowUp.objects.count() == 1
    services.follow_up_close(actor=county_user, follow_up=follow_up, outcome="已送去米面油和药品")
    assert list(selectors.follow_up_list(viewer=county_user)) == []
    with pytest.raises(ConflictError):
        services.follow_up_close(actor=county_user, follow_up=follow_up, outcome="再次")


def test_a2_death_of_a_member_from_funerals_opens_a_follow_up(tree, county_user):
    household = make_household(tree.village_a, "王桂芝")
    head = household.members.get().person
    home = make_home(tree.county_a)
    funerals.case_register(actor=None, home=home, data=case_input(deceased=head, name="王桂芝"))
    follow_up = FollowUp.objects.get()
    assert (follow_up.kind, follow_up.person, follow_up.happened_on) == (
        SignalKind.DEATH,
        head,
        dt.date(2022, 1, 4),
    )


def test_a6_a_confirmed_member_opens_a_follow_up_that_names_the_temporary_assistance_owed(
    tree, village_user, county_user
):
    dibao = make_household(tree.village_a, "王桂芝")
    head = dibao.members.get().person
    isolation_record(
        actor=village_user,
        person=head,
        kind="centralised",
        starts_on=dt.date(2022, 1, 3),
        source="卫健部门推送",
        confirmed_on=dt.date(2022, 1, 4),
    )
    confirmed = FollowUp.objects.get(kind=SignalKind.CONFIRMED_CASE)
    assert (confirmed.household, confirmed.person, confirmed.happened_on) == (
        dibao,
        head,
        dt.date(2022, 1, 4),
    )
    assert confirmed.detail == "按规定及时予以临时救助（确诊病例）"
    assert FollowUp.objects.filter(kind=SignalKind.ISOLATION, person=head).count() == 1
    # Confirmed after the isolation was recorded: the same follow-up, once.
    affected = make_household(
        tree.village_a, "孙立军", standing=Standing.EPIDEMIC_AFFECTED, affected_reason="lost_work"
    )
    member = affected.members.get().person
    recording = isolation_record(
        actor=village_user, person=member, kind="home", starts_on=dt.date(2022, 1, 2), source="社区排查"
    )
    isolation_mark_confirmed(actor=village_user, record=recording.record, confirmed_on=dt.date(2022, 1, 5))
    later = FollowUp.objects.get(kind=SignalKind.CONFIRMED_CASE, person=member)
    assert later.detail == ""  # not a 低保/特困/低收入 household: A6's assistance is not owed
    listed = selectors.follow_up_list(viewer=county_user).filter(kind=SignalKind.CONFIRMED_CASE)
    assert set(listed) == {confirmed, later}


def test_a2_follow_ups_and_households_are_scoped(tree, county_user, other_county_user):
    household = make_household(tree.village_a)
    isolation_record(
        actor=None, person=household.members.get().person, kind="home", starts_on=DAY, source="卫健部门推送"
    )
    assert list(selectors.household_list(viewer=other_county_user)) == []
    assert list(selectors.follow_up_list(viewer=other_county_user)) == []
    coordinator = make_user("department_coordinator", tree.department)  # coordinates no assistance
    assert list(selectors.household_list(viewer=coordinator)) == []
    tree.department.coordinated_modules = [*tree.department.coordinated_modules, "assistance"]
    tree.department.save()
    coordinator.refresh_from_db()
    assert list(selectors.household_list(viewer=coordinator)) == [household]


def test_a2_the_head_can_be_changed_when_the_head_dies_or_leaves(tree, village_user):
    household = make_household(tree.village_a, "王桂芝", actor=village_user)
    spouse = services.member_join(
        actor=village_user, household=household, name="李大勇", relation=Relation.SPOUSE
    )
    child = services.member_join(
        actor=village_user, household=household, name="李小红", relation=Relation.CHILD
    )
    with pytest.raises(DomainError):
        services.household_head_change(actor=village_user, member=spouse, former_head_relation=Relation.HEAD)
    services.household_head_change(actor=village_user, member=spouse, former_head_relation=Relation.SPOUSE)
    relations = dict(household.members.values_list("person__name", "relation"))
    assert relations == {"王桂芝": "spouse", "李大勇": "head", "李小红": "child"}
    # The head leaves (died): the household has no head until one is named, then exactly one.
    services.member_leave(
        actor=village_user, member=household.members.get(relation="head"), left_on=DAY, reason="去世"
    )
    services.household_head_change(actor=village_user, member=child, former_head_relation="")
    assert household.members.filter(left_on__isnull=True, relation="head").get() == child
    with pytest.raises(ConflictError):
        services.household_head_change(actor=village_user, member=child, former_head_relation="")
