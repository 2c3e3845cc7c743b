"""V4: units report on the policy's schedule; late and missing reports are flagged; the circular
names units with an unclear baseline or poor progress."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from shouhu.accounts.tests.factories import make_user
from shouhu.campaigns.services import policy_update
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.orgs.models import UnitKind
from shouhu.orgs.tests.factories import make_unit
from shouhu.vaccination import region, selectors, services
from shouhu.vaccination.models import VaccinationPolicy, VaccinationReport
from shouhu.vaccination.schedule import report_schedule
from shouhu.vaccination.tests.factories import FULL_SERIES, make_person, office_coordinator, vaccinate

pytestmark = pytest.mark.django_db

P1, P3, P4 = dt.date(2021, 12, 13), dt.date(2021, 12, 27), dt.date(2022, 1, 3)


def at(moment: dt.datetime):
    return clock.frozen(moment.replace(tzinfo=clock.local_zone()))


def test_v4_periods_follow_the_policys_interval_from_the_campaigns_start(plan_campaign):
    schedule = report_schedule()
    periods = schedule.periods_until(dt.date(2022, 1, 5))
    assert [(p.starts_on, p.due_on) for p in periods] == [
        (P1, dt.date(2021, 12, 19)),
        (dt.date(2021, 12, 20), dt.date(2021, 12, 26)),
        (P3, dt.date(2022, 1, 2)),
        (P4, dt.date(2022, 1, 9)),
    ]
    assert len(schedule.due_before(dt.date(2022, 1, 5))) == 3
    policy_update(
        actor=None, campaign=plan_campaign, model=VaccinationPolicy, values={"report_interval_days": 10}
    )
    longer = report_schedule()
    assert [p.due_on for p in longer.periods_until(dt.date(2022, 1, 5))] == [
        dt.date(2021, 12, 22),
        dt.date(2022, 1, 1),
        dt.date(2022, 1, 11),
    ]


def test_v4_the_head_submits_the_systems_figures_as_of_the_period(plan_campaign, tree, county_user):
    done = make_person(tree.village_a)
    vaccinate(done, *FULL_SERIES)
    later = make_person(tree.village_a)
    vaccinate(later, dt.date(2021, 12, 1), dt.date(2022, 1, 4))  # completed after period 3 ended
    make_person(tree.village_a, with_id=False)
    report = services.report_submit(actor=county_user, period_start=P3, note="已逐人核实")
    assert (report.unit, report.period_end, report.as_of) == (
        tree.county_a,
        dt.date(2022, 1, 2),
        dt.date(2022, 1, 2),
    )
    assert report.figures == selectors.figures_for_unit(unit=tree.county_a, as_of=dt.date(2022, 1, 2))
    assert (report.baseline, report.completed, report.in_progress, report.unclear) == (3, 1, 1, 1)
    current = services.report_submit(actor=county_user, period_start=P4)
    assert (current.as_of, current.completed) == (dt.date(2022, 1, 5), 2)
    vaccinate(make_person(tree.village_a), dt.date(2021, 5, 1), short_name="康希诺")
    report.refresh_from_db()
    assert report.completed == 1  # a submitted report is a snapshot
    with pytest.raises(ConflictError):
        services.report_submit(actor=county_user, period_start=P3)


def test_v4_a_report_after_its_due_date_is_flagged_late(plan_campaign, tree, county_user):
    with at(dt.datetime(2021, 12, 19, 17, 30)):
        on_time = services.report_submit(actor=county_user, period_start=P1)
    late = services.report_submit(actor=county_user, period_start=P3)
    assert not on_time.is_late
    assert late.is_late
    assert VaccinationReport.objects.filter(is_late=True).count() == 1


def test_v4_a_unit_with_no_report_for_a_past_period_is_flagged_missing(
    plan_campaign, tree, county_user, client
):
    with at(dt.datetime(2021, 12, 19, 17, 30)):
        services.report_submit(actor=county_user, period_start=P1)
    services.report_submit(actor=county_user, period_start=P3)
    reporting = region.reporting_of([tree.county_a, tree.county_b], report_schedule(), clock.today())
    mine, other = reporting[tree.county_a.pk], reporting[tree.county_b.pk]
    assert (mine.due, mine.on_time, mine.late, [p.number for p in mine.missing_periods]) == (3, 1, 1, [2])
    assert mine.on_time_rate == 33.3
    assert (other.missing, other.on_time_rate) == (3, 0.0)
    client.force_login(county_user)
    page = client.get("/vaccination/reports/").content.decode()
    assert page.count('data-state="missing"') == 1
    assert page.count('data-state="late"') == 1
    assert page.count('data-state="open"') == 1  # the current period, not yet due


def test_v4_only_the_head_of_a_reporting_unit_submits(plan_campaign, tree, county_user, client):
    township_user = make_user("township_staff", tree.township_a)
    client.force_login(township_user)
    assert client.get("/vaccination/reports/submit/").status_code == 403
    denied = client.post(
        "/api/v1/vaccination/reports/", {"period_start": "2022-01-03"}, content_type="application/json"
    )
    assert denied.status_code == 403
    county_role_in_township = make_user("county_staff", tree.township_a)
    with pytest.raises(DomainError) as not_head:
        services.report_submit(actor=county_role_in_township, period_start=P4)
    assert not_head.value.code == "not_a_reporting_unit"
    with pytest.raises(DomainError) as wrong_day:
        services.report_submit(actor=county_user, period_start=dt.date(2021, 12, 14))
    assert wrong_day.value.code == "unknown_period"
    assert not VaccinationReport.objects.exists()


def test_v4_report_pages_preview_submit_and_show(plan_campaign, tree, county_user, client):
    vaccinate(make_person(tree.village_a), *FULL_SERIES)
    make_person(tree.village_a)
    client.force_login(county_user)
    preview = client.get("/vaccination/reports/submit/", {"period": "2021-12-27"}).content.decode()
    assert 'data-figure="baseline">2<' in preview
    assert "报送后将标记为逾期报送" in preview
    submitted = client.post(
        "/vaccination/reports/submit/", {"period_start": "2021-12-27", "note": "已核实"}, follow=True
    )
    html = submitted.content.decode()
    assert "已标记为逾期报送" in html
    assert 'data-testid="late"' in html
    report = VaccinationReport.objects.get()
    assert (report.completed, report.note, report.submitted_by) == (1, "已核实", county_user)
    exported = client.get("/vaccination/reports/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == tree.county_a.name
    assert rows[1][-1] == "逾期"


def test_v4_x7_api_lists_and_submits_reports(plan_campaign, tree, county_user, client):
    vaccinate(make_person(tree.village_a), *FULL_SERIES)
    client.force_login(county_user)
    created = client.post(
        "/api/v1/vaccination/reports/", {"period_start": "2022-01-03"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["figures"]["completed"] == 1
    assert body["figures"]["completion_rate"] == 100.0
    assert body["is_late"] is False
    twice = client.post(
        "/api/v1/vaccination/reports/", {"period_start": "2022-01-03"}, content_type="application/json"
    )
    assert twice.status_code == 409
    listed = client.get("/api/v1/vaccination/reports/").json()
    assert listed["count"] == 1
    other = make_user("county_staff", tree.county_b)
    client.force_login(other)
    assert client.get("/api/v1/vaccination/reports/").json()["count"] == 0
    assert client.get(f"/api/v1/vaccination/reports/{body['id']}/").status_code == 404


def _two_counties(tree):
    """County A: all done, one person without an ID. County B: half done, every ID known."""
    for _ in range(3):
        vaccinate(make_person(tree.village_a), *FULL_SERIES)
    vaccinate(make_person(tree.village_a, with_id=False), *FULL_SERIES)
    vaccinate(make_person(tree.village_b), *FULL_SERIES)
    make_person(tree.village_b)


def test_v4_the_circular_names_unclear_baselines_and_poor_progress(plan_campaign, tree, client):
    _two_counties(tree)
    office_user = office_coordinator(tree)
    circular = region.circular(viewer=office_user)
    assert [r.unit.name for r in circular.behind] == [tree.county_b.name]
    assert [r.unit for r in circular.unclear] == [tree.county_a, tree.department, office_user.unit]
    client.force_login(office_user)
    html = client.get("/vaccination/region/circular/").content.decode()
    assert "vaccination/print.css" in html
    assert "data-print" in html  # the print button (shouhu/site.js)
    unclear = html.split('data-testid="named-unclear">')[1].split("</p>")[0]
    behind = html.split('data-testid="named-behind">')[1].split("</p>")[0]
    assert tree.county_a.name in unclear
    assert "1 人身份不清" in unclear
    assert "未建立底数" in unclear
    assert tree.county_b.name in behind
    assert "50.0%" in behind
    assert tree.county_a.name not in behind
    exported = client.get("/vaccination/region/circular/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("类别", "名次", "单位")
    named = {row[2]: row[-1] for row in rows[1:]}
    assert "接种进度滞后" in named[tree.county_b.name]
    assert "底数不清" in named[tree.county_a.name]


def test_v4_the_circulars_lines_come_from_the_policy(plan_campaign, tree):
    _two_counties(tree)
    viewer = make_user("leader", tree.region)
    policy_update(
        actor=None,
        campaign=plan_campaign,
        model=VaccinationPolicy,
        values={"circular_threshold_percent": 50, "baseline_completeness_percent": 75},
    )
    circular = region.circular(viewer=viewer)
    assert circular.behind == []
    assert tree.county_a not in [r.unit for r in circular.unclear]  # 3 of 4 identified: 75%


def test_v4_the_circular_lists_units_that_did_not_report(plan_campaign, tree, county_user, client):
    with at(dt.datetime(2021, 12, 19, 16, 0)):
        services.report_submit(actor=county_user, period_start=P1)
    late_unit = make_unit(tree.region, UnitKind.AFFILIATED, "地区救助管理总站")
    circular = region.circular(viewer=make_user("region_admin", tree.region))
    reporting = {r.unit.pk: r.reporting_reasons for r in circular.rows}
    assert reporting[tree.county_a.pk] == ["2 期未报送"]
    assert reporting[tree.county_b.pk] == ["3 期未报送"]
    assert reporting[late_unit.pk] == ["3 期未报送"]
