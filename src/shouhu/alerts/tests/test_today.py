"""X6: the viewer's own urgent alerts not yet read are work of their day until they read them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts import audience, selectors, services
from shouhu.alerts.models import Severity
from shouhu.alerts.permissions import AlertPerm
from shouhu.alerts.selectors import urgent_unread
from shouhu.alerts.tests.factories import raise_alert
from shouhu.common import clock
from shouhu.common.today import Tally, registered_works

pytestmark = pytest.mark.django_db


def _count(user, within: str = ""):
    return list(urgent_unread(within=within, today=clock.today(), viewer_id=user.pk))


def test_x6_unread_urgent_alerts_are_the_viewers_own_tally(tree, county_user, other_county_user):
    first = raise_alert(tree.village_a, severity=Severity.URGENT)
    raise_alert(tree.village_a, severity=Severity.URGENT)
    raise_alert(tree.village_a, severity=Severity.WARNING)
    raise_alert(tree.village_a, severity=Severity.INFO)
    raise_alert(tree.village_b, severity=Severity.URGENT)  # county B's bureau, not county A's
    assert _count(county_user) == [Tally(tree.county_a.pk, tree.county_a.path, done=0, due=2)]
    assert _count(other_county_user) == [Tally(tree.county_b.pk, tree.county_b.path, done=0, due=1)]
    # Read through the inbox's service: it leaves the day's work.
    services.alert_mark_read(actor=county_user, delivery=selectors.access_delivery(county_user, first.pk))
    assert _count(county_user) == [Tally(tree.county_a.pk, tree.county_a.path, done=0, due=1)]
    services.alert_mark_all_read(actor=county_user)
    assert _count(county_user) == [Tally(tree.county_a.pk, tree.county_a.path, done=0, due=0)]
    assert _count(other_county_user) == [Tally(tree.county_b.pk, tree.county_b.path, done=0, due=1)]


def test_x6_another_recipients_reading_leaves_the_viewers_copy_unread(tree, county_user):
    colleague = make_user("county_staff", tree.county_a)
    alert = raise_alert(tree.county_a, severity=Severity.URGENT)
    services.alert_mark_read(actor=colleague, delivery=selectors.access_delivery(colleague, alert.pk))
    assert _count(colleague) == [Tally(tree.county_a.pk, tree.county_a.path, done=0, due=0)]
    assert _count(county_user) == [Tally(tree.county_a.pk, tree.county_a.path, done=0, due=1)]


def test_x6_a_viewer_outside_within_is_not_counted(tree, county_user):
    raise_alert(tree.village_a, severity=Severity.URGENT)
    assert _count(county_user, tree.county_a.path) == [Tally(tree.county_a.pk, tree.county_a.path, 0, 1)]
    assert _count(county_user, tree.region.path) == [Tally(tree.county_a.pk, tree.county_a.path, 0, 1)]
    assert _count(county_user, tree.county_b.path) == []
    assert _count(county_user, tree.township_a.path) == []


def test_x6_the_number_of_queries_is_the_same_for_few_and_many_alerts(tree, county_user):
    raise_alert(tree.village_a, severity=Severity.URGENT)
    with CaptureQueriesContext(connection) as few:
        _count(county_user)
    coordinator = make_user("department_coordinator", tree.department)
    for _ in range(5):
        raise_alert(
            tree.village_b,
            [audience.county_bureau(tree.village_a), audience.named_users(coordinator)],
            severity=Severity.URGENT,
        )
    with CaptureQueriesContext(connection) as many:
        tally = _count(county_user)
    assert len(many) == len(few) == 1
    assert tally == [Tally(tree.county_a.pk, tree.county_a.path, done=0, due=6)]


def test_x6_the_work_is_each_users_own_and_links_to_the_unread_urgent_alerts():
    (work,) = [w for w in registered_works() if w.key == "alerts.urgent_unread"]
    assert work.per_viewer
    assert work.permission == AlertPerm.INBOX
    assert work.link(None) == work.link(1) == reverse("alerts:inbox") + "?state=unread&severity=urgent"
