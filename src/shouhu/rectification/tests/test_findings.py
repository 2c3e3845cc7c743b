"""G1 (and the mechanism serving L3, Q2, Q3): a problem found is passed to the unit that must fix
it, rectified with evidence, accepted or returned by the unit that found it, escalated when left
overdue."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts import runner
from shouhu.alerts.models import Alert, AlertDelivery
from shouhu.common import clock
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.modules import Module
from shouhu.evidence.tests.factories import PDF, upload
from shouhu.rectification import selectors, services
from shouhu.rectification.models import EventKind, Finding, FindingStatus, RectificationPolicy
from shouhu.rectification.reminders import overdue_findings
from shouhu.rectification.services import NotYourStep

TODAY = dt.date(2022, 1, 5)  # the fixed clock's day
CHECKS = {"rectification.overdue": overdue_findings}


def record(finder, tree, **overrides):
    values = {
        "actor": finder,
        "module": Module.COMMUNITY,
        "unit": tree.township_a,
        "origin": tree.village_a,  # stands in for the module's record (a field visit)
        "description": "卡口值守人员未佩戴口罩，出入登记不全",
        "assigned_to": "东山街道疫情防控指挥部",
        "deadline": TODAY + dt.timedelta(days=3),
    }
    return services.finding_record(**(values | overrides))


def submit(finding, clerk, files=()):
    return services.finding_submit(
        actor=clerk, finding=finding, note="已补齐登记，值守人员全部规范佩戴口罩", evidence=files
    )


def test_g1_a_county_visit_records_a_finding_for_the_township(finder, tree, plan_campaign):
    finding = record(finder, tree, deadline=None)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert finding.unit == tree.township_a
    assert finding.found_unit == tree.county_a
    assert (finding.origin_model, finding.origin_id) == ("orgs.orgunit", tree.village_a.pk)
    assert finding.origin_label == str(tree.village_a)
    assert finding.found_on == TODAY
    assert finding.found_by == finder
    # No deadline given: the policy's days from the day it was found.
    days = RectificationPolicy.objects.get(campaign=plan_campaign).default_deadline_days
    assert finding.deadline == TODAY + dt.timedelta(days=days)
    assert [e.kind for e in finding.events.all()] == [EventKind.RECORDED]
    assert list(selectors.findings_of(tree.village_a)) == [finding]


def test_g1_a_finding_needs_a_description_and_a_deadline_after_it_was_found(finder, tree):
    with pytest.raises(DomainError) as refused:
        record(finder, tree, description=" ", deadline=TODAY - dt.timedelta(days=1))
    assert set(refused.value.field_errors) == {"description", "deadline"}
    assert "整改期限不能早于发现日期" in refused.value.message
    with pytest.raises(DomainError, match="发现日期不能晚于今天"):
        record(finder, tree, found_on=TODAY + dt.timedelta(days=1), deadline=TODAY + dt.timedelta(days=5))
    assert not Finding.objects.exists()


def test_g1_the_database_holds_the_order_of_the_steps(finder, tree):
    finding = record(finder, tree)
    for change in (
        {"deadline": TODAY - dt.timedelta(days=10)},
        {"status": FindingStatus.ACCEPTED},  # accepted without reviewer or time
        {"status": FindingStatus.SUBMITTED},  # submitted without a report
        {"returned_count": 1},  # returned without a reason
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Finding.objects.filter(pk=finding.pk).update(**change)


def test_g1_the_township_submits_its_rectification_with_evidence(finder, township_clerk, tree):
    finding = record(finder, tree)
    submit(finding, township_clerk, [upload("整改后.jpg"), upload("登记表.pdf", PDF)])
    finding.refresh_from_db()
    assert finding.status == FindingStatus.SUBMITTED
    assert finding.submitted_by == township_clerk
    assert finding.submitted_at == clock.now()
    files = list(finding.evidence.order_by("pk"))
    assert [f.original_name for f in files] == ["整改后.jpg", "登记表.pdf"]
    assert {f.unit for f in files} == {tree.township_a}
    assert {f.module for f in files} == {Module.COMMUNITY}
    event = finding.events.get(kind=EventKind.SUBMITTED)
    assert list(event.evidence.order_by("pk")) == files
    # Once is enough: a second report waits for the review.
    with pytest.raises(ConflictError, match="正等待验收"):
        submit(finding, township_clerk)


def test_g1_only_the_responsible_unit_reports_and_a_bad_file_writes_nothing(finder, township_clerk, tree):
    finding = record(finder, tree)
    with pytest.raises(NotYourStep, match="由责任单位（东山街道）报送") as refused:
        submit(finding, finder)
    assert refused.value.status_code == 403
    with pytest.raises(DomainError, match="不是允许的类型"):
        submit(finding, township_clerk, [upload("ok.jpg"), upload("照片.jpg", b"<html></html>")])
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert not finding.evidence.exists()


def test_g1_the_finding_unit_accepts_never_the_responsible_unit(finder, township_clerk, tree):
    finding = submit(record(finder, tree), township_clerk, [upload()])
    with pytest.raises(NotYourStep, match="责任单位不能验收自己的整改"):
        services.finding_accept(actor=township_clerk, finding=finding)
    other_county = make_user("county_staff", tree.county_b)
    with pytest.raises(NotYourStep, match="发现问题的单位（加格达奇区）或其上级"):
        services.finding_accept(actor=other_county, finding=finding)
    services.finding_accept(actor=finder, finding=finding, note="现场复核已整改到位")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.ACCEPTED
    assert finding.accepted_by == finder
    assert finding.accepted_at == clock.now()
    with pytest.raises(ConflictError, match="已验收销号"):
        services.finding_accept(actor=finder, finding=finding)
    with pytest.raises(ConflictError, match="已验收销号"):
        services.finding_return(actor=finder, finding=finding, reason="再看看")
    # The region above the county may review too (on another finding).
    second = submit(record(finder, tree), township_clerk)
    services.finding_accept(actor=make_user("region_admin", tree.region), finding=second)


def test_g1_a_return_reopens_the_finding_with_its_reason(finder, township_clerk, tree):
    finding = record(finder, tree)
    with pytest.raises(ConflictError, match="尚未报送"):
        services.finding_accept(actor=finder, finding=finding)
    submit(finding, township_clerk)
    with pytest.raises(DomainError, match="退回理由") as refused:
        services.finding_return(actor=finder, finding=finding, reason="  ")
    assert refused.value.status_code == 400
    services.finding_return(actor=finder, finding=finding, reason="照片看不清登记表")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert (finding.returned_count, finding.return_reason) == (1, "照片看不清登记表")
    assert finding.submitted_at is not None  # the earlier report stays in the history
    submit(finding, township_clerk, [upload()])
    services.finding_accept(actor=finder, finding=finding)
    kinds = list(finding.events.values_list("kind", flat=True))
    assert kinds == ["recorded", "submitted", "returned", "submitted", "accepted"]


def _alerts(kind):
    return Alert.objects.filter(kind=kind, resolved_at__isnull=True)


def test_g1_an_overdue_finding_is_escalated_to_the_parent_unit_once(
    finder, township_clerk, tree, plan_campaign
):
    RectificationPolicy.objects.filter(campaign=plan_campaign).update(escalation_days=3)
    finding = record(finder, tree, deadline=TODAY)
    assert runner.run_reminders(checks=CHECKS).raised == 0  # due today: not late yet

    with clock.frozen(clock.start_of(TODAY + dt.timedelta(days=1)) + dt.timedelta(hours=8)):
        assert runner.run_reminders(checks=CHECKS).raised == 1
    overdue = _alerts("rectification.overdue").get()
    assert overdue.unit == tree.township_a
    assert list(AlertDelivery.objects.filter(alert=overdue).values_list("user", flat=True)) == [
        township_clerk.pk
    ]
    finding.refresh_from_db()
    assert finding.escalated_at is None

    # Three days past the deadline is not yet more than three.
    with clock.frozen(clock.start_of(TODAY + dt.timedelta(days=3)) + dt.timedelta(hours=8)):
        runner.run_reminders(checks=CHECKS)
    assert not _alerts("rectification.escalated").exists()

    later = clock.start_of(TODAY + dt.timedelta(days=4)) + dt.timedelta(hours=8)
    with clock.frozen(later):
        # A dry run (collect only) writes nothing.
        runner.collect(checks=CHECKS)
        assert Finding.objects.get(pk=finding.pk).escalated_at is None
        report = runner.run_reminders(checks=CHECKS)
    assert report.raised == 1
    escalated = _alerts("rectification.escalated").get()
    assert escalated.unit == tree.county_a
    assert escalated.severity == "urgent"
    assert AlertDelivery.objects.filter(alert=escalated, user=finder).exists()
    finding.refresh_from_db()
    assert (finding.escalated_to, finding.escalated_at) == (tree.county_a, later)

    # Recorded once: the next days' runs keep the same alert and the same escalation.
    with clock.frozen(later + dt.timedelta(days=1)):
        assert runner.run_reminders(checks=CHECKS).raised == 0
    finding.refresh_from_db()
    assert finding.escalated_at == later
    assert finding.events.filter(kind=EventKind.ESCALATED).count() == 1

    # Reporting the rectification resolves both alerts.
    with clock.frozen(later + dt.timedelta(days=1)):
        submit(finding, township_clerk)
        runner.run_reminders(checks=CHECKS)
    assert not _alerts("rectification.overdue").exists()
    assert not _alerts("rectification.escalated").exists()


def test_g1_another_township_cannot_see_the_finding(finder, township_clerk, other_township_clerk, tree):
    finding = record(finder, tree)
    assert list(selectors.finding_list(viewer=township_clerk)) == [finding]
    assert list(selectors.finding_list(viewer=finder)) == [finding]
    assert list(selectors.finding_list(viewer=other_township_clerk)) == []
    with pytest.raises(Http404):
        selectors.access_finding(other_township_clerk, finding.pk)
    with pytest.raises(Http404):
        selectors.access_finding(make_user("county_staff", tree.county_b), finding.pk)
    # A village below the township sees nothing of the township's finding.
    assert list(selectors.finding_list(viewer=make_user("village_staff", tree.village_a))) == []
    # The region sees every finding; a region department only those of the modules it
    # coordinates (the small tree's department coordinates no community work).
    assert list(selectors.finding_list(viewer=make_user("region_admin", tree.region))) == [finding]
    coordinator = make_user("department_coordinator", tree.department)
    assert list(selectors.finding_list(viewer=coordinator)) == []
    eldercare = record(finder, tree, module=Module.ELDERCARE, unit=tree.nursing_home_b)
    assert list(selectors.finding_list(viewer=coordinator)) == [eldercare]


def test_g1_the_unit_that_found_a_problem_elsewhere_sees_it(tree):
    """A region department that inspects a county sees what it found, though the county is not
    in its part of the tree."""
    inspector = make_user("inspector", tree.department)
    finding = record(inspector, tree, unit=tree.township_b)
    assert finding.found_unit == tree.department
    assert list(selectors.finding_list(viewer=inspector)) == [finding]


def test_g1_today_counts_open_findings_per_responsible_unit_overdue_first(finder, township_clerk, tree):
    late = record(finder, tree, found_on=TODAY - dt.timedelta(days=5), deadline=TODAY - dt.timedelta(days=1))
    record(finder, tree, deadline=TODAY + dt.timedelta(days=2))
    submit(record(finder, tree), township_clerk)
    record(finder, tree, unit=tree.township_b)
    community = selectors.today_counter(Module.COMMUNITY)
    tallies = {t.unit_id: t for t in community(within=tree.county_a.path, today=TODAY, viewer_id=0)}
    assert set(tallies) == {tree.township_a.pk}
    standing = tallies[tree.township_a.pk]
    assert (standing.overdue, standing.due, standing.done) == (1, 2, 1)
    assert next(iter(selectors.finding_list(viewer=finder))) == late  # overdue first
    # The community has its own Today line: the rectification line counts the other modules'.
    assert list(selectors.today_all_findings(within="", today=TODAY, viewer_id=0)) == []
    record(
        finder,
        tree,
        module=Module.SUPERVISION,
        deadline=TODAY - dt.timedelta(days=1),
        found_on=TODAY - dt.timedelta(days=2),
    )
    (supervision,) = selectors.today_all_findings(within="", today=TODAY, viewer_id=0)
    assert (supervision.unit_id, supervision.overdue, supervision.due) == (tree.township_a.pk, 1, 0)


def test_g1_the_township_sees_its_findings_on_today(client, finder, township_clerk, tree):
    record(
        finder,
        tree,
        module=Module.SUPERVISION,
        deadline=TODAY - dt.timedelta(days=1),
        found_on=TODAY - dt.timedelta(days=2),
    )
    client.force_login(township_clerk)
    page = client.get("/").content.decode()
    assert "待整改问题" in page
    assert "/rectification/?status=open" in page
