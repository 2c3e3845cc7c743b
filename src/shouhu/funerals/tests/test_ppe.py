"""F3: protective equipment per funeral home — receipts, issues to named staff, never below zero,
low stock shown and alerted at the policy's threshold."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from shouhu.alerts import runner
from shouhu.alerts.models import Alert, AlertDelivery
from shouhu.common.errors import ConflictError, DomainError
from shouhu.funerals import selectors, services
from shouhu.funerals.models import FuneralPolicy, MovementKind, PPEItem, PPEMovement, PPEStock
from shouhu.funerals.reminders import low_stock
from shouhu.funerals.services import PPE_LOW_STOCK

pytestmark = pytest.mark.django_db

CHECKS = {PPE_LOW_STOCK: low_stock}
N95 = PPEItem.N95_MASK


def test_f3_receipts_and_issues_keep_stock_and_history(plan_campaign, home_a, county_user):
    services.ppe_receive(actor=county_user, home=home_a, item=N95, quantity=200, supplier="地区调拨")
    issue = services.ppe_issue(actor=county_user, home=home_a, item=N95, quantity=30, issued_to="赵立新")
    assert issue.balance_after == 170
    assert issue.kind == MovementKind.ISSUE
    assert PPEStock.objects.get(home=home_a, item=N95).quantity == 170
    assert list(PPEMovement.objects.filter(home=home_a).values_list("kind", "quantity")) == [
        ("issue", 30),
        ("receipt", 200),
    ]


def test_f3_issuing_more_than_in_stock_is_refused_and_nothing_is_saved(plan_campaign, home_a):
    services.ppe_receive(actor=None, home=home_a, item=N95, quantity=10, supplier="采购")
    with pytest.raises(ConflictError) as refused:
        services.ppe_issue(actor=None, home=home_a, item=N95, quantity=11, issued_to="赵立新")
    assert refused.value.message == "库存不足：N95 口罩（个）现有 10，不能发放 11"
    with pytest.raises(ConflictError):
        services.ppe_issue(actor=None, home=home_a, item=PPEItem.GOGGLES, quantity=1, issued_to="赵立新")
    assert PPEStock.objects.get(home=home_a, item=N95).quantity == 10
    assert PPEMovement.objects.filter(kind=MovementKind.ISSUE).count() == 0


@pytest.mark.parametrize(
    ("quantity", "issued_to", "field"),
    [(0, "赵立新", "quantity"), (-5, "赵立新", "quantity"), (1, " ", "issued_to")],
)
def test_f3_bad_issues_are_refused_in_chinese(plan_campaign, home_a, quantity, issued_to, field):
    services.ppe_receive(actor=None, home=home_a, item=N95, quantity=10, supplier="采购")
    with pytest.raises(DomainError) as refused:
        services.ppe_issue(actor=None, home=home_a, item=N95, quantity=quantity, issued_to=issued_to)
    assert field in refused.value.field_errors
    assert PPEStock.objects.get(home=home_a, item=N95).quantity == 10


def test_f3_the_database_refuses_negative_stock(plan_campaign, home_a):
    services.ppe_receive(actor=None, home=home_a, item=N95, quantity=1, supplier="采购")
    with pytest.raises(IntegrityError), transaction.atomic():
        PPEStock.objects.filter(home=home_a, item=N95).update(quantity=-1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_f3_two_concurrent_issues_cannot_drive_stock_negative(tree):
    from shouhu.funerals.tests.factories import make_home

    home = make_home(tree.county_a)
    services.ppe_receive(actor=None, home=home, item=N95, quantity=10, supplier="采购")
    results: list[str] = []
    barrier = threading.Barrier(4)

    def issue():
        try:
            barrier.wait()
            services.ppe_issue(actor=None, home=home, item=N95, quantity=4, issued_to="赵立新")
            results.append("ok")
        except ConflictError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "ok", "refused", "refused"]
    assert PPEStock.objects.get(home=home, item=N95).quantity == 2


def test_f3_an_issue_under_the_threshold_alerts_and_a_receipt_resolves_it(
    plan_campaign, home_a, home_staff, county_user, other_county_user
):
    threshold = plan_campaign.funerals_policy.ppe_low_stock_threshold
    services.ppe_receive(actor=None, home=home_a, item=N95, quantity=threshold, supplier="采购")
    services.ppe_issue(actor=None, home=home_a, item=N95, quantity=1, issued_to="赵立新")
    alert = Alert.objects.get(kind=PPE_LOW_STOCK)
    assert set(AlertDelivery.objects.filter(alert=alert).values_list("user", flat=True)) == {
        home_staff.pk,
        county_user.pk,
    }
    assert f"库存 {threshold - 1}，低于预警数量 {threshold}" in alert.body
    services.ppe_issue(actor=None, home=home_a, item=N95, quantity=1, issued_to="赵立新")
    assert Alert.objects.filter(kind=PPE_LOW_STOCK).count() == 1  # the same open alert
    assert runner.run_reminders(checks=CHECKS).already_open == 1
    services.ppe_receive(actor=None, home=home_a, item=N95, quantity=10, supplier="采购")
    assert runner.run_reminders(checks=CHECKS).resolved == 1


def test_f3_the_threshold_comes_from_the_policy(plan_campaign, home_a):
    services.ppe_receive(actor=None, home=home_a, item=N95, quantity=10, supplier="采购")
    FuneralPolicy.objects.filter(campaign=plan_campaign).update(ppe_low_stock_threshold=5)
    services.ppe_issue(actor=None, home=home_a, item=N95, quantity=5, issued_to="赵立新")
    assert not Alert.objects.exists()
    assert runner.run_reminders(checks=CHECKS).raised == 0
    FuneralPolicy.objects.filter(campaign=plan_campaign).update(ppe_low_stock_threshold=6)
    assert runner.run_reminders(checks=CHECKS).raised == 1


def test_f3_the_page_shows_stock_low_items_and_refuses_an_over_issue(
    client, plan_campaign, home_a, home_staff
):
    services.ppe_receive(actor=None, home=home_a, item=N95, quantity=500, supplier="采购")
    services.ppe_receive(actor=None, home=home_a, item=PPEItem.GOGGLES, quantity=3, supplier="采购")
    client.force_login(home_staff)
    url = f"/funerals/ppe/{home_a.pk}/"
    page = client.get(url).content.decode()
    assert "护目镜（副）" in page
    assert "库存不足" in page
    received = client.post(f"{url}receive/", {"item": N95, "quantity": "20", "supplier": "采购"})
    assert received.status_code == 302
    refused = client.post(f"{url}issue/", {"item": N95, "quantity": "521", "issued_to": "赵立新"})
    assert refused.status_code == 400
    assert "库存不足：N95 口罩（个）现有 520，不能发放 521" in refused.content.decode()
    issued = client.post(f"{url}issue/", {"item": N95, "quantity": "20", "issued_to": "赵立新"})
    assert issued.status_code == 302
    history = client.get(url).content.decode()
    assert "赵立新" in history
    assert "采购" in history


def test_f3_the_stock_list_is_scoped_and_counts_queries(
    client, plan_campaign, home_a, home_b, county_user, django_assert_max_num_queries
):
    for item in PPEItem:
        services.ppe_receive(actor=None, home=home_a, item=item, quantity=100, supplier="采购")
        services.ppe_receive(actor=None, home=home_b, item=item, quantity=10, supplier="采购")
    client.force_login(county_user)
    with django_assert_max_num_queries(12):
        page = client.get("/funerals/ppe/")
    text = page.content.decode()
    assert "加格达奇区殡仪馆" in text
    assert "漠河市" not in text
    with django_assert_max_num_queries(14):
        assert client.get(f"/funerals/ppe/{home_a.pk}/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/funerals/ppe/stock/").status_code == 200
    assert client.get(f"/funerals/ppe/{home_b.pk}/").status_code == 404
    assert client.post(f"/funerals/ppe/{home_b.pk}/issue/", {}).status_code == 404
    api = client.get("/api/v1/funerals/ppe/stock/").json()
    assert api["count"] == len(PPEItem)


def test_f3_the_api_receives_and_issues(client, plan_campaign, home_a, home_b, county_user):
    client.force_login(county_user)
    base = f"/api/v1/funerals/ppe/{home_a.pk}/"
    got = client.post(
        f"{base}receipts/",
        {"item": "gloves", "quantity": 40, "supplier": "采购"},
        content_type="application/json",
    )
    assert got.status_code == 201
    assert got.json()["balance_after"] == 40
    over = client.post(
        f"{base}issues/",
        {"item": "gloves", "quantity": 41, "issued_to": "赵立新"},
        content_type="application/json",
    )
    assert over.status_code == 409
    assert over.json()["error"]["code"] == "insufficient_stock"
    ok = client.post(
        f"{base}issues/",
        {"item": "gloves", "quantity": 4, "issued_to": "赵立新"},
        content_type="application/json",
    )
    assert ok.status_code == 201
    assert ok.json()["balance_after"] == 36
    other = client.post(
        f"/api/v1/funerals/ppe/{home_b.pk}/receipts/",
        {"item": "gloves", "quantity": 1, "supplier": "采购"},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_f3_a_receipt_without_its_source_is_refused_on_page_and_api(
    client, plan_campaign, home_a, county_user
):
    with pytest.raises(DomainError) as refused:
        services.ppe_receive(actor=None, home=home_a, item=N95, quantity=5, supplier=" ")
    assert refused.value.field_errors["supplier"] == ["请填写物资来源（如上级调拨、采购、捐赠）"]
    client.force_login(county_user)
    page = client.post(f"/funerals/ppe/{home_a.pk}/receive/", {"item": N95, "quantity": "5", "supplier": ""})
    assert page.status_code == 400
    assert "请填写物资来源" in page.content.decode()
    api = client.post(
        f"/api/v1/funerals/ppe/{home_a.pk}/receipts/",
        {"item": N95, "quantity": 5},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "supplier" in str(api.json())
    assert not PPEMovement.objects.exists()


def test_f3_items_never_received_show_not_stocked_not_low(client, plan_campaign, home_a, county_user):
    services.ppe_receive(actor=None, home=home_a, item=N95, quantity=1, supplier="采购")
    lines = {line.item: line for line in selectors.stock_of(home_a, threshold=50)}
    assert lines[PPEItem.N95_MASK].low
    assert lines[PPEItem.N95_MASK].stocked
    assert not lines[PPEItem.GOGGLES].low
    assert not lines[PPEItem.GOGGLES].stocked
    client.force_login(county_user)
    page = client.get(f"/funerals/ppe/{home_a.pk}/").content.decode()
    assert page.count("库存不足") == 1
    assert page.count("未入库") == len(PPEItem) - 1
