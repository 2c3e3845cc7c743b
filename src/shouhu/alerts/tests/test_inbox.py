"""X6: alerts reach the users their audience names, and only them; each keeps their own state."""

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from shouhu.accounts.roles import Role, role_permissions
from shouhu.accounts.tests.factories import make_user
from shouhu.alerts import audience, selectors, services
from shouhu.alerts.models import Alert, AlertDelivery, Severity
from shouhu.alerts.permissions import AlertPerm
from shouhu.alerts.tests.factories import raise_alert
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module

pytestmark = pytest.mark.django_db


def _recipients(alert: Alert) -> set:
    return set(AlertDelivery.objects.filter(alert=alert).values_list("user__username", flat=True))


def test_x6_raise_reaches_the_users_the_audience_names_and_no_one_else(tree, county_user, other_county_user):
    township = make_user("township_staff", tree.township_a)
    home_head = make_user("institution_staff", tree.nursing_home_a)
    other_home = make_user("institution_staff", tree.nursing_home_b)
    coordinator = make_user("department_coordinator", tree.department)  # coordinates eldercare
    inactive = make_user("county_staff", tree.county_a)
    inactive.is_active = False
    inactive.save()

    to_home = raise_alert(
        tree.nursing_home_a,
        [audience.county_bureau(tree.nursing_home_a), audience.institution_staff(tree.nursing_home_a)],
        title="核酸检测阳性",
        severity=Severity.URGENT,
    )
    assert _recipients(to_home) == {county_user.username, home_head.username}
    assert to_home.audience_label == (
        "加格达奇区（县（市、区）民政局工作人员）；加格达奇区社会福利中心（服务机构工作人员）"
    )
    to_department = raise_alert(tree.village_b, [audience.module_coordinators(Module.ELDERCARE)])
    assert _recipients(to_department) == {coordinator.username}
    assert not _recipients(raise_alert(tree.village_a, [audience.module_coordinators(Module.LOTTERY)]))
    assert township.alert_deliveries.count() == other_home.alert_deliveries.count() == 0
    assert list(selectors.inbox(viewer=other_county_user)) == []
    with pytest.raises(DomainError):
        audience.institution_staff(tree.county_a)
    with pytest.raises(DomainError):
        audience.county_bureau(tree.department)


def test_x6_county_a_alert_answers_404_to_county_b_like_a_missing_one(
    client, tree, county_user, other_county_user
):
    alert = raise_alert(tree.village_a, title="东山第一社区未报")
    client.force_login(other_county_user)
    assert "东山第一社区未报" not in client.get("/alerts/").content.decode()
    assert client.get("/api/v1/alerts/").json()["count"] == 0
    for route, method in [
        ("/alerts/{}/", "get"),
        ("/alerts/{}/read/", "post"),
        ("/alerts/{}/ack/", "post"),
        ("/alerts/{}/open/", "post"),
        ("/api/v1/alerts/{}/", "get"),
        ("/api/v1/alerts/{}/read/", "post"),
        ("/api/v1/alerts/{}/ack/", "post"),
    ]:
        theirs = getattr(client, method)(route.format(alert.pk))
        missing = getattr(client, method)(route.format(987654321))
        assert theirs.status_code == missing.status_code == 404, route
        assert theirs.content == missing.content, route
    assert not AlertDelivery.objects.filter(read_at__isnull=False).exists()
    client.force_login(county_user)
    assert client.get(f"/alerts/{alert.pk}/").status_code == 200
    assert client.get(f"/api/v1/alerts/{alert.pk}/").json()["title"] == "东山第一社区未报"


