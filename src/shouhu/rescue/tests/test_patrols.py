"""R1: street patrols logged from a phone — area, time, staff, the people met and the action."""

import datetime as dt

import pytest

from shouhu.common.errors import DomainError
from shouhu.rescue import services
from shouhu.rescue.models import EncounterAction, PatrolEncounter, RescuedPerson, StreetPatrol
from shouhu.rescue.tests.factories import NOW, make_patrol

pytestmark = pytest.mark.django_db


def _encounter(patrol, **overrides):
    values = {
        "place": "火车站候车室",
        "description": "男，约60岁，衣着单薄",
        "action": EncounterAction.REFUSED_HELP,
    }
    values.update(overrides)
    return services.encounter_record(actor=None, patrol=patrol, data=services.EncounterInput(**values))


def test_r1_a_patrol_is_logged_with_the_people_met_and_the_action_taken(plan_campaign, station_a):
    patrol = make_patrol(station_a)
    _encounter(patrol)
    _encounter(patrol, action=EncounterAction.RELIEF_ON_SITE, description="女，约40岁")
    assert patrol.area == "火车站广场"
    assert patrol.staff == "张建国、李卫东"
    actions = list(PatrolEncounter.objects.filter(patrol=patrol).values_list("action", flat=True))
    assert actions == [EncounterAction.REFUSED_HELP, EncounterAction.RELIEF_ON_SITE]
    assert not RescuedPerson.objects.exists()


def test_r1_persuaded_into_the_station_opens_a_rescued_person_record(plan_campaign, station_a):
    patrol = make_patrol(station_a)
    encounter = _encounter(
        patrol, action=EncounterAction.PERSUADED_IN, open_record=True, description="男，约50岁，灰色棉袄"
    )
    rescued = encounter.rescued
    assert rescued is not None
    assert rescued.station == station_a
    assert rescued.description == "男，约50岁，灰色棉袄"
    assert rescued.found_place == "火车站候车室"
    assert rescued.temp_number == f"{station_a.code}-20220105-001"


def test_r1_only_someone_persuaded_in_gets_a_record(plan_campaign, station_a):
    patrol = make_patrol(station_a)
    with pytest.raises(DomainError) as refused:
        _encounter(patrol, action=EncounterAction.REFUSED_HELP, open_record=True)
    assert refused.value.field_errors["action"]
    assert not PatrolEncounter.objects.exists()
    assert not RescuedPerson.objects.exists()


def test_r1_a_patrol_ending_before_it_starts_or_in_the_future_is_refused(plan_campaign, station_a):
    with pytest.raises(DomainError) as backwards:
        make_patrol(station_a, started_at=NOW - dt.timedelta(hours=1), ended_at=NOW - dt.timedelta(hours=2))
    assert backwards.value.field_errors["ended_at"]
    with pytest.raises(DomainError) as future:
        make_patrol(station_a, started_at=NOW, ended_at=NOW + dt.timedelta(hours=2))
    assert future.value.field_errors["ended_at"]
    with pytest.raises(DomainError) as no_area:
        make_patrol(station_a, area=" ")
    assert no_area.value.field_errors["area"]
    assert not StreetPatrol.objects.exists()


def test_r1_a_patrol_is_logged_on_the_phone_pages(client, plan_campaign, station_a, station_staff):
    client.force_login(station_staff)
    page = client.get(f"/rescue/stations/{station_a.pk}/patrols/new/")
    assert page.status_code == 200
    response = client.post(
        f"/rescue/stations/{station_a.pk}/patrols/new/",
        {
            "area": "人民路地下通道",
            "started_at": "2022-01-05T07:00",
            "ended_at": "2022-01-05T08:30",
            "staff": "张建国",
        },
    )
    patrol = StreetPatrol.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/rescue/patrols/{patrol.pk}/"
    assert patrol.recorded_by == station_staff
    response = client.post(
        f"/rescue/patrols/{patrol.pk}/encounters/",
        {
            "place": "通道东口",
            "description": "男，约45岁，自称姓刘",
            "action": EncounterAction.PERSUADED_IN,
            "open_record": "on",
            "gender": "male",
            "approx_age": "45",
        },
    )
    assert response.status_code == 302
    rescued = RescuedPerson.objects.get()
    assert rescued.gender == "male"
    assert rescued.approx_age == 45
    detail = client.get(f"/rescue/patrols/{patrol.pk}/")
    assert rescued.temp_number in detail.content.decode()


def test_r1_a_station_clerk_cannot_log_at_another_countys_station(
    client, plan_campaign, station_b, station_staff
):
    client.force_login(station_staff)
    assert client.get(f"/rescue/stations/{station_b.pk}/patrols/new/").status_code == 404
    assert client.get(f"/rescue/stations/{station_b.pk}/").status_code == 404
