"""X6: overdue items surface by themselves; nobody is told about something already done."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from shouhu.alerts import audience, runner
from shouhu.alerts.models import Alert, AlertDelivery
from shouhu.alerts.registry import DueReminder, register_check, registered_checks

pytestmark = pytest.mark.django_db


class Condition:
    """A toy rule: these units are behind until `done` says otherwise."""

    def __init__(self, units):
        self.units = list(units)
        self.done: set[int] = set()
        self.days: list[dt.date] = []

    def check(self, today):
        self.days.append(today)
        for unit in self.units:
            if unit.pk not in self.done:
                yield DueReminder(
                    source="eldercare",
                    kind="eldercare.log_missing",
                    title=f"{unit.name}未填写消毒记录",
                    unit=unit,
                    audience=[audience.county_bureau(unit)],
                    dedupe_key=f"eldercare.log_missing:{unit.pk}",
                    still_due=lambda pk=unit.pk: pk not in self.done,
                    link="/orgs/",
                )


def test_x6_runner_rechecks_still_due_right_before_delivering(tree, county_user, other_county_user):
    rule = Condition([tree.nursing_home_a, tree.nursing_home_b])
    collected = runner.collect(checks={"toy": rule.check})
    assert len(collected.scheduled) == 2
    rule.done.add(tree.nursing_home_a.pk)  # done between scheduling and delivery
    report = runner.deliver(collected)
    assert (report.due, report.raised, report.no_longer_due) == (2, 1, 1)
    assert not AlertDelivery.objects.filter(user=county_user).exists()
    assert AlertDelivery.objects.get(user=other_county_user).alert.title == "漠河市社会福利中心未填写消毒记录"
    assert rule.days == [dt.date(2022, 1, 5)]


def test_x6_runs_dedupe_and_resolve_when_the_condition_ends(tree, county_user):
    rule = Condition([tree.nursing_home_a])
    first = runner.run_reminders(checks={"toy": rule.check})
    second = runner.run_reminders(checks={"toy": rule.check})
    assert (first.raised, second.raised, second.already_open) == (1, 0, 1)
    assert AlertDelivery.objects.filter(user=county_user).count() == 1
    rule.done.add(tree.nursing_home_a.pk)
    third = runner.run_reminders(checks={"toy": rule.check})
    assert third.resolved == 1
    alert = Alert.objects.get()
    assert (alert.is_open, alert.resolved_note, alert.check_name) == (False, runner.RESOLVED_NOTE, "toy")
    rule.done.clear()  # behind again: a new alert, since the old one is closed
    assert runner.run_reminders(checks={"toy": rule.check}).raised == 1
    assert Alert.objects.filter(resolved_at__isnull=True).count() == 1


def test_x6_a_failing_check_is_reported_and_does_not_stop_the_others(tree, county_user, caplog):
    rule = Condition([tree.nursing_home_a])
    runner.run_reminders(checks={"toy": rule.check})

    def broken(today):
        raise RuntimeError("数据库超时")

    report = runner.run_reminders(checks={"broken": broken, "toy": rule.check})
    assert report.failed_checks == ["broken"]
    assert report.already_open == 1
    assert "提醒检查 broken 运行失败" in caplog.text
    # The toy check's alert stays open when the toy check itself fails.
    assert runner.run_reminders(checks={"toy": broken}).resolved == 0
    assert Alert.objects.get().is_open


def test_x6_checks_register_once_and_the_command_runs_them(tree, county_user, plan_campaign):
    assert "vaccination.report_missing" in registered_checks()  # found in vaccination/reminders.py
    rule = Condition([tree.nursing_home_a])
    register_check("toy.for_command", rule.check)
    register_check("toy.for_command", rule.check)  # a re-import changes nothing
    with pytest.raises(ValueError, match="已登记"):
        register_check("toy.for_command", Condition([]).check)
    with pytest.raises(ValueError, match="小写字母"):
        register_check("Not A Name", rule.check)
    try:
        out = io.StringIO()
        call_command("run_reminders", "--check", "toy.for_command", "--dry-run", stdout=out)
        assert "加格达奇区社会福利中心未填写消毒记录" in out.getvalue()
        assert not Alert.objects.exists()
        call_command("run_reminders", "--check", "toy.for_command", stdout=out)
        assert "新提醒 1 条（送达 1 人）" in out.getvalue()
        assert AlertDelivery.objects.get().user == county_user
        with pytest.raises(CommandError, match="没有这些提醒检查"):
            call_command("run_reminders", "--check", "nope")
    finally:
        from shouhu.alerts import registry

        registry._checks.pop("toy.for_command", None)


def test_x6_a_reminder_needs_a_dedupe_key(tree):
    with pytest.raises(ValueError, match="去重键"):
        DueReminder(
            source="x",
            kind="x",
            title="x",
            unit=tree.county_a,
            audience=[],
            dedupe_key="",
            still_due=lambda: True,
        )
