"""E1: closed management — nobody in or out, visitors refused at the door, shifts recorded."""

import datetime as dt
from decimal import Decimal

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.common.errors import ConflictError, DomainError
from shouhu.eldercare import selectors, services
from shouhu.eldercare.models import Closure, Direction, Movement, MovementOutcome, Shift
from shouhu.eldercare.tests.factories import make_closure, make_home, make_member
from shouhu.screening import services as screening_services
from shouhu.screening.models import RefusalReason, Verdict
from shouhu.screening.rules import Facts

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def staff(tree):
    return make_user("institution_staff", tree.nursing_home_a)


@pytest.fixture
def resident(tree):
    return make_member(tree.nursing_home_a, "李大爷")


def test_e1_a_closed_home_refuses_a_visitor_at_screening_with_reason_closed_management(tree, plan_campaign):
    make_closure(tree.nursing_home_a, dt.date(2022, 1, 3))
    screening = screening_services.screening_record(
        actor=None,
        unit=tree.nursing_home_a,
        facts=Facts(temperature=Decimal("36.5")),
        visitor_name="探视家属",
        visitor_phone="13800138000",
    )
    assert screening.verdict == Verdict.REFUSED
    assert RefusalReason.CLOSED in screening.reason_codes
    assert any("封闭管理" in reason for reason in screening.reason_list)
    # The other county's home is open: the same visitor is admitted there.
    open_home = screening_services.screening_record(
        actor=None, unit=tree.nursing_home_b, facts=Facts(temperature=Decimal("36.5")), visitor_name="访客"
    )
    assert open_home.verdict == Verdict.ADMITTED


def test_e1_the_closure_check_ends_with_the_closure(tree, plan_campaign):
    closure = make_closure(tree.nursing_home_a, dt.date(2022, 1, 1))
    assert "封闭管理" in (selectors.closure_check(tree.nursing_home_a, dt.date(2022, 1, 5)) or "")
    services.closure_end(actor=None, closure=closure, last_day=dt.date(2022, 1, 5), note="解除通知")
    assert selectors.closure_check(tree.nursing_home_a, dt.date(2022, 1, 5))
    assert selectors.closure_check(tree.nursing_home_a, dt.date(2022, 1, 6)) is None
    assert selectors.closure_check(tree.county_a, dt.date(2022, 1, 5)) is None


def test_e1_a_residents_exit_from_a_closed_home_is_refused_and_recorded(tree, plan_campaign, resident, staff):
    make_closure(tree.nursing_home_a)
    with pytest.raises(ConflictError) as refused:
        services.movement_request(
            actor=staff,
            home=tree.nursing_home_a,
            person=resident,
            direction=Direction.OUT,
            purpose="回家过年",
        )
    assert refused.value.code == "closed_management"
    assert "不进不出" in refused.value.message
    assert "李大爷不能外出" in refused.value.message
    movement = Movement.objects.get()
    assert (movement.outcome, movement.person, movement.recorded_by) == (
        MovementOutcome.REFUSED,
        resident,
        staff,
    )


def test_e1_an_exception_needs_a_named_approver_and_a_reason(tree, plan_campaign, resident, staff):
    make_closure(tree.nursing_home_a)
    with pytest.raises(DomainError) as half:
        services.movement_request(
            actor=staff,
            home=tree.nursing_home_a,
            person=resident,
            direction=Direction.OUT,
            purpose="就医",
            approver="张院长",
        )
    assert "批准理由" in half.value.message
    assert not Movement.objects.exists()  # nothing half-saved
    movement = services.movement_request(
        actor=staff,
        home=tree.nursing_home_a,
        person=resident,
        direction=Direction.OUT,
        purpose="就医",
        approver="张院长",
        approval_reason="急诊转院，120接送",
    )
    assert movement.outcome == MovementOutcome.EXCEPTION
    assert movement.closure is not None
    assert (movement.approver, movement.approval_reason) == ("张院长", "急诊转院，120接送")


def test_e1_movements_of_an_open_home_are_only_recorded(tree, plan_campaign, resident):
    movement = services.movement_request(
        actor=None, home=tree.nursing_home_a, person=resident, direction=Direction.IN, purpose="返院"
    )
    assert movement.outcome == MovementOutcome.ALLOWED
    assert movement.closure is None
    assert Movement.objects.get() == movement


def test_e1_only_people_of_the_home_move_through_it(tree, plan_campaign):
    stranger = make_member(tree.nursing_home_b, "外院老人")
    with pytest.raises(DomainError, match="不是加格达奇区社会福利中心登记的入住老人或工作人员"):
        services.movement_request(
            actor=None, home=tree.nursing_home_a, person=stranger, direction=Direction.OUT, purpose="外出"
        )
    assert not Movement.objects.exists()  # refused as bad input: not even a refusal is recorded