def test_x6_unread_count_in_the_header_with_one_count_query(client, tree, county_user, plan_campaign):
    first = raise_alert(tree.county_a)
    raise_alert(tree.county_a)
    client.force_login(county_user)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/campaigns/calendar/").content.decode()
    badge = page.split('data-testid="alerts-badge"')[1].split("</a>")[0]
    assert ">2</span>" in badge
    on_deliveries = [q["sql"] for q in captured if "alerts_alertdelivery" in q["sql"]]
    assert len(on_deliveries) == 1
    assert "COUNT(" in on_deliveries[0].upper()
    client.post(f"/alerts/{first.pk}/read/")
    badge = client.get("/").content.decode().split('data-testid="alerts-badge"')[1].split("</a>")[0]
    assert ">1</span>" in badge
    assert client.get("/api/v1/alerts/unread-count/").json() == {"unread": 1}
    client.post("/alerts/read-all/")
    badge = client.get("/").content.decode().split('data-testid="alerts-badge"')[1].split("</a>")[0]
    assert "badge" not in badge
    # The API, which renders no header, does not count.
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/me/")
    assert not [q for q in captured if "alerts_alertdelivery" in q["sql"]]


def test_x6_read_and_acknowledge_are_each_users_own(client, tree, county_user):
    colleague = make_user("county_staff", tree.county_a)
    alert = raise_alert(tree.county_a, link="/vaccination/reports/")
    client.force_login(county_user)
    detail = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "确认收到" in detail
    assert client.post(f"/alerts/{alert.pk}/ack/", {"note": "已安排专人报送"}).status_code == 302
    mine = AlertDelivery.objects.get(alert=alert, user=county_user)
    theirs = AlertDelivery.objects.get(alert=alert, user=colleague)
    assert mine.read_at is not None
    assert (mine.acknowledged_at is not None, mine.ack_note) == (True, "已安排专人报送")
    assert (theirs.read_at, theirs.acknowledged_at) == (None, None)
    assert "已安排专人报送" in client.get(f"/alerts/{alert.pk}/").content.decode()
    again = client.post(f"/api/v1/alerts/{alert.pk}/ack/", {"note": "x"}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_acknowledged"
    entry = LogEntry.objects.get_for_object(mine).order_by("-timestamp").first()
    assert entry.actor == county_user
    assert entry.changes_dict["ack_note"] == ["", "已安排专人报送"]

    client.force_login(colleague)
    read = client.post(f"/api/v1/alerts/{alert.pk}/read/")
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert read.json()["acknowledged_at"] is None
    assert not LogEntry.objects.get_for_object(theirs).exists()  # reading is not audited
    acked = client.post(f"/api/v1/alerts/{alert.pk}/ack/", {}, content_type="application/json")
    assert acked.json()["acknowledged_at"] is not None
    with pytest.raises(DomainError):
        services.alert_mark_read(actor=colleague, delivery=mine)


def test_x6_open_follows_the_link_and_marks_read(client, tree, county_user):
    alert = raise_alert(tree.county_a, link="/vaccination/reports/submit/?period=2021-12-27")
    client.force_login(county_user)
    response = client.post(f"/alerts/{alert.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/vaccination/reports/submit/?period=2021-12-27"
    assert AlertDelivery.objects.get(alert=alert).read_at is not None


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/alerts/",
        "//evil.example/alerts/",
        "/\\evil.example",
        "javascript:alert(1)",
        "alerts/",
        "/no-such-page/",
    ],
)
def test_x6_link_must_be_a_path_of_this_site(tree, county_user, link):
    with pytest.raises(DomainError) as refused:
        raise_alert(tree.county_a, link=link)
    assert refused.value.code == "invalid_link"
    assert not Alert.objects.exists()


def test_x6_dedupe_key_alerts_once_while_open(tree, county_user):
    first = services.alert_raise(
        source="vaccination",
        kind="vaccination.report_missing",
        title="未报送",
        unit=tree.county_a,
        audience=[audience.county_bureau(tree.county_a)],
        dedupe_key="k:1",
    )
    second = services.alert_raise(
        source="vaccination",
        kind="vaccination.report_missing",
        title="未报送（再次）",
        unit=tree.county_a,
        audience=[audience.county_bureau(tree.county_a)],
        dedupe_key="k:1",
    )
    assert (first.created, second.created, second.alert.pk) == (True, False, first.alert.pk)
    assert AlertDelivery.objects.filter(user=county_user).count() == 1
    with pytest.raises(IntegrityError):  # the database holds the rule, whoever inserts
        Alert.objects.create(
            source="x",
            kind="x",
            title="x",
            unit=tree.county_a,
            audience_label="x",
            dedupe_key="k:1",
            raised_at=first.alert.raised_at,
        )


