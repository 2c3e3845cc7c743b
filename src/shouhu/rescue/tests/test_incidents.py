"""R3: incidents — logged, reported up at once (urgent, county bureau and region), followed to
closed with liability decided at closing; "no accident with liability" per station."""

import datetime as dt

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts import runner
from shouhu.alerts.models import Alert, AlertDelivery, Severity
from shouhu.common.errors import ConflictError, DomainError
from shouhu.orgs.models import OrgUnit
from shouhu.rescue import selectors, services
from shouhu.rescue.models import Incident, IncidentKind
from shouhu.rescue.reminders import FOLLOW_UP_OVERDUE, stale_incidents
from shouhu.rescue.services import INCIDENT_REPORTED
from shouhu.rescue.tests.factories import NOW, make_incident

pytestmark = pytest.mark.django_db


def test_r3_an_incident_goes_up_at_once_to_the_county_bureau_and_the_region(
    plan_campaign, station_a, station_staff, county_user, other_county_user, general_station_user
):
    incident = make_incident(station_a, actor=station_staff)
    alert = Alert.objects.get(kind=INCIDENT_REPORTED)
    assert alert.severity == Severity.URGENT
    assert station_a.name in alert.title
    told = set(AlertDelivery.objects.filter(alert=alert).values_list("user_id", flat=True))
    assert county_user.pk in told
    assert general_station_user.pk in told
    assert other_county_user.pk not in told
    assert incident.reported_at == NOW


def test_r3_an_incident_is_closed_only_with_the_finding_on_liability(plan_campaign, station_a, county_user):
    incident = make_incident(station_a)
    services.incident_follow_up(actor=county_user, incident=incident, text="已送医，体温回落")
    with pytest.raises(DomainError) as undecided:
        services.incident_close(actor=county_user, incident=incident, liability=None, note="已康复")
    assert undecided.value.field_errors["liability"]
    closed = services.incident_close(actor=county_user, incident=incident, liability=False, note="已康复出院")
    assert closed.closed_at is not None
    assert closed.liability is False
    with pytest.raises(ConflictError):
        services.incident_close(actor=county_user, incident=incident, liability=True, note="再次")
    with pytest.raises(ConflictError):
        services.incident_follow_up(actor=county_user, incident=incident, text="补充")


def test_r3_no_accident_with_liability_per_station(plan_campaign, station_a, station_b, county_user):
    ten_days_ago = NOW - dt.timedelta(days=10)
    liable = make_incident(station_a, kind=IncidentKind.ACCIDENT, occurred_at=ten_days_ago)
    services.incident_close(actor=county_user, incident=liable, liability=True, note="值班人员脱岗，责任事故")
    not_liable = make_incident(station_a, kind=IncidentKind.ILLNESS)
    services.incident_close(
        actor=county_user, incident=not_liable, liability=False, note="突发疾病，处置及时"
    )
    make_incident(station_a, kind=IncidentKind.ESCAPE)
    records = {
        r.station.pk: r
        for r in selectors.safety_records(OrgUnit.objects.filter(pk__in=[station_a.pk, station_b.pk]))
    }
    a, b = records[station_a.pk], records[station_b.pk]
    assert (a.days_since, a.liable_this_campaign, a.open_incidents) == (10, 1, 1)
    assert (b.days_since, b.liable_this_campaign, b.open_incidents) == (None, 0, 0)


def test_r3_a_late_follow_up_report_is_reminded_and_shows_on_today(
    plan_campaign, station_a, tree, county_user, fixed_clock
):
    incident = make_incident(station_a, occurred_at=NOW - dt.timedelta(hours=30))
    Incident.objects.filter(pk=incident.pk).update(
        reported_at=NOW - dt.timedelta(hours=25), last_report_at=NOW - dt.timedelta(hours=25)
    )
    (tally,) = selectors.today_incidents(
        within=tree.county_a.path, today=NOW.date(), viewer_id=county_user.pk
    )
    assert (tally.due, tally.overdue) == (0, 1)
    checks = {FOLLOW_UP_OVERDUE: stale_incidents}
    assert runner.run_reminders(checks=checks).raised == 1
    incident.refresh_from_db()
    services.incident_follow_up(actor=county_user, incident=incident, text="病情稳定")
    assert runner.run_reminders(checks=checks).resolved == 1
    (tally,) = selectors.today_incidents(
        within=tree.county_a.path, today=NOW.date(), viewer_id=county_user.pk
    )
    assert (tally.due, tally.overdue) == (1, 0)


def test_r3_the_station_reports_the_county_bureau_closes(
    client, plan_campaign, station_a, station_staff, county_user
):
    client.force_login(station_staff)
    response = client.post(
        f"/rescue/stations/{station_a.pk}/incidents/new/",
        {
            "kind": IncidentKind.ACCIDENT,
            "occurred_at": "2022-01-05T09:30",
            "description": "受助人员在浴室滑倒",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert Alert.objects.filter(kind=INCIDENT_REPORTED).count() == 1
    refused = client.post(f"/rescue/incidents/{incident.pk}/close/", {"liability": "no", "note": "无"})
    assert refused.status_code == 403
    client.force_login(county_user)
    page = client.get(f"/rescue/incidents/{incident.pk}/")
    assert "close-form" in page.content.decode()
    response = client.post(f"/rescue/incidents/{incident.pk}/close/", {"liability": "", "note": "已处置"})
    assert response.status_code == 400
    response = client.post(
        f"/rescue/incidents/{incident.pk}/close/", {"liability": "yes", "note": "地面未防滑"}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.liability is True


def test_r3_a_station_user_of_another_county_sees_nothing(client, plan_campaign, station_a, station_b):
    incident = make_incident(station_b)
    client.force_login(make_user("institution_staff", station_a))
    assert client.get(f"/rescue/incidents/{incident.pk}/").status_code == 404
    assert "漠河市" not in client.get("/rescue/incidents/").content.decode()
