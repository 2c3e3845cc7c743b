"""G3: gatherings — application and approval by the policy's headcount, the list checked against the
policy's test window, the door check, the township's scope."""

import datetime as dt

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.campaigns.services import policy_update
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.gatherings import selectors, services
from shouhu.gatherings.models import Gathering, GatheringsPolicy, GatheringStatus, TestResult
from shouhu.gatherings.selectors import Verdict
from shouhu.gatherings.tests.factories import START, add, make_gathering, participant, resident_id

pytestmark = pytest.mark.django_db


def set_policy(campaign, **values):
    policy_update(actor=None, campaign=campaign, model=GatheringsPolicy, values=values)


# --- Application or record, by the policy's headcount -----------------------------------------------


def test_g3_at_or_above_the_headcount_is_an_application_below_it_is_recorded(village_a, plan_campaign):
    assert make_gathering(village_a, expected_headcount=30).status == GatheringStatus.APPLIED
    assert make_gathering(village_a, expected_headcount=40).applied_at == clock.now()
    small = make_gathering(village_a, expected_headcount=29, title="小聚")
    assert small.status == GatheringStatus.RECORDED
    assert small.applied_at is None


def test_g3_the_headcount_is_the_policys_value(village_a, plan_campaign):
    assert make_gathering(village_a, expected_headcount=25).status == GatheringStatus.RECORDED
    set_policy(plan_campaign, approval_headcount=20)
    assert make_gathering(village_a, expected_headcount=25).status == GatheringStatus.APPLIED
    set_policy(plan_campaign, approval_headcount=50)
    assert make_gathering(village_a, expected_headcount=40).status == GatheringStatus.RECORDED


def test_g3_an_application_is_taken_the_policys_days_ahead(village_a, plan_campaign):
    tonight = clock.now().replace(hour=18)
    with pytest.raises(DomainError) as refused:
        make_gathering(village_a, starts_at=tonight, ends_at=tonight + dt.timedelta(hours=3))
    assert "提前 1 天申请" in refused.value.field_errors["starts_at"][0]
    # Below the headcount it is recorded only: no application, no lead time.
    small = make_gathering(
        village_a, starts_at=tonight, ends_at=tonight + dt.timedelta(hours=3), expected_headcount=10
    )
    assert small.status == GatheringStatus.RECORDED
    set_policy(plan_campaign, application_lead_days=0)
    assert (
        make_gathering(village_a, starts_at=tonight, ends_at=tonight + dt.timedelta(hours=3)).status
        == "applied"
    )


def test_g3_a_gathering_is_taken_by_a_village_with_its_details(tree, plan_campaign):
    with pytest.raises(DomainError) as refused:
        services.gathering_register(
            actor=None,
            village=tree.village_a,
            data=services.GatheringInput(
                kind="wedding",
                title="",
                organiser_name="王",
                organiser_phone="123",
                place="村部",
                starts_at=START,
                ends_at=START - dt.timedelta(hours=1),
                expected_headcount=40,
            ),
        )
    assert {"title", "organiser_phone", "ends_at"} <= set(refused.value.field_errors)
    with pytest.raises(DomainError):
        make_gathering(tree.township_a)
    assert not Gathering.objects.exists()


