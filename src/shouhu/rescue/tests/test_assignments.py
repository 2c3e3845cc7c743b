"""R4 (assignments): staff not fully vaccinated according to the vaccination ledger are not sent
to escort someone home or to trace a family, and are told why."""

import datetime as dt

import pytest

from shouhu.common.errors import DomainError
from shouhu.rescue import services
from shouhu.rescue.models import AssignmentKind, RescuePolicy, StaffAssignment
from shouhu.rescue.tests.factories import DAY, make_rescued
from shouhu.vaccination import services as vaccination_services
from shouhu.vaccination.tests.factories import FULL_SERIES, make_person, vaccinate

pytestmark = pytest.mark.django_db


def _assign(rescued, staff, kind=AssignmentKind.ESCORT):
    return services.assignment_make(actor=None, rescued=rescued, kind=kind, staff=staff, task_on=DAY)


def test_r4_an_unvaccinated_escort_is_refused_with_the_reason(plan_campaign, station_a):
    rescued = make_rescued(station_a)
    unvaccinated = make_person(station_a, "孙未接")
    with pytest.raises(DomainError) as refused:
        _assign(rescued, unvaccinated)
    assert refused.value.code == "staff_not_vaccinated"
    assert "孙未接" in refused.value.message
    assert "未接种" in refused.value.message
    assert refused.value.field_errors["staff"]
    one_dose = make_person(station_a, "钱一针")
    vaccinate(one_dose, FULL_SERIES[0])
    with pytest.raises(DomainError) as partial:
        _assign(rescued, one_dose, AssignmentKind.TRACING)
    assert "未完成全程" in partial.value.message
    assert not StaffAssignment.objects.exists()


def test_r4_fully_vaccinated_staff_and_boosted_staff_are_assigned(plan_campaign, station_a):
    rescued = make_rescued(station_a)
    full = make_person(station_a, "周全程")
    vaccinate(full, *FULL_SERIES)
    assert _assign(rescued, full).staff == full
    assert _assign(rescued, full, AssignmentKind.TRACING).kind == AssignmentKind.TRACING


def test_r4_a_contraindication_does_not_count_as_vaccinated(plan_campaign, station_a):
    rescued = make_rescued(station_a)
    exempt = make_person(station_a, "吴禁忌")
    vaccination_services.contraindication_record(
        actor=None,
        person=exempt,
        condition="严重过敏史",
        noted_on=dt.date(2021, 9, 1),
        source="clinic_assessment",
    )
    with pytest.raises(DomainError) as refused:
        _assign(rescued, exempt)
    assert "接种禁忌" in refused.value.message


def test_r4_the_policy_can_lift_the_rule(plan_campaign, station_a):
    RescuePolicy.objects.filter(campaign=plan_campaign).update(escort_requires_full_vaccination=False)
    rescued = make_rescued(station_a)
    assert _assign(rescued, make_person(station_a, "郑未接")).pk


def test_r4_only_the_stations_own_staff_are_sent_out(plan_campaign, station_a, tree):
    rescued = make_rescued(station_a)
    elsewhere = make_person(tree.village_a, "冯村干部")
    vaccinate(elsewhere, *FULL_SERIES)
    with pytest.raises(DomainError) as refused:
        _assign(rescued, elsewhere)
    assert refused.value.code == "not_station_staff"


def test_r4_the_api_answers_400_with_the_reason(client, plan_campaign, station_a, station_staff):
    rescued = make_rescued(station_a)
    unvaccinated = make_person(station_a, "陈未接")
    client.force_login(station_staff)
    response = client.post(
        f"/api/v1/rescue/rescued/{rescued.pk}/assignments/",
        {"kind": "escort", "staff": unvaccinated.pk, "task_on": "2022-01-05"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "陈未接" in response.content.decode()
    page = client.post(
        f"/rescue/rescued/{rescued.pk}/assignments/",
        {"kind": "escort", "staff": unvaccinated.pk, "task_on": "2022-01-05"},
    )
    assert page.status_code == 400
    assert "未接种" in page.content.decode()
