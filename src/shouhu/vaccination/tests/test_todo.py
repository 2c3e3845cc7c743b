"""V2: the electronic ledger and dynamic elimination (动态消号) — the to-do list shrinks by itself."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.accounts.tests.factories import make_user
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.importing import run_import
from shouhu.common.models import ImportJob
from shouhu.common.tabular import read_table
from shouhu.vaccination import selectors, services
from shouhu.vaccination.importers import DoseImporter
from shouhu.vaccination.models import Deferral, VaccineDose
from shouhu.vaccination.tests.factories import (
    FULL_SERIES,
    ContactFactory,
    DeferralFactory,
    make_person,
    product,
    vaccinate,
)

pytestmark = pytest.mark.django_db


def names(viewer) -> list[str]:
    return sorted(p.name for p in selectors.todo_list(viewer=viewer))


def at(day: dt.date):
    return clock.frozen(dt.datetime.combine(day, dt.time(9, 0), tzinfo=clock.local_zone()))


def test_v2_the_to_do_list_shrinks_as_doses_are_recorded(tree, county_user):
    people = [make_person(tree.village_a, name) for name in ("甲", "乙", "丙")]
    assert names(county_user) == ["丙", "乙", "甲"]
    vaccinate(people[0], dt.date(2021, 12, 1))
    assert names(county_user) == ["丙", "乙", "甲"]  # one dose of two: still to do
    vaccinate(people[0], dt.date(2021, 12, 29), first_number=2)
    assert names(county_user) == ["丙", "乙"]
    vaccinate(people[1], dt.date(2022, 1, 5), short_name="康希诺")
    assert names(county_user) == ["丙"]


def test_v2_a_contraindication_takes_a_person_off_until_it_is_lifted(tree, county_user):
    person = make_person(tree.village_a, "甲")
    item = services.contraindication_record(
        actor=county_user, person=person, condition="恶性肿瘤化疗期间", source="medical_certificate"
    )
    assert names(county_user) == []
    with at(dt.date(2022, 1, 8)):
        services.contraindication_lift(
            actor=county_user, contraindication=item, reason="化疗结束，医生评估可接种"
        )
        assert names(county_user) == ["甲"]
    assert item.lifted_on == dt.date(2022, 1, 8)


def test_v2_a_deferral_ends_by_itself_and_brings_the_person_back(tree, county_user):
    person = make_person(tree.village_a, "甲")
    services.deferral_record(actor=county_user, person=person, reason="急性发热", until=dt.date(2022, 1, 10))
    assert names(county_user) == []
    with at(dt.date(2022, 1, 10)):
        assert names(county_user) == []  # the last day of the deferral
    with at(dt.date(2022, 1, 11)):
        assert names(county_user) == ["甲"]
    with pytest.raises(ConflictError):
        services.deferral_record(actor=county_user, person=person, reason="再次", until=dt.date(2022, 1, 20))


def test_v2_ending_a_deferral_early_brings_the_person_back_today(tree, county_user):
    person = make_person(tree.village_a, "甲")
    deferral = DeferralFactory(person=person, until=dt.date(2022, 2, 1))
    assert names(county_user) == []
    services.deferral_end(actor=county_user, deferral=deferral)
    assert names(county_user) == ["甲"]
    deferral.refresh_from_db()
    assert deferral.ended_on == dt.date(2022, 1, 5)
    with pytest.raises(ConflictError):
        services.deferral_end(actor=county_user, deferral=deferral)


def test_v2_deferral_dates_are_checked(tree, county_user):
    person = make_person(tree.village_a)
    with pytest.raises(DomainError) as past:
        services.deferral_record(actor=county_user, person=person, reason="发热", until=dt.date(2022, 1, 4))
    assert past.value.field_errors == {"until": ["暂缓截止日期不能早于今天"]}
    assert not Deferral.objects.exists()


def _many_rows(tree, county_user, count):
    for index in range(count):
        person = make_person(tree.village_a if index % 2 else tree.nursing_home_a)
        if index % 3 == 0:
            services.mobiliser_assign(actor=county_user, person=person, mobiliser_user=county_user)
        elif index % 3 == 1:
            services.mobiliser_assign(actor=county_user, person=person, mobiliser_name="王医生")
        ContactFactory(person=person)
        if index % 4 == 0:
            vaccinate(person, dt.date(2021, 12, 20))


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_v2_to_do_list_query_count_does_not_grow_with_rows(client, tree, county_user):
    client.force_login(county_user)
    _many_rows(tree, county_user, 2)
    few = _queries(client, "/vaccination/todo/")
    _many_rows(tree, county_user, 30)
    many = _queries(client, "/vaccination/todo/")
    assert few == many
    api_few = _queries(client, "/api/v1/vaccination/todo/?page_size=2")
    api_many = _queries(client, "/api/v1/vaccination/todo/?page_size=50")
    assert api_few == api_many


def test_v2_dose_list_query_count_does_not_grow_with_rows(client, tree, county_user):
    client.force_login(county_user)
    vaccinate(make_person(tree.village_a), *FULL_SERIES)
    few = _queries(client, "/vaccination/doses/")
    for _ in range(20):
        vaccinate(make_person(tree.nursing_home_a), *FULL_SERIES)
    many = _queries(client, "/vaccination/doses/")
    assert few == many
    assert _queries(client, "/api/v1/vaccination/doses/?page_size=1") == _queries(
        client, "/api/v1/vaccination/doses/"
    )


def test_v2_to_do_page_shows_mobiliser_and_contacts_and_filters(client, tree, county_user):
    assigned = make_person(tree.village_a, "已指定")
    services.mobiliser_assign(
        actor=county_user, person=assigned, mobiliser_name="李网格员", mobiliser_role="网格员"
    )
    ContactFactory(person=assigned, next_contact_on=dt.date(2022, 1, 4))
    make_person(tree.village_a, "未指定")
    client.force_login(county_user)
    html = client.get("/vaccination/todo/").content.decode()
    assert "李网格员（网格员）" in html
    assert "text-danger" in html  # the next contact is overdue
    unassigned = client.get(
        "/vaccination/todo/",
        {"mobiliser": "unassigned"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="list-results",
    ).content.decode()
    assert "未指定" in unassigned
    assert "已指定" not in unassigned
    assert "<nav" not in unassigned  # only the results fragment


def test_v2_the_ledger_keeps_every_dose_and_the_last_one_can_be_revoked(client, tree, county_user):
    person = make_person(tree.village_a)
    first, second = vaccinate(person, *FULL_SERIES)
    client.force_login(county_user)
    record = client.get(f"/vaccination/people/{person.pk}/").content.decode()
    assert "2021-06-01" in record
    assert "2021-06-29" in record
    assert "已完成全程" in record
    refused = client.post(f"/vaccination/doses/{first.pk}/revoke/", {"confirm": "1"}, follow=True)
    assert "只能撤销最后登记的一剂（第2剂）" in refused.content.decode()
    client.post(f"/vaccination/doses/{second.pk}/revoke/", {"confirm": "1"})
    assert list(VaccineDose.objects.values_list("pk", flat=True)) == [first.pk]


def test_v2_x7_api_records_a_dose_once(client, tree, county_user):
    person = make_person(tree.village_a)
    client.force_login(county_user)
    body = {
        "person": person.pk,
        "product": product().pk,
        "dose_number": 1,
        "vaccinated_on": "2021-12-01",
        "place": "东山社区卫生服务中心",
    }
    created = client.post("/api/v1/vaccination/doses/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["person_name"] == person.name
    again = client.post("/api/v1/vaccination/doses/", body, content_type="application/json")
    assert again.status_code == 200
    too_soon = client.post(
        "/api/v1/vaccination/doses/",
        body | {"dose_number": 2, "vaccinated_on": "2021-12-10"},
        content_type="application/json",
    )
    assert too_soon.status_code == 400
    assert too_soon.json()["error"]["code"] == "dose_too_soon"
    assert "vaccinated_on" in too_soon.json()["error"]["fields"]
    listed = client.get("/api/v1/vaccination/doses/", {"person": person.pk}).json()
    assert listed["count"] == 1
    detail = client.get(f"/api/v1/vaccination/doses/{listed['results'][0]['id']}/").json()
    assert detail["source"] == "api"
    record = client.get(f"/api/v1/vaccination/people/{person.pk}/").json()
    assert (record["vaccination_status"], record["doses_given"], record["doses_required"]) == (
        "in_progress",
        1,
        2,
    )
    todo = client.get("/api/v1/vaccination/todo/").json()
    assert [row["id"] for row in todo["results"]] == [person.pk]


def test_v2_x7_readers_cannot_record(client, tree, county_user):
    person = make_person(tree.village_a)
    leader = make_user("leader", tree.region)
    client.force_login(leader)
    body = {"person": person.pk, "product": product().pk, "dose_number": 1, "vaccinated_on": "2021-12-01"}
    assert client.post("/api/v1/vaccination/doses/", body, content_type="application/json").status_code == 403
    assert client.get(f"/vaccination/people/{person.pk}/doses/new/").status_code == 403
    assert client.get(f"/vaccination/people/{person.pk}/").status_code == 200
    lottery = make_user("lottery_specialist", tree.county_a)
    client.force_login(lottery)
    assert client.get("/vaccination/todo/").status_code == 403


# --- Imports (X4 through the dose ledger) --------------------------------------------------------

HEADERS = ["姓名", "身份证号", "接种日期", "疫苗产品", "剂次", "接种单位"]


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode("gb18030")


def _import(actor, rows, *, dry_run=False, valid_rows=False):
    table = read_table("doses.csv", _csv(rows), required_headers=HEADERS[:5])
    return run_import(
        importer=DoseImporter(), actor=actor, table=table, dry_run=dry_run, import_valid_rows=valid_rows
    )


def test_v2_x4_doses_import_finds_people_by_id_in_scope_and_is_idempotent(tree, county_user):
    a = make_person(tree.village_a, "张三")
    b = make_person(tree.nursing_home_a, "李四")
    foreign = make_person(tree.village_b, "王五")
    rows = [
        ["张三", a.id_number, "2021-06-01", "国药北京生物", "1", "东山接种点"],
        ["张三", a.id_number, "2021/06/29", "国药北京生物", "第2剂", "东山接种点"],
        ["张三", a.id_number, "2021-12-30", "国药北京生物", "加强针", "东山接种点"],
        ["李四", b.id_number, "20210701", "康希诺", "第一剂", ""],
    ]
    report = _import(county_user, rows)
    assert (report.created, report.errors) == (4, [])
    assert (
        selectors.with_status(selectors.person_visible(viewer=county_user).filter(pk=a.pk))
        .get()
        .vaccination_status
        == "booster"
    )
    again = _import(county_user, rows)
    assert (again.created, again.unchanged, again.errors) == (0, 4, [])
    assert VaccineDose.objects.count() == 4

    bad = _import(
        county_user,
        [
            ["王五", foreign.id_number, "2021-06-01", "国药北京生物", "1", ""],
            ["无此人", "232700196003089991", "2021-06-01", "国药北京生物", "1", ""],
            ["李某", b.id_number, "2021-09-01", "康希诺", "2", ""],
            ["张三", a.id_number, "2021-06-02", "国药北京生物", "1", ""],
            ["李四", b.id_number, "2021-13-01", "辉瑞", "第二剂", ""],
        ],
        valid_rows=True,
    )
    messages = {(e.row, e.column): e.message for e in bad.errors}
    out_of_scope = messages[(2, "身份证号")]
    assert out_of_scope == messages[(3, "身份证号")]  # another county's person looks unregistered
    assert "不在您的管辖范围内" in out_of_scope
    assert "姓名与人员登记不符" in messages[(4, "姓名")]
    assert "第1剂已登记" in messages[(5, "剂次")]
    assert "格式应为" in messages[(6, "接种日期")]
    assert "未知的疫苗产品“辉瑞”" in messages[(6, "疫苗产品")]
    assert VaccineDose.objects.count() == 4


def test_v2_x4_doses_import_through_the_exchange_pages(client, tree, county_user):
    person = make_person(tree.village_a, "张三")
    client.force_login(county_user)
    template = client.get("/imports/doses/template.xlsx")
    assert template.status_code == 200
    data = _csv([["张三", person.id_number, "2021-06-01", "北京科兴", "1", "接种点"]])
    response = client.post("/imports/doses/", {"file": SimpleUploadedFile("doses.csv", data)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert not VaccineDose.objects.exists()
    client.post(f"/imports/jobs/{job.pk}/", {"mode": "all"})
    dose = VaccineDose.objects.get()
    assert (dose.person, dose.product.short_name, dose.source) == (person, "北京科兴", "import")
    leader = make_user("leader", tree.region)
    client.force_login(leader)
    assert client.get("/imports/doses/").status_code == 403


def test_v2_the_dose_form_offers_the_schedules_next_dose(client, tree, county_user):
    person = make_person(tree.village_a)
    vaccinate(person, dt.date(2021, 12, 20), short_name="北京科兴")
    client.force_login(county_user)
    html = client.get(f"/vaccination/people/{person.pk}/doses/new/").content.decode()
    hint = html.split('data-testid="next-dose">')[1].split("</div>")[0]
    assert "第2剂" in hint
    assert "2022-01-10" in hint
    assert f'<option value="{product("北京科兴").pk}" selected>' in html
    assert '<option value="2" selected>' in html
