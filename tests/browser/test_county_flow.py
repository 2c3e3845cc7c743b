"""A county user's first steps, on a desktop and on a phone: banner, calendar, own units only."""

from pathlib import Path

import pytest
from phone import PHONE, assert_fits_the_phone, open_page
from playwright.sync_api import Locator, Page, expect

from shouhu.accounts.demo import DEMO_PASSWORD

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHASE_TEXT = "当前阶段：第1阶段 游子归来护卫行动"

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    expect(page.get_by_role("heading", name="登录守护系统")).to_be_visible()
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base_url}/")
    # The URL changes when the new page starts; its scripts (Bootstrap's menu) run by "load".
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()


def nav_link(page: Page, label: str) -> Locator:
    # Not exact: the Bootstrap icon's ::before glyph (U+F1xx) is part of the link's accessible name.
    return page.locator("#mainnav").get_by_role("link", name=label)


def check_banner(page: Page) -> None:
    banner = page.get_by_test_id("phase-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(PHASE_TEXT)
    expect(banner).to_contain_text("2021-12-13 — 2022-01-30")


def check_calendar(page: Page) -> None:
    expect(page.get_by_role("heading", name="行动日历")).to_be_visible()
    key_dates = page.get_by_test_id("key-dates")
    expect(key_dates).to_contain_text("春节")
    expect(key_dates).to_contain_text("元宵节")
    phases = page.get_by_test_id("phases").locator("li")
    expect(phases).to_have_count(3)
    expect(phases.nth(0)).to_contain_text("游子归来护卫行动")
    expect(phases.nth(1)).to_contain_text("欢度佳节守卫行动")
    expect(phases.nth(2)).to_contain_text("重大节点保卫行动")
    # Today (2022-01-05) lies in phase 1, which is highlighted.
    expect(phases.nth(0)).to_have_class("list-group-item list-group-item-warning")
    expect(page.get_by_test_id("holidays")).to_contain_text("2022-01-31")


def check_units(page: Page) -> None:
    expect(page.get_by_role("heading", name="组织机构")).to_be_visible()
    table = page.get_by_test_id("unit-table")
    expect(table).to_contain_text("加格达奇区")
    expect(table).to_contain_text("东山街道")
    expect(table).not_to_contain_text("漠河市")
    expect(table).not_to_contain_text("西林吉")
    # A county user has no other county to choose: no county filter at all.
    expect(page.locator("select[name=county]")).to_have_count(0)

    search = page.get_by_placeholder("名称或编码")
    search.fill("西林吉")
    search.press("Enter")
    expect(table.locator("tbody")).to_contain_text("没有符合条件的单位")
    expect(table.locator("tbody a")).to_have_count(0)

    # The same search box does find the user's own units (so the empty result above means something).
    search.fill("东山")
    search.press("Enter")
    expect(table.locator("tbody")).to_contain_text("东山街道")
    expect(table.locator("tbody")).not_to_contain_text("没有符合条件的单位")


def test_county_user_on_desktop(demo_site: str, new_context) -> None:
    page = open_page(new_context, **DESKTOP)
    log_in(page, demo_site, "jiagedaqi")
    check_banner(page)
    expect(page.get_by_test_id("user-unit")).to_contain_text("加格达奇区")
    expect(page.locator(".navbar-toggler")).to_be_hidden()

    nav_link(page, "行动日历").click()
    expect(page).to_have_url(f"{demo_site}/campaigns/calendar/")
    check_banner(page)
    check_calendar(page)

    nav_link(page, "组织机构").click()
    expect(page).to_have_url(f"{demo_site}/orgs/")
    check_units(page)


def test_county_user_on_phone(demo_site: str, new_context, screenshot_dir: Path) -> None:
    page = open_page(new_context, **PHONE)
    log_in(page, demo_site, "jiagedaqi")
    check_banner(page)
    assert_fits_the_phone(page)

    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(nav_link(page, "行动日历")).to_be_hidden()
    toggler.tap()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    nav_link(page, "行动日历").tap()
    expect(page).to_have_url(f"{demo_site}/campaigns/calendar/")
    check_banner(page)
    check_calendar(page)
    assert_fits_the_phone(page)
    page.screenshot(path=screenshot_dir / "phone-calendar.png", full_page=True)
    page.screenshot(path=screenshot_dir / "phone-calendar-first-screen.png")

    expect(nav_link(page, "组织机构")).to_be_hidden()
    toggler.tap()
    nav_link(page, "组织机构").tap()
    expect(page).to_have_url(f"{demo_site}/orgs/")
    check_units(page)
    assert_fits_the_phone(page)
