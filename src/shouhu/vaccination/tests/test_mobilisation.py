"""V3: one-to-one mobilisation — one mobiliser per person, and every contact recorded."""

import datetime as dt

import pytest
from django.http import Http404

from shouhu.accounts.tests.factories import make_user
from shouhu.common.errors import DomainError
from shouhu.vaccination import selectors, services
from shouhu.vaccination.models import Mobilisation, MobilisationContact
from shouhu.vaccination.tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_v3_each_person_has_one_mobiliser_reassigning_replaces_it(tree, county_user):
    person = make_person(tree.village_a)
    village_user = make_user("village_staff", tree.village_a)
    services.mobiliser_assign(actor=county_user, person=person, mobiliser_user=village_user)
    services.mobiliser_assign(
        actor=county_user, person=person, mobiliser_name="赵医生", mobiliser_role="村医"
    )
    mobilisation = Mobilisation.objects.get()
    assert (mobilisation.mobiliser_user, mobilisation.mobiliser_label) == (None, "赵医生（村医）")
    services.mobiliser_assign(actor=county_user, person=person, mobiliser_user=village_user)
    mobilisation.refresh_from_db()
    assert mobilisation.mobiliser_user == village_user
    assert mobilisation.mobiliser_name == ""
    assert Mobilisation.objects.count() == 1


def test_v3_a_mobiliser_is_a_staff_user_in_scope_or_a_named_person(tree, county_user):
    person = make_person(tree.village_a)
    with pytest.raises(DomainError) as neither:
        services.mobiliser_assign(actor=county_user, person=person)
    assert "二者选一" in neither.value.message
    with pytest.raises(DomainError):
        services.mobiliser_assign(
            actor=county_user, person=person, mobiliser_user=county_user, mobiliser_name="赵医生"
        )
    other_county = make_user("village_staff", tree.village_b)
    with pytest.raises(Http404):
        selectors.access_mobiliser_candidate(county_user, other_county.pk)
    assert not Mobilisation.objects.exists()


def test_v3_contacts_are_logged_with_outcome_and_next_step(tree, county_user):
    person = make_person(tree.village_a, "钱老人")
    services.mobiliser_assign(actor=county_user, person=person, mobiliser_user=county_user)
    services.contact_log(
        actor=county_user,
        person=person,
        contacted_on=dt.date(2022, 1, 3),
        method="phone",
        outcome="unreachable",
    )
    services.contact_log(
        actor=county_user,
        person=person,
        contacted_on=dt.date(2022, 1, 5),
        method="visit",
        outcome="agreed",
        next_step="1月7日陪同到接种点",
        next_contact_on=dt.date(2022, 1, 7),
    )
    row = selectors.todo_list(viewer=county_user, filters=selectors.TodoFilters(mobiliser="mine")).get()
    assert (row.last_contact_on, row.last_outcome, row.next_contact_on) == (
        dt.date(2022, 1, 5),
        "agreed",
        dt.date(2022, 1, 7),
    )
    assert MobilisationContact.objects.filter(person=person).first().mobiliser_label == str(county_user)
    with pytest.raises(DomainError) as backwards:
        services.contact_log(
            actor=county_user,
            person=person,
            contacted_on=dt.date(2022, 1, 5),
            method="visit",
            outcome="agreed",
            next_contact_on=dt.date(2022, 1, 1),
        )
    assert backwards.value.field_errors == {"next_contact_on": ["下次联系日期不能早于本次联系日期"]}
    with pytest.raises(DomainError):
        services.contact_log(
            actor=county_user,
            person=person,
            contacted_on=dt.date(2022, 1, 6),
            method="visit",
            outcome="agreed",
        )
    assert MobilisationContact.objects.count() == 2


def test_v3_pages_assign_a_mobiliser_and_log_a_contact(client, tree, county_user):
    person = make_person(tree.village_a, "孙老人")
    village_user = make_user("village_staff", tree.village_a)
    foreign_user = make_user("village_staff", tree.village_b)
    client.force_login(county_user)
    form = client.get(f"/vaccination/people/{person.pk}/mobiliser/").content.decode()
    assert str(village_user) in form
    assert f'value="{foreign_user.pk}"' not in form
    refused = client.post(f"/vaccination/people/{person.pk}/mobiliser/", {"mobiliser_user": foreign_user.pk})
    assert refused.status_code == 400  # not a choice: the form says so
    assert not Mobilisation.objects.exists()
    client.post(f"/vaccination/people/{person.pk}/mobiliser/", {"mobiliser_user": village_user.pk})
    assert Mobilisation.objects.get().mobiliser_user == village_user
    logged = client.post(
        f"/vaccination/people/{person.pk}/contacts/new/",
        {"contacted_on": "2022-01-05", "method": "visit", "outcome": "hesitant", "next_step": "请家属做工作"},
    )
    assert logged.status_code == 302
    record = client.get(f"/vaccination/people/{person.pk}/").content.decode()
    assert "仍在犹豫" in record
    assert "请家属做工作" in record
    assert str(village_user) in record
    foreign = make_person(tree.village_b)
    assert client.get(f"/vaccination/people/{foreign.pk}/mobiliser/").status_code == 404
