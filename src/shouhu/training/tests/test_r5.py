"""R5: staff education on prevention recorded — a rescue station's staff, module rescue."""

import pytest
from django.urls import reverse

from shouhu.accounts.tests.factories import make_user
from shouhu.common.modules import Module
from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.people.models import Person
from shouhu.training import selectors
from shouhu.training.models import Attendance, Audience, TrainingSession
from shouhu.training.tests.factories import id_number, make_person

pytestmark = pytest.mark.django_db


def test_r5_a_rescue_station_records_its_staffs_prevention_education(client, tree):
    station = make_unit(
        tree.county_a, UnitKind.INSTITUTION, "加格达奇区救助管理站", institution_type="rescue_station"
    )
    staff_user = make_user("institution_staff", station)
    trained = make_person(station, "救助站职工甲", id_number=id_number(11))
    make_person(station, "救助站职工乙", id_number=id_number(12))
    client.force_login(staff_user)

    created = client.post(
        reverse("api-training-session-record"),
        {
            "module": Module.RESCUE,
            "held_on": "2022-01-05",
            "topic": "流浪乞讨人员救助管理机构疫情防控知识教育",
            "audience": [Audience.STAFF],
            "trainer": "站长 赵某",
            "hours": "2",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    session = TrainingSession.objects.get()
    assert (session.unit, session.module, session.audience) == (station, Module.RESCUE, [Audience.STAFF])

    added = client.post(
        reverse("api-training-attendance-add", args=[session.pk]),
        {"id_number": id_number(11), "role": Audience.STAFF},
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    assert added.json()["id_number"] == trained.id_number_masked
    assert Attendance.objects.get().person == trained

    detail = client.get(reverse("api-training-session-detail", args=[session.pk])).json()
    assert [a["person_name"] for a in detail["attendances"]] == ["救助站职工甲"]
    assert id_number(11) not in str(detail)

    # The station's staff coverage: who attended rescue's prevention education as staff.
    staff = Person.objects.filter(home_unit=station).annotate(
        educated=selectors.attended(person_ref="pk", module=Module.RESCUE, roles=[Audience.STAFF])
    )
    assert {p.name: p.educated for p in staff} == {"救助站职工甲": True, "救助站职工乙": False}

    listed = client.get(reverse("api-training-session-list"), {"module": "rescue"}).json()
    assert [s["attendee_count"] for s in listed["results"]] == [1]
    removed = client.post(
        reverse("api-training-attendance-remove", args=[session.pk]),
        {"attendance": Attendance.objects.get().pk},
        content_type="application/json",
    )
    assert removed.status_code == 204
    assert not Attendance.objects.exists()


def test_r5_a_session_is_changed_only_from_its_unit_or_above(client, tree):
    station = make_unit(tree.county_a, UnitKind.INSTITUTION, "救助管理站", institution_type="rescue_station")
    make_person(station, "职工", id_number=id_number(13))
    county = make_user("county_staff", tree.county_a)
    client.force_login(county)
    created = client.post(
        reverse("api-training-session-record"),
        {
            "module": "rescue",
            "unit": station.pk,
            "held_on": "2022-01-04",
            "topic": "防控教育",
            "audience": ["staff"],
            "trainer": "县民政局",
            "hours": "1",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    session_id = created.json()["id"]
    other_station = make_unit(
        tree.county_a, UnitKind.INSTITUTION, "另一机构", institution_type="rescue_station"
    )
    client.force_login(make_user("institution_staff", other_station))
    refused = client.post(
        reverse("api-training-attendance-add", args=[session_id]),
        {"id_number": id_number(13), "role": "staff"},
        content_type="application/json",
    )
    assert refused.status_code == 404
    client.force_login(make_user("leader", tree.region))
    assert client.get(reverse("api-training-session-detail", args=[session_id])).status_code == 200
    assert (
        client.post(
            reverse("api-training-attendance-add", args=[session_id]),
            {"id_number": id_number(13), "role": "staff"},
            content_type="application/json",
        ).status_code
        == 403
    )
