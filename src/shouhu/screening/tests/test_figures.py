"""S5: figures per institution and day, flags of days without screening (漏管) and their alerts, the dashboard chart."""

import datetime as dt
import io
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.alerts import runner
from shouhu.alerts.models import Alert, AlertDelivery
from shouhu.campaigns.models import Holiday, HolidayKind, ServiceType
from shouhu.campaigns.services import suspension_create
from shouhu.common import clock
from shouhu.orgs.models import UnitStatus
from shouhu.screening import rules, selectors, services
from shouhu.screening.models import Screening, Verdict
from shouhu.screening.reminders import UNSCREENED_DAY, unscreened_institutions
from shouhu.screening.tests.factories import GREEN, make_institution

YESTERDAY = dt.date(2022, 1, 4)  # the fixed clock's today is 2022-01-05
CHECKS = {UNSCREENED_DAY: unscreened_institutions}


def screen_at(moment: dt.datetime, actor, unit, facts=GREEN):
    with clock.frozen(moment):
        return services.screening_record(actor=actor, unit=unit, facts=facts, visitor_name="访客")


def screened_yesterday(actor, *units):
    for unit in units:
        screen_at(dt.datetime(2022, 1, 4, 9, 0), actor, unit)


def test_s5_counts_per_institution_and_day_with_refusals_by_reason(tree, county_user):
    home = tree.nursing_home_a
    screen_at(dt.datetime(2022, 1, 4, 8, 0), county_user, home)
    screen_at(dt.datetime(2022, 1, 4, 23, 50), county_user, home, replace(GREEN, health_code="red"))
    screen_at(
        dt.datetime(2022, 1, 4, 0, 10),
        county_user,
        home,
        replace(GREEN, health_code="yellow", temperature=Decimal("38.2")),
    )
    screen_at(dt.datetime(2022, 1, 5, 0, 5), county_user, home)  # local midnight splits the days
    figures = selectors.daily_figures(viewer=county_user, start=YESTERDAY, end=dt.date(2022, 1, 5))
    day = figures[(home.pk, YESTERDAY)]
    assert (day.screenings, day.admitted, day.refused, day.pending) == (3, 1, 2, 0)
    assert day.refusals_by_reason == {"health_code": 2, "temperature": 1}
    assert figures[(home.pk, dt.date(2022, 1, 5))].screenings == 1
    assert set(figures) == {(home.pk, YESTERDAY), (home.pk, dt.date(2022, 1, 5))}


def test_s5_figures_are_unchanged_after_the_visitor_records_are_purged(client, tree, county_user):
    home = tree.nursing_home_a
    screen_at(dt.datetime(2021, 12, 1, 9, 0), county_user, home)
    screen_at(dt.datetime(2021, 12, 1, 10, 0), county_user, home, replace(GREEN, refused_checks=True))
    screen_at(dt.datetime(2021, 12, 2, 9, 0), county_user, home, replace(GREEN, health_code="red"))
    span = {"start": dt.date(2021, 11, 30), "end": dt.date(2021, 12, 3)}
    before = selectors.daily_figures(viewer=county_user, **span)
    client.force_login(county_user)
    page_before = client.get("/screening/records/daily/", {"start": "2021-11-30", "end": "2021-12-03"})
    call_command("purge_visitor_records")
    assert not Screening.objects.filter(unit=home).exists()
    assert selectors.daily_figures(viewer=county_user, **span) == before
    assert before[(home.pk, dt.date(2021, 12, 1))].refusals_by_reason == {"refused_checks": 1}
    page_after = client.get("/screening/records/daily/", {"start": "2021-11-30", "end": "2021-12-03"})
    table = page_after.content.decode()
    assert page_before.content.decode().count("拒绝配合查验 1") == table.count("拒绝配合查验 1") == 1


def test_s5_an_open_institution_without_screenings_is_flagged_and_its_county_bureau_alerted_once(
    tree, county_user, other_county_user
):
    screened_yesterday(county_user, tree.nursing_home_a)
    rows = {
        (r.unit.pk, r.day): r
        for r in selectors.completeness(viewer=other_county_user, start=YESTERDAY, end=YESTERDAY)
    }
    assert rows[(tree.nursing_home_b.pk, YESTERDAY)].unscreened
    assert not any(r.unit.pk == tree.nursing_home_a.pk for r in rows.values())  # not in their scope

    first = runner.run_reminders(checks=CHECKS)
    assert first.raised == 1
    alert = Alert.objects.get(kind=UNSCREENED_DAY)
    assert alert.unit == tree.nursing_home_b
    assert "2022-01-04" in alert.title
    assert list(AlertDelivery.objects.filter(alert=alert).values_list("user", flat=True)) == [
        other_county_user.pk
    ]
    second = runner.run_reminders(checks=CHECKS)
    assert (second.raised, second.already_open) == (0, 1)
    alert.resolved_at = clock.now()  # someone looked into it
    alert.save(update_fields=["resolved_at"])
    assert runner.run_reminders(checks=CHECKS).raised == 0
    assert Alert.objects.filter(kind=UNSCREENED_DAY).count() == 1


