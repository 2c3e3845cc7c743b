"""F2: the remains of a COVID-19 patient go through four steps in the plan's order; none can be
skipped, repeated or dated before the previous one; a stalled case alerts the county bureau."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts import runner
from shouhu.alerts.models import AlertDelivery
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.funerals import services
from shouhu.funerals.models import PPEItem, PPEMovement, PPEStock, RemainsStep, RemainsStepRecord
from shouhu.funerals.reminders import REMAINS_STALLED, stalled_cases
from shouhu.funerals.tests.factories import make_case, make_covid_case, step

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2022, 1, 5, 10, 0, tzinfo=clock.local_zone())
ORDER = [
    RemainsStep.SANITARY_DISPOSAL,
    RemainsStep.TRANSPORT,
    RemainsStep.CREMATION,
    RemainsStep.ASHES_AND_BURIAL,
]
CHECKS = {REMAINS_STALLED: stalled_cases}


def _hours(n):
    return dt.timedelta(hours=n)


def test_f2_the_four_steps_in_order_complete_the_workflow(plan_campaign, home_a, county_user):
    case = make_covid_case(home_a)
    for index, name in enumerate(ORDER):
        record = services.remains_step_record(
            actor=county_user, case=case, data=step(name, NOW - _hours(8 - 2 * index))
        )
        assert record.sequence == index + 1
    case.refresh_from_db()
    assert case.remains_stage == 4
    assert list(case.steps.values_list("step", flat=True)) == [s.value for s in ORDER]
    with pytest.raises(ConflictError) as done:
        services.remains_step_record(actor=None, case=case, data=step(RemainsStep.CREMATION, NOW))
    assert "均已完成" in done.value.message


def test_f2_a_skipped_step_is_refused_and_nothing_is_saved(plan_campaign, home_a):
    case = make_covid_case(home_a)
    with pytest.raises(ConflictError) as refused:
        services.remains_step_record(actor=None, case=case, data=step(RemainsStep.TRANSPORT, NOW))
    assert refused.value.code == "step_out_of_order"
    assert refused.value.message == "须先完成“卫生防疫处理”环节，不能跳过或提前记录“接运”"
    services.remains_step_record(
        actor=None, case=case, data=step(RemainsStep.SANITARY_DISPOSAL, NOW - _hours(3))
    )
    with pytest.raises(ConflictError) as skipped:
        services.remains_step_record(actor=None, case=case, data=step(RemainsStep.CREMATION, NOW))
    assert skipped.value.code == "step_out_of_order"
    assert "须先完成“接运”环节" in skipped.value.message
    case.refresh_from_db()
    assert case.remains_stage == 1
    assert RemainsStepRecord.objects.filter(case=case).count() == 1


def test_f2_a_repeated_step_is_refused(plan_campaign, home_a):
    case = make_covid_case(home_a)
    services.remains_step_record(
        actor=None, case=case, data=step(RemainsStep.SANITARY_DISPOSAL, NOW - _hours(3))
    )
    with pytest.raises(ConflictError) as refused:
        services.remains_step_record(actor=None, case=case, data=step(RemainsStep.SANITARY_DISPOSAL, NOW))
    assert refused.value.code == "step_repeated"
    assert "不能重复记录" in refused.value.message


@pytest.mark.parametrize(
    ("at", "overrides", "field", "message"),
    [
        (NOW + _hours(1), {}, "done_at", "不能晚于当前时间"),
        (NOW - _hours(5), {}, "done_at", "不能早于上一环节的时间（2022-01-05 06:00）"),
        (NOW - _hours(1), {"vehicle": ""}, "vehicle", "接运环节须填写车辆"),
        (NOW - _hours(1), {"staff": " "}, "staff", "请填写执行人员"),
        (NOW - _hours(1), {"protective_equipment": ""}, "protective_equipment", "请填写使用的防护装备"),
    ],
)
def test_f2_bad_step_input_is_refused_in_chinese(plan_campaign, home_a, at, overrides, field, message):
    case = make_covid_case(home_a)
    services.remains_step_record(
        actor=None, case=case, data=step(RemainsStep.SANITARY_DISPOSAL, NOW - _hours(4))
    )
    with pytest.raises(DomainError) as refused:
        services.remains_step_record(actor=None, case=case, data=step(RemainsStep.TRANSPORT, at, **overrides))
    assert message in refused.value.field_errors[field][0]
    case.refresh_from_db()
    assert case.remains_stage == 1


def test_f2_a_step_before_the_death_is_refused(plan_campaign, home_a):
    case = make_covid_case(home_a)  # died 2022-01-04
    with pytest.raises(DomainError) as refused:
        services.remains_step_record(
            actor=None, case=case, data=step(RemainsStep.SANITARY_DISPOSAL, NOW - _hours(48))
        )
    assert "不能早于死亡日期" in refused.value.message


def test_f2_an_ordinary_case_has_no_workflow(plan_campaign, home_a):
    case = make_case(home_a)
    with pytest.raises(ConflictError) as refused:
        services.remains_step_record(actor=None, case=case, data=step(RemainsStep.SANITARY_DISPOSAL, NOW))
    assert refused.value.code == "not_covid_case"


def test_f2_the_database_refuses_a_second_record_of_a_step(plan_campaign, home_a):
    case = make_covid_case(home_a)
    first = services.remains_step_record(
        actor=None, case=case, data=step(RemainsStep.SANITARY_DISPOSAL, NOW - _hours(1))
    )
    values = {f: getattr(first, f) for f in ("step", "sequence", "done_at", "staff", "protective_equipment")}
    with pytest.raises(IntegrityError), transaction.atomic():
        RemainsStepRecord.objects.create(case=case, **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        RemainsStepRecord.objects.create(
            case=case, **{**values, "step": RemainsStep.CREMATION, "sequence": 2}
        )


def test_f2_equipment_used_in_a_step_is_issued_from_stock_in_the_same_transaction(plan_campaign, home_a):
    services.ppe_receive(actor=None, home=home_a, item=PPEItem.PROTECTIVE_SUIT, quantity=3, supplier="采购")
    case = make_covid_case(home_a)
    use = [services.PPEUse(item=PPEItem.PROTECTIVE_SUIT, quantity=2)]
    record = services.remains_step_record(
        actor=None, case=case, data=step(RemainsStep.SANITARY_DISPOSAL, NOW - _hours(2), issues=use)
    )
    issue = PPEMovement.objects.get(step=record)
    assert issue.issued_to == record.staff
    assert issue.balance_after == 1
    with pytest.raises(ConflictError) as short:
        services.remains_step_record(
            actor=None, case=case, data=step(RemainsStep.TRANSPORT, NOW - _hours(1), issues=use)
        )
    assert short.value.code == "insufficient_stock"
    case.refresh_from_db()
    assert case.remains_stage == 1  # the step went with the refused issue
    assert PPEStock.objects.get(home=home_a, item=PPEItem.PROTECTIVE_SUIT).quantity == 1


def test_f2_the_page_offers_only_the_next_step_and_refuses_an_out_of_order_one(
    client, plan_campaign, home_a, home_staff
):
    case = make_covid_case(home_a)
    client.force_login(home_staff)
    url = f"/funerals/cases/{case.pk}/"
    page = client.get(url).content.decode()
    assert "记录“卫生防疫处理”</button>" in page
    assert "记录“接运”</button>" not in page
    form = {
        "step": RemainsStep.CREMATION,
        "done_at": "2022-01-05T09:00",
        "staff": "赵立新",
        "protective_equipment": "N95 口罩、防护服",
    }
    refused = client.post(f"{url}steps/", form)
    assert refused.status_code == 400
    assert "须先完成“卫生防疫处理”环节，不能跳过或提前记录“火化”" in refused.content.decode()
    assert not RemainsStepRecord.objects.exists()
    done = client.post(f"{url}steps/", {**form, "step": RemainsStep.SANITARY_DISPOSAL})
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "记录“接运”</button>" in page
    assert "记录“卫生防疫处理”</button>" not in page
    future = client.post(
        f"{url}steps/",
        {**form, "step": RemainsStep.TRANSPORT, "vehicle": "黑P1", "done_at": "2022-01-05T11:00"},
    )
    assert "环节时间不能晚于当前时间" in future.content.decode()


def test_f2_the_api_records_the_next_step_and_refuses_others(client, plan_campaign, home_a, county_user):
    case = make_covid_case(home_a)
    client.force_login(county_user)
    url = f"/api/v1/funerals/cases/{case.pk}/steps/"
    body = {
        "step": "transport",
        "done_at": "2022-01-05T09:00:00+08:00",
        "staff": "赵立新",
        "protective_equipment": "防护服",
        "vehicle": "黑P1",
    }
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "step_out_of_order"
    done = client.post(url, {**body, "step": "sanitary_disposal"}, content_type="application/json")
    assert done.status_code == 201
    assert done.json()["next_step"] == "transport"
    assert len(done.json()["steps"]) == 1


def _stall(case, hours):
    """Move the case's last step back in time, as if nobody had recorded anything since."""
    type(case).objects.filter(pk=case.pk).update(last_step_at=NOW - _hours(hours))


