"""A6: a confirmed case (确诊病例) in the isolation register is news for the other modules.

The register says it once — typed with the isolation, marked later on the record's page or by
the API, or imported — and `people.lifecycle` passes it on to whoever listens (assistance), in
the same transaction. The clock is the suite's fixed day, 2022-01-05.
"""

import datetime as dt

import pytest
from auditlog.models import LogEntry

from shouhu.accounts.tests.factories import make_user
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.importing import importer_for, run_import
from shouhu.common.tabular import read_table
from shouhu.people import lifecycle
from shouhu.screening import services
from shouhu.screening.models import IsolationKind, IsolationRecord, RecordSource
from shouhu.screening.tests.factories import make_person

pytestmark = pytest.mark.django_db

JAN_3 = dt.date(2022, 1, 3)
JAN_4 = dt.date(2022, 1, 4)
TOMORROW = dt.date(2022, 1, 6)


@pytest.fixture
def heard(monkeypatch):
    """What the confirmed-case handlers are told: only this listener is registered, so the test
    proves the register's signal whatever the other apps do with it."""
    monkeypatch.setattr(lifecycle, "_confirmed_case_handlers", {})
    calls: list[dict] = []
    lifecycle.register_confirmed_case_handler("test.listener", lambda **news: calls.append(news))
    return calls


def isolate(actor, person, **values):
    values = {"kind": IsolationKind.HOME, "starts_on": dt.date(2022, 1, 1), "source": "卫健部门推送"} | values
    return services.isolation_record(actor=actor, person=person, **values)


def csv_table(text: str):
    return read_table("名单.csv", text.encode(), required_headers=[])


# --- The signal ---------------------------------------------------------------------------------


def test_a6_a_confirmed_case_runs_the_confirmed_case_handlers_once(tree, county_user, heard):
    person = make_person(tree.village_a, "陈确诊")
    recording = isolate(county_user, person, kind=IsolationKind.CENTRALISED, confirmed_on=JAN_4)
    assert recording.created
    assert recording.confirmed
    assert IsolationRecord.objects.get().confirmed_on == JAN_4
    assert heard == [{"actor": county_user, "person": person, "confirmed_on": JAN_4}]
    # The same isolation entered again (a double submission, a list imported twice) is no news.
    again = isolate(county_user, person, kind=IsolationKind.CENTRALISED, confirmed_on=JAN_4)
    assert (again.created, again.confirmed, again.record.pk) == (False, False, recording.record.pk)
    assert len(heard) == 1


def test_a6_an_isolation_that_is_not_a_confirmed_case_tells_nobody(tree, county_user, heard):
    person = make_person(tree.village_a, "林隔离")
    record = isolate(county_user, person).record
    assert record.confirmed_on is None
    assert heard == []


def test_a6_a_person_confirmed_after_the_isolation_was_recorded_is_marked_once_and_audited(
    tree, county_user, heard
):
    person = make_person(tree.village_a, "何后确诊")
    record = isolate(county_user, person).record
    marked = services.isolation_mark_confirmed(actor=county_user, record=record, confirmed_on=JAN_4)
    assert marked.confirmed_on == JAN_4
    record.refresh_from_db()
    assert record.confirmed_on == JAN_4
    assert heard == [{"actor": county_user, "person": person, "confirmed_on": JAN_4}]
    entry = LogEntry.objects.get_for_object(record).order_by("-timestamp").first()
    assert entry.actor == county_user
    assert entry.changes_dict["confirmed_on"] == ["None", "2022-01-04"]
    with pytest.raises(ConflictError, match="已于 2022-01-04 标记为确诊病例") as refusal:
        services.isolation_mark_confirmed(actor=county_user, record=record, confirmed_on=JAN_3)
    assert refusal.value.code == "isolation_already_confirmed"
    record.refresh_from_db()
    assert record.confirmed_on == JAN_4
    assert len(heard) == 1


