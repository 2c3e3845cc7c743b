"""The demo's assistance data goes through the services and is made once."""

import pytest

from shouhu.assistance.demo import create_assistance
from shouhu.assistance.models import (
    Application,
    ApplicationStatus,
    CareTask,
    FollowUp,
    Household,
    IncomeAssessment,
    PaymentRoll,
    Standard,
)
from shouhu.assistance.selectors import arrears
from shouhu.common import clock
from shouhu.inquiries.models import Inquiry

pytestmark = pytest.mark.django_db


def test_a2_the_demo_fills_every_register_once(tree, plan_campaign, region_admin):
    made = create_assistance()
    assert made == Household.objects.count() == 12  # 6 in each demo county's village of the small tree
    assert Standard.objects.count() == 4  # urban and rural in both counties
    assert IncomeAssessment.objects.exists()
    assert FollowUp.objects.exists()
    assert CareTask.objects.exists()
    assert PaymentRoll.objects.count() == 1
    assert arrears(viewer=region_admin, today=clock.today()).exists()
    assert Inquiry.objects.count() == 2
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == [ApplicationStatus.APPLIED, ApplicationStatus.PUBLICISED]
    assert create_assistance() == 0
