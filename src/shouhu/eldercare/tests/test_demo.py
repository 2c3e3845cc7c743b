"""The demo data goes through the services and can be loaded twice."""

import pytest

from shouhu.eldercare.demo import load_demo_eldercare
from shouhu.eldercare.models import Closure, DailyLog, TestResult, TestRound
from shouhu.eldercare.tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_e1_e2_e4_demo_data_is_idempotent(tree, plan_campaign):
    for name in ("甲", "乙", "丙"):
        make_member(tree.nursing_home_a, f"老人{name}")
    first = load_demo_eldercare()
    assert first["closures"] == 2  # both homes, phase 2 of the plan (2022-01-31 – 2022-02-25)
    assert Closure.objects.filter(starts_on="2022-01-31", ends_on="2022-02-25").count() == 2
    assert first["rounds"] == 1
    assert TestResult.objects.filter(result="").count() == 1
    assert TestResult.objects.filter(result="not_sampled").count() == 1
    assert DailyLog.objects.filter(unit=tree.nursing_home_a).exists()
    assert not DailyLog.objects.filter(unit=tree.nursing_home_b).exists()  # flagged on the overview
    again = load_demo_eldercare()
    assert (again["closures"], again["rounds"], again["records"]) == (0, 0, 0)
    assert TestRound.objects.count() == 1