def test_g3_the_organisers_phone_is_encrypted_and_masked(village_a, plan_campaign):
    from django.db import connection

    gathering = make_gathering(village_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT organiser_phone FROM gatherings_gathering WHERE id = %s", [gathering.pk])
        (stored,) = cursor.fetchone()
    assert "13904571234" not in stored
    assert gathering.organiser_phone_masked == "139****1234"


# --- The township's decision --------------------------------------------------------------------------


def test_g3_the_township_approves_before_the_start_only(village_a, township_worker):
    gathering = make_gathering(village_a)
    approved = services.gathering_approve(
        actor=township_worker, gathering=gathering, reason="同意，严格落实防控"
    )
    assert approved.status == GatheringStatus.APPROVED
    assert approved.decided_by == township_worker
    assert approved.decided_at == clock.now()
    late = make_gathering(village_a, title="迟到的申请")
    with clock.frozen(START + dt.timedelta(minutes=1)), pytest.raises(ConflictError) as refused:
        services.gathering_approve(actor=township_worker, gathering=late)
    assert refused.value.code == "too_late_to_approve"
    late.refresh_from_db()
    assert late.status == GatheringStatus.APPLIED


def test_g3_a_refusal_needs_its_reason(village_a, township_worker):
    gathering = make_gathering(village_a)
    with pytest.raises(DomainError) as refused:
        services.gathering_refuse(actor=township_worker, gathering=gathering, reason="  ")
    assert refused.value.field_errors == {"reason": ["不予批准须说明理由"]}
    done = services.gathering_refuse(
        actor=township_worker, gathering=gathering, reason="疫情形势严峻，暂停聚集"
    )
    assert (done.status, done.decision_reason) == (GatheringStatus.REFUSED, "疫情形势严峻，暂停聚集")
    with pytest.raises(ConflictError):
        services.gathering_approve(actor=township_worker, gathering=done)


def test_g3_a_recorded_gathering_is_not_approved(village_a, township_worker):
    small = make_gathering(village_a, expected_headcount=10)
    with pytest.raises(ConflictError):
        services.gathering_approve(actor=township_worker, gathering=small)


def test_g3_participants_that_reach_the_headcount_make_it_an_application(village_a, plan_campaign):
    set_policy(plan_campaign, approval_headcount=3)
    gathering = make_gathering(village_a, expected_headcount=2)
    assert gathering.status == GatheringStatus.RECORDED
    first, second, third = add(gathering, participant("甲"), participant("乙"), participant("丙"))
    assert not first.now_needs_approval
    assert not second.now_needs_approval
    assert third.now_needs_approval
    assert "须经乡镇政府批准" in third.message
    gathering.refresh_from_db()
    assert (gathering.status, gathering.participant_count) == (GatheringStatus.APPLIED, 3)
    assert gathering.applied_at == clock.now()


def test_g3_a_cancelled_gathering_keeps_no_list(village_a, plan_campaign):
    gathering = make_gathering(village_a)
    services.gathering_cancel(actor=None, gathering=gathering, reason="家属决定从简")
    with pytest.raises(ConflictError):
        services.participant_add(actor=None, gathering=gathering, data=participant("甲"))


# --- The check of the list --------------------------------------------------------------------------


def _verdicts(gathering):
    return {row.name: row for row in selectors.participant_check(gathering).rows}


def test_g3_the_check_names_missing_positive_too_old_and_after_start(village_a, plan_campaign):
    gathering = make_gathering(village_a)
    add(
        gathering,
        participant("有效", hours_before=47),
        participant("未检", hours_before=None),
        participant("阳性", result=TestResult.POSITIVE),
        participant("过期", hours_before=49),
    )
    with clock.frozen(START + dt.timedelta(hours=2)):
        add(gathering, participant("开始后", sampled_at=START + dt.timedelta(hours=1)))
        check = selectors.participant_check(gathering)
    rows = {row.name: row for row in check.rows}
    assert rows["有效"].verdict == Verdict.OK
    assert rows["未检"].verdict == Verdict.MISSING
    assert "未提供核酸检测结果" in rows["未检"].reason
    assert rows["阳性"].verdict == Verdict.POSITIVE
    assert "阳性" in rows["阳性"].reason
    assert rows["过期"].verdict == Verdict.TOO_OLD
    assert "早于活动开始前 48 小时" in rows["过期"].reason
    assert rows["开始后"].verdict == Verdict.AFTER_START
    # Who still needs a test comes first; the admitted last.
    assert [row.name for row in check.rows][-1] == "有效"
    assert {row.name for row in check.pending} == {"未检", "阳性", "过期", "开始后"}


def test_g3_the_window_is_the_policys_value(village_a, plan_campaign):
    gathering = make_gathering(village_a)
    add(gathering, participant("三十小时", hours_before=30))
    assert _verdicts(gathering)["三十小时"].verdict == Verdict.OK
    set_policy(plan_campaign, test_window_hours=24)
    row = _verdicts(gathering)["三十小时"]
    assert row.verdict == Verdict.TOO_OLD
    assert "24 小时" in row.reason


def test_g3_the_window_bounds_are_inclusive(village_a, plan_campaign):
    gathering = make_gathering(village_a)
    add(gathering, participant("正好", hours_before=48), participant("刚过", hours_before=48.01))
    verdicts = _verdicts(gathering)
    assert verdicts["正好"].verdict == Verdict.OK
    assert verdicts["正好"].sampled_at == START - dt.timedelta(hours=48)
    assert verdicts["刚过"].verdict == Verdict.TOO_OLD


@pytest.mark.parametrize("size", [3, 40])
def test_g3_the_check_takes_the_same_queries_whatever_the_lists_length(
    village_a, plan_campaign, django_assert_num_queries, size
):
    gathering = make_gathering(village_a)
    add(
        gathering, *(participant(f"人{i}", serial=i, hours_before=None if i % 3 else 40) for i in range(size))
    )
    with django_assert_num_queries(2):  # the policy, the list
        check = selectors.participant_check(gathering)
    assert len(check.rows) == size


def test_g3_participants_are_named_once_per_document(village_a, plan_campaign):
    gathering = make_gathering(village_a)
    add(gathering, participant("甲", serial=7))
    with pytest.raises(ConflictError):
        services.participant_add(actor=None, gathering=gathering, data=participant("甲", serial=7))
    with pytest.raises(DomainError) as refused:
        services.participant_add(
            actor=None, gathering=gathering, data=participant("乙", id_number="232701198001010000")
        )
    assert "校验位" in refused.value.message
    with pytest.raises(DomainError):
        services.participant_add(
            actor=None,
            gathering=gathering,
            data=participant("丙", sampled_at=clock.now() + dt.timedelta(hours=1)),
        )


def test_g3_the_participants_id_number_is_encrypted_searchable_and_masked(village_a, plan_campaign):
    from django.db import connection

    gathering = make_gathering(village_a)
    number = resident_id(5)
    (change,) = add(gathering, participant("甲", serial=5))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, id_masked FROM gatherings_participant WHERE id = %s", [change.participant.pk]
        )
        stored, masked = cursor.fetchone()
    assert number not in stored
    assert masked == number[:6] + "********" + number[-4:]


