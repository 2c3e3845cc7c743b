"""X5: open registration conflicts count for the unit that must resolve them — the county bureau
when both sides lie in one county, the region otherwise (people/reminders.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shouhu.accounts.tests.factories import make_user
from shouhu.common import clock
from shouhu.common.errors import ConflictError
from shouhu.common.today import Tally, registered_works
from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.people.models import RegistrationConflict
from shouhu.people.permissions import PeoplePerm
from shouhu.people.selectors import registration_conflicts_open
from shouhu.people.services import (
    PersonInput,
    person_register,
    registration_conflict_record,
    registration_conflict_resolve,
)
from shouhu.people.tests.test_import import valid_id

pytestmark = pytest.mark.django_db

_serial = iter(range(100, 1000))


def _person(unit, actor=None):
    number = valid_id(next(_serial))
    return person_register(
        actor=actor, data=PersonInput(name="居民", home_unit=unit, id_number=number)
    ).person


def _count(within: str) -> list[Tally]:
    return list(registration_conflicts_open(within=within, today=clock.today(), viewer_id=0))


def _tallies(tree, *, region: int = 0, county_a: int = 0, county_b: int = 0) -> list[Tally]:
    """The tallies expected, in path order (the region's path is the prefix of the counties')."""
    expected = [
        Tally(unit.pk, unit.path, 0, due)
        for unit, due in ((tree.region, region), (tree.county_a, county_a), (tree.county_b, county_b))
        if due
    ]
    return sorted(expected, key=lambda tally: tally.unit_path)


@pytest.fixture
def conflicts(tree, county_user, other_county_user):
    """One conflict between the counties (the region's), one inside county B (county B's)."""
    village_b_clerk = make_user("village_staff", tree.village_b)
    in_b = _person(tree.county_b, other_county_user)
    # A county A clerk asks for a person of county B: only the region sees both sides.
    with pytest.raises(ConflictError):
        person_register(
            actor=county_user,
            data=PersonInput(name="居民", home_unit=tree.county_a, id_number=in_b.id_number),
        )
    # A village clerk of county B asks for a person of the same county: the county bureau sees both.
    with pytest.raises(ConflictError):
        person_register(
            actor=village_b_clerk,
            data=PersonInput(name="居民", home_unit=tree.village_b, id_number=in_b.id_number),
        )
    return RegistrationConflict.objects.order_by("pk")


def test_x5_conflicts_count_for_the_unit_that_resolves_them(tree, conflicts):
    assert conflicts.count() == 2
    assert _count("") == _tallies(tree, region=1, county_b=1)
    assert _count(tree.region.path) == _tallies(tree, region=1, county_b=1)


def test_x5_a_unit_outside_within_is_not_counted(tree, conflicts):
    # County B's own conflict, not the region's, which county B cannot resolve.
    assert _count(tree.county_b.path) == _tallies(tree, county_b=1)
    assert _count(tree.county_a.path) == []
    # Below a county nobody owns a conflict, though one of its sides lies there.
    assert _count(tree.village_b.path) == []


def test_x5_resolving_a_conflict_through_the_service_takes_it_off(tree, conflicts, region_admin):
    between_counties = conflicts.get(requested_unit=tree.county_a)
    registration_conflict_resolve(
        actor=region_admin, conflict=between_counties, transfer=False, note="证件有误"
    )
    assert _count("") == _tallies(tree, county_b=1)
    county_b_staff = make_user("county_staff", tree.county_b)
    inside_b = conflicts.get(requested_unit=tree.village_b)
    registration_conflict_resolve(actor=county_b_staff, conflict=inside_b, transfer=True, note="已核实迁入")
    assert _count("") == []


def test_x5_another_attempt_counts_the_same_conflict_once(tree, conflicts, county_user):
    conflict = conflicts.get(requested_unit=tree.county_a)
    registration_conflict_record(person=conflict.person, unit=tree.county_a, actor=county_user)
    assert _count("") == _tallies(tree, region=1, county_b=1)


def test_x5_the_number_of_queries_is_the_same_for_few_and_many_conflicts(tree, conflicts):
    with CaptureQueriesContext(connection) as few:
        _count("")
    # More conflicts, in more counties and between more units.
    county_c = make_unit(tree.region, UnitKind.COUNTY, "塔河县")
    village_c = make_unit(make_unit(county_c, UnitKind.TOWNSHIP), UnitKind.VILLAGE)
    for _ in range(3):
        registration_conflict_record(person=_person(village_c), unit=county_c, actor=None)
        registration_conflict_record(person=_person(tree.village_a), unit=tree.township_a, actor=None)
        registration_conflict_record(person=_person(tree.village_a), unit=county_c, actor=None)
    with CaptureQueriesContext(connection) as many:
        tallies = _count("")
    assert len(many) == len(few) == 2
    assert tallies == sorted(
        [
            Tally(tree.region.pk, tree.region.path, 0, 1 + 3),
            Tally(tree.county_a.pk, tree.county_a.path, 0, 3),
            Tally(tree.county_b.pk, tree.county_b.path, 0, 1),
            Tally(county_c.pk, county_c.path, 0, 3),
        ],
        key=lambda tally: tally.unit_path,
    )


def test_x5_the_work_is_registered_for_those_who_resolve_conflicts():
    (work,) = [w for w in registered_works() if w.key == "people.registration_conflicts"]
    assert work.permission == PeoplePerm.RESOLVE_CONFLICTS
    assert not work.per_viewer
    assert work.link(None) == work.link(1) == reverse("people:conflict_list") + "?status=open"