def test_s5_today_is_not_a_gap_before_it_is_over(tree, county_user):
    today = clock.today()
    rows = selectors.completeness(viewer=county_user, start=today, end=today)
    assert rows
    assert not any(r.unscreened for r in rows)


@pytest.mark.parametrize("closure", ["status", "suspension", "holiday", "module"])
def test_s5_a_closed_or_suspended_institution_is_not_flagged(tree, county_user, region_admin, closure):
    home = tree.nursing_home_a
    screened_yesterday(county_user, tree.nursing_home_b)

    def closed_management(unit, day):
        return "封闭管理" if unit.pk == home.pk and day == YESTERDAY else None

    if closure == "status":
        home.status = UnitStatus.CLOSED
        home.save(update_fields=["status"])
    elif closure == "suspension":
        suspension_create(
            actor=region_admin,
            unit=tree.county_a,
            service=ServiceType.VISITS,
            starts_on=dt.date(2022, 1, 3),
            ends_on=dt.date(2022, 1, 10),
            reason="疫情防控",
        )
    elif closure == "holiday":
        home = make_institution(tree.county_a, "加格达奇区婚姻登记处", institution_type="marriage_registry")
        screened_yesterday(county_user, tree.nursing_home_a)
        Holiday.objects.update_or_create(
            date=YESTERDAY, defaults={"name": "测试休息", "kind": HolidayKind.HOLIDAY}
        )
    else:
        rules.register_closure_check(closed_management)
    try:
        rows = {
            r.unit.pk: r for r in selectors.completeness(viewer=county_user, start=YESTERDAY, end=YESTERDAY)
        }
        assert rows[home.pk].closed
        assert not rows[home.pk].unscreened
        assert runner.run_reminders(checks=CHECKS).raised == 0
    finally:
        if closed_management in rules._closure_checks:
            rules._closure_checks.remove(closed_management)


def test_s5_an_office_hours_institution_is_flagged_on_a_working_day_only(tree, county_user):
    registry = make_institution(tree.county_a, "加格达奇区婚姻登记处", institution_type="marriage_registry")
    saturday, monday = dt.date(2022, 1, 8), dt.date(2022, 1, 10)
    Holiday.objects.filter(date__in=[saturday, monday]).delete()
    with clock.frozen(dt.datetime(2022, 1, 11, 9, 0)):
        rows = {
            r.day: r
            for r in selectors.completeness(viewer=county_user, start=saturday, end=monday)
            if r.unit.pk == registry.pk
        }
    assert rows[saturday].closed
    assert not rows[saturday].unscreened
    assert rows[monday].unscreened


def test_s5_no_alert_when_a_screening_arrives_before_the_reminder_is_delivered(tree, county_user):
    screened_yesterday(county_user, tree.nursing_home_b)
    collected = runner.collect(checks=CHECKS)
    assert [s.reminder.unit for s in collected.scheduled] == [tree.nursing_home_a]
    # A desk working offline syncs yesterday's record in between.
    Screening.objects.create(
        unit=tree.nursing_home_a,
        screened_at=dt.datetime(2022, 1, 4, 15, 0, tzinfo=clock.local_zone()),
        health_code="green",
        itinerary_code="green",
        temperature=Decimal("36.4"),
        verdict=Verdict.ADMITTED,
        source="api",
    )
    report = runner.deliver(collected)
    assert (report.raised, report.no_longer_due) == (0, 1)
    assert not Alert.objects.filter(kind=UNSCREENED_DAY).exists()


def test_s5_chart_data_is_scoped_to_the_viewer(client, tree, county_user, other_county_user, region_admin):
    screen_at(dt.datetime(2022, 1, 4, 9, 0), county_user, tree.nursing_home_a)
    screen_at(
        dt.datetime(2022, 1, 4, 9, 5), county_user, tree.nursing_home_a, replace(GREEN, health_code="red")
    )
    screen_at(dt.datetime(2022, 1, 5, 9, 0), other_county_user, tree.nursing_home_b)
    mine = selectors.screening_chart(viewer=county_user)
    assert [c["name"] for c in mine["counties"]] == ["加格达奇区"]
    index = mine["days"].index("2022-01-04")
    assert mine["counties"][0]["screenings"][index] == 2
    assert mine["counties"][0]["refused"][index] == 1
    assert mine["days"][-1] == "2022-01-05"
    everyone = selectors.screening_chart(viewer=region_admin)
    assert [c["name"] for c in everyone["counties"]] == ["加格达奇区", "漠河市"]

    client.force_login(county_user)
    page = client.get("/screening/records/daily/").content.decode()
    assert 'id="screening-chart-data"' in page
    assert "漠河市" not in page.split('id="screening-chart-data"')[1].split("</script>")[0]
    assert "vendor/echarts/echarts.min.js" in page


