"""E4: the daily prevention log — a configurable checklist, one log per home per day, gaps flagged."""

import datetime as dt

import pytest

from shouhu.accounts.tests.factories import make_user
from shouhu.alerts import runner
from shouhu.alerts.models import Alert
from shouhu.alerts.selectors import inbox
from shouhu.common.errors import DomainError
from shouhu.eldercare import selectors, services
from shouhu.eldercare.models import ChecklistItem, DailyLog
from shouhu.eldercare.reminders import LOG_MISSING, missing_daily_logs

pytestmark = pytest.mark.django_db

CHECKS = {LOG_MISSING: missing_daily_logs}


@pytest.fixture
def staff(tree):
    return make_user("institution_staff", tree.nursing_home_a)


def test_e4_the_plans_checklist_is_data(db):
    labels = list(ChecklistItem.objects.values_list("label", flat=True))
    for expected in (
        "室内环境消杀",
        "室外环境消杀",
        "分餐制和餐具消毒",
        "冷链食品查验消杀",
        "快递邮件消杀",
        "通风换气",
    ):
        assert expected in labels


def test_e4_a_log_records_what_was_done_and_a_second_save_corrects_it(tree, staff):
    items = list(selectors.checklist_items())
    log = services.daily_log_record(
        actor=staff,
        home=tree.nursing_home_a,
        day=dt.date(2022, 1, 5),
        done_items=items[:3],
        note="冷链未到货",
    )
    assert set(log.done_items.all()) == set(items[:3])
    again = services.daily_log_record(
        actor=staff, home=tree.nursing_home_a, day=dt.date(2022, 1, 5), done_items=items
    )
    assert again.pk == log.pk
    assert again.done_items.count() == len(items)
    assert DailyLog.objects.count() == 1


def test_e4_a_log_for_a_future_day_is_refused_in_chinese(tree, staff):
    with pytest.raises(DomainError, match="不能填写未来日期"):
        services.daily_log_record(
            actor=staff, home=tree.nursing_home_a, day=dt.date(2022, 1, 6), done_items=[]
        )
    assert not DailyLog.objects.exists()


def test_e4_a_retired_item_cannot_be_ticked_and_a_new_one_shows_on_the_form(client, tree, staff):
    retired = ChecklistItem.objects.create(label="已停用事项", is_active=False)
    with pytest.raises(DomainError, match="已停用"):
        services.daily_log_record(
            actor=staff, home=tree.nursing_home_a, day=dt.date(2022, 1, 5), done_items=[retired]
        )
    ChecklistItem.objects.create(label="垃圾分类清运", order=99)
    client.force_login(staff)
    page = client.get(f"/eldercare/homes/{tree.nursing_home_a.pk}/log/").content.decode()
    assert "垃圾分类清运" in page
    assert "已停用事项" not in page


def test_e4_the_log_page_saves_and_refuses_a_future_day(client, tree, staff):
    client.force_login(staff)
    url = f"/eldercare/homes/{tree.nursing_home_a.pk}/log/"
    first = ChecklistItem.objects.order_by("order").first()
    future = client.post(url, {"day": "2022-01-09", "done_items": [first.pk]})
    assert future.status_code == 400
    assert "不能填写未来日期（2022-01-09）的防控日志" in future.content.decode()
    saved = client.post(url, {"day": "2022-01-05", "done_items": [first.pk], "note": "正常"})
    assert saved.status_code == 302
    assert list(DailyLog.objects.get().done_items.all()) == [first]


def test_e4_the_log_page_refuses_odd_item_ids_without_a_500(client, tree, staff):
    client.force_login(staff)
    url = f"/eldercare/homes/{tree.nursing_home_a.pk}/log/"
    for odd in ["99999999999999999999999", "abc", "-1"]:
        refused = client.post(url, {"day": "2022-01-05", "done_items": [odd]})
        assert refused.status_code == 400
        assert "检查事项" in refused.content.decode()
    assert not DailyLog.objects.exists()