def test_e1_overlapping_closures_are_refused_and_ends_checked(tree, plan_campaign):
    closure = make_closure(tree.nursing_home_a, dt.date(2022, 1, 1))
    with pytest.raises(ConflictError, match="时间重叠"):
        make_closure(tree.nursing_home_a, dt.date(2022, 1, 10))
    with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
        services.closure_end(actor=None, closure=closure, last_day=dt.date(2021, 12, 31))
    assert Closure.objects.get().ends_on is None


def test_e1_shifts_inside_a_closure_are_recorded(tree, plan_campaign, resident, staff):
    nurse = make_member(tree.nursing_home_a, "护理员小周", staff=True)
    closure = make_closure(tree.nursing_home_a, dt.date(2022, 1, 3))
    shift = services.shift_record(
        actor=staff,
        closure=closure,
        person=nurse,
        starts_at=dt.datetime(2022, 1, 4, 8, tzinfo=TZ),
        ends_at=dt.datetime(2022, 1, 4, 20, tzinfo=TZ),
        post="护理",
    )
    assert shift.recorded_by == staff
    with pytest.raises(DomainError, match="封闭期内"):
        services.shift_record(
            actor=staff,
            closure=closure,
            person=nurse,
            starts_at=dt.datetime(2022, 1, 1, 8, tzinfo=TZ),
            ends_at=dt.datetime(2022, 1, 1, 20, tzinfo=TZ),
        )
    with pytest.raises(DomainError, match="不是加格达奇区社会福利中心的工作人员"):
        services.shift_record(
            actor=staff,
            closure=closure,
            person=resident,
            starts_at=dt.datetime(2022, 1, 4, 8, tzinfo=TZ),
            ends_at=dt.datetime(2022, 1, 4, 20, tzinfo=TZ),
        )
    assert Shift.objects.count() == 1


def test_e1_the_movement_page_refuses_with_the_reason_and_records_an_approved_exception(
    client, tree, plan_campaign, resident, staff
):
    make_closure(tree.nursing_home_a)
    client.force_login(staff)
    url = f"/eldercare/homes/{tree.nursing_home_a.pk}/movements/new/"
    assert "封闭管理中" in client.get(url).content.decode()
    data = {"person": resident.pk, "direction": "out", "purpose": "探亲"}
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "人员不进不出" in refused.content.decode()
    approved = client.post(url, data | {"approver": "张院长", "approval_reason": "直系亲属病危"})
    assert approved.status_code == 302
    assert list(Movement.objects.order_by("pk").values_list("outcome", flat=True)) == ["refused", "exception"]


def test_e1_closure_pages_start_and_end_a_closure(client, tree, plan_campaign, staff):
    client.force_login(staff)
    response = client.post(
        f"/eldercare/homes/{tree.nursing_home_a.pk}/closures/new/",
        {"starts_on": "2022-01-05", "directive": "大防指〔2022〕1号"},
    )
    closure = Closure.objects.get()
    assert response["Location"] == f"/eldercare/closures/{closure.pk}/"
    assert "大防指〔2022〕1号" in client.get(response["Location"]).content.decode()
    bad = client.post(f"/eldercare/closures/{closure.pk}/end/", {"last_day": "2022-01-01"})
    assert bad.status_code == 400
    assert "结束日期不能早于开始日期" in bad.content.decode()
    client.post(f"/eldercare/closures/{closure.pk}/end/", {"last_day": "2022-01-20", "note": "解除"})
    closure.refresh_from_db()
    assert closure.ends_on == dt.date(2022, 1, 20)


def test_e1_api_movement_out_of_a_closed_home_is_a_409_in_chinese(
    client, tree, plan_campaign, resident, staff
):
    make_closure(tree.nursing_home_a)
    client.force_login(staff)
    body = {"home": tree.nursing_home_a.pk, "person": resident.pk, "direction": "out", "purpose": "外出购物"}
    response = client.post("/api/v1/eldercare/movements/", body, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "closed_management"
    assert "不进不出" in response.json()["error"]["message"]
    assert Movement.objects.get().outcome == MovementOutcome.REFUSED


def test_e1_another_countys_closure_is_404_on_pages_and_api(client, tree, plan_campaign, county_user):
    other = make_closure(tree.nursing_home_b)
    client.force_login(county_user)
    assert client.get(f"/eldercare/closures/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/eldercare/closures/{other.pk}/").status_code == 404
    assert client.get(f"/eldercare/closures/{other.pk}/end/").status_code == 404
    listed = client.get("/api/v1/eldercare/closures/").json()
    assert listed["count"] == 0


def test_e1_closure_list_queries_do_not_grow_with_rows(
    client, tree, plan_campaign, region_admin, django_assert_max_num_queries
):
    for number in range(6):
        make_closure(make_home(tree.county_a, f"第{number}敬老院"))
    client.force_login(region_admin)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/eldercare/closures/")
    assert response.json()["count"] == 6
    with django_assert_max_num_queries(16):
        page = client.get("/eldercare/")
    assert page.content.decode().count("封闭中") == 6
