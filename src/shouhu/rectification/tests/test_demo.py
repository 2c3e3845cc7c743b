"""The demo's findings go through the community visit and the rectification services, once."""

from shouhu.accounts.tests.factories import make_user
from shouhu.orgs.models import OrgUnit
from shouhu.rectification.demo import create_rectification
from shouhu.rectification.models import Finding, FindingStatus


def test_g1_the_demo_visit_leaves_an_escalated_an_accepted_and_a_returned_finding(tree, plan_campaign):
    OrgUnit.objects.filter(pk=tree.township_a.pk).update(code="232718001")
    make_user("county_staff", tree.county_a, username="jiagedaqi")
    make_user("township_staff", tree.township_a, username="dongshan")
    assert create_rectification() == 3
    findings = list(Finding.objects.order_by("pk"))
    assert [f.origin_model for f in findings] == ["community.fieldvisit"] * 3
    late, ledger, supplies = findings
    assert late.status == FindingStatus.OPEN
    assert late.escalated_to == tree.county_a
    assert ledger.status == FindingStatus.ACCEPTED
    assert ledger.evidence.count() == 2
    assert supplies.status == FindingStatus.OPEN
    assert supplies.returned_count == 1
    assert create_rectification() == 0
