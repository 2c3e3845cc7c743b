"""Rescue in a browser, on a phone (R1, R2): station staff log a street patrol with a person met
and persuaded into the station; a return home is confirmed on arrival by the receiving side."""

from pathlib import Path

import pytest
from phone import PHONE, assert_fits_the_phone, log_in, open_page
from playwright.sync_api import expect

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def test_r1_a_patrol_is_logged_on_a_phone(demo_site: str, new_context, screenshot_dir: Path) -> None:
    from shouhu.rescue.models import PatrolEncounter, RescuedPerson, StreetPatrol

    before = StreetPatrol.objects.count()
    page = open_page(new_context, **PHONE)
    log_in(page, demo_site, "jiuzhuzhan")
    page.goto(f"{demo_site}/rescue/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("加格达奇区救助管理站")
    assert_fits_the_phone(page)
    page.get_by_test_id("log-patrol").tap()
    form = page.get_by_test_id("patrol-form")
    expect(form).to_be_visible()
    assert_fits_the_phone(page)
    form.get_by_label("巡查区域").fill("东山公园、桥洞")
    form.get_by_label("巡查人员").fill("张建国、李卫东")
    form.get_by_role("button", name="保存巡查").tap()
    expect(page.locator(".alert-success")).to_contain_text("已登记街面巡查")
    assert StreetPatrol.objects.count() == before + 1

    encounter = page.get_by_test_id("encounter-form")
    encounter.get_by_label("发现地点").fill("东山公园北门")
    encounter.get_by_label("人员情况", exact=True).fill("男，约55岁，衣着单薄")
    encounter.get_by_label("处置方式").select_option(label="劝导入站")
    encounter.get_by_label("劝导入站：同时开立受助人员记录").check()
    encounter.get_by_role("button", name="保存").tap()
    expect(page.locator(".alert-success")).to_contain_text("已劝导入站")
    expect(page.get_by_test_id("encounters")).to_contain_text("男，约55岁，衣着单薄")
    assert_fits_the_phone(page)
    patrol = StreetPatrol.objects.order_by("-pk").first()
    assert patrol is not None
    assert PatrolEncounter.objects.filter(patrol=patrol, rescued__isnull=False).count() == 1
    assert RescuedPerson.objects.filter(description="男，约55岁，衣着单薄").exists()
    page.screenshot(path=screenshot_dir / "phone-rescue-patrol.png", full_page=True)


def test_r2_a_return_home_is_confirmed_on_arrival_on_a_phone(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.rescue.models import ReturnStatus, ReturnTrip

    trip = ReturnTrip.objects.filter(station__code="232718R", status=ReturnStatus.DEPARTED).first()
    assert trip is not None
    page = open_page(new_context, **PHONE)
    log_in(page, demo_site, "jiuzhuzhan")
    page.goto(f"{demo_site}/rescue/")
    page.get_by_test_id("returns").get_by_role("link").first.tap()
    expect(page.get_by_test_id("trip-status")).to_have_text("已出发")
    form = page.get_by_test_id("arrival-form")
    expect(form).to_be_visible()
    assert_fits_the_phone(page)
    form.get_by_label("接收方确认人").fill("王德才")
    form.get_by_label("确认方式及情况").fill("电话确认已到家")
    form.get_by_role("button", name="确认到达").tap()
    expect(page.locator(".alert-success")).to_contain_text("已确认到达")
    expect(page.get_by_test_id("trip-status")).to_have_text("已到达")
    assert_fits_the_phone(page)
    trip.refresh_from_db()
    assert trip.status == ReturnStatus.ARRIVED
    assert trip.confirmed_by_name == "王德才"
    page.screenshot(path=screenshot_dir / "phone-rescue-arrival.png", full_page=True)
