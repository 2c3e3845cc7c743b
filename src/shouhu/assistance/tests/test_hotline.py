"""A11: every call to the assistance hotline is logged, answered and closed within the policy's
hours; breaches alert the county; a call can open a temporary-assistance grant. Built on the one
mechanism for requests from the public (`shouhu.inquiries`)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts import runner
from shouhu.alerts.models import Alert
from shouhu.alerts.selectors import inbox
from shouhu.assistance import services
from shouhu.assistance.models import AssistancePolicy, AssistanceReason, Schedule
from shouhu.assistance.tests.factories import make_household
from shouhu.campaigns.services import policy_update
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.modules import Module
from shouhu.common.today import Tally
from shouhu.inquiries import selectors
from shouhu.inquiries.models import Channel
from shouhu.inquiries.reminders import INQUIRY_LATE, late_inquiries
from shouhu.inquiries.services import inquiry_answer, inquiry_assign, inquiry_close

pytestmark = pytest.mark.django_db
CHECKS = {INQUIRY_LATE: late_inquiries}


def call(unit, **overrides):
    values = {
        "actor": None,
        "unit": unit,
        "summary": "家中老人隔离在家，缺少取暖煤，请求帮助",
        "caller_name": "王女士",
        "caller_phone": "13904571234",
    }
    values.update(overrides)
    return services.hotline_call_receive(**values)


def test_a11_a_call_is_logged_with_the_policys_deadlines_and_the_phone_protected(
    tree, plan_campaign, county_user
):
    household = make_household(tree.village_a, "王桂芝")
    received = call(tree.county_a, household=household)
    assert received.module == Module.ASSISTANCE
    assert received.channel == Channel.HOTLINE
    assert received.answer_due_at - received.received_at == dt.timedelta(hours=24)
    assert received.close_due_at - received.received_at == dt.timedelta(hours=168)
    assert received.person == household.members.get().person
    assert received.caller_phone_masked == "139****1234"
    with connection.cursor() as cursor:
        cursor.execute("SELECT caller_phone FROM inquiries_inquiry WHERE id = %s", [received.pk])
        stored = cursor.fetchone()[0]
    assert "13904571234" not in stored  # encrypted at rest
    policy_update(
        actor=None, model=AssistancePolicy, campaign=plan_campaign, values={"hotline_answer_hours": 2}
    )
    assert call(tree.county_a).answer_due_at - clock.now() == dt.timedelta(hours=2)
    assert received.answer_due_at - received.received_at == dt.timedelta(hours=24)  # fixed when received


def test_a11_a_call_is_answered_then_closed_in_that_order(tree, county_user):
    received = call(tree.county_a)
    with pytest.raises(ConflictError):
        inquiry_close(actor=county_user, inquiry=received, outcome="已送煤")
    with pytest.raises(DomainError):
        inquiry_answer(actor=county_user, inquiry=received, answer=" ")
    inquiry_answer(actor=county_user, inquiry=received, answer="已联系村委会，今日送煤上门")
    with pytest.raises(ConflictError):
        inquiry_answer(actor=county_user, inquiry=received, answer="再次")
    closed = inquiry_close(actor=county_user, inquiry=received, outcome="已送取暖煤 1 吨，回访满意")
    assert closed.closed_at == clock.now()
    with pytest.raises(ConflictError):
        inquiry_close(actor=county_user, inquiry=received, outcome="again")


def test_a11_a_call_is_assigned_within_the_handling_unit(tree, county_user):
    received = call(tree.county_a)
    village_user = make_user("village_staff", tree.village_a)
    assert inquiry_assign(actor=county_user, inquiry=received, user=village_user).assigned_to == village_user
    with pytest.raises(DomainError):
        inquiry_assign(actor=county_user, inquiry=received, user=make_user("village_staff", tree.village_b))


def test_a11_breaches_are_todays_work_and_alert_the_county(tree, plan_campaign, county_user, fixed_clock):
    received = call(tree.county_a, received_at=clock.now() - dt.timedelta(hours=25))
    call(tree.county_a)  # within its hours
    counter = selectors.today_counter(Module.ASSISTANCE)
    assert list(counter(within="", today=clock.today(), viewer_id=0)) == [
        Tally(tree.county_a.pk, tree.county_a.path, done=0, due=1, overdue=1)
    ]
    runner.run_reminders(checks=CHECKS)
    alert = Alert.objects.get(kind=INQUIRY_LATE)
    assert alert.title == "困难群众救助诉求未首次答复：加格达奇区"
    assert inbox(viewer=county_user).get().alert == alert
    inquiry_answer(actor=county_user, inquiry=received, answer="已受理")
    assert runner.run_reminders(checks=CHECKS).resolved == 1


def test_a11_a_call_can_open_a_temporary_grant(tree, plan_campaign, county_user):
    household = make_household(tree.village_a)
    received = call(tree.county_a, household=household)
    grant = services.temporary_assistance_grant(
        actor=county_user,
        household=household,
        data=services.GrantInput(
            reason=AssistanceReason.UNCERTAIN,
            schedule=Schedule.MONTHLY,
            amount=Decimal("600"),
            starts_on=dt.date(2022, 1, 1),
            is_advance=True,
            inquiry=received,
        ),
    )
    assert grant.inquiry == received


def test_a11_calls_are_scoped_to_the_module_and_the_tree(tree, county_user, other_county_user):
    received = call(tree.county_a)
    assert list(selectors.inquiry_list(viewer=county_user, module=Module.ASSISTANCE)) == [received]
    assert list(selectors.inquiry_list(viewer=other_county_user, module=Module.ASSISTANCE)) == []
    assert list(selectors.inquiry_list(viewer=county_user, module=Module.PUBLICITY)) == []
    coordinator = make_user("department_coordinator", tree.department)  # coordinates no assistance
    assert list(selectors.inquiry_list(viewer=coordinator, module=Module.ASSISTANCE)) == []
