"""R2: people rescued — a temporary number, the match to the person register, dated provisions,
guided assistance and the entry screening through the screening app."""

import datetime as dt

import pytest

from shouhu.common.errors import ConflictError, DomainError
from shouhu.people.models import Category, Person
from shouhu.people.services import PersonInput, person_register
from shouhu.rescue import services
from shouhu.rescue.models import GuidanceKind, Provision, ProvisionKind
from shouhu.rescue.tests.factories import DAY, make_rescued
from shouhu.screening.models import Screening, Verdict

pytestmark = pytest.mark.django_db

ID_NUMBER = "232700197003080013"


def test_r2_a_nameless_person_gets_the_stations_temporary_number(plan_campaign, station_a):
    first = make_rescued(station_a)
    second = make_rescued(station_a, description="女，约30岁")
    assert first.temp_number == f"{station_a.code}-20220105-001"
    assert second.temp_number == f"{station_a.code}-20220105-002"
    assert first.display_name == first.temp_number
    with pytest.raises(DomainError) as refused:
        make_rescued(station_a, description="", name="")
    assert refused.value.field_errors["description"]


def test_r2_matching_registers_a_new_person_of_category_rescued(plan_campaign, station_a, county_user):
    rescued = make_rescued(station_a)
    services.rescued_match(actor=county_user, rescued=rescued, name="王建国", id_number=ID_NUMBER)
    rescued.refresh_from_db()
    person = rescued.person
    assert person is not None
    assert person.name == "王建国"
    assert person.home_unit == station_a
    assert person.categories.filter(category=Category.RESCUED).exists()
    assert rescued.matched_at is not None
    with pytest.raises(ConflictError):
        services.rescued_match(actor=county_user, rescued=rescued, id_number=ID_NUMBER)


def test_r2_matching_links_the_register_entry_of_the_id_number(plan_campaign, station_a, tree, county_user):
    known = person_register(
        actor=None, data=PersonInput(name="李长山", home_unit=tree.village_a, id_number=ID_NUMBER)
    ).person
    rescued = make_rescued(station_a)
    services.rescued_match(actor=county_user, rescued=rescued, id_number=ID_NUMBER)
    rescued.refresh_from_db()
    assert rescued.person == known
    assert rescued.name == "李长山"
    assert Person.objects.count() == 1


def test_r2_a_person_of_another_county_is_not_linked_and_not_revealed(
    plan_campaign, station_a, tree, county_user
):
    person_register(actor=None, data=PersonInput(name="赵某", home_unit=tree.village_b, id_number=ID_NUMBER))
    rescued = make_rescued(station_a)
    with pytest.raises(DomainError) as refused:
        services.rescued_match(actor=county_user, rescued=rescued, id_number=ID_NUMBER)
    assert "赵某" not in refused.value.message
    assert refused.value.field_errors["id_number"]
    rescued.refresh_from_db()
    assert rescued.person is None


def test_r2_basic_rights_are_dated_provisions_once_a_day_each(plan_campaign, station_a):
    rescued = make_rescued(station_a)
    services.provision_record(actor=None, rescued=rescued, kind=ProvisionKind.FOOD, provided_on=DAY)
    services.provision_record(
        actor=None, rescued=rescued, kind=ProvisionKind.WARMTH, provided_on=DAY, note="棉大衣"
    )
    with pytest.raises(ConflictError):
        services.provision_record(actor=None, rescued=rescued, kind=ProvisionKind.FOOD, provided_on=DAY)
    with pytest.raises(DomainError) as future:
        services.provision_record(
            actor=None, rescued=rescued, kind=ProvisionKind.SHELTER, provided_on=DAY + dt.timedelta(days=1)
        )
    assert future.value.field_errors["provided_on"]
    assert sorted(Provision.objects.values_list("kind", flat=True)) == ["food", "warmth"]


def test_r2_guided_assistance_is_recorded(plan_campaign, station_a):
    rescued = make_rescued(station_a)
    guidance = services.guidance_record(
        actor=None, rescued=rescued, kind=GuidanceKind.POLICY_BRIEFING, done_on=DAY, note="讲解返乡救助政策"
    )
    assert guidance.rescued == rescued
    with pytest.raises(DomainError):
        services.guidance_record(actor=None, rescued=rescued, kind=GuidanceKind.OTHER, done_on=DAY, note="")


def test_r2_the_entry_screening_is_the_screening_apps_record_at_the_station(
    plan_campaign, station_a, station_staff
):
    rescued = make_rescued(station_a)
    services.rescued_screen(
        actor=station_staff,
        rescued=rescued,
        data=services.EntryScreeningInput(
            health_code="green", itinerary_code="green", itinerary_star=False, temperature="36.5"
        ),
    )
    rescued.refresh_from_db()
    screening = Screening.objects.get()
    assert rescued.entry_screening == screening
    assert screening.unit == station_a
    assert screening.verdict == Verdict.ADMITTED
    assert screening.visitor_name == rescued.temp_number
    with pytest.raises(ConflictError):
        services.rescued_screen(
            actor=station_staff,
            rescued=rescued,
            data=services.EntryScreeningInput(
                health_code="green", itinerary_code="green", itinerary_star=False, temperature="36.5"
            ),
        )


def test_r2_the_entry_screening_without_a_temperature_is_refused_by_the_screening_rules(
    plan_campaign, station_a
):
    rescued = make_rescued(station_a)
    with pytest.raises(DomainError) as refused:
        services.rescued_screen(
            actor=None,
            rescued=rescued,
            data=services.EntryScreeningInput(
                health_code="green", itinerary_code="green", itinerary_star=False, temperature=None
            ),
        )
    assert refused.value.field_errors["temperature"]
    assert not Screening.objects.exists()
