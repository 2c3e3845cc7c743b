"""X4 at scale: the person importer writes in chunks, with the same outcomes, audit and rollback."""

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError

from shouhu.common import importing
from shouhu.common.importing import importer_for, run_import
from shouhu.common.tabular import read_table
from shouhu.people import importers
from shouhu.people.models import Category, Person, PersonCategory
from shouhu.people.services import PersonInput, person_register
from shouhu.people.tests.test_import import _csv, _rows, valid_id

pytestmark = pytest.mark.django_db


def _run(user, rows, *, dry_run=False, import_valid_rows=False):
    table = read_table("people.csv", _csv(rows), required_headers=["姓名", "所属单位编码"])
    return run_import(
        importer=importer_for("people"),
        actor=user,
        table=table,
        dry_run=dry_run,
        import_valid_rows=import_valid_rows,
    )


def _entries(obj):
    return LogEntry.objects.get_for_object(obj).order_by("pk")


def test_x4_x3_imported_people_are_audited_as_a_save_would_audit_them(client, tree, county_user):
    saved = person_register(
        actor=county_user,
        data=PersonInput(
            name="逐条登记",
            home_unit=tree.nursing_home_a,
            id_number=valid_id(900),
            phone="13800139000",
            categories=[Category.NURSING_HOME_RESIDENT],
        ),
    ).person
    report = _run(county_user, _rows(tree, 3))
    assert (report.written, report.created) == (True, 3)
    imported = Person.objects.get(name="王1")

    by_save, by_import = _entries(saved).get(), _entries(imported).get()
    assert by_import.action == by_save.action == LogEntry.Action.CREATE
    assert by_import.actor == by_save.actor == county_user
    assert set(by_import.changes_dict) == set(by_save.changes_dict)
    assert "categories" not in by_import.changes_dict  # only the person's own columns
    assert by_import.changes_dict["id_number"] == ["N***", "232700********" + valid_id(1)[-4:]]
    assert by_import.changes_dict["phone"] == ["N***", "138****0001"]
    assert by_import.changes_dict["home_unit"] == ["None", str(tree.nursing_home_a.pk)]
    category = imported.categories.get()
    assert _entries(category).get().changes_dict["category"] == ["None", "nursing_home_resident"]

    client.force_login(county_user)
    page = client.get(f"/people/{imported.pk}/history/").content.decode()
    assert "232700********" in page
    assert str(county_user) in page
    stored = "".join(str(e.changes) + e.object_repr for e in LogEntry.objects.all())
    for number in [valid_id(i) for i in range(3)] + ["13800130000", "13800130001"]:
        assert number not in stored


def test_x4_x2_reimport_updates_changed_people_in_bulk_and_audits_the_change(tree, county_user):
    rows = _rows(tree, 3)
    _run(county_user, rows)
    first, second = Person.objects.get(name="王0"), Person.objects.get(name="王1")
    rows[0][5] = "13900139000"  # a new phone
    rows[1][9] = "养老机构入住老人、低保对象"  # one more category
    report = _run(county_user, rows)
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    first.refresh_from_db()
    assert first.phone == "13900139000"
    assert Person.objects.filter(phone_index=first.phone_index).get() == first  # the search key moved too
    update = _entries(first).filter(action=LogEntry.Action.UPDATE).get()
    assert update.actor == county_user
    assert update.changes_dict == {"phone": ["138****0000", "139****9000"]}
    assert set(second.categories.values_list("category", flat=True)) == {"nursing_home_resident", "dibao"}
    assert Person.objects.count() == 3


def test_x4_x2_person_of_another_unit_is_refused_and_the_valid_rows_still_import(tree, county_user):
    person_register(
        actor=county_user,
        data=PersonInput(name="王1", home_unit=tree.village_a, id_number=valid_id(1)),
    )
    rows = _rows(tree, 4)
    refused = _run(county_user, rows)
    assert not refused.written
    assert [(e.row, e.column, e.message) for e in refused.errors] == [
        (3, "所属单位编码", "此人已登记在其他单位")
    ]
    assert Person.objects.count() == 1
    report = _run(county_user, rows, import_valid_rows=True)
    assert (report.written, report.created) == (True, 3)
    assert Person.objects.get(id_index=Person.objects.get(name="王1").id_index).home_unit == tree.village_a
    assert Person.objects.count() == 4


def test_x4_dry_run_of_a_large_file_writes_nothing(tree, county_user, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 4)
    report = _run(county_user, _rows(tree, 10), dry_run=True)
    assert (report.created, report.written) == (10, False)
    assert not Person.objects.exists()
    assert not PersonCategory.objects.exists()
    assert not LogEntry.objects.filter(content_type__app_label="people").exists()


def test_x4_a_chunk_that_hits_the_unique_index_is_redone_row_by_row(tree, county_user, monkeypatch):
    """Someone registers one of the file's people while the chunk is being written."""
    real = importers.person_register_many

    def raced(**kwargs):
        real(**kwargs)  # the chunk's rows are written …
        raise IntegrityError("UNIQUE constraint failed: people_person.id_type, people_person.id_index")

    monkeypatch.setattr(importers, "person_register_many", raced)
    report = _run(county_user, _rows(tree, 5))
    # … rolled back to the chunk's savepoint, and imported again one row at a time.
    assert (report.created, report.errors, report.written) == (5, [], True)
    assert Person.objects.count() == 5
    assert PersonCategory.objects.count() == 5
    assert LogEntry.objects.filter(content_type__model="person").count() == 5


def test_x4_import_queries_do_not_grow_with_the_rows(tree, county_user, django_assert_max_num_queries):
    _run(county_user, _rows(tree, 2))  # content types and the like are cached
    with django_assert_max_num_queries(15):  # was 14 a row: now a few a chunk
        report = _run(county_user, _rows(tree, 120))
    assert report.created == 118
    assert report.unchanged == 2


def test_x4_x2_a_unit_outside_the_scope_is_refused_like_a_missing_one(tree, county_user):
    rows = _rows(tree, 3)
    rows[0][8] = tree.nursing_home_b.code  # another county's institution
    rows[1][8] = "NO-SUCH-UNIT"
    report = _run(county_user, rows, import_valid_rows=True)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "所属单位编码", f"单位编码“{tree.nursing_home_b.code}”不存在或不在您的管辖范围内"),
        (3, "所属单位编码", "单位编码“NO-SUCH-UNIT”不存在或不在您的管辖范围内"),
    ]
    assert (report.written, report.created) == (True, 1)
    assert not Person.objects.filter(home_unit=tree.nursing_home_b).exists()