def test_a6_handlers_run_in_name_order_and_inside_the_registers_transaction(
    tree, county_user, heard, monkeypatch
):
    order: list[str] = []
    monkeypatch.setattr(lifecycle, "_confirmed_case_handlers", {})
    lifecycle.register_confirmed_case_handler("zz.last", lambda **_: order.append("zz.last"))
    lifecycle.register_confirmed_case_handler("aa.first", lambda **_: order.append("aa.first"))
    isolate(county_user, make_person(tree.village_a, "顺序"), confirmed_on=JAN_4)
    assert order == ["aa.first", "zz.last"]

    def refuse(**_):
        raise DomainError("救助模块拒绝", code="test")

    lifecycle.register_confirmed_case_handler("mm.refuses", refuse)
    person = make_person(tree.village_a, "回滚")
    with pytest.raises(DomainError, match="救助模块拒绝"):
        isolate(county_user, person, confirmed_on=JAN_4)
    assert not IsolationRecord.objects.filter(person=person).exists()
    kept = isolate(county_user, person).record
    with pytest.raises(DomainError, match="救助模块拒绝"):
        services.isolation_mark_confirmed(actor=county_user, record=kept, confirmed_on=JAN_4)
    kept.refresh_from_db()
    assert kept.confirmed_on is None


def test_a6_the_same_confirmation_on_the_persons_next_record_is_not_news_again(tree, county_user, heard):
    """Released from centralised isolation into home monitoring: both records carry the date."""
    person = make_person(tree.village_a, "转居家")
    isolate(
        county_user,
        person,
        kind=IsolationKind.CENTRALISED,
        starts_on=dt.date(2021, 12, 20),
        actual_end_on=JAN_4,
        confirmed_on=JAN_3,
    )
    isolate(county_user, person, kind=IsolationKind.HEALTH_MONITORING, starts_on=JAN_4, confirmed_on=JAN_3)
    assert IsolationRecord.objects.filter(person=person, confirmed_on=JAN_3).count() == 2
    assert len(heard) == 1


# --- Validation ---------------------------------------------------------------------------------


def test_a6_a_confirmation_date_in_the_future_or_after_the_release_is_refused(tree, county_user, heard):
    person = make_person(tree.village_a, "未来")
    with pytest.raises(DomainError, match="确诊日期不能晚于今天（2022-01-05）") as future:
        isolate(county_user, person, confirmed_on=TOMORROW)
    assert list(future.value.field_errors) == ["confirmed_on"]
    with pytest.raises(DomainError, match="确诊日期不能晚于实际解除日期（2022-01-03）") as late:
        isolate(
            county_user,
            person,
            kind=IsolationKind.CENTRALISED,
            starts_on=dt.date(2021, 12, 20),
            actual_end_on=JAN_3,
            confirmed_on=JAN_4,
        )
    assert list(late.value.field_errors) == ["confirmed_on"]
    assert not IsolationRecord.objects.exists()

    record = isolate(county_user, person).record
    with pytest.raises(DomainError, match="不能晚于今天") as marked_future:
        services.isolation_mark_confirmed(actor=county_user, record=record, confirmed_on=TOMORROW)
    assert not isinstance(marked_future.value, ConflictError)
    services.isolation_end(actor=county_user, record=record, ended_on=JAN_3, reason="核酸阴性")
    with pytest.raises(DomainError, match="不能晚于实际解除日期"):
        services.isolation_mark_confirmed(actor=county_user, record=record, confirmed_on=JAN_4)
    # Confirmed while still isolated, reported after the release: still a confirmed case.
    services.isolation_mark_confirmed(actor=county_user, record=record, confirmed_on=JAN_3)
    assert heard == [{"actor": county_user, "person": person, "confirmed_on": JAN_3}]


def test_a6_the_same_isolation_entered_again_with_another_confirmation_date_is_refused(
    tree, county_user, heard
):
    person = make_person(tree.village_a, "两个日期")
    isolate(county_user, person, confirmed_on=JAN_3)
    with pytest.raises(ConflictError, match="已于 2022-01-03 标记为确诊病例"):
        isolate(county_user, person, confirmed_on=JAN_4)
    # Entered again without the date: the confirmation stands.
    assert isolate(county_user, person).record.confirmed_on == JAN_3
    assert len(heard) == 1


# --- Pages --------------------------------------------------------------------------------------


