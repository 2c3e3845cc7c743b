"""R4 (first half): leave requests (请假), their approval and the return (销假)."""

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse

from shouhu.accounts.tests.factories import make_user
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.today import registered_works
from shouhu.staffing import reminders, selectors, services
from shouhu.staffing.models import LeaveStatus, StaffAccount, StaffingPolicy
from shouhu.staffing.tests.factories import make_leave, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_a(tree):
    return make_staff(tree.county_a, "王丽")


@pytest.fixture
def clerk_a(tree):
    return make_user("county_staff", tree.county_a)


@pytest.fixture
def head_a(tree):
    return make_user("county_staff", tree.county_a)


def test_r4_leave_flow_file_approve_and_return(plan_campaign, staff_a, clerk_a, head_a):
    leave = make_leave(staff_a, filed_by=clerk_a, starts_on=dt.date(2022, 1, 3), days=2)
    assert leave.status == LeaveStatus.PENDING
    assert leave.unit == staff_a.home_unit
    services.leave_approve(actor=head_a, leave=leave)
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == (LeaveStatus.APPROVED, head_a)
    with pytest.raises(ConflictError):
        services.leave_approve(actor=head_a, leave=leave)
    services.leave_return(actor=clerk_a, leave=leave, returned_on=dt.date(2022, 1, 5))
    leave.refresh_from_db()
    assert (leave.status, leave.returned_on) == (LeaveStatus.RETURNED, dt.date(2022, 1, 5))


def test_r4_refusal_needs_a_reason_and_a_refused_leave_cannot_be_returned(
    plan_campaign, staff_a, clerk_a, head_a
):
    leave = make_leave(staff_a, filed_by=clerk_a)
    with pytest.raises(DomainError) as refused:
        services.leave_refuse(actor=head_a, leave=leave, reason="  ")
    assert "理由" in refused.value.message
    services.leave_refuse(actor=head_a, leave=leave, reason="疫情防控期间非必要不出区")
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.REFUSED
    assert leave.refusal_reason
    with pytest.raises(ConflictError):
        services.leave_return(actor=clerk_a, leave=leave, returned_on=dt.date(2022, 1, 5))


def test_r4_the_approver_is_never_the_requester(plan_campaign, tree, staff_a, clerk_a, head_a):
    leave = make_leave(staff_a, filed_by=clerk_a)
    with pytest.raises(DomainError) as own_filing:
        services.leave_approve(actor=clerk_a, leave=leave)
    assert own_filing.value.message == "审批人不能是申请提交人"
    # The person's own account may not approve a request filed for them by a clerk either.
    StaffAccount.objects.create(user=head_a, person=staff_a)
    with pytest.raises(DomainError) as own_leave:
        services.leave_approve(actor=head_a, leave=leave)
    assert own_leave.value.message == "不能审批本人的申请"
    # Nor may a unit below, nor another county's head; the unit above (the region) may.
    township = make_user("county_staff", tree.township_a)
    with pytest.raises(DomainError):
        services.leave_approve(actor=township, leave=leave)
    with pytest.raises(DomainError):
        services.leave_approve(actor=make_user("county_staff", tree.county_b), leave=leave)
    clerk_only = make_user("township_staff", tree.county_a)  # files, never approves
    with pytest.raises(DomainError):
        services.leave_approve(actor=clerk_only, leave=leave)
    services.leave_approve(actor=make_user("region_admin", tree.region), leave=leave)
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED


