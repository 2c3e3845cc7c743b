"""`common.rows`: the hand-written statements of the booking path store and read what the ORM
would (auto_now stamps, encrypted fields, dates on SQLite, foreign keys)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.common.rows import columns, insert_returning, select_rows
from shouhu.marriage.models import Slot
from shouhu.notifications.models import OutboxMessage
from shouhu.orgs.models import OrgUnit
from shouhu.people.models import Gender, Person

pytestmark = pytest.mark.django_db


def _people(unit: OrgUnit) -> list[Person]:
    return [
        Person(
            name="甲", gender=Gender.MALE, birth_date=dt.date(1990, 3, 7), id_number="X1", phone="13812345678"
        ),
        Person(name="乙", gender=Gender.FEMALE, birth_date=dt.date(1992, 1, 2), id_number="X2", phone=""),
    ]


def test_insert_returning_writes_every_row_with_one_statement_and_sets_keys(tree):
    people = _people(tree.village_a)
    for person in people:
        person.home_unit = tree.village_a
    with CaptureQueriesContext(connection) as queries:
        written = insert_returning(people)
    assert len(queries) == 1
    assert written == people
    assert all(p.pk and not p._state.adding for p in people)
    stored = {p.pk: p for p in Person.objects.filter(pk__in=[p.pk for p in people])}
    assert stored[people[0].pk].name == "甲"
    assert stored[people[0].pk].id_number == "X1"  # decrypted by the field on the way back
    assert stored[people[0].pk].phone == "13812345678"
    assert stored[people[1].pk].birth_date == dt.date(1992, 1, 2)
    assert stored[people[0].pk].home_unit_id == tree.village_a.pk
    assert stored[people[0].pk].created_at is not None  # auto_now_add stamped by pre_save


def test_insert_returning_stores_encrypted_fields_as_ciphertext(tree):
    message = OutboxMessage(
        unit=tree.village_a, kind="test", phone="13812345678", phone_index="k", body="正文"
    )
    insert_returning([message])
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM notifications_outboxmessage WHERE id = %s", [message.pk])
        (raw,) = cursor.fetchone()
    assert "13812345678" not in raw
    assert OutboxMessage.objects.get(pk=message.pk).phone == "13812345678"


def test_insert_returning_of_nothing_runs_nothing():
    with CaptureQueriesContext(connection) as queries:
        assert insert_returning([]) == []
    assert len(queries) == 0


def test_select_rows_builds_instances_with_converted_values(tree):
    person = _people(tree.village_a)[0]
    person.home_unit = tree.village_a
    insert_returning([person])
    sql = (
        f"SELECT {columns(Person, 'p')}, {columns(OrgUnit, 'u')} FROM people_person p"  # noqa: S608
        " JOIN orgs_orgunit u ON u.id = p.home_unit_id WHERE p.id = %s"
    )
    ((found, unit),) = select_rows(sql, [person.pk], (Person, "p"), (OrgUnit, "u"))
    assert isinstance(found, Person)
    assert isinstance(unit, OrgUnit)
    assert found.pk == person.pk
    assert not found._state.adding
    assert found.id_number == "X1"  # decrypted
    assert found.birth_date == dt.date(1990, 3, 7)  # a date on SQLite too
    assert isinstance(found.created_at, dt.datetime)
    assert found.created_at.tzinfo is not None
    assert unit.pk == tree.village_a.pk
    assert unit.name == tree.village_a.name


def test_select_rows_of_no_match_is_empty():
    sql = f"SELECT {columns(Slot, 's')} FROM marriage_slot s WHERE s.id = %s"  # noqa: S608
    assert select_rows(sql, [0], (Slot, "s")) == []


def test_insert_returning_splits_rows_below_the_parameter_limit(tree, monkeypatch):
    from shouhu.common import rows

    monkeypatch.setattr(rows, "_PARAMETERS_PER_STATEMENT", 30)  # a dozen columns: two rows each
    messages = [
        OutboxMessage(unit=tree.village_a, kind="test", phone="13812345678", phone_index="k", body=f"第{n}条")
        for n in range(5)
    ]
    with CaptureQueriesContext(connection) as queries:
        insert_returning(messages)
    assert len(queries) == 3
    stored = dict(OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).values_list("pk", "body"))
    assert [stored[m.pk] for m in messages] == [f"第{n}条" for n in range(5)]
