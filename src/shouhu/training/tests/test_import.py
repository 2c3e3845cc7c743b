"""G5 × X4: a session's sign-in sheet imported; every bad row reported, nothing half-written."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shouhu.common.importing import read_import, run_import
from shouhu.training.importers import AttendanceImporter
from shouhu.training.models import Attendance, Audience
from shouhu.training.tests.factories import id_number, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(tree, worker):
    make_person(tree.village_a, "王楼长", id_number=id_number(4))
    make_person(tree.village_b, "他县人员", id_number=id_number(2))
    rows = [
        "姓名,身份证号码,参训身份",
        f"李网格,{id_number(1)},网格员",  # good
        f"王楼长,{id_number(4)},楼栋长",  # good
        f"他县人员,{id_number(2)},网格员",  # outside the township: as if nobody held it
        f"无此人,{id_number(99)},网格员",  # nobody holds it
        f"张冠李戴,{id_number(4)}X,楼栋长",  # a malformed number
        f"王二,{id_number(4)},楼栋长",  # repeats row 3's number
        f"李网格,{id_number(1)},村长",  # repeated, and an unknown role
    ]
    return ("\n".join(rows) + "\n").encode("utf-8")


def _run(importer, user, data, **options):
    return run_import(
        importer=importer, actor=user, table=read_import(importer, "签到表.csv", data), **options
    )


def test_g5_an_import_reports_every_bad_row_and_writes_nothing(township_user, session_a, sheet):
    importer = AttendanceImporter(session_a)
    checked = _run(importer, township_user, sheet, dry_run=True)
    by_row = {}
    for error in checked.errors:
        by_row.setdefault(error.row, []).append(error.message)
    assert sorted(by_row) == [4, 5, 6, 7, 8]
    assert by_row[4] == by_row[5]  # outside scope and unknown answer alike
    assert "未找到该证件号码的人员" in by_row[4][0]
    assert "重复" in by_row[7][0]
    assert checked.created == 2
    assert not Attendance.objects.exists()

    refused = _run(importer, township_user, sheet, dry_run=False)
    assert not refused.written
    assert not Attendance.objects.exists()

    valid = _run(importer, township_user, sheet, dry_run=False, import_valid_rows=True)
    assert valid.written
    assert valid.created == 2
    assert set(Attendance.objects.values_list("person__name", "role")) == {
        ("李网格", Audience.GRID_HEAD),
        ("王楼长", Audience.BUILDING_HEAD),
    }
    again = _run(importer, township_user, sheet, dry_run=True)
    assert again.unchanged == 2
    assert again.created == 0


def test_g5_a_role_outside_the_audience_and_a_wrong_name_are_reported(tree, township_user, worker):
    from shouhu.training.tests.factories import make_session

    session = make_session(tree.township_a, audience=("volunteer",))
    make_person(tree.village_a, "赵志愿", id_number=id_number(5))
    data = (
        f"姓名,证件号码,参训身份\n李网格,{id_number(1)},网格员\n李四,{id_number(1)},志愿者\n"
        f"赵志愿,{id_number(5)},村长\n"
    ).encode()
    report = _run(AttendanceImporter(session), township_user, data, dry_run=True)
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "本次培训的对象不含" in messages[(2, "参训身份")]
    assert "重复" in messages[(3, "")]
    assert "无法识别" in messages[(4, "参训身份")]
    assert report.created == 0


def test_g5_the_import_page_shows_the_report_and_imports(client, township_user, session_a, sheet):
    client.force_login(township_user)
    url = reverse("training:attendance_import", args=[session_a.pk])
    assert client.get(url).status_code == 200
    checked = client.post(url, {"file": SimpleUploadedFile("签到表.csv", sheet), "mode": "check"})
    html = checked.content.decode()
    assert checked.status_code == 200
    assert "有错误 5 行" in html
    assert "未找到该证件号码的人员" in html
    assert not Attendance.objects.exists()
    client.post(url, {"file": SimpleUploadedFile("签到表.csv", sheet), "mode": "valid"})
    assert Attendance.objects.filter(session=session_a).count() == 2
    template = client.get(reverse("training:attendance_template", args=[session_a.pk]))
    assert template.status_code == 200
    headers = next(load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows(values_only=True))
    assert list(headers) == ["姓名", "证件号码", "参训身份"]
    assert client.post(url, {"mode": "check"}).status_code == 400