def test_s5_chart_shows_an_empty_state_without_figures(client, tree, county_user):
    assert selectors.screening_chart(viewer=county_user) is None
    client.force_login(county_user)
    page = client.get("/screening/records/daily/").content.decode()
    assert 'data-testid="screening-chart-empty"' in page
    assert "screening-chart-data" not in page


def test_s5_figures_page_rejects_a_bad_span_in_chinese(client, tree, county_user):
    client.force_login(county_user)
    page = client.get("/screening/records/daily/", {"start": "2022-01-05", "end": "2021-01-01"})
    assert page.status_code == 400  # refused, and the last few days are shown instead
    assert "起始日期不能晚于截止日期" in page.content.decode()
    refused_export = client.get(
        "/screening/records/daily/", {"start": "2022-01-05", "end": "2021-01-01", "export": "xlsx"}
    )
    assert not refused_export["Content-Type"].startswith("application/vnd.openxmlformats")
    long = client.get("/screening/records/daily/", {"start": "2021-01-01", "end": "2022-01-05"})
    assert "一次最多查看" in long.content.decode()
    export = client.get("/screening/records/daily/", {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_s5_figures_page_and_dashboard_query_counts_stay_constant(client, tree, county_user):
    client.force_login(county_user)
    url = "/screening/records/daily/?start=2022-01-01&end=2022-01-05"
    screened_yesterday(county_user, tree.nursing_home_a)
    few_page, few_dashboard = _queries(client, url), _queries(client, "/")
    for number in range(4):
        home = make_institution(tree.county_a, f"第{number}敬老院")
        for day in range(1, 6):
            screen_at(dt.datetime(2022, 1, day, 9, 0), county_user, home)
            screen_at(dt.datetime(2022, 1, day, 9, 5), county_user, home, replace(GREEN, health_code="red"))
    assert _queries(client, url) == few_page
    assert _queries(client, "/") == few_dashboard


def test_s5_demo_screenings_fill_the_chart_once(tree, county_user, region_admin):
    from shouhu.screening.demo import record_demo_screenings

    created = record_demo_screenings()
    assert created > 0
    assert record_demo_screenings() == 0
    assert Screening.objects.count() == created
    chart = selectors.screening_chart(viewer=region_admin)
    assert sum(sum(c["screenings"]) for c in chart["counties"]) == created
    gaps = [
        r for r in selectors.completeness(viewer=region_admin, start=YESTERDAY, end=YESTERDAY) if r.unscreened
    ]
    assert len(gaps) == 1


def test_s5_a_region_level_institution_alerts_the_screening_coordinators(tree, county_user, region_admin):
    from shouhu.accounts.tests.factories import make_user

    coordinator = make_user("department_coordinator", tree.department)
    station = make_institution(tree.region, "地区救助管理站", institution_type="rescue_station")
    screened_yesterday(county_user, tree.nursing_home_a, tree.nursing_home_b)
    assert runner.run_reminders(checks=CHECKS).raised == 1
    alert = Alert.objects.get(kind=UNSCREENED_DAY)
    assert alert.unit == station
    assert list(alert.deliveries.values_list("user", flat=True)) == [coordinator.pk]
    screen_at(dt.datetime(2022, 1, 5, 9, 0), region_admin, station)
    chart = selectors.screening_chart(viewer=region_admin)
    assert "地区直属" in [c["name"] for c in chart["counties"]]


def test_s5_a_day_without_screening_is_labelled_a_gap_never_zero_gaps(client, tree, county_user):
    """The plan's 外防“零漏管” means nobody unscreened: a day without screening is the opposite."""
    screened_yesterday(county_user, tree.nursing_home_a)
    gap = make_institution(tree.county_a, "东山敬老院")
    client.force_login(county_user)
    page = client.get(
        "/screening/records/daily/", {"start": "2022-01-04", "end": "2022-01-04"}
    ).content.decode()
    row = next(r for r in re.findall(r"<tr.*?</tr>", page, re.S) if gap.name in r)
    assert "未查验（漏管）" in row
    assert "零漏管" not in row
    assert "零漏管" not in page.split('data-testid="figures-table"')[0].split("<h1")[1].split("</h1>")[0]
    assert "未查验（漏管） 1 个场所日" in page
    export = client.get(
        "/screening/records/daily/", {"start": "2022-01-04", "end": "2022-01-04", "export": "xlsx"}
    )
    from openpyxl import load_workbook

    cells = [
        c for r in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True) for c in r
    ]
    assert "未查验（漏管）：开放日无查验记录" in cells
    assert not any(isinstance(c, str) and "零漏管" in c for c in cells)
