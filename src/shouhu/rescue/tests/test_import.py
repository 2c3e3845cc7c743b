"""R2 × X4: rescued people imported from a station's register; every bad row reported."""

import pytest

from shouhu.common.importing import importer_for, read_import, run_import, template_xlsx
from shouhu.rescue.models import RescuedPerson

pytestmark = pytest.mark.django_db


def test_r2_rescued_people_import_reports_every_bad_row(plan_campaign, station_a, station_b, county_user):
    importer = importer_for("rescue_rescued")
    assert importer is not None
    rows = (
        "救助管理机构,姓名,性别,大致年龄,体貌特征,发现地点,入站日期\n"
        f"{station_a.name},,男,50,灰色棉袄,火车站,2022-01-04\n"
        f"{station_a.code},刘某,女,,,,2022/1/5\n"
        f"{station_b.name},他县人,男,40,,,2022-01-05\n"
        f"{station_a.name},,男,,,,2022-01-05\n"
        f"{station_a.name},赵某,外星,300,,,明天\n"
    )
    table = read_import(importer, "rescued.csv", rows.encode())
    report = run_import(
        importer=importer, actor=county_user, table=table, dry_run=False, import_valid_rows=True
    )
    assert report.created == 2
    assert sorted({e.row for e in report.errors}) == [4, 5, 6]
    numbers = sorted(RescuedPerson.objects.values_list("temp_number", flat=True))
    assert numbers == [f"{station_a.code}-20220104-001", f"{station_a.code}-20220105-001"]
    assert template_xlsx(importer)[:2] == b"PK"


def test_r2_an_import_with_errors_writes_nothing_unless_asked(plan_campaign, station_a, county_user):
    importer = importer_for("rescue_rescued")
    rows = f"救助管理机构,体貌特征,入站日期\n{station_a.name},灰色棉袄,2022-01-05\n{station_a.name},,2022-01-05\n"
    table = read_import(importer, "rescued.csv", rows.encode())
    report = run_import(importer=importer, actor=county_user, table=table, dry_run=False)
    assert report.error_rows == 1
    assert not RescuedPerson.objects.exists()