def test_a6_the_isolation_page_marks_a_confirmed_case(client, tree, county_user, other_county_user, heard):
    person = make_person(tree.village_a, "页面确诊")
    record = isolate(county_user, person).record
    url = f"/screening/isolations/{record.pk}/confirm/"
    client.force_login(other_county_user)
    assert client.post(url, {"confirmed_on": "2022-01-04"}).status_code == 404
    client.force_login(county_user)
    page = client.get(f"/screening/isolations/{record.pk}/").content.decode()
    assert "标记为确诊病例" in page
    assert f'action="{url}"' in page
    assert 'data-testid="confirmed-on"' not in page

    refused = client.post(url, {"confirmed_on": "2022-01-06"}, follow=True).content.decode()
    assert "确诊日期不能晚于今天" in refused
    assert heard == []

    response = client.post(url, {"confirmed_on": "2022-01-04"})
    assert response.status_code == 302
    assert response["Location"] == f"/screening/isolations/{record.pk}/"
    shown = client.get(response["Location"]).content.decode()
    assert "已标记为确诊病例" in shown
    assert 'data-testid="confirmed-on"' in shown
    assert "2022-01-04" in shown
    assert f'action="{url}"' not in shown
    assert heard == [{"actor": county_user, "person": person, "confirmed_on": JAN_4}]

    twice = client.post(url, {"confirmed_on": "2022-01-03"}, follow=True).content.decode()
    assert "已于 2022-01-04 标记为确诊病例" in twice
    assert len(heard) == 1

    listing = client.get("/screening/isolations/").content.decode()
    assert 'data-testid="confirmed-on"' in listing
    assert "2022-01-04" in listing


def test_a6_a_read_only_user_sees_the_date_but_cannot_mark(client, tree, county_user, heard):
    record = isolate(county_user, make_person(tree.village_a, "只读"), confirmed_on=JAN_4).record
    other = isolate(county_user, make_person(tree.village_a, "未确诊")).record
    leader = make_user("leader", tree.region)
    client.force_login(leader)
    page = client.get(f"/screening/isolations/{record.pk}/").content.decode()
    assert 'data-testid="confirmed-on"' in page
    assert "标记为确诊病例" not in client.get(f"/screening/isolations/{other.pk}/").content.decode()
    assert (
        client.post(f"/screening/isolations/{other.pk}/confirm/", {"confirmed_on": "2022-01-04"}).status_code
        == 403
    )
    other.refresh_from_db()
    assert other.confirmed_on is None


def test_a6_the_isolation_form_takes_an_optional_confirmation_date(client, tree, county_user, heard):
    person = make_person(tree.village_a, "表单确诊")
    client.force_login(county_user)
    url = f"/screening/isolations/new/{person.pk}/"
    assert 'name="confirmed_on"' in client.get(url).content.decode()
    typed = {"kind": "centralised", "starts_on": "2022-01-02", "source": "卫健部门推送", "note": ""}
    refused = client.post(url, typed | {"confirmed_on": "2022-01-06"})
    assert refused.status_code == 400
    assert "确诊日期不能晚于今天" in refused.content.decode()
    assert not IsolationRecord.objects.exists()
    assert client.post(url, typed | {"confirmed_on": "2022-01-04"}).status_code == 302
    assert IsolationRecord.objects.get(person=person).confirmed_on == JAN_4
    assert heard == [{"actor": county_user, "person": person, "confirmed_on": JAN_4}]

    unconfirmed = make_person(tree.village_a, "表单未确诊")
    response = client.post(f"/screening/isolations/new/{unconfirmed.pk}/", typed | {"confirmed_on": ""})
    assert response.status_code == 302
    assert IsolationRecord.objects.get(person=unconfirmed).confirmed_on is None
    assert len(heard) == 1


# --- API ----------------------------------------------------------------------------------------


