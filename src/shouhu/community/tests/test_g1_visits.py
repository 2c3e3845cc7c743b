"""G1: county field visits to townships and villages; each problem found is a rectification finding."""

import datetime as dt

import pytest
from django.urls import reverse

from shouhu.campaigns.services import policy_update
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.community import services
from shouhu.community.models import CommunityPolicy, FieldVisit
from shouhu.rectification.models import Finding
from shouhu.rectification.selectors import findings_of


def _visit(tree, county_user, **extra):
    return services.visit_record(
        actor=county_user,
        data=services.VisitInput(
            place=tree.village_a,
            visited_on=dt.date(2022, 1, 4),
            staff="区民政局 刘科长、陈干事",
            checked="卡口值守、出入登记、防控组织名单",
            notes="北门卡口夜间无人值守",
            **extra,
        ),
    )


def test_g1_a_visit_records_its_findings_through_rectification(tree, plan_campaign, county_user):
    visit = _visit(
        tree,
        county_user,
        findings=[
            services.FindingInput(description="北门卡口夜间无人值守", assigned_to="东山街道疫情防控指挥部")
        ],
    )
    assert visit.county_id == tree.county_a.pk
    finding = findings_of(visit).get()
    assert finding.module == Module.COMMUNITY
    assert finding.origin_model == "community.fieldvisit"
    assert finding.origin_id == visit.pk
    assert finding.unit_id == tree.village_a.pk
    assert finding.assigned_to == "东山街道疫情防控指挥部"
    # The deadline is the policy's days after the visit unless given.
    days = CommunityPolicy.objects.get(campaign=plan_campaign).visit_finding_days
    assert finding.deadline == dt.date(2022, 1, 4) + dt.timedelta(days=days)
    policy_update(actor=None, campaign=plan_campaign, model=CommunityPolicy, values={"visit_finding_days": 3})
    second = services.visit_finding_add(
        actor=county_user,
        visit=visit,
        data=services.FindingInput(description="名单缺网格长", assigned_to="社区"),
    )
    assert second.deadline == dt.date(2022, 1, 7)
    given = services.visit_finding_add(
        actor=county_user,
        visit=visit,
        data=services.FindingInput(description="物资不足", assigned_to="街道", deadline=dt.date(2022, 1, 20)),
    )
    assert given.deadline == dt.date(2022, 1, 20)


def test_g1_a_visit_needs_what_was_checked_and_a_place_below_the_county(tree, plan_campaign, county_user):
    with pytest.raises(DomainError) as refused:
        services.visit_record(
            actor=county_user,
            data=services.VisitInput(place=tree.county_a, visited_on=clock.today(), staff="", checked=""),
        )
    assert {"place", "staff", "checked"} <= set(refused.value.field_errors)
    with pytest.raises(DomainError):
        _visit(tree, county_user, findings=[services.FindingInput(description="", assigned_to="街道")])
    assert not FieldVisit.objects.exists()
    assert not Finding.objects.exists()


def test_g1_county_staff_record_a_visit_and_see_its_findings(
    client, tree, plan_campaign, county_user, township_user
):
    client.force_login(county_user)
    response = client.post(
        reverse("community:visit_create"),
        {
            "place": tree.township_a.pk,
            "visited_on": "2022-01-05",
            "staff": "区民政局检查组",
            "checked": "街道防控指挥部运行",
            "problem": "未建立值班台账",
            "assigned_to": "东山街道疫情防控指挥部",
        },
    )
    assert response.status_code == 302
    visit = FieldVisit.objects.get()
    page = client.get(reverse("community:visit_detail", args=[visit.pk])).content.decode()
    assert "未建立值班台账" in page
    assert reverse("rectification:finding_detail", args=[findings_of(visit).get().pk]) in page
    # The township sees the visit to it; it does not record visits.
    client.force_login(township_user)
    assert client.get(reverse("community:visit_detail", args=[visit.pk])).status_code == 200
    assert client.get(reverse("community:visit_create")).status_code == 403


def test_g1_visits_scoped_to_the_places_seen(client, tree, plan_campaign, county_user, other_county_user):
    visit = _visit(tree, county_user)
    client.force_login(other_county_user)
    assert client.get(reverse("community:visit_detail", args=[visit.pk])).status_code == 404
    assert "区民政局 刘科长" not in client.get(reverse("community:visit_list")).content.decode()
    # Another county's places are not offered to the county's staff.
    response = client.post(
        reverse("community:visit_create"),
        {"place": tree.village_a.pk, "visited_on": "2022-01-05", "staff": "x", "checked": "y"},
    )
    assert response.status_code == 400


def test_g1_visit_list_in_fixed_queries(
    client, tree, plan_campaign, county_user, django_assert_max_num_queries
):
    for _ in range(8):
        _visit(tree, county_user)
    client.force_login(county_user)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("community:visit_list")).status_code == 200
