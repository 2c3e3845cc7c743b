"""G3 pages and API: the list (filters, export, query count), the detail with who still needs a test
first, the township's decision, the door on a phone, the import, the link from a funeral case."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.common import clock
from shouhu.gatherings import selectors, services
from shouhu.gatherings.models import Gathering, GatheringStatus, Participant, TestResult
from shouhu.gatherings.tests.factories import START, add, make_gathering, participant, resident_id

pytestmark = pytest.mark.django_db


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(clock.local_zone()).strftime("%Y-%m-%dT%H:%M")


def test_g3_a_village_worker_takes_an_application_on_the_page(client, village_worker, tree):
    client.force_login(village_worker)
    assert client.get("/gatherings/new/").status_code == 200
    response = client.post(
        "/gatherings/new/",
        {
            "village": tree.village_a.pk,
            "kind": "wedding",
            "title": "刘海、陈静婚宴",
            "organiser_name": "刘长贵",
            "organiser_phone": "13904575678",
            "place": "东山村文化广场",
            "starts_at": _local(START),
            "ends_at": _local(START + dt.timedelta(hours=3)),
            "expected_headcount": 45,
        },
    )
    gathering = Gathering.objects.get()
    assert response.status_code == 302
    assert gathering.status == GatheringStatus.APPLIED
    assert gathering.created_by == village_worker
    page = client.get(f"/gatherings/{gathering.pk}/").content.decode()
    assert "须经乡镇政府批准后举办" in page


def test_g3_the_list_filters_exports_and_counts_queries(
    client, village_worker, tree, django_assert_num_queries
):
    waiting = make_gathering(tree.village_a, title="有人待检测")
    add(waiting, participant("未检", hours_before=None), participant("有效", serial=1))
    complete = make_gathering(tree.village_a, title="名单齐全", expected_headcount=5)
    add(complete, participant("有效", serial=2))
    for i in range(5):
        make_gathering(tree.village_a, title=f"其他{i}", expected_headcount=3)
    client.force_login(village_worker)
    client.get("/gatherings/")  # warm the session and the menu's caches
    with CaptureQueriesContext(connection) as few:
        page = client.get("/gatherings/").content.decode()
    for i in range(10):
        add(make_gathering(tree.village_a, title=f"更多{i}"), participant("未检", hours_before=None))
    with CaptureQueriesContext(connection) as many:
        client.get("/gatherings/")
    assert len(few) == len(many) <= 10
    assert "有人待检测" in page
    assert "1 人待检测" in page
    filtered = client.get("/gatherings/?needs_test=on").content.decode()
    assert "有人待检测" in filtered
    assert "名单齐全" not in filtered
    assert "名单齐全" in client.get("/gatherings/?status=recorded").content.decode()
    export = client.get("/gatherings/?needs_test=on&export=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    titles = {row[0] for row in rows[1:]}
    assert "有人待检测" in titles
    assert "名单齐全" not in titles
    assert "13904571234" not in str(rows)


def test_g3_the_detail_shows_who_still_needs_a_test_first(
    client, village_worker, tree, django_assert_num_queries
):
    gathering = make_gathering(tree.village_a)
    add(
        gathering,
        participant("甲有效", serial=1),
        participant("乙未检", serial=2, hours_before=None),
        participant("丙过期", serial=3, hours_before=50),
    )
    client.force_login(village_worker)
    page = client.get(f"/gatherings/{gathering.pk}/").content.decode()
    pending = page.index('data-testid="pending"')
    assert pending < page.index("乙未检") < page.index('data-testid="ok-list"')
    assert pending < page.index("丙过期") < page.index("甲有效")
    assert "未提供核酸检测结果" in page
    assert resident_id(2) not in page
    printable = client.get(f"/gatherings/{gathering.pk}/pending/").content.decode()
    assert "乙未检" in printable
    assert "丙过期" in printable
    assert "甲有效" not in printable
    export = client.get(f"/gatherings/{gathering.pk}/pending/?export=xlsx")
    assert {
        r[0] for r in load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)
    } == {
        "乙未检",
        "丙过期",
    }


def test_g3_the_township_decides_on_the_page_and_the_village_may_not(
    client, village_worker, township_worker, tree
):
    gathering = make_gathering(tree.village_a)
    client.force_login(village_worker)
    assert client.post(f"/gatherings/{gathering.pk}/approve/", {}).status_code == 403
    client.force_login(township_worker)
    refused = client.post(f"/gatherings/{gathering.pk}/refuse/", {"reason": ""})
    assert refused.status_code == 400
    assert "不予批准须说明理由" in refused.content.decode()
    assert client.post(f"/gatherings/{gathering.pk}/approve/", {"reason": "同意"}).status_code == 302
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.APPROVED


def test_g3_another_townships_gathering_answers_404(client, township_worker, other_township):
    _township, village = other_township
    foreign = make_gathering(village, title="外镇活动")
    client.force_login(township_worker)
    for url in (f"/gatherings/{foreign.pk}/", f"/gatherings/{foreign.pk}/door/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/gatherings/{foreign.pk}/approve/", {"reason": "同意"}).status_code == 404
    assert "外镇活动" not in client.get("/gatherings/").content.decode()
    foreign.refresh_from_db()
    assert foreign.status == GatheringStatus.APPLIED


def test_g3_the_door_page_admits_or_refuses(client, village_worker, township_worker, tree):
    gathering = make_gathering(tree.village_a)
    add(gathering, participant("张有效", serial=1), participant("李未检", serial=2, hours_before=None))
    client.force_login(village_worker)
    page = client.post(f"/gatherings/{gathering.pk}/door/", {"q": "张有效"}).content.decode()
    assert "所有人员不准入" in page
    assert "尚未批准" in page
    services.gathering_approve(actor=township_worker, gathering=gathering)
    admitted = client.post(f"/gatherings/{gathering.pk}/door/", {"q": resident_id(1)}).content.decode()
    assert "准入" in admitted
    assert "不准入" not in admitted
    refused = client.post(f"/gatherings/{gathering.pk}/door/", {"q": "李未检"}).content.decode()
    assert "不准入" in refused
    assert "未提供核酸检测结果" in refused
    unknown = client.post(f"/gatherings/{gathering.pk}/door/", {"q": "王路人"}).content.decode()
    assert "名单中没有" in unknown


def _xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "名单.xlsx"
    return buffer


def test_g3_the_list_is_imported_and_every_bad_row_reported(client, village_worker, tree):
    gathering = make_gathering(tree.village_a)
    header = ["姓名", "身份证号码", "联系电话", "核酸检测结果", "采样时间"]
    good = ["赵一", resident_id(11), "13900000001", "阴性", "2022-01-04 15:00"]
    client.force_login(village_worker)
    response = client.post(
        f"/gatherings/{gathering.pk}/import/",
        {
            "mode": "all",
            "file": _xlsx(
                [
                    header,
                    good,
                    ["钱二", resident_id(12), "", "阴性", "2022-01-04"],
                    ["", resident_id(15), "", "", ""],
                    ["孙三", "232701198001010000", "", "未检测", ""],
                    ["李四", resident_id(14), "", "可疑", ""],
                ]
            ),
        },
    )
    page = response.content.decode()
    print(page[page.find('data-testid="import-report"') :][:3000])
    assert "有错误行，未导入任何一行" in page
    for text in ("须写明几点几分", "校验位", "可疑", "不能为空"):
        assert text in page
    assert not Participant.objects.exists()
    client.post(
        f"/gatherings/{gathering.pk}/import/",
        {"mode": "valid", "file": _xlsx([header, good, ["周五", "", "", "", ""]])},
    )
    assert sorted(Participant.objects.values_list("name", flat=True)) == ["周五", "赵一"]
    # The same list again once the tests are in: the row with the ID number is updated, not doubled.
    again = ["赵一", resident_id(11), "", "阳性", "2022-01-05 08:00"]
    client.post(f"/gatherings/{gathering.pk}/import/", {"mode": "all", "file": _xlsx([header, again])})
    assert Participant.objects.get(name="赵一").test_result == TestResult.POSITIVE
    template = client.get(f"/gatherings/{gathering.pk}/import/template/")
    assert load_workbook(io.BytesIO(template.content)).worksheets[0]["A1"].value == "姓名"


def test_g3_a_funeral_case_over_the_headcount_links_to_its_gathering(client, tree, plan_campaign):
    from shouhu.funerals.tests.factories import make_case, make_home

    home = make_home(tree.county_a)
    case = make_case(home, "赵德厚", attendance=20)
    county = make_user("county_staff", tree.county_a)
    client.force_login(county)
    assert "登记为聚集性活动" in client.get(f"/funerals/cases/{case.pk}/").content.decode()
    registered = services.gathering_from_funeral_case(
        actor=county,
        case=case,
        village=tree.village_a,
        starts_at=START,
        ends_at=START + dt.timedelta(hours=2),
        place="东山村赵家院内",
        expected_headcount=35,
    )
    gathering = registered.gathering
    assert (gathering.kind, gathering.organiser_name, gathering.funeral_case) == ("funeral", "李秀兰", case)
    assert registered.needs_approval
    assert selectors.gathering_for_funeral_case(case) == gathering
    assert gathering.title in client.get(f"/funerals/cases/{case.pk}/").content.decode()
    assert "查看治丧记录" in client.get(f"/gatherings/{gathering.pk}/").content.decode()
    from shouhu.common.errors import ConflictError

    with pytest.raises(ConflictError):
        services.gathering_from_funeral_case(
            actor=county,
            case=case,
            village=tree.village_a,
            starts_at=START,
            ends_at=START + dt.timedelta(hours=1),
            place="x",
        )


def test_g3_the_api_takes_decides_lists_checks_and_keeps_the_door(
    client, village_worker, township_worker, tree
):
    client.force_login(village_worker)
    created = client.post(
        "/api/v1/gatherings/create/",
        {
            "village": tree.village_a.pk,
            "kind": "banquet",
            "title": "寿宴",
            "organiser_name": "孙福",
            "organiser_phone": "13904579999",
            "place": "村部",
            "starts_at": START.isoformat(),
            "ends_at": (START + dt.timedelta(hours=3)).isoformat(),
            "expected_headcount": 31,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["gathering"]["id"]
    assert body["needs_approval"] is True
    assert body["gathering"]["organiser_phone"] == "139****9999"
    added = client.post(
        f"/api/v1/gatherings/{pk}/participants/add/",
        {"name": "孙一", "id_number": resident_id(21), "test_result": "none"},
        content_type="application/json",
    )
    assert added.status_code == 201
    assert added.json()["participant"]["id_number"] == resident_id(21)[:6] + "********" + resident_id(21)[-4:]
    assert client.get(f"/api/v1/gatherings/{pk}/participants/").json()["count"] == 1
    check = client.get(f"/api/v1/gatherings/{pk}/check/").json()
    assert check["rows"][0]["verdict"] == "missing"
    assert "须经乡镇政府批准" in check["refusal"]
    assert (
        client.post(f"/api/v1/gatherings/{pk}/approve/", {}, content_type="application/json").status_code
        == 403
    )
    client.force_login(township_worker)
    assert (
        client.post(
            f"/api/v1/gatherings/{pk}/refuse/", {"reason": ""}, content_type="application/json"
        ).status_code
        == 400
    )
    assert (
        client.post(f"/api/v1/gatherings/{pk}/approve/", {}, content_type="application/json").json()["status"]
        == "approved"
    )
    door = client.post(
        f"/api/v1/gatherings/{pk}/door/", {"query": "孙一"}, content_type="application/json"
    ).json()
    assert door["refusal"] is None
    assert door["matches"][0]["admitted"] is False
    listed = client.get("/api/v1/gatherings/?needs_test=true").json()
    assert [g["id"] for g in listed["results"]] == [pk]
    assert listed["results"][0]["pending_tests"] == 1
