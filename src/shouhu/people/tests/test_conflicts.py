"""X1: a clerk learns nothing about people outside their scope beyond "cannot be registered here;
ask the region" — through the API, the pages and imports — and the region sees the conflicts."""

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.common.models import ImportJob
from shouhu.people.models import ConflictStatus, Person, RegistrationConflict
from shouhu.people.services import PersonInput, person_register
from shouhu.people.tests.test_import import _csv, _upload, valid_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered_in_b(tree, other_county_user):
    number = valid_id(7)
    person_register(
        actor=other_county_user, data=PersonInput(name="乙县居民", home_unit=tree.county_b, id_number=number)
    )
    return number


@pytest.mark.parametrize("role", ["county_staff", "village_staff", "institution_staff"])
def test_x1_the_person_api_names_no_unit_and_no_person_of_another_scope(client, tree, registered_in_b, role):
    unit = {"county_staff": tree.county_a, "village_staff": tree.village_a}.get(role, tree.nursing_home_a)
    client.force_login(make_user(role, unit))
    response = client.post(
        "/api/v1/people/",
        {"name": "随便写", "id_type": "resident_id", "id_number": registered_in_b, "home_unit": unit.pk},
        content_type="application/json",
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "地区民政局" in body
    for told in ("漠河市", "乙县居民", "乙县"):
        assert told not in body
    assert RegistrationConflict.objects.get().requested_unit == unit


def test_x1_the_registration_page_says_the_same(client, tree, registered_in_b, county_user):
    client.force_login(county_user)
    page = client.post(
        "/people/new/",
        {
            "name": "随便写",
            "id_type": "resident_id",
            "id_number": registered_in_b,
            "home_unit": tree.county_a.pk,
        },
    )
    html = page.content.decode()
    assert "不能在本单位登记" in html
    assert "漠河市" not in html
    assert "乙县居民" not in html


def test_x1_an_import_row_says_the_same_and_the_region_sees_it_even_from_a_dry_run(
    client, tree, registered_in_b, county_user
):
    client.force_login(county_user)
    row = ["随便写", "", registered_in_b, "", "", "", "", "", tree.county_a.code, ""]
    _upload(client, _csv([row]))
    job = ImportJob.objects.get()
    report = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "不能在本单位登记" in report
    assert "漠河市" not in report
    assert Person.objects.count() == 1
    conflict = RegistrationConflict.objects.get()
    assert (conflict.requested_unit, conflict.status) == (tree.county_a, ConflictStatus.OPEN)


def test_x1_the_region_lists_and_resolves_conflicts_on_its_page_and_api(
    client, tree, registered_in_b, county_user, region_admin
):
    client.force_login(county_user)
    client.post(
        "/api/v1/people/",
        {
            "name": "随便写",
            "id_type": "resident_id",
            "id_number": registered_in_b,
            "home_unit": tree.county_a.pk,
        },
        content_type="application/json",
    )
    conflict = RegistrationConflict.objects.get()
    assert client.get("/people/conflicts/").status_code == 200
    assert "乙县居民" not in client.get("/people/conflicts/").content.decode()
    assert client.get(f"/people/conflicts/{conflict.pk}/resolve/").status_code == 404
    client.force_login(region_admin)
    listing = client.get("/people/conflicts/?status=open").content.decode()
    assert "乙县居民" in listing
    assert tree.county_a.name in listing
    api = client.get("/api/v1/people/conflicts/").json()
    assert api["results"][0]["attempts"] == 1
    refused = client.post(f"/people/conflicts/{conflict.pk}/resolve/", {"outcome": "dismiss", "note": ""})
    assert refused.status_code == 400
    done = client.post(
        f"/api/v1/people/conflicts/{conflict.pk}/resolve/",
        {"transfer": False, "note": "证件号码填写错误"},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["status"] == ConflictStatus.DISMISSED
    assert Person.objects.get().home_unit == tree.county_b


def test_x1_an_open_conflict_reminds_whoever_sees_both_sides(
    tree, registered_in_b, county_user, region_admin
):
    from shouhu.alerts.models import Alert, AlertDelivery
    from shouhu.alerts.runner import run_reminders
    from shouhu.common.errors import ConflictError

    with pytest.raises(ConflictError):
        person_register(
            actor=county_user, data=PersonInput(name="x", home_unit=tree.county_a, id_number=registered_in_b)
        )
    run_reminders()
    alert = Alert.objects.get(kind="people.registration_conflict")
    # County A and county B: only the region sees both sides.
    assert set(AlertDelivery.objects.filter(alert=alert).values_list("user", flat=True)) == {region_admin.pk}
    RegistrationConflict.objects.update(status=ConflictStatus.DISMISSED, note="核实无误")
    run_reminders()
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_x1_an_isolation_import_for_a_person_registered_elsewhere_says_the_same_and_opens_a_conflict(
    client, tree, registered_in_b, county_user
):
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "姓名",
            "身份证号",
            "隔离类型",
            "开始日期",
            "计划解除日期",
            "实际解除日期",
            "信息来源",
            "所属单位编码",
        ]
    )
    writer.writerow(["乙县居民", registered_in_b, "集中隔离", "2022-01-04", "", "", "卫健部门推送", ""])
    client.force_login(county_user)
    client.post("/imports/isolations/", {"file": SimpleUploadedFile("i.csv", buffer.getvalue().encode())})
    job = ImportJob.objects.get()
    report = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert "不能在本单位登记" in report
    assert "漠河市" not in report
    assert RegistrationConflict.objects.get().requested_unit == tree.county_a
