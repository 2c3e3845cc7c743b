"""The demo: the real region's rescue stations get patrols, people, returns and incidents."""

import pytest

from shouhu.campaigns.plan import PLAN_PHASES
from shouhu.campaigns.services import campaign_create
from shouhu.orgs.demo import build_region
from shouhu.rescue.demo import create_rescue
from shouhu.rescue.models import Incident, RescuedPerson, ReturnStatus, ReturnTrip, StreetPatrol

pytestmark = pytest.mark.django_db


def test_r1_r2_r3_demo_data_at_the_real_stations():
    build_region()
    campaign_create(actor=None, starts_on=PLAN_PHASES[0].starts_on)
    assert create_rescue() == 7
    assert StreetPatrol.objects.filter(station__name="加格达奇区救助管理站").exists()
    assert RescuedPerson.objects.filter(station__code="232718R").count() == 2
    assert ReturnTrip.objects.filter(status=ReturnStatus.DEPARTED).count() == 2
    assert Incident.objects.filter(closed_at__isnull=True).count() == 1
    assert create_rescue() == 0
