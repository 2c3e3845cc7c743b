import pytest

from shouhu.common.modules import Module
from shouhu.orgs.demo import build_region
from shouhu.training import selectors
from shouhu.training.demo import create_training
from shouhu.training.models import Attendance, Audience, TrainingSession

pytestmark = pytest.mark.django_db


def test_the_demo_trains_a_townships_communities_and_a_rescue_stations_staff():
    build_region()
    assert create_training() == 2
    assert create_training() == 0  # run twice, adds nothing
    community = TrainingSession.objects.get(module=Module.COMMUNITY)
    rescue = TrainingSession.objects.get(module=Module.RESCUE)
    assert community.unit.name == "东山街道"
    assert rescue.unit.name == "加格达奇区救助管理站"
    villages = {a.person.home_unit.name for a in selectors.attendances_of(community)}
    assert "东山第一社区" in villages
    assert set(Attendance.objects.filter(session=rescue).values_list("role", flat=True)) == {Audience.STAFF}
    assert not Attendance.objects.filter(person__is_demo=False).exists()