def test_e4_api_log_is_validated_and_scoped(client, tree, staff):
    client.force_login(staff)
    item = ChecklistItem.objects.order_by("order").first()
    body = {"home": tree.nursing_home_a.pk, "day": "2022-01-05", "done_items": [item.pk]}
    assert (
        client.post("/api/v1/eldercare/daily-logs/", body, content_type="application/json").status_code == 200
    )
    future = client.post(
        "/api/v1/eldercare/daily-logs/", body | {"day": "2022-02-01"}, content_type="application/json"
    )
    assert future.status_code == 400
    assert "未来日期" in future.json()["error"]["message"]
    unknown = client.post(
        "/api/v1/eldercare/daily-logs/", body | {"done_items": [987654]}, content_type="application/json"
    )
    assert unknown.status_code == 400
    other = client.post(
        "/api/v1/eldercare/daily-logs/",
        body | {"home": tree.nursing_home_b.pk},
        content_type="application/json",
    )
    assert other.status_code == 404
    assert DailyLog.objects.count() == 1


def test_e4_a_home_missing_yesterdays_log_is_flagged_and_reminded(
    client, tree, staff, county_user, region_admin
):
    services.daily_log_record(actor=None, home=tree.nursing_home_b, day=dt.date(2022, 1, 4), done_items=[])
    rows = {r.home.pk: r for r in selectors.home_overview(viewer=region_admin, today=dt.date(2022, 1, 5))}
    assert rows[tree.nursing_home_a.pk].log_missing_yesterday
    assert not rows[tree.nursing_home_b.pk].log_missing_yesterday
    runner.run_reminders(checks=CHECKS)
    alert = Alert.objects.get(kind=LOG_MISSING)
    assert alert.unit == tree.nursing_home_a
    assert alert.title == "防控日志缺报：加格达奇区社会福利中心 2022-01-04"
    assert inbox(viewer=county_user).get().alert == alert
    assert inbox(viewer=staff).get().alert == alert
    client.force_login(staff)
    assert 'data-testid="log-missing"' in client.get("/eldercare/").content.decode()


def test_e4_a_late_log_silences_and_then_resolves_the_reminder(tree):
    collected = runner.collect(checks=CHECKS)
    assert {s.reminder.unit for s in collected.scheduled} == {tree.nursing_home_a, tree.nursing_home_b}
    services.daily_log_record(actor=None, home=tree.nursing_home_a, day=dt.date(2022, 1, 4), done_items=[])
    report = runner.deliver(collected)
    assert (report.raised, report.no_longer_due) == (1, 1)
    services.daily_log_record(actor=None, home=tree.nursing_home_b, day=dt.date(2022, 1, 4), done_items=[])
    assert runner.run_reminders(checks=CHECKS).resolved == 1
    assert not Alert.objects.filter(resolved_at__isnull=True).exists()


def test_e4_the_region_edits_the_checklist_and_a_county_cannot(client, tree, region_admin, county_user):
    client.force_login(county_user)
    assert client.get("/eldercare/checklist/").status_code == 403
    client.force_login(region_admin)
    page = client.get("/eldercare/checklist/").content.decode()
    assert "通风换气" in page
    assert (
        client.post(
            "/eldercare/checklist/", {"label": "体温枪校准", "order": 7, "is_active": "on"}
        ).status_code
        == 302
    )
    duplicate = client.post("/eldercare/checklist/", {"label": "体温枪校准", "order": 8})
    assert duplicate.status_code == 400
    assert "已有检查事项“体温枪校准”" in duplicate.content.decode()
    item = ChecklistItem.objects.get(label="体温枪校准")
    client.post(f"/eldercare/checklist/{item.pk}/", {"label": "体温枪校准", "order": 7})  # unticked: retired
    item.refresh_from_db()
    assert not item.is_active
    assert item not in selectors.checklist_items()
