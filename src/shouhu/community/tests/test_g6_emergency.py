"""G4/G6: checkpoints, the closure plan and supplies; the emergency state that starts the plan."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts.models import Alert, AlertDelivery
from shouhu.campaigns.models import ServiceSuspension, ServiceType
from shouhu.campaigns.selectors import service_availability
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.today import registered_works
from shouhu.community import selectors, services
from shouhu.community.models import DutyCheck, EmergencyState
from shouhu.community.tests.factories import fill_roster, make_member, make_plan
from shouhu.orgs.tests.factories import make_unit


@pytest.fixture
def planned(tree, plan_campaign):
    members = fill_roster(tree.village_a)
    post = make_plan(tree.village_a, members[3:5])
    return post


def test_g6_switching_on_suspends_visits_and_alerts_township_and_county(
    tree, planned, township_user, county_user
):
    village_staff = make_user("village_staff", tree.village_a)
    other_county = make_user("county_staff", tree.county_b)
    home = make_unit(tree.village_a, "institution", "东山社区日间照料中心", institution_type="nursing_home")
    state = services.emergency_start(actor=township_user, village=tree.village_a, reason="发现确诊病例密接")
    assert state.started_by == township_user
    assert state.started_at == clock.now()
    suspension = state.suspension
    assert suspension.service == ServiceType.VISITS
    assert suspension.unit_id == tree.village_a.pk
    # The institution within the village is closed to visits today.
    assert not service_availability(service=ServiceType.VISITS, unit=home, on=clock.today()).is_open
    alert = Alert.objects.get(kind=services.EMERGENCY_STARTED)
    told = set(AlertDelivery.objects.filter(alert=alert).values_list("user_id", flat=True))
    assert {township_user.pk, county_user.pk, village_staff.pk} <= told
    assert other_county.pk not in told
    assert "2 人上岗" in alert.body


def test_g6_switching_off_lifts_the_suspension_it_created(tree, planned, township_user, county_user):
    state = services.emergency_start(actor=township_user, village=tree.village_a, reason="密接排查")
    ended = services.emergency_end(actor=county_user, village=tree.village_a, reason="排查结束，风险解除")
    assert ended.pk == state.pk
    assert ended.ended_by == county_user
    assert ended.end_reason == "排查结束，风险解除"
    suspension = ServiceSuspension.objects.get(pk=state.suspension_id)
    assert suspension.lifted_at is not None
    assert "应急状态结束" in suspension.lift_reason
    assert Alert.objects.filter(kind=services.EMERGENCY_ENDED).count() == 1
    # A village may be switched on again later.
    services.emergency_start(actor=township_user, village=tree.village_a, reason="再次发现密接")
    assert EmergencyState.objects.filter(village=tree.village_a).count() == 2


def test_g6_one_open_state_per_village(tree, planned, township_user):
    state = services.emergency_start(actor=township_user, village=tree.village_a, reason="一")
    with pytest.raises(ConflictError):
        services.emergency_start(actor=township_user, village=tree.village_a, reason="二")
    # The database holds the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        EmergencyState.objects.create(
            village=tree.village_a, started_at=clock.now(), started_by=township_user, reason="绕过服务"
        )
    assert EmergencyState.objects.filter(village=tree.village_a, ended_at__isnull=True).get() == state
    with pytest.raises(ConflictError):
        services.emergency_end(actor=township_user, village=tree.village_b, reason="未启动")


def test_g6_no_plan_no_switch_and_a_reason_is_needed(tree, plan_campaign, township_user):
    with pytest.raises(ConflictError):
        services.emergency_start(actor=township_user, village=tree.village_a, reason="密接")
    fill = fill_roster(tree.village_a)
    make_plan(tree.village_a, fill[:1])
    with pytest.raises(DomainError) as refused:
        services.emergency_start(actor=township_user, village=tree.village_a, reason=" ")
    assert "reason" in refused.value.field_errors
    assert not ServiceSuspension.objects.exists()


def test_g6_who_may_switch(client, tree, planned, village_user, township_user, county_user):
    url = reverse("community:emergency_start", args=[tree.village_a.pk])
    client.force_login(village_user)
    assert client.post(url, {"reason": "密接"}).status_code == 403
    client.force_login(make_user("county_staff", tree.county_b))
    assert client.post(url, {"reason": "密接"}).status_code == 404
    client.force_login(township_user)
    assert client.post(url, {"reason": "密接"}).status_code == 302
    assert selectors.open_state_of(tree.village_a) is not None
    client.force_login(county_user)
    end = client.post(reverse("community:emergency_end", args=[tree.village_a.pk]), {"reason": "解除"})
    assert end.status_code == 302
    assert selectors.open_state_of(tree.village_a) is None


def test_g6_the_posts_become_todays_duties_for_the_named_people(
    client, tree, planned, township_user, village_user
):
    services.emergency_start(actor=township_user, village=tree.village_a, reason="密接")
    work = next(w for w in registered_works() if w.key == "community.emergency_duties")
    (tally,) = work.count(within=tree.region.path, today=clock.today(), viewer_id=village_user.pk)
    assert (tally.unit_id, tally.due, tally.done) == (tree.village_a.pk, 2, 0)
    member = planned.members.order_by("pk").first()
    client.force_login(village_user)
    page = client.get(reverse("community:village_home", args=[tree.village_a.pk])).content.decode()
    assert member.person.name in page
    assert "今日值守" in page
    response = client.post(
        reverse("community:duty_check", args=[tree.village_a.pk]), {"post": planned.pk, "member": member.pk}
    )
    assert response.status_code == 302
    assert DutyCheck.objects.filter(post=planned, member=member, on=clock.today()).exists()
    (tally,) = work.count(within=tree.region.path, today=clock.today(), viewer_id=village_user.pk)
    assert (tally.due, tally.done) == (2, 1)
    with pytest.raises(ConflictError):
        services.duty_check(actor=village_user, village=tree.village_a, post=planned, member=member)


def test_g6_duties_today_in_fixed_queries(tree, planned, township_user, django_assert_num_queries):
    services.emergency_start(actor=township_user, village=tree.village_a, reason="密接")
    work = next(w for w in registered_works() if w.key == "community.emergency_duties")
    with django_assert_num_queries(3):
        work.count(within=tree.region.path, today=clock.today(), viewer_id=township_user.pk)


def test_g4_plan_posts_name_roster_people_of_the_village_only(tree, plan_campaign):
    own = make_member(tree.village_a, "本村人")
    other = make_member(tree.village_b, "外村人")
    with pytest.raises(ConflictError):
        services.post_add(actor=None, village=tree.village_a, duty="publicity", name="宣传岗", members=[own])
    services.plan_save(actor=None, village=tree.village_a, organisation="指挥长：书记")
    with pytest.raises(DomainError) as refused:
        services.post_add(
            actor=None, village=tree.village_a, duty="publicity", name="宣传岗", members=[other]
        )
    assert "members" in refused.value.field_errors
    post = services.post_add(
        actor=None, village=tree.village_a, duty="serve_residents", name="代购岗", members=[own]
    )
    assert list(post.members.all()) == [own]
    with pytest.raises(ConflictError):  # named on a post: not removed from the roster
        services.roster_remove(actor=None, member=own)


def test_g4_checkpoints_with_estate_and_staff(client, tree, plan_campaign, village_user):
    member = make_member(tree.village_a, "值守人")
    client.force_login(village_user)
    response = client.post(
        reverse("community:checkpoint_add", args=[tree.village_a.pk]),
        {"name": "北门卡口", "estate": "幸福小区", "hours": "24 小时", "staff": [member.pk]},
    )
    assert response.status_code == 302
    checkpoint = selectors.checkpoints_of(tree.village_a).get()
    assert checkpoint.estate == "幸福小区"
    assert list(checkpoint.staff.all()) == [member]
    again = client.post(
        reverse("community:checkpoint_add", args=[tree.village_a.pk]),
        {"name": "北门卡口", "hours": "24 小时", "staff": [member.pk]},
    )
    assert again.status_code == 400
    assert "本村（社区）已有同名卡口" in again.content.decode()


def test_g4_supplies_stock_with_movements(tree, plan_campaign, village_user, township_user):
    services.supply_receive(
        actor=village_user,
        village=tree.village_a,
        item="surgical_mask",
        quantity=100,
        supplier="区民政局调拨",
    )
    issue = services.supply_issue(
        actor=village_user, village=tree.village_a, item="surgical_mask", quantity=90, issued_to="北门卡口"
    )
    assert issue.balance_after == 10
    with pytest.raises(ConflictError):
        services.supply_issue(
            actor=village_user, village=tree.village_a, item="surgical_mask", quantity=11, issued_to="x"
        )
    lines = {line.item.value: line for line in selectors.stock_of(tree.village_a, threshold=20)}
    assert lines["surgical_mask"].quantity == 10
    assert lines["surgical_mask"].low
    alert = Alert.objects.get(kind=services.SUPPLY_LOW_STOCK)
    assert AlertDelivery.objects.filter(alert=alert, user=township_user).exists()
    with pytest.raises(DomainError):
        services.supply_receive(
            actor=village_user, village=tree.village_a, item="surgical_mask", quantity=5, supplier=""
        )


def test_g6_village_page_in_fixed_queries(
    client, tree, planned, township_user, village_user, django_assert_max_num_queries
):
    services.emergency_start(actor=township_user, village=tree.village_a, reason="密接")
    client.force_login(village_user)
    url = reverse("community:village_home", args=[tree.village_a.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as captured:
        client.get(url)
    first = len(captured.captured_queries)
    for n in range(5):
        make_member(tree.village_a, f"新增{n}")
    with django_assert_max_num_queries(first):
        client.get(url)
