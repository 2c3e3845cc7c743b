"""R5: staff education on prevention, recorded through the training mechanism (module rescue,
audience staff), shown per unit as staff trained ÷ staff, lowest first."""

import datetime as dt

import pytest
from django.urls import reverse

from shouhu.accounts.tests.factories import make_user
from shouhu.staffing import selectors
from shouhu.staffing.tests.factories import make_staff
from shouhu.training.services import attendance_add, session_record

pytestmark = pytest.mark.django_db


def _session(unit, actor, *, module="rescue", audience=("staff",), held_on=dt.date(2022, 1, 4)):
    return session_record(
        actor=actor,
        module=module,
        unit=unit,
        held_on=held_on,
        topic="疫情防控知识与个人防护",
        audience=list(audience),
        trainer="地区救助管理站",
        hours=2,
    )


def test_r5_education_coverage_per_unit_from_attendance_lowest_first(plan_campaign, tree):
    clerk = make_user("county_staff", tree.county_a)
    county_staff = [make_staff(tree.county_a) for _ in range(2)]
    home_staff = [make_staff(tree.nursing_home_a) for _ in range(4)]
    session = _session(tree.county_a, clerk)
    for person in [*county_staff, home_staff[0]]:
        attendance_add(actor=clerk, session=session, person=person, role="staff")
    # Another task's session, or one for volunteers, does not count as staff education.
    other = _session(tree.county_a, clerk, module="community", audience=("staff",))
    attendance_add(actor=clerk, session=other, person=home_staff[1], role="staff")

    lines = selectors.education_coverage(viewer=clerk)
    assert [(line.unit, line.trained, line.staff, line.percent) for line in lines] == [
        (tree.nursing_home_a, 1, 4, 25),
        (tree.county_a, 2, 2, 100),
    ]
    assert selectors.education_coverage(viewer=clerk, since=dt.date(2022, 1, 5))[0].trained == 0
    # Another county sees none of it.
    assert selectors.education_coverage(viewer=make_user("county_staff", tree.county_b)) == []


def test_r5_the_education_page_links_to_the_rescue_training_sessions(
    client, plan_campaign, tree, django_assert_max_num_queries
):
    clerk = make_user("county_staff", tree.county_a)
    for unit in (tree.county_a, tree.nursing_home_a, tree.township_a):
        make_staff(unit)
    client.force_login(clerk)
    url = reverse("staffing:education")
    client.get(url)
    with django_assert_max_num_queries(8):
        page = client.get(url)
    assert "/training/?module=rescue" in page.content.decode()
    assert client.get(url + "?since=bad").status_code == 400
    api = client.get("/api/v1/staffing/education/")
    assert api.status_code == 200
    assert len(api.json()) == 3
