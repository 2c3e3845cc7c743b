"""X6 × V4: a unit that has not reported the last finished period is reminded, once, unless it
reports before the reminder goes out."""

import datetime as dt

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts import runner
from shouhu.alerts.models import Alert, AlertDelivery
from shouhu.vaccination import services
from shouhu.vaccination.reminders import REPORT_MISSING, missing_reports
from shouhu.vaccination.tests.factories import office_coordinator

pytestmark = pytest.mark.django_db

P3 = dt.date(2021, 12, 27)  # the last period finished by 2022-01-05 (due 2022-01-02)
CHECKS = {REPORT_MISSING: missing_reports}


def test_x6_v4_a_county_missing_the_last_finished_period_reminds_its_county_staff(
    client, plan_campaign, tree, county_user, other_county_user
):
    township = make_user("township_staff", tree.township_b)
    coordinator = office_coordinator(tree)
    services.report_submit(actor=county_user, period_start=P3)
    report = runner.run_reminders(checks=CHECKS)
    to_b = AlertDelivery.objects.get(user=other_county_user).alert
    assert to_b.unit == tree.county_b
    assert to_b.title == "接种进度未报送：第3期（12-27至01-02）"
    assert to_b.link == "/vaccination/reports/submit/?period=2021-12-27"
    assert to_b.dedupe_key == f"{REPORT_MISSING}:{tree.county_b.pk}:2021-12-27"
    assert not AlertDelivery.objects.filter(user__in=[county_user, township]).exists()
    # Departments report too (条): the office's coordinator is reminded of the office's report.
    assert AlertDelivery.objects.get(user=coordinator).alert.unit == coordinator.unit
    assert report.raised == Alert.objects.count()
    client.force_login(other_county_user)
    page = client.get(f"/alerts/{to_b.pk}/").content.decode()
    assert "报送截止日期为 2022-01-02" in page
    assert runner.run_reminders(checks=CHECKS).raised == 0  # the same period reminds once


def test_x6_v4_a_report_submitted_between_scheduling_and_delivery_suppresses_the_reminder(
    plan_campaign, tree, county_user, other_county_user
):
    collected = runner.collect(checks=CHECKS)
    due_units = {item.reminder.unit for item in collected.scheduled}
    assert {tree.county_a, tree.county_b} <= due_units
    services.report_submit(actor=county_user, period_start=P3)  # in between
    report = runner.deliver(collected)
    assert report.no_longer_due == 1
    assert not AlertDelivery.objects.filter(user=county_user).exists()
    assert AlertDelivery.objects.filter(user=other_county_user).count() == 1


def test_x6_v4_the_reminder_is_resolved_once_the_report_is_in(plan_campaign, tree, county_user):
    runner.run_reminders(checks=CHECKS)
    alert = AlertDelivery.objects.get(user=county_user).alert
    services.report_submit(actor=county_user, period_start=P3)
    assert runner.run_reminders(checks=CHECKS).resolved == 1
    alert.refresh_from_db()
    assert not alert.is_open


def test_x6_v4_nothing_is_due_before_the_first_period_ends(tree, county_user, plan_campaign):
    assert list(missing_reports(dt.date(2021, 12, 19))) == []  # period 1 is due that day
    assert len(list(missing_reports(dt.date(2021, 12, 20)))) >= 2