def test_f2_a_stalled_case_alerts_the_county_bureau_once(
    plan_campaign, tree, home_a, county_user, other_county_user
):
    case = make_covid_case(home_a)
    services.remains_step_record(
        actor=None, case=case, data=step(RemainsStep.SANITARY_DISPOSAL, NOW - _hours(1))
    )
    staff = make_user("institution_staff", home_a)
    hours = plan_campaign.funerals_policy.remains_step_stall_hours
    assert runner.run_reminders(checks=CHECKS).raised == 0
    _stall(case, hours + 1)
    report = runner.run_reminders(checks=CHECKS)
    assert report.raised == 1
    alert = AlertDelivery.objects.get(user=county_user).alert
    assert "超过" in alert.body
    assert "“接运”" in alert.body
    assert alert.link == f"/funerals/cases/{case.pk}/"
    assert not AlertDelivery.objects.filter(user__in=[other_county_user, staff]).exists()
    assert runner.run_reminders(checks=CHECKS).raised == 0  # once per stalled step
    services.remains_step_record(actor=None, case=case, data=step(RemainsStep.TRANSPORT, NOW))
    assert runner.run_reminders(checks=CHECKS).resolved == 1


def test_f2_a_step_recorded_between_check_and_delivery_tells_nobody(plan_campaign, home_a, county_user):
    case = make_covid_case(home_a)
    type(case).objects.filter(pk=case.pk).update(registered_at=NOW - _hours(100))
    collected = runner.collect(checks=CHECKS)
    assert len(collected.scheduled) == 1
    services.remains_step_record(actor=None, case=case, data=step(RemainsStep.SANITARY_DISPOSAL, NOW))
    report = runner.deliver(collected)
    assert report.no_longer_due == 1
    assert not AlertDelivery.objects.exists()


