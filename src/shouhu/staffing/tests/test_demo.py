"""The demo's staffing data goes through the services, is made once, and shows every state."""

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.orgs.tests.factories import make_unit
from shouhu.staffing.demo import create_staffing
from shouhu.staffing.models import LeaveRequest, LeaveStatus, TravelReport
from shouhu.staffing.tests.factories import make_staff

pytestmark = pytest.mark.django_db


def test_r4_the_demo_fills_every_state_once(tree, plan_campaign):
    home = make_unit(
        tree.county_a,
        "institution",
        "加格达奇区社会福利中心",
        code="232718N1",
        institution_type="nursing_home",
    )
    bureau = make_unit(
        tree.county_a, "institution", "加格达奇区民政局", code="232718B", institution_type="bureau_office"
    )
    make_user("institution_staff", home, username="fulizhongxin")
    make_user("county_staff", tree.county_a, username="jiagedaqi")
    make_user("region_admin", tree.region, username="admin")
    for unit in (home, home, bureau, bureau):
        make_staff(unit)
    assert create_staffing() == 7
    statuses = sorted(LeaveRequest.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            LeaveStatus.PENDING,
            LeaveStatus.APPROVED,
            LeaveStatus.RETURNED,
            LeaveStatus.REFUSED,
            LeaveStatus.PENDING,
        ]
    )
    assert TravelReport.objects.filter(risk_hit=True, acknowledged_at__isnull=True).count() == 1
    assert TravelReport.objects.filter(risk_hit=False).count() == 1
    for leave in LeaveRequest.objects.exclude(decided_by=None):
        assert leave.decided_by_id != leave.filed_by_id
    assert create_staffing() == 0
