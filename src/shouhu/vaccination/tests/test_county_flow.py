"""Issue 3's walk-through at the HTTP level: a county imports people, records doses, reports;
the region office sees the ranking and the circular."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shouhu.accounts.tests.factories import make_user
from shouhu.common.models import ImportJob
from shouhu.people.idcard import check_digit
from shouhu.people.models import Person
from shouhu.vaccination.tests.factories import CANSINO, product

pytestmark = pytest.mark.django_db

HEADERS = [
    "姓名",
    "证件类型",
    "身份证号",
    "性别",
    "出生日期",
    "手机号",
    "现住址",
    "户籍地",
    "所属单位编码",
    "人员类别",
]


def _id(index: int) -> str:
    first17 = f"232718{dt.date(1940, 1, 1) + dt.timedelta(days=index):%Y%m%d}{index % 1000:03d}"
    return first17 + check_digit(first17)


def _gb18030_file(unit_code: str, good: int, bad: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for index in range(good):
        writer.writerow([f"居民{index}", "", _id(index), "", "", "", "", "", unit_code, "养老机构入住老人"])
    for index in range(bad):
        broken = _id(5000 + index)[:-1] + ("0" if _id(5000 + index)[-1] != "0" else "1")
        writer.writerow([f"错行{index}", "", broken, "", "", "", "", "", unit_code, "养老机构入住老人"])
    return buffer.getvalue().encode("gb18030")


def _todo_count(client) -> int:
    return client.get("/vaccination/todo/").context["page"].paginator.count


def test_x4_v2_v4_v5_county_imports_records_reports_and_region_sees_it(
    client, plan_campaign, tree, county_user
):
    client.force_login(county_user)
    data = _gb18030_file(tree.nursing_home_a.code, good=990, bad=10)
    client.post("/imports/people/", {"file": SimpleUploadedFile("名单.csv", data)})
    job = ImportJob.objects.get()
    assert (job.report["total"], job.report["created"], len(job.report["errors"])) == (1000, 990, 10)
    assert Person.objects.count() == 0  # the dry run wrote nothing
    assert client.get(f"/imports/jobs/{job.pk}/errors.xlsx").status_code == 200
    client.post(f"/imports/jobs/{job.pk}/", {"mode": "valid"})
    assert Person.objects.count() == 990

    before = _todo_count(client)
    assert before == 990
    person = Person.objects.order_by("pk").first()
    recorded = client.post(
        f"/vaccination/people/{person.pk}/doses/new/",
        {"vaccinated_on": "2022-01-04", "product": product(CANSINO).pk, "dose_number": 1, "place": "院内"},
    )
    assert recorded.status_code == 302
    assert _todo_count(client) == before - 1  # dynamic elimination

    submitted = client.post("/vaccination/reports/submit/", {"period_start": "2021-12-27", "note": "已核实"})
    assert submitted.status_code == 302

    client.force_login(make_user("region_admin", tree.region))
    ranking = client.get("/vaccination/region/").content.decode()
    assert tree.county_a.name in ranking
    assert tree.county_b.name in ranking
    circular = client.get("/vaccination/region/circular/")
    assert circular.status_code == 200
    assert tree.county_a.name in circular.content.decode()