def test_f2_the_page_names_what_is_wrong_with_a_tampered_or_oversized_step(
    client, plan_campaign, home_a, home_staff
):
    case = make_covid_case(home_a)
    client.force_login(home_staff)
    url = f"/funerals/cases/{case.pk}/steps/"
    form = {
        "step": RemainsStep.SANITARY_DISPOSAL,
        "done_at": "2022-01-05T09:00",
        "staff": "赵立新",
        "protective_equipment": "N95 口罩、防护服",
    }
    tampered = client.post(url, {**form, "step": "bogus"}).content.decode()
    assert "提交的环节无效，请刷新页面后重新记录" in tampered
    oversized = client.post(
        url, {**form, "issue_item": PPEItem.N95_MASK, "issue_quantity": "100000000"}
    ).content.decode()
    assert "请填写领用数量" not in oversized
    assert "1000000" in oversized
    assert not RemainsStepRecord.objects.exists()
    for done in ORDER:
        client.post(url, {**form, "step": done, "vehicle": "黑P1"})
    assert RemainsStepRecord.objects.count() == len(ORDER)
    after_the_last = client.post(url, {**form, "step": RemainsStep.ASHES_AND_BURIAL}).content.decode()
    assert "遗体处置四个环节均已完成" in after_the_last
    assert RemainsStepRecord.objects.count() == len(ORDER)