def test_a6_the_api_records_and_marks_confirmed_cases(client, tree, county_user, other_county_user, heard):
    confirmed = make_person(tree.village_a, "接口确诊")
    client.force_login(county_user)
    created = client.post(
        "/api/v1/screening/isolations/",
        {
            "person": confirmed.pk,
            "kind": "centralised",
            "starts_on": "2022-01-02",
            "source": "卫健部门推送",
            "confirmed_on": "2022-01-04",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["confirmed_on"] == "2022-01-04"
    assert heard == [{"actor": county_user, "person": confirmed, "confirmed_on": JAN_4}]

    person = make_person(tree.village_a, "接口后确诊")
    record = isolate(county_user, person).record
    assert client.get(f"/api/v1/screening/isolations/{record.pk}/").json()["confirmed_on"] is None
    url = f"/api/v1/screening/isolations/{record.pk}/confirm/"

    missing = client.post(url, {}, content_type="application/json")
    assert missing.status_code == 400
    future = client.post(url, {"confirmed_on": "2022-01-06"}, content_type="application/json")
    assert future.status_code == 400
    assert "确诊日期不能晚于今天" in future.json()["error"]["message"]

    client.force_login(other_county_user)
    assert (
        client.post(url, {"confirmed_on": "2022-01-04"}, content_type="application/json").status_code == 404
    )
    client.force_login(county_user)

    marked = client.post(url, {"confirmed_on": "2022-01-03"}, content_type="application/json")
    assert marked.status_code == 200
    assert marked.json()["confirmed_on"] == "2022-01-03"
    assert heard[-1] == {"actor": county_user, "person": person, "confirmed_on": JAN_3}

    twice = client.post(url, {"confirmed_on": "2022-01-04"}, content_type="application/json")
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "isolation_already_confirmed"
    assert "已于 2022-01-03 标记为确诊病例" in twice.json()["error"]["message"]
    assert len(heard) == 2


# --- Import -------------------------------------------------------------------------------------

HEADER = "姓名,身份证号,隔离类型,开始日期,计划解除日期,实际解除日期,确诊日期,信息来源,所属单位编码,备注\n"


def test_a6_the_isolation_import_reads_the_confirmation_column(tree, county_user, heard):
    unit = tree.village_a.code
    text = HEADER + (
        f"郑确诊,11010519491231002X,集中隔离,2022-01-02,,,2022年01月04日,卫健部门推送,{unit},\n"
        f"钱未确诊,110105194912310038,居家隔离,2022-01-02,,,,卫健部门推送,{unit},\n"
        f"孙坏日期,110105194912310046,居家隔离,2022-01-02,,,2022-13-01,卫健部门推送,{unit},\n"
        f"李明天,110105194912310054,居家隔离,2022-01-02,,,2022-01-06,卫健部门推送,{unit},\n"
    )
    report = run_import(
        importer=importer_for("isolations"),
        actor=county_user,
        table=csv_table(text),
        dry_run=False,
        import_valid_rows=True,
    )
    assert report.created == 2
    assert {(e.row, e.column) for e in report.errors} == {(4, "确诊日期"), (5, "确诊日期")}
    assert any("2022-13-01" in e.message for e in report.errors)
    confirmed = IsolationRecord.objects.get(person__name="郑确诊")
    assert (confirmed.confirmed_on, confirmed.entered_via) == (JAN_4, RecordSource.IMPORT)
    assert IsolationRecord.objects.get(person__name="钱未确诊").confirmed_on is None
    assert [(news["person"].name, news["confirmed_on"]) for news in heard] == [("郑确诊", JAN_4)]

    # The same list again once 钱未确诊 is known to be a confirmed case: that record is marked.
    again = HEADER + (
        f"郑确诊,11010519491231002X,集中隔离,2022-01-02,,,2022-01-04,卫健部门推送,{unit},\n"
        f"钱未确诊,110105194912310038,居家隔离,2022-01-02,,,2022-01-05,卫健部门推送,{unit},\n"
    )
    report = run_import(
        importer=importer_for("isolations"), actor=county_user, table=csv_table(again), dry_run=False
    )
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 1, 1, [])
    assert IsolationRecord.objects.get(person__name="钱未确诊").confirmed_on == dt.date(2022, 1, 5)
    assert [news["person"].name for news in heard] == ["郑确诊", "钱未确诊"]


def test_a6_the_import_template_offers_the_confirmation_column():
    columns = {c.header: c for c in importer_for("isolations").columns}
    assert "确诊日期" in columns
    assert not columns["确诊日期"].required
    assert columns["确诊日期"].field == "confirmed_on"