def test_x6_a_resolved_condition_may_alert_again(tree, county_user):
    first = raise_alert(tree.county_a, dedupe_key="k:2")
    services.alert_resolve(actor=None, alert=first, note="已办结")
    again = raise_alert(tree.county_a, dedupe_key="k:2")
    assert again.pk != first.pk
    assert AlertDelivery.objects.filter(user=county_user).count() == 2


def test_x6_an_audience_with_no_accounts_goes_to_the_region_administrators(tree, region_admin):
    alert = raise_alert(tree.county_b)  # nobody works at 漠河市's bureau yet
    assert _recipients(alert) == {region_admin.username}
    assert alert.audience_label.endswith("（无对应账号，已转地区管理员）")


def test_x6_every_role_has_its_own_inbox(client, tree):
    for role in Role:
        assert AlertPerm.INBOX in role_permissions(role), role
    village = make_user("village_staff", tree.village_a)
    client.force_login(village)
    page = client.get("/alerts/").content.decode()
    assert 'href="/alerts/"' in page
    assert "没有提醒" in page


def test_x6_inbox_filters_by_state_kind_and_severity(client, tree, county_user):
    unread = raise_alert(tree.county_a, title="甲", kind="test.first")
    read = raise_alert(tree.county_a, title="乙", kind="test.second", severity=Severity.URGENT)
    services.alert_mark_read(actor=county_user, delivery=selectors.access_delivery(county_user, read.pk))
    client.force_login(county_user)

    def titles(query: dict) -> list[str]:
        return [row["title"] for row in client.get("/api/v1/alerts/", query).json()["results"]]

    assert titles({}) == ["乙", "甲"]
    assert titles({"unread": "true"}) == ["甲"]
    assert titles({"kind": "test.second"}) == ["乙"]
    assert titles({"severity": "urgent"}) == ["乙"]
    page = client.get("/alerts/", {"state": "unread"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="list-results")
    html = page.content.decode()
    assert f'data-alert="{unread.pk}"' in html
    assert f'data-alert="{read.pk}"' not in html
    assert "<html" not in html  # the partial only
    assert f'data-alert="{read.pk}"' in client.get("/alerts/", {"kind": "test.second"}).content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_x6_inbox_query_count_does_not_grow_with_alerts(client, tree, county_user, plan_campaign):
    client.force_login(county_user)
    raise_alert(tree.county_a, link="/alerts/")
    few = _queries(client, "/alerts/")
    api_few = _queries(client, "/api/v1/alerts/")
    for index in range(25):
        raise_alert(
            tree.nursing_home_a if index % 2 else tree.village_a,
            kind=f"test.kind{index % 3}",
            severity=Severity.WARNING,
        )
    with_target = services.alert_raise(
        source="screening",
        kind="test.target",
        title="带对象",
        unit=tree.county_a,
        audience=[audience.named_users(county_user)],
        target=tree.township_a,
    )
    assert _queries(client, "/alerts/") == few
    assert _queries(client, "/api/v1/alerts/") == api_few
    rows = client.get("/api/v1/alerts/").json()["results"]
    assert (rows[0]["source"], rows[0]["source_label"], rows[0]["kind"]) == (
        "screening",
        "入口查验",
        "test.target",
    )
    assert rows[0]["object_type"] == "orgs.orgunit"
    assert rows[0]["object_id"] == tree.township_a.pk
    assert rows[0]["id"] == with_target.alert.pk