def test_f2_a_step_refused_for_short_stock_leaves_the_page_on_the_same_step(
    client, plan_campaign, home_a, home_staff
):
    services.ppe_receive(actor=None, home=home_a, item=PPEItem.GOGGLES, quantity=3, supplier="采购")
    case = make_covid_case(home_a)
    client.force_login(home_staff)
    refused = client.post(
        f"/funerals/cases/{case.pk}/steps/",
        {
            "step": RemainsStep.SANITARY_DISPOSAL,
            "done_at": "2022-01-05T09:00",
            "staff": "赵立新",
            "protective_equipment": "护目镜",
            "issue_item": PPEItem.GOGGLES,
            "issue_quantity": "100",
        },
    )
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "库存不足" in page
    assert "记录“卫生防疫处理”</button>" in page
    assert "记录“接运”</button>" not in page
    assert "待卫生防疫处理" in page
    assert not RemainsStepRecord.objects.exists()
    # The service leaves the caller's object as the database holds it, too.
    with pytest.raises(ConflictError):
        services.remains_step_record(
            actor=None,
            case=case,
            data=step(
                RemainsStep.SANITARY_DISPOSAL,
                NOW - _hours(1),
                issues=[services.PPEUse(item=PPEItem.GOGGLES, quantity=100)],
            ),
        )
    assert case.remains_stage == 0
    assert case.last_step_at is None


def test_f2_a_quantity_without_an_item_is_refused(client, plan_campaign, home_a, home_staff):
    case = make_covid_case(home_a)
    client.force_login(home_staff)
    page = client.post(
        f"/funerals/cases/{case.pk}/steps/",
        {
            "step": RemainsStep.SANITARY_DISPOSAL,
            "done_at": "2022-01-05T09:00",
            "staff": "赵立新",
            "protective_equipment": "N95 口罩",
            "issue_item": "",
            "issue_quantity": "3",
        },
    ).content.decode()
    assert "请选择领用的物资" in page
    assert not RemainsStepRecord.objects.exists()


def test_f2_a_year_one_step_date_is_a_field_error_not_a_server_error(
    client, plan_campaign, home_a, home_staff
):
    """The death date is bounded by the policy's span now, and the step by the death date."""
    client.raise_request_exception = False
    case = make_covid_case(home_a)
    client.force_login(home_staff)
    refused = client.post(
        f"/funerals/cases/{case.pk}/steps/",
        {
            "step": RemainsStep.SANITARY_DISPOSAL,
            "done_at": "0001-01-01T00:00",
            "staff": "赵立新",
            "protective_equipment": "N95",
        },
    )
    assert refused.status_code == 400
    # Year 1 never reaches the service: every form bounds its dates.
    assert "日期须在 1900-01-01 至 2100-12-31 之间" in refused.content.decode()
    early = client.post(
        f"/funerals/cases/{case.pk}/steps/",
        {
            "step": RemainsStep.SANITARY_DISPOSAL,
            "done_at": "1900-01-01T00:00",
            "staff": "赵立新",
            "protective_equipment": "N95",
        },
    )
    assert "环节时间不能早于死亡日期" in early.content.decode()
    api = client.post(
        f"/api/v1/funerals/cases/{case.pk}/steps/",
        {
            "step": "sanitary_disposal",
            "done_at": "0001-01-01T00:00:00+08:00",
            "staff": "赵",
            "protective_equipment": "N95",
        },
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "done_at" in str(api.json())
    assert not RemainsStepRecord.objects.exists()
