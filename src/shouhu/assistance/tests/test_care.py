"""A9: home-isolated 低保/特困 people get care tasks, tracked to done; late ones alert the township."""

import datetime as dt

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts import runner
from shouhu.alerts.models import Alert
from shouhu.alerts.selectors import inbox
from shouhu.assistance import selectors, services
from shouhu.assistance.models import CareNeed, CareTask, Standing
from shouhu.assistance.reminders import CARE_OVERDUE, overdue_care
from shouhu.assistance.tests.factories import DAY, make_household
from shouhu.common.errors import DomainError
from shouhu.common.today import Tally
from shouhu.screening.services import isolation_end, isolation_record

pytestmark = pytest.mark.django_db


def isolate(household, *, kind="home", starts_on=dt.date(2022, 1, 4), ended_on=None):
    person = household.members.get().person
    return isolation_record(
        actor=None,
        person=person,
        kind=kind,
        starts_on=starts_on,
        source="卫健部门推送",
        actual_end_on=ended_on,
    ).record


def test_a9_home_isolation_of_a_dibao_or_tekun_member_opens_a_care_task(tree):
    dibao = make_household(tree.village_a, "王桂芝", standing=Standing.DIBAO)
    tekun = make_household(tree.village_a, "刘淑珍", standing=Standing.TEKUN_DISPERSED)
    low_income = make_household(tree.village_a, "孙立军", standing=Standing.LOW_INCOME)
    centralised = make_household(tree.village_a, "赵老汉", standing=Standing.DIBAO)
    isolate(dibao)
    isolate(tekun, kind="health_monitoring")
    isolate(low_income)  # not 低保/特困: a follow-up only
    isolate(centralised, kind="centralised")  # not at home: cared for where isolated
    tasks = CareTask.objects.order_by("household__pk")
    assert [(t.household, t.isolation) for t in tasks] == [(dibao, "居家隔离"), (tekun, "居家健康监测")]


def test_a9_an_isolation_recorded_after_it_ended_opens_no_task(tree):
    household = make_household(tree.village_a)
    isolate(household, starts_on=dt.date(2021, 12, 20), ended_on=dt.date(2022, 1, 3))
    assert not CareTask.objects.exists()


def test_a9_deliveries_are_recorded_and_the_task_closes_with_the_isolation(tree, plan_campaign):
    household = make_household(tree.village_a)
    record = isolate(household)
    task = CareTask.objects.get()
    with pytest.raises(DomainError) as refused:
        services.care_delivery_record(
            actor=None, task=task, delivered_on=dt.date(2022, 1, 3), needs=[], items="", delivered_by=""
        )
    assert set(refused.value.field_errors) == {"delivered_on", "needs", "items", "delivered_by"}
    services.care_delivery_record(
        actor=None,
        task=task,
        delivered_on=DAY,
        needs=[CareNeed.FOOD, CareNeed.HEATING],
        items="米面油各一份，取暖煤 500 斤",
        delivered_by="陈书记",
    )
    assert selectors.deliveries_of(task).get().needs == ["food", "heating"]
    isolation_end(actor=None, record=record, ended_on=DAY, reason="核酸阴性提前解除")
    task.refresh_from_db()
    assert task.closed_at is not None
    assert task.close_reason == "2022-01-05 解除隔离"
    assert list(selectors.care_task_list(viewer=make_user("county_staff", tree.county_a))) == []


def test_a9_care_is_todays_work_and_late_care_alerts_the_township(tree, plan_campaign):
    village_user = make_user("village_staff", tree.village_a)
    township_user = make_user("township_staff", tree.township_a)
    household = make_household(tree.village_a)
    isolate(household, starts_on=dt.date(2022, 1, 4))
    counted = {t.unit_id: t for t in selectors.today_care(within="", today=DAY, viewer_id=0)}
    assert counted[tree.village_a.pk] == Tally(
        tree.village_a.pk, tree.village_a.path, done=0, due=1, overdue=0
    )
    # Two days of the policy without a delivery: overdue.
    CareTask.objects.update(starts_on=dt.date(2022, 1, 2))
    counted = {t.unit_id: t for t in selectors.today_care(within="", today=DAY, viewer_id=0)}
    assert counted[tree.village_a.pk].overdue == 1
    runner.run_reminders(checks={CARE_OVERDUE: overdue_care})
    alert = Alert.objects.get(kind=CARE_OVERDUE)
    assert inbox(viewer=township_user).get().alert == alert
    assert inbox(viewer=village_user).get().alert == alert
    services.care_delivery_record(
        actor=village_user,
        task=CareTask.objects.get(),
        delivered_on=DAY,
        needs=[CareNeed.MEDICINE],
        items="降压药一盒",
        delivered_by="陈书记",
    )
    counted = {t.unit_id: t for t in selectors.today_care(within="", today=DAY, viewer_id=0)}
    assert counted[tree.village_a.pk] == Tally(
        tree.village_a.pk, tree.village_a.path, done=1, due=1, overdue=0
    )
    assert runner.run_reminders(checks={CARE_OVERDUE: overdue_care}).resolved == 1
