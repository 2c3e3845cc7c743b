"""The pages of care for isolated people (A9) and of the hotline (A11): on a phone, scoped, and a
refused form answers 400 with the Chinese message."""

import datetime as dt

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.assistance import services
from shouhu.assistance.models import CareDelivery, CareTask, TemporaryAssistance
from shouhu.assistance.tests.factories import make_household
from shouhu.inquiries.models import Inquiry
from shouhu.screening.services import isolation_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(tree):
    household = make_household(tree.village_a, "王桂芝")
    isolation_record(
        actor=None,
        person=household.members.get().person,
        kind="home",
        starts_on=dt.date(2022, 1, 4),
        source="排查",
    )
    return CareTask.objects.get()


def test_a9_a_village_worker_records_a_delivery_on_a_phone(client, tree, task):
    worker = make_user("village_staff", tree.village_a)
    client.force_login(worker)
    listed = client.get("/assistance/care/")
    assert "王桂芝" in listed.content.decode()
    page = client.get(f"/assistance/care/{task.pk}/deliver/")
    assert 'data-testid="care-page"' in page.content.decode()
    refused = client.post(f"/assistance/care/{task.pk}/deliver/", {"delivered_on": "2022-01-05"})
    assert refused.status_code == 400
    assert "该字段是必填项" in refused.content.decode()
    done = client.post(
        f"/assistance/care/{task.pk}/deliver/",
        {
            "delivered_on": "2022-01-05",
            "needs": ["food", "heating"],
            "items": "米面油，取暖煤",
            "delivered_by": "陈书记",
        },
    )
    assert done.status_code == 302
    assert CareDelivery.objects.get().needs == ["food", "heating"]


def test_a9_another_countys_task_answers_404(client, tree, task, other_county_user):
    client.force_login(other_county_user)
    assert client.get(f"/assistance/care/{task.pk}/deliver/").status_code == 404
    assert "王桂芝" not in client.get("/assistance/care/").content.decode()


def test_a11_a_call_is_logged_answered_closed_and_opens_a_grant(client, tree, plan_campaign, county_user):
    household = make_household(tree.village_a, "王桂芝")
    client.force_login(county_user)
    form = client.get(f"/assistance/hotline/new/?household={household.pk}")
    assert form.status_code == 200
    refused = client.post(
        "/assistance/hotline/new/", {"channel": "hotline", "received_at": "2022-01-05T09:30"}
    )
    assert refused.status_code == 400
    logged = client.post(
        "/assistance/hotline/new/",
        {
            "household": household.pk,
            "channel": "hotline",
            "received_at": "2022-01-05T09:30",
            "caller_name": "王女士",
            "caller_phone": "13904571234",
            "summary": "缺少取暖煤",
        },
    )
    call = Inquiry.objects.get()
    assert logged.status_code == 302
    page = client.get(f"/assistance/hotline/{call.pk}/").content.decode()
    assert "139****1234" in page
    assert "13904571234" not in page
    assert client.post(f"/assistance/hotline/{call.pk}/", {"close-outcome": "已送煤"}).status_code == 400
    client.post(f"/assistance/hotline/{call.pk}/", {"answer-answer": "今日送煤上门"})
    client.post(f"/assistance/hotline/{call.pk}/", {"close-outcome": "已送煤 1 吨"})
    call.refresh_from_db()
    assert call.first_answer == "今日送煤上门"
    assert call.outcome == "已送煤 1 吨"
    granted = client.post(
        f"/assistance/{household.pk}/grants/new/",
        {
            "inquiry": call.pk,
            "reason": "uncertain",
            "schedule": "monthly",
            "amount": "500",
            "starts_on": "2022-01",
            "is_advance": "on",
        },
    )
    assert granted.status_code == 302, granted.content.decode()[:2000]
    assert TemporaryAssistance.objects.get().inquiry == call


def test_a11_another_countys_call_answers_404(client, tree, other_county_user):
    call = services.hotline_call_receive(actor=None, unit=tree.county_a, summary="求助")
    client.force_login(other_county_user)
    assert client.get(f"/assistance/hotline/{call.pk}/").status_code == 404
    assert client.post(f"/assistance/hotline/{call.pk}/", {"answer-answer": "x"}).status_code == 404


def test_a2_the_head_is_changed_from_the_household_page(client, tree):
    worker = make_user("village_staff", tree.village_a)
    household = make_household(tree.village_a, "王桂芝")
    spouse = services.member_join(actor=None, household=household, name="李大勇", relation="spouse")
    client.force_login(worker)
    page = client.get(f"/assistance/{household.pk}/").content.decode()
    assert 'data-testid="head-form"' in page
    refused = client.post(f"/assistance/members/{spouse.pk}/head/", {"former_head_relation": "head"})
    assert refused.status_code == 400
    done = client.post(f"/assistance/members/{spouse.pk}/head/", {"former_head_relation": "spouse"})
    assert done.status_code == 302
    spouse.refresh_from_db()
    assert spouse.relation == "head"


def test_a11_a_call_is_assigned_to_a_staff_member_of_the_handling_unit(client, tree, county_user):
    from rest_framework.test import APIClient

    call = services.hotline_call_receive(actor=None, unit=tree.county_a, summary="求助")
    worker = make_user("village_staff", tree.village_a)
    stranger = make_user("village_staff", tree.village_b)
    client.force_login(county_user)
    assert client.post(f"/assistance/hotline/{call.pk}/", {"assign-user": stranger.pk}).status_code == 400
    assert client.post(f"/assistance/hotline/{call.pk}/", {"assign-user": worker.pk}).status_code == 302
    call.refresh_from_db()
    assert call.assigned_to == worker
    api = APIClient()
    api.force_authenticate(county_user)
    url = f"/api/v1/assistance/hotline/{call.pk}/assign/"
    assert api.post(url, {"user": stranger.pk}, format="json").status_code == 404
    assert api.post(url, {"user": county_user.pk}, format="json").status_code == 200
    call.refresh_from_db()
    assert call.assigned_to == county_user
