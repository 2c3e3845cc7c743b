"""V2/X4: a dose file need not list a person's doses in order."""

import pytest

from shouhu.vaccination import selectors
from shouhu.vaccination.models import VaccineDose
from shouhu.vaccination.tests.factories import make_person
from shouhu.vaccination.tests.test_todo import _import

pytestmark = pytest.mark.django_db


def test_v2_x4_doses_out_of_order_in_one_file_are_recorded_in_order(tree, county_user):
    a = make_person(tree.village_a, "张三")
    b = make_person(tree.nursing_home_a, "李四")
    rows = [
        ["张三", a.id_number, "2021-12-30", "国药北京生物", "加强针", ""],  # row 2
        ["李四", b.id_number, "2021-07-29", "北京科兴", "第二剂", ""],  # row 3
        ["张三", a.id_number, "2021-06-29", "国药北京生物", "2", ""],  # row 4
        ["李四", b.id_number, "2021-07-01", "北京科兴", "第1剂", ""],  # row 5
        ["张三", a.id_number, "2021-06-01", "国药北京生物", "1", ""],  # row 6
        ["李四", b.id_number, "2021-07-02", "北京科兴", "1", ""],  # row 7: dose 1 again, another day
        ["张三", a.id_number, "2021-06-20", "国药北京生物", "剂次不明", ""],  # row 8
    ]
    report = _import(county_user, rows, valid_rows=True)
    assert report.created == 5
    # Errors keep the rows' own numbers, whatever order they were imported in.
    assert [(e.row, e.column) for e in report.errors] == [(7, "剂次"), (8, "剂次")]
    assert "第1剂已登记（2021-07-01" in report.errors[0].message
    assert "剂次“剂次不明”应填数字" in report.errors[1].message
    doses = {(d.person.name, d.dose_number): d.vaccinated_on.isoformat() for d in VaccineDose.objects.all()}
    assert doses == {
        ("张三", 1): "2021-06-01",
        ("张三", 2): "2021-06-29",
        ("张三", 3): "2021-12-30",
        ("李四", 1): "2021-07-01",
        ("李四", 2): "2021-07-29",
    }
    people = selectors.with_status(selectors.person_visible(viewer=county_user)).order_by("pk")
    assert [p.vaccination_status for p in people] == ["booster", "completed"]
