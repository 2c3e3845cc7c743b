"""Today, reminders and the API of the community app (G2, G4/G6)."""

import datetime as dt

from django.urls import reverse

from shouhu.alerts import runner
from shouhu.alerts.models import Alert, AlertDelivery
from shouhu.common import clock
from shouhu.common.today import registered_works
from shouhu.community import reminders
from shouhu.community.models import EmergencyState
from shouhu.community.tests.factories import fill_roster, make_member, make_plan

CHECKS = {reminders.ROSTER_GAPS: reminders.roster_gaps}


def _rosters_work():
    return next(w for w in registered_works() if w.key == "community.roster")


def test_g2_today_counts_filled_rosters_and_late_gaps(
    tree, plan_campaign, county_user, django_assert_num_queries
):
    fill_roster(tree.village_a)
    work = _rosters_work()
    with django_assert_num_queries(2):
        tallies = {
            t.unit_id: t for t in work.count(within=tree.county_a.path, today=clock.today(), viewer_id=1)
        }
    assert (tallies[tree.village_a.pk].done, tallies[tree.village_a.pk].due) == (1, 1)
    assert tree.village_b.pk not in tallies
    # Within the policy's days of the campaign's start a gap is due; after them, overdue.
    start = plan_campaign.starts_on
    region = {t.unit_id: t for t in work.count(within=tree.region.path, today=start, viewer_id=1)}
    assert (region[tree.village_b.pk].due, region[tree.village_b.pk].overdue) == (1, 0)
    late = start + dt.timedelta(days=30)
    region = {t.unit_id: t for t in work.count(within=tree.region.path, today=late, viewer_id=1)}
    assert (region[tree.village_b.pk].due, region[tree.village_b.pk].overdue) == (0, 1)


def test_g2_a_roster_still_lacking_roles_after_the_deadline_tells_township_and_county(
    tree, plan_campaign, county_user, township_user, other_county_user
):
    fill_roster(tree.village_a)
    make_member(tree.village_b, "只有网格长")
    report = runner.run_reminders(checks=CHECKS)  # 2022-01-05: past the 7 days from 2021-12-13
    assert report.raised == 1
    alert = Alert.objects.get(kind=reminders.ROSTER_GAPS)
    assert alert.unit_id == tree.village_b.pk
    assert "党组织" in alert.body
    told = set(AlertDelivery.objects.filter(alert=alert).values_list("user_id", flat=True))
    assert other_county_user.pk in told
    assert county_user.pk not in told
    assert township_user.pk not in told
    # Filled, the alert is resolved at the next run.
    fill_roster(tree.village_b, "乙")
    assert runner.run_reminders(checks=CHECKS).resolved == 1


def test_g6_api_switches_and_masks(client, tree, plan_campaign, township_user, village_user):
    members = fill_roster(tree.village_a)
    make_plan(tree.village_a, members[:2])
    client.force_login(village_user)
    url = reverse("api-community-emergency-start", args=[tree.village_a.pk])
    assert client.post(url, {"reason": "密接"}, content_type="application/json").status_code == 403
    client.force_login(township_user)
    response = client.post(url, {"reason": "密接"}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["suspension"] is not None
    assert client.post(url, {"reason": "又一次"}, content_type="application/json").status_code == 409
    roster = client.get(reverse("api-community-roster-list")).json()
    assert roster["count"] == 5
    assert {m["phone"] for m in roster["results"]} == {"138****8000"}
    villages = client.get(reverse("api-community-village-list")).json()["results"]
    assert villages == [{"id": tree.village_a.pk, "name": "东山第一社区", "gaps": [], "open_emergency": True}]
    end = client.post(
        reverse("api-community-emergency-end", args=[tree.village_a.pk]),
        {"reason": "解除"},
        content_type="application/json",
    )
    assert end.status_code == 200
    assert not EmergencyState.objects.filter(ended_at__isnull=True).exists()