def test_r4_the_database_refuses_an_approver_who_filed(plan_campaign, staff_a, clerk_a):
    from django.db import IntegrityError, transaction

    leave = make_leave(staff_a, filed_by=clerk_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(leave).objects.filter(pk=leave.pk).update(
            status=LeaveStatus.APPROVED, decided_by=clerk_a, decided_at=clock.now()
        )


def test_r4_one_open_leave_per_person_for_the_same_days(plan_campaign, staff_a, clerk_a, head_a):
    first = make_leave(staff_a, filed_by=clerk_a, starts_on=dt.date(2022, 1, 10), days=5)
    with pytest.raises(ConflictError) as clash:
        make_leave(staff_a, filed_by=clerk_a, starts_on=dt.date(2022, 1, 12), days=2)
    assert "已有请假" in clash.value.message
    services.leave_refuse(actor=head_a, leave=first, reason="人手不足")
    make_leave(staff_a, filed_by=clerk_a, starts_on=dt.date(2022, 1, 12), days=2)  # refused frees the days


def test_r4_dates_are_checked_and_only_staff_may_request(plan_campaign, tree, staff_a, clerk_a):
    with pytest.raises(DomainError) as backwards:
        make_leave(staff_a, filed_by=clerk_a, starts_on=dt.date(2022, 1, 10), days=0)
    assert "ends_on" in backwards.value.field_errors
    from shouhu.people.services import PersonInput, person_register

    resident = person_register(actor=None, data=PersonInput(name="李大爷", home_unit=tree.county_a)).person
    with pytest.raises(DomainError) as not_staff:
        make_leave(resident, filed_by=clerk_a)
    assert not_staff.value.code == "not_staff"
    with pytest.raises(DomainError) as outside:
        make_leave(make_staff(tree.county_b), filed_by=clerk_a)
    assert outside.value.code == "person_out_of_scope"


def test_r4_a_leave_past_its_end_without_return_is_overdue_on_today_and_reminded(
    plan_campaign, tree, staff_a, clerk_a, head_a
):
    # Fixed clock: 2022-01-05. Grace (policy) 1 day: a leave ending 01-03 is overdue, 01-04 due today.
    grace = StaffingPolicy.objects.get(campaign=plan_campaign).return_grace_days
    assert grace == 1
    overdue = make_leave(staff_a, filed_by=clerk_a, starts_on=dt.date(2022, 1, 1), days=3)
    due = make_leave(make_staff(tree.county_a), filed_by=clerk_a, starts_on=dt.date(2022, 1, 2), days=3)
    overdue, due = (services.leave_approve(actor=head_a, leave=leave) for leave in (overdue, due))
    policy = StaffingPolicy.objects.get(campaign=plan_campaign)
    today = clock.today()
    assert selectors.leave_is_overdue(overdue, today=today, policy=policy)
    assert not selectors.leave_is_overdue(due, today=today, policy=policy)

    tallies = selectors.today_returns(within=tree.region.path, today=today, viewer_id=head_a.pk)
    assert [(t.unit_id, t.due, t.done, t.overdue) for t in tallies] == [(tree.county_a.pk, 1, 0, 1)]
    assert "staffing.returns" in {w.key for w in registered_works()}

    found = list(reminders.overdue_returns(today))
    assert [r.target for r in found] == [overdue]
    assert found[0].still_due()
    services.leave_return(actor=clerk_a, leave=overdue, returned_on=today)
    assert not found[0].still_due()
    assert list(reminders.overdue_returns(today)) == []

    # The next day, the one due today is overdue too.
    with clock.frozen(clock.now() + dt.timedelta(days=1)):
        tomorrow = clock.today()
        assert [r.target for r in reminders.overdue_returns(tomorrow)] == [due]


def test_r4_leave_decisions_on_today_count_waiting_and_late(plan_campaign, tree, staff_a, clerk_a, head_a):
    make_leave(staff_a, filed_by=clerk_a, starts_on=dt.date(2022, 1, 5), days=1)  # starts today: late
    later = make_leave(make_staff(tree.county_a), filed_by=clerk_a, starts_on=dt.date(2022, 1, 20), days=1)
    make_leave(make_staff(tree.county_a), filed_by=clerk_a, starts_on=dt.date(2022, 1, 21), days=1)
    services.leave_approve(actor=head_a, leave=later)
    with_queries = selectors.today_leave_decisions(within="", today=clock.today(), viewer_id=head_a.pk)
    assert [(t.due, t.done, t.overdue) for t in with_queries] == [(2, 1, 1)]


# --- Pages and API ---------------------------------------------------------------------------------


def test_r4_pages_file_approve_and_return_on_the_phone(client, plan_campaign, staff_a, clerk_a, head_a):
    client.force_login(clerk_a)
    response = client.post(
        reverse("staffing:leave_create"),
        {
            "person": staff_a.pk,
            "kind": "annual",
            "starts_on": "2022-01-03",
            "ends_on": "2022-01-04",
            "reason": "年休",
        },
    )
    assert response.status_code == 302
    leave = selectors.leave_list(viewer=clerk_a).get()
    page = client.get(reverse("staffing:leave_detail", args=[leave.pk]))
    assert "审批人不能是申请提交人" in page.content.decode()
    assert client.post(reverse("staffing:leave_approve", args=[leave.pk])).status_code in (400, 403)

    client.force_login(head_a)
    page = client.get(reverse("staffing:leave_detail", args=[leave.pk]))
    assert 'data-testid="approve"' in page.content.decode()
    assert client.post(reverse("staffing:leave_approve", args=[leave.pk])).status_code == 302
    assert (
        client.post(reverse("staffing:leave_return", args=[leave.pk]), {"returned_on": ""}).status_code == 400
    )
    assert (
        client.post(
            reverse("staffing:leave_return", args=[leave.pk]), {"returned_on": "2022-01-05"}
        ).status_code
        == 302
    )
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.RETURNED


def test_r4_leave_list_and_export_in_a_fixed_number_of_queries(
    client, plan_campaign, tree, clerk_a, django_assert_max_num_queries
):
    for _ in range(6):
        make_leave(make_staff(tree.county_a), filed_by=clerk_a)
    client.force_login(clerk_a)
    url = reverse("staffing:leave_list")
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    for _ in range(6):
        make_leave(make_staff(tree.county_a), filed_by=clerk_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    export = client.get(url + "?export=xlsx")
    assert "spreadsheetml" in export["Content-Type"]


def test_r4_api_files_and_refuses_the_filer_as_approver(client, plan_campaign, staff_a, clerk_a, head_a):
    client.force_login(clerk_a)
    created = client.post(
        "/api/v1/staffing/leaves/",
        {
            "person": staff_a.pk,
            "kind": "sick",
            "starts_on": "2022-01-06",
            "ends_on": "2022-01-07",
            "reason": "感冒",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    leave_id = created.json()["id"]
    refused = client.post(f"/api/v1/staffing/leaves/{leave_id}/approve/", content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "not_the_approver"
    client.force_login(head_a)
    approved = client.post(f"/api/v1/staffing/leaves/{leave_id}/approve/", content_type="application/json")
    assert approved.json()["status"] == "approved"


def test_r4_a_unit_sees_its_own_and_its_subtrees_staff_only(plan_campaign, tree, clerk_a):
    own = make_leave(make_staff(tree.county_a), filed_by=clerk_a)
    below = make_leave(make_staff(tree.township_a), filed_by=clerk_a)
    other = make_leave(make_staff(tree.county_b), filed_by=make_user("county_staff", tree.county_b))
    assert set(selectors.leave_list(viewer=clerk_a)) == {own, below}
    township = make_user("township_staff", tree.township_a)
    assert set(selectors.leave_list(viewer=township)) == {below}
    # A department coordinator reads its own department's staff, not the counties'.
    coordinator = make_user("department_coordinator", tree.department)
    assert set(selectors.leave_list(viewer=coordinator)) == set()
    assert set(selectors.leave_list(viewer=make_user("leader", tree.region))) == {own, below, other}
    with pytest.raises(Http404):
        selectors.access_leave(clerk_a, other.pk)
