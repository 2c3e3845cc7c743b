"""X4 through the person register: GB18030 CSV, dry run, error report, valid rows, idempotent."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from shouhu.common.models import ImportJob
from shouhu.people.idcard import check_digit
from shouhu.people.models import Person

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


def valid_id(index: int, birth: dt.date = dt.date(1950, 3, 8)) -> str:
    first17 = f"232700{birth:%Y%m%d}{index % 1000:03d}"
    return first17 + check_digit(first17)


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode("gb18030")


def _rows(tree, count=20):
    return [
        [
            f"王{i}",
            "",
            valid_id(i),
            "",
            "",
            f"1380013{i:04d}",
            "",
            "",
            tree.nursing_home_a.code,
            "养老机构入住老人",
        ]
        for i in range(count)
    ]


def _upload(client, data, name="people.csv"):
    return client.post("/imports/people/", {"file": SimpleUploadedFile(name, data)})


def test_x4_x2_person_import_dry_run_errors_then_valid_rows(client, tree, county_user):
    rows = _rows(tree)
    bad_check = valid_id(500)[:-1] + ("0" if valid_id(500)[-1] != "0" else "1")
    rows += [
        ["李错", "", bad_check, "", "", "", "", "", tree.nursing_home_a.code, ""],
        ["李重", "", valid_id(3), "", "", "", "", "", tree.nursing_home_a.code, ""],
        ["李他", "", valid_id(600), "", "", "", "", "", tree.nursing_home_b.code, ""],
        [
            "李性",
            "",
            valid_id(601),
            "女" if int(valid_id(601)[16]) % 2 else "男",
            "",
            "",
            "",
            "",
            tree.nursing_home_a.code,
            "",
        ],
        ["", "", valid_id(602), "", "", "", "", "", tree.nursing_home_a.code, ""],
    ]
    client.force_login(county_user)
    response = _upload(client, _csv(rows))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert Person.objects.count() == 0
    assert job.report["created"] == 20
    problems = {(e["row"], e["column"]) for e in job.report["errors"]}
    assert problems == {(22, "身份证号"), (23, ""), (24, "所属单位编码"), (25, "性别"), (26, "姓名")}
    page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "身份证号校验位错误" in page
    assert "与第 5 行重复" in page
    report = client.get(f"/imports/jobs/{job.pk}/errors.xlsx")
    sheet = load_workbook(io.BytesIO(report.content)).active
    assert [c.value for c in sheet[1]] == ["行号", "列", "问题"]
    assert sheet.max_row == 6
    refused = client.post(f"/imports/jobs/{job.pk}/", {"mode": "all"})
    assert refused.status_code == 302
    assert Person.objects.count() == 0
    client.post(f"/imports/jobs/{job.pk}/", {"mode": "valid"})
    assert Person.objects.count() == 20
    job.refresh_from_db()
    assert job.status == "imported"
    again = client.post(f"/imports/jobs/{job.pk}/", {"mode": "valid"}, follow=True)
    assert "不会重复导入" in again.content.decode()
    assert Person.objects.count() == 20


def test_x4_x2_reimporting_the_same_file_changes_nothing(client, tree, county_user):
    client.force_login(county_user)
    data = _csv(_rows(tree, 5))
    _upload(client, data)
    client.post(f"/imports/jobs/{ImportJob.objects.latest('pk').pk}/", {"mode": "all"})
    assert Person.objects.count() == 5
    _upload(client, data)
    second = ImportJob.objects.latest("pk")
    assert (second.report["created"], second.report["updated"], second.report["unchanged"]) == (0, 0, 5)


def test_x4_upload_is_stored_encrypted(client, tree, county_user):
    client.force_login(county_user)
    _upload(client, _csv(_rows(tree, 2)))
    stored = bytes(ImportJob.objects.get().content)
    assert valid_id(0).encode() not in stored
    assert "王0".encode("gb18030") not in stored


def test_x4_bad_file_message_on_the_upload_form(client, tree, county_user):
    client.force_login(county_user)
    response = _upload(client, b"", name="people.csv")
    assert response.status_code == 400
    assert "提交的是空文件" in response.content.decode()
    wrong = _upload(client, b"%PDF", name="people.pdf")
    assert "只支持 .xlsx 和 .csv 文件" in wrong.content.decode()
    assert not ImportJob.objects.exists()


def test_x4_the_import_reads_chinese_labels_in_any_language():
    """Labels translate on screen, but the exchange format's labels stay Chinese: every choice has
    one, and an English-speaking clerk's file reads the same."""
    from django.utils import translation

    from shouhu.people.importers import CATEGORY_BY_LABEL, GENDER_BY_LABEL, ID_TYPE_BY_LABEL
    from shouhu.people.models import Category, Gender, IdType

    assert set(ID_TYPE_BY_LABEL.values()) == set(IdType)
    assert set(GENDER_BY_LABEL.values()) == set(Gender)
    assert set(CATEGORY_BY_LABEL.values()) == set(Category)
    with translation.override("zh-hans"):
        assert {str(c.label): c for c in IdType} == ID_TYPE_BY_LABEL
        assert {str(c.label): c for c in Category} == CATEGORY_BY_LABEL
    with translation.override("en"):
        assert str(IdType.RESIDENT_ID.label) == "Resident identity card"
        assert ID_TYPE_BY_LABEL["居民身份证"] == IdType.RESIDENT_ID