# --- The door -------------------------------------------------------------------------------------------


def test_g3_the_door_admits_or_refuses_by_name_or_id_with_the_reason(village_a, township_worker):
    gathering = make_gathering(village_a)
    add(gathering, participant("张有效", serial=1), participant("李过期", serial=2, hours_before=60))
    services.gathering_approve(actor=township_worker, gathering=gathering)
    gathering.refresh_from_db()
    with clock.frozen(START - dt.timedelta(minutes=10)):
        by_name = selectors.door_check(gathering=gathering, query="张有效")
        by_id = selectors.door_check(gathering=gathering, query=resident_id(2).lower().replace("x", "x"))
        stranger = selectors.door_check(gathering=gathering, query="王路人")
    assert by_name.refusal is None
    assert [(m.name, m.admitted) for m in by_name.matches] == [("张有效", True)]
    assert [(m.name, m.admitted) for m in by_id.matches] == [("李过期", False)]
    assert "早于活动开始前 48 小时" in by_id.matches[0].reason
    assert not stranger.found


def test_g3_without_the_approval_it_needs_everyone_is_refused(village_a, township_worker, plan_campaign):
    gathering = make_gathering(village_a)
    add(gathering, participant("张有效", serial=1))
    answer = selectors.door_check(gathering=gathering, query="张有效")
    assert answer.matches[0].admitted  # the test itself is valid …
    assert "须经乡镇政府批准" in answer.refusal  # … but the gathering may not take place
    services.gathering_refuse(actor=township_worker, gathering=gathering, reason="疫情防控需要")
    gathering.refresh_from_db()
    assert "不予批准：疫情防控需要" in selectors.door_check(gathering=gathering, query="张有效").refusal
    # A recorded gathering that the policy's lowered number now reaches needs approval too.
    small = make_gathering(village_a, expected_headcount=10, title="小聚")
    assert selectors.door_check(gathering=small, query="x").refusal is None
    set_policy(plan_campaign, approval_headcount=10)
    assert "须经乡镇政府批准" in selectors.door_check(gathering=small, query="x").refusal


# --- Scope ---------------------------------------------------------------------------------------------


def test_g3_a_township_sees_its_villages_not_another_townships(
    tree, township_worker, other_township, plan_campaign
):
    own = make_gathering(tree.village_a, title="本镇婚宴")
    _township, other_village = other_township
    foreign = make_gathering(other_village, title="外镇婚宴")
    village_worker = make_user("village_staff", tree.village_a)
    other_worker = make_user("township_staff", _township)
    assert list(selectors.gathering_list(viewer=township_worker)) == [own]
    assert list(selectors.gathering_list(viewer=village_worker)) == [own]
    assert list(selectors.gathering_list(viewer=other_worker)) == [foreign]
    county = make_user("county_staff", tree.county_a)
    assert set(selectors.gathering_list(viewer=county)) == {own, foreign}
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.access_gathering_for_deciding(township_worker, foreign.pk)
    with pytest.raises(Http404):
        selectors.access_gathering(village_worker, foreign.pk)


def test_g3_a_village_takes_applications_for_its_own_village_only(tree, village_worker, other_township):
    _township, other_village = other_township
    assert list(selectors.village_writable(viewer=village_worker)) == [tree.village_a]
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.get_village_for_recording(village_worker, other_village.pk)
