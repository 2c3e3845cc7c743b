"""X3: a record's change history reads as people speak, in the reader's language, in a fixed number
of queries however long it is."""

import re

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.common.history import readable
from shouhu.orgs import services as org_services
from shouhu.orgs.models import OrgUnit, UnitKind, UnitStatus


def _cells(page: str) -> str:
    """The history table's text, without tags."""
    table = re.search(r'<table[^>]*data-testid="history".*?</table>', page, re.DOTALL).group(0)
    return re.sub(r"<[^>]+>", " ", table)


def _new_home(tree) -> OrgUnit:
    return org_services.unit_create(
        actor=None,
        parent=tree.county_a,
        code="232718900",
        name="东山敬老院",
        kind=UnitKind.INSTITUTION,
        institution_type="nursing_home",
    )


def test_x3_history_names_actions_and_values_not_raw_python(client, tree, county_user):
    home = _new_home(tree)
    org_services.unit_update(actor=county_user, unit=home, status=UnitStatus.CLOSED, address="东山路 1 号")
    client.force_login(county_user)
    table = _cells(client.get(f"/orgs/{home.pk}/history/").content.decode())
    assert "新建" in table
    assert "修改" in table
    assert "演示数据 ：否" in table  # a boolean as 是/否
    assert "状态 ：正常 → 停业" in table  # choices by their label
    assert "地址 ：— → 东山路 1 号" in table  # nothing as "—"
    for raw in ("None", "True", "False", "create", "update", "closed", "nursing_home"):
        assert raw not in table
    # Reverse relations ("closures: None → eldercare.Closure.None") and the automatic fields say nothing.
    assert "closures" not in table
    assert "eldercare." not in table
    assert "更新时间" not in table


def test_x3_a_created_object_shows_only_its_values(tree):
    home = _new_home(tree)
    entry = LogEntry.objects.get_for_object(home).select_related("content_type").get()
    (row,) = readable([entry])
    assert row.action == "新建"
    fields = {c.field: c for c in row.changes}
    assert fields["名称"].before is None
    assert fields["名称"].after == "东山敬老院"
    assert "地址" not in fields  # empty on creation: nothing to show
    assert all(c.after not in ("—", "None", "") for c in row.changes)


def test_x3_history_names_the_related_object_and_local_times(client, tree, county_user):
    from shouhu.people.services import PersonInput, person_register

    person = person_register(
        actor=county_user, data=PersonInput(name="赵六", home_unit=tree.village_a)
    ).person
    client.force_login(county_user)
    table = _cells(client.get(f"/people/{person.pk}/history/").content.decode())
    assert tree.village_a.name in table
    assert f"：{tree.village_a.pk} " not in table


def test_x3_a_deleted_related_object_is_named_as_deleted(tree):
    from django.contrib.contenttypes.models import ContentType

    from shouhu.people.models import Person

    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Person),
        object_pk="1",
        action=LogEntry.Action.UPDATE,
        changes={
            "home_unit": ["999999", str(tree.village_a.pk)],
            "categories": ["None", "people.PersonCategory.None"],
        },
    )
    entry = LogEntry.objects.select_related("content_type").get(pk=entry.pk)
    (row,) = readable([entry])
    assert row.action == "修改"
    assert [(c.before, c.after) for c in row.changes] == [("已删除（编号 999999）", tree.village_a.name)]


def test_x3_history_pages_cost_the_same_queries_however_long(client, tree, county_user):
    from shouhu.people.services import PersonInput, person_register, person_update

    client.force_login(county_user)
    home = _new_home(tree)
    person = person_register(
        actor=county_user, data=PersonInput(name="赵六", home_unit=tree.village_a)
    ).person
    pages = (f"/orgs/{home.pk}/history/", f"/people/{person.pk}/history/")
    client.get(pages[0])  # the session and the content types, once
    counts = {}
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        counts[page] = len(queries)
    for n in range(5):
        org_services.unit_update(actor=county_user, unit=home, address=f"东山路 {n} 号")
        unit = tree.township_a if n % 2 else tree.village_a
        person_update(actor=county_user, person=person, data=PersonInput(name="赵六", home_unit=unit))
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            page_html = client.get(page).content.decode()
        assert len(queries) == counts[page], page
        assert page_html.count("修改") >= 5


@pytest.mark.parametrize("language", ["en"])
def test_x8_history_reads_in_english(client, tree, county_user, language):
    home = _new_home(tree)
    org_services.unit_update(actor=county_user, unit=home, status=UnitStatus.CLOSED)
    client.force_login(county_user)
    page = client.get(f"/orgs/{home.pk}/history/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    table = _cells(page)
    assert "No" in table  # 是/否 in the reader's language
    assert "否" not in table
    for raw in ("None", "False", "create", "update"):
        assert raw not in table
