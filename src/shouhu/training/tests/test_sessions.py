"""G5: training of community workers, building heads, grid heads and volunteers on the policies,
recorded per session with who attended, in which role; coverage is built from `attended`."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from shouhu.accounts.tests.factories import make_user
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.modules import Module
from shouhu.people.models import Person
from shouhu.training import selectors, services
from shouhu.training.models import Attendance, Audience, TrainingSession
from shouhu.training.tests.factories import id_number, make_person, make_session

pytestmark = pytest.mark.django_db


def test_g5_a_township_records_a_session_and_who_attended(client, tree, township_user, worker):
    client.force_login(township_user)
    response = client.post(
        reverse("training:session_create"),
        {
            "module": Module.COMMUNITY,
            "held_on": "2022-01-04",
            "topic": "疫情防控政策和工作要求",
            "audience": [Audience.GRID_HEAD, Audience.BUILDING_HEAD],
            "trainer": "街道防控办 刘主任",
            "place": "东山街道会议室",
            "hours": "1.5",
        },
    )
    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("training:session_detail", args=[session.pk])
    assert (session.unit, session.module, session.audience) == (
        tree.township_a,
        Module.COMMUNITY,
        [Audience.BUILDING_HEAD, Audience.GRID_HEAD],
    )
    assert session.hours == Decimal("1.5")

    added = client.post(
        reverse("training:attendance_add", args=[session.pk]),
        {"id_number": id_number(1), "role": Audience.GRID_HEAD},
    )
    assert added.status_code == 302
    attendance = Attendance.objects.get()
    assert (attendance.person, attendance.role, attendance.recorded_by) == (
        worker,
        Audience.GRID_HEAD,
        township_user,
    )

    page = client.get(reverse("training:session_detail", args=[session.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "李网格" in html
    assert "网格长" in html
    assert worker.id_number_masked in html
    assert id_number(1) not in html  # the number is masked on screen

    again = client.post(
        reverse("training:attendance_add", args=[session.pk]),
        {"id_number": id_number(1), "role": Audience.BUILDING_HEAD},
    )
    assert again.status_code == 400
    assert "已在本次培训的参训名单中" in again.content.decode()
    assert Attendance.objects.count() == 1


def test_g5_a_person_found_by_name_is_added_and_removed(client, tree, township_user, session_a, worker):
    client.force_login(township_user)
    page = client.get(reverse("training:session_detail", args=[session_a.pk]), {"q": "李网"})
    assert "李网格" in page.content.decode()
    client.post(
        reverse("training:attendance_pick", args=[session_a.pk]),
        {"person": worker.pk, "role": Audience.COMMUNITY_WORKER},
    )
    attendance = Attendance.objects.get(session=session_a)
    assert attendance.role == Audience.COMMUNITY_WORKER
    removed = client.post(
        reverse("training:attendance_remove", args=[session_a.pk]), {"attendance": attendance.pk}
    )
    assert removed.status_code == 302
    assert not Attendance.objects.exists()


def test_g5_the_audience_is_validated(tree, township_user, session_a, worker):
    with pytest.raises(DomainError) as unknown:
        make_session(tree.township_a, audience=("grid_head", "mayor"))
    assert "audience" in unknown.value.field_errors
    with pytest.raises(DomainError) as empty:
        make_session(tree.township_a, audience=())
    assert empty.value.field_errors["audience"] == ["请至少选择一类培训对象"]
    with pytest.raises(DomainError) as too_long:
        make_session(tree.township_a, hours=Decimal("25"))
    assert "hours" in too_long.value.field_errors
    with pytest.raises(DomainError) as future:
        make_session(tree.township_a, held_on=dt.date(2022, 1, 6))
    assert "held_on" in future.value.field_errors
    # Stored once each, in the choices' order, whatever the order given.
    session = make_session(tree.township_a, audience=("volunteer", "grid_head", "volunteer"))
    assert session.audience == [Audience.GRID_HEAD, Audience.VOLUNTEER]

    # An attendee's role is one of the session's audience.
    with pytest.raises(DomainError) as outside:
        services.attendance_add(
            actor=township_user, session=session_a, person=worker, role=Audience.VOLUNTEER
        )
    assert "role" in outside.value.field_errors
    services.attendance_add(actor=township_user, session=session_a, person=worker, role=Audience.GRID_HEAD)
    # …and the audience cannot drop a role someone attended in.
    with pytest.raises(ConflictError):
        services.session_update(
            actor=township_user,
            session=session_a,
            held_on=session_a.held_on,
            topic=session_a.topic,
            audience=[Audience.BUILDING_HEAD],
            trainer=session_a.trainer,
            hours=session_a.hours,
        )
    updated = services.session_update(
        actor=township_user,
        session=session_a,
        held_on=dt.date(2022, 1, 3),
        topic="防控政策（第二讲）",
        audience=[Audience.GRID_HEAD, Audience.VOLUNTEER],
        trainer="刘主任",
        hours="3",
    )
    assert (updated.topic, updated.audience, updated.hours) == (
        "防控政策（第二讲）",
        [Audience.GRID_HEAD, Audience.VOLUNTEER],
        Decimal("3"),
    )


def test_g5_the_session_form_refuses_an_empty_audience(client, township_user):
    client.force_login(township_user)
    response = client.post(
        reverse("training:session_create"),
        {"module": "community", "held_on": "2022-01-04", "topic": "培训", "trainer": "王", "hours": "1"},
    )
    assert response.status_code == 400
    assert not TrainingSession.objects.exists()


def _trained(people, **conditions) -> dict[str, bool]:
    rows = people.annotate(trained=selectors.attended(person_ref="pk", **conditions))
    return {person.name: person.trained for person in rows.order_by("name")}


def test_g5_attended_is_true_only_for_the_module_role_and_date_asked(tree):
    grid = make_person(tree.village_a, "甲网格员")
    volunteer = make_person(tree.village_a, "乙志愿者")
    make_person(tree.village_a, "丙未参训")
    early = make_session(tree.township_a, held_on=dt.date(2021, 12, 20), audience=("grid_head", "volunteer"))
    services.attendance_add(actor=None, session=early, person=grid, role=Audience.GRID_HEAD)
    services.attendance_add(actor=None, session=early, person=volunteer, role=Audience.VOLUNTEER)
    late = make_session(tree.township_a, module=Module.VACCINATION, audience=("volunteer",))
    services.attendance_add(actor=None, session=late, person=volunteer, role=Audience.VOLUNTEER)
    people = Person.objects.filter(home_unit=tree.village_a)

    assert _trained(people) == {"丙未参训": False, "乙志愿者": True, "甲网格员": True}
    assert _trained(people, module=Module.COMMUNITY) == {
        "丙未参训": False,
        "乙志愿者": True,
        "甲网格员": True,
    }
    assert _trained(people, module=Module.VACCINATION) == {
        "丙未参训": False,
        "乙志愿者": True,
        "甲网格员": False,
    }
    assert _trained(people, roles=[Audience.GRID_HEAD]) == {
        "丙未参训": False,
        "乙志愿者": False,
        "甲网格员": True,
    }
    assert _trained(people, module=Module.COMMUNITY, since=dt.date(2022, 1, 1)) == {
        "丙未参训": False,
        "乙志愿者": False,
        "甲网格员": False,
    }
    assert _trained(people, since=dt.date(2022, 1, 1)) == {
        "丙未参训": False,
        "乙志愿者": True,
        "甲网格员": False,
    }
    # A roster whose rows point at people through a field (person_id by default).
    attendances = Attendance.objects.filter(session=early).annotate(
        again=selectors.attended(module=Module.VACCINATION)
    )
    assert {a.person.name: a.again for a in attendances} == {"甲网格员": False, "乙志愿者": True}


def test_g5_attendees_come_from_the_organisers_scope(client, tree, township_user, session_a):
    other_county = make_person(tree.village_b, "他县人员", id_number=id_number(2))
    beside = make_person(tree.nursing_home_a, "县内他处", id_number=id_number(3))
    for person in (other_county, beside):
        with pytest.raises(DomainError) as refused:
            services.attendance_add(
                actor=township_user, session=session_a, person=person, role=Audience.GRID_HEAD
            )
        assert refused.value.code == "person_outside_unit"
    client.force_login(township_user)
    answers = {
        client.post(
            reverse("training:attendance_add", args=[session_a.pk]),
            {"id_number": number, "role": "grid_head"},
        )
        .content.decode()
        .count("未找到该证件号码的人员")
        for number in (id_number(2), id_number(3), id_number(99))
    }
    assert answers == {1}  # the same answer for a number outside scope and one nobody holds
    assert not Attendance.objects.exists()


def test_g5_scope_of_sessions(client, tree, session_a, other_county_user, county_user):
    other = make_session(tree.county_b, topic="漠河市防控培训")
    eldercare_b = make_session(
        tree.county_b, module=Module.ELDERCARE, topic="养老机构工作人员培训", audience=("staff",)
    )
    assert set(selectors.session_list(viewer=county_user)) == {session_a}
    assert set(selectors.session_list(viewer=other_county_user)) == {other, eldercare_b}
    coordinator = make_user("department_coordinator", tree.department)  # coordinates eldercare
    assert set(selectors.session_list(viewer=coordinator)) == {eldercare_b}
    region = make_user("leader", tree.region)
    assert set(selectors.session_list(viewer=region)) == {session_a, other, eldercare_b}

    client.force_login(other_county_user)
    assert client.get(reverse("training:session_detail", args=[session_a.pk])).status_code == 404
    # A reader above may see the session, but only the organiser and the units above it change it.
    client.force_login(region)
    assert client.get(reverse("training:session_detail", args=[session_a.pk])).status_code == 200
    assert client.get(reverse("training:session_update", args=[session_a.pk])).status_code == 403
    village_user = make_user("village_staff", tree.village_a)
    client.force_login(village_user)
    assert client.get(reverse("training:session_detail", args=[session_a.pk])).status_code == 404
    with pytest.raises(DomainError):
        services.session_update(
            actor=village_user,
            session=session_a,
            held_on=session_a.held_on,
            topic="改",
            audience=session_a.audience,
            trainer="王",
            hours="1",
        )
    with pytest.raises(DomainError) as elsewhere:
        make_session(tree.county_b, actor=county_user)
    assert "unit" in elsewhere.value.field_errors


def test_g5_the_list_filters_by_module_and_date_in_fixed_queries(
    client, tree, county_user, django_assert_num_queries
):
    for day in (3, 4):
        session = make_session(tree.township_a, held_on=dt.date(2022, 1, day), topic=f"社区防控{day}日")
        services.attendance_add(
            actor=None, session=session, person=make_person(tree.village_a, f"人{day}"), role="grid_head"
        )
    make_session(tree.county_a, module=Module.RESCUE, topic="救助站防控教育", audience=("staff",))
    client.force_login(county_user)
    client.get(reverse("training:session_list"))  # warm the session and the user
    with django_assert_num_queries(7):
        page = client.get(reverse("training:session_list"), {"module": "community"})
    html = page.content.decode()
    assert "社区防控3日" in html
    assert "社区防控4日" in html
    assert "救助站防控教育" not in html
    dated = client.get(reverse("training:session_list"), {"date_from": "2022-01-04"}).content.decode()
    assert "社区防控4日" in dated
    assert "社区防控3日" not in dated
    export = client.get(reverse("training:session_list"), {"module": "rescue", "export": "xlsx"})
    assert export.status_code == 200
