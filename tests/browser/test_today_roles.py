"""X5, X6 in a browser, one role at a time: each logs in, finds one of today's items on the home
page (工作台), follows its link, does it through the real page and, back home, sees it leave the
list (or its overdue count drop). Field roles on a 375 px phone, bureau roles at a desk.

The counts asserted before are the demo's (load_demo at conftest's FROZEN_AT, 2022-01-05 10:00),
so each test fails if the work is not on the home page, or is still there once done. The demo has
no login for a funeral home's or a marriage registry's staff: those tests make one at the demo's
institution, and move the clock to the next morning, when the demo's COVID-19 case has waited past
its step limit and the demo's couples are booked."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from phone import PHONE, assert_fits_the_phone, log_in, open_page
from playwright.sync_api import Locator, Page, expect

from shouhu.accounts.demo import DEMO_PASSWORD
from shouhu.common import clock

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)

DESK = {"viewport": {"width": 1280, "height": 900}}
# The morning after the demo's day: the demo's COVID-19 remains (last step 2022-01-05 08:30) have
# waited past the policy's 24 hours, and the demo's three couples are booked for that day.
NEXT_MORNING = dt.datetime(2022, 1, 6, 10, 0)
FUNERAL_HOME_CODE = "232718F"  # 加格达奇区殡仪馆
REGISTRY_CODE = "232718M"  # 加格达奇区婚姻登记处
NURSING_HOME_NAME = "加格达奇区社会福利中心"


def _item(page: Page, key: str) -> Locator:
    return page.locator(f'[data-testid="today-item"][data-work="{key}"]')


def _item_keys(page: Page) -> list[str]:
    return [item.get_attribute("data-work") or "" for item in page.get_by_test_id("today-item").all()]


def _go_home(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    expect(page.get_by_role("heading", name="今日工作")).to_be_visible()


def _institution_staff(username: str, unit_code: str) -> None:
    """A staff login of a demo institution that the demo logins do not cover."""
    from shouhu.accounts.models import User
    from shouhu.accounts.roles import Role
    from shouhu.orgs.models import OrgUnit

    unit = OrgUnit.objects.get(code=unit_code)
    User.objects.create_user(
        username=username,
        password=DEMO_PASSWORD,
        role=Role.INSTITUTION_STAFF,
        unit=unit,
        display_name=unit.name,
    )


def test_x5_village_staff_visits_an_overdue_household_on_a_phone_and_it_leaves_the_list(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    staff = open_page(new_context, **PHONE)
    log_in(staff, demo_site, "dongshan1")  # 东山第一社区

    visits = _item(staff, "assistance.visits")
    expect(visits).to_contain_text("困难家庭走访")
    expect(visits.get_by_test_id("overdue")).to_have_text("逾期 1")
    expect(visits.get_by_test_id("left")).to_have_count(0)
    before = _item_keys(staff)
    # Overdue work first (X6).
    assert before[0] == "assistance.visits", before
    assert_fits_the_phone(staff)

    # The item opens the village's households past their visit interval: the one left overdue.
    visits.tap()
    expect(staff).to_have_url(re.compile(r"/assistance/\?overdue=1&unit=\d+$"))
    rows = staff.get_by_test_id("household-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link").first.tap()
    expect(staff.get_by_test_id("next-visit")).to_contain_text("走访逾期")
    staff.get_by_role("link", name="记录走访").tap()
    form = staff.get_by_test_id("visit-form")
    expect(form.get_by_label("走访日期")).to_have_value("2022-01-05")  # today, prefilled
    form.get_by_label("走访情况").fill("入户走访，取暖用煤充足，老人身体状况稳定")
    assert_fits_the_phone(staff)
    form.get_by_role("button", name="保存走访记录").tap()
    expect(staff.get_by_text("已记录走访")).to_be_visible()
    expect(staff.get_by_test_id("next-visit")).not_to_contain_text("走访逾期")

    # Back home: the visit is done, nothing else changed.
    _go_home(staff, demo_site)
    expect(_item(staff, "assistance.visits")).to_have_count(0)
    assert _item_keys(staff) == [key for key in before if key != "assistance.visits"]
    assert_fits_the_phone(staff)
    staff.screenshot(path=screenshot_dir / "phone-today-village-visited.png", full_page=True)


def test_x5_township_staff_accepts_a_late_application_on_a_phone_and_it_is_no_longer_late(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    staff = open_page(new_context, **PHONE)
    log_in(staff, demo_site, "dongshan")  # 东山街道

    applications = _item(staff, "assistance.applications")
    expect(applications).to_contain_text("低保特困申请办理")
    # Applied five days ago and not accepted: past the policy's days to accept.
    expect(applications.get_by_test_id("overdue")).to_have_text("逾期 1")
    expect(applications.get_by_test_id("left")).to_have_count(0)
    assert_fits_the_phone(staff)

    applications.tap()
    expect(staff).to_have_url(f"{demo_site}/assistance/applications/?open=1")
    late = (
        staff.get_by_test_id("application-table")
        .locator("tbody tr")
        .filter(has=staff.get_by_test_id("application-late"))
    )
    expect(late).to_have_count(1)
    late.get_by_role("link", name="办理过程").tap()
    expect(staff.get_by_test_id("application-late")).to_be_visible()
    form = staff.get_by_test_id("accept-form")
    expect(form.get_by_label("受理日期")).to_have_value("2022-01-05")
    assert_fits_the_phone(staff)
    form.get_by_role("button", name="确认受理").tap()
    expect(staff.get_by_text("已受理申请，请及时入户调查")).to_be_visible()
    expect(staff.get_by_test_id("application-late")).to_have_count(0)

    # Back home: no longer late; its next step (the home visit) is today's work, not overdue.
    _go_home(staff, demo_site)
    applications = _item(staff, "assistance.applications")
    expect(applications.get_by_test_id("overdue")).to_have_count(0)
    expect(applications.get_by_test_id("left")).to_have_text("待办 1")
    expect(applications).to_contain_text("已完成 0 / 1")
    assert_fits_the_phone(staff)
    staff.screenshot(path=screenshot_dir / "phone-today-township-accepted.png", full_page=True)


def test_x5_county_clerk_records_the_late_advance_documents_at_the_desk_and_it_leaves_the_list(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    clerk = open_page(new_context, **DESK)
    log_in(clerk, demo_site, "jiagedaqi")  # 加格达奇区民政局

    documents = _item(clerk, "assistance.advance_documents")
    expect(documents).to_contain_text("先行救助补齐要件")
    expect(documents.get_by_test_id("overdue")).to_have_text("逾期 1")
    before = _item_keys(clerk)

    documents.click()
    expect(clerk).to_have_url(f"{demo_site}/assistance/grants/?awaiting=1")
    rows = clerk.get_by_test_id("grant-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.get_by_test_id("documents-late")).to_be_visible()
    rows.get_by_text("要件已补齐").click()
    form = rows.get_by_test_id("documents-form")
    expect(form.get_by_label("要件补齐日期")).to_have_value("2022-01-05")
    form.get_by_role("button", name="确认").click()
    expect(clerk.get_by_text("已记录要件补齐")).to_be_visible()

    # Back home: the documents are in, the rest of the county's work is still there.
    _go_home(clerk, demo_site)
    expect(_item(clerk, "assistance.advance_documents")).to_have_count(0)
    assert _item_keys(clerk) == [key for key in before if key != "assistance.advance_documents"]
    clerk.screenshot(path=screenshot_dir / "desk-today-county-documents.png", full_page=True)


def test_x5_region_admin_fills_a_homes_daily_log_at_the_desk_and_the_count_drops(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    admin = open_page(new_context, **DESK)
    log_in(admin, demo_site, "admin")  # 地区管理员

    daily_log = _item(admin, "eldercare.daily_log")
    expect(daily_log).to_contain_text("今日防控日志")
    # Fourteen homes in the region, none has logged today (one missed yesterday's).
    expect(daily_log.get_by_test_id("left")).to_have_text("待办 14")
    expect(daily_log).to_contain_text("已完成 0 / 14")
    expect(daily_log.get_by_test_id("overdue")).to_have_text("逾期 1")

    # For every home the admin sees, the link is the homes' overview; the admin picks one.
    daily_log.click()
    expect(admin).to_have_url(f"{demo_site}/eldercare/")
    admin.get_by_test_id("home-table").get_by_role("link", name=NURSING_HOME_NAME, exact=True).click()
    admin.get_by_role("link", name="防控日志").click()
    admin.get_by_label("通风换气").check()
    admin.get_by_label("室内环境消杀").check()
    admin.get_by_role("button", name="保存").click()
    expect(admin.get_by_text("2022-01-05 防控日志已保存")).to_be_visible()

    # Back home: one home fewer to log; yesterday's missing log stays overdue.
    _go_home(admin, demo_site)
    daily_log = _item(admin, "eldercare.daily_log")
    expect(daily_log.get_by_test_id("left")).to_have_text("待办 13")
    expect(daily_log).to_contain_text("已完成 1 / 14")
    expect(daily_log.get_by_test_id("overdue")).to_have_text("逾期 1")
    admin.screenshot(path=screenshot_dir / "desk-today-admin-log.png", full_page=True)


def test_x5_funeral_home_staff_records_a_stalled_remains_step_on_a_phone_and_it_leaves_the_list(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.orgs.models import OrgUnit

    home = OrgUnit.objects.get(code=FUNERAL_HOME_CODE)
    _institution_staff("binyiguan", FUNERAL_HOME_CODE)
    with clock.frozen(NEXT_MORNING):
        staff = open_page(new_context, **PHONE)
        log_in(staff, demo_site, "binyiguan")

        stalled = _item(staff, "funerals.stalled_steps")
        expect(stalled).to_contain_text("新冠患者遗体处置")
        expect(stalled.get_by_test_id("overdue")).to_have_text("逾期 1")
        expect(stalled.get_by_test_id("left")).to_have_count(0)
        before = _item_keys(staff)
        assert_fits_the_phone(staff)

        # The item opens the home's open COVID-19 cases.
        stalled.tap()
        expect(staff).to_have_url(f"{demo_site}{reverse('funerals:case_list')}?covid=1&open=1&home={home.pk}")
        rows = staff.get_by_test_id("case-table").locator("tbody tr")
        expect(rows).to_have_count(1)
        rows.first.get_by_role("link").first.tap()
        form = staff.get_by_test_id("step-form")
        expect(form.get_by_role("button")).to_have_text("记录“火化”")
        form.get_by_label("执行人员").fill("赵立新")
        form.get_by_label("使用的防护装备").fill("N95 口罩、防护服、护目镜、双层手套")
        assert_fits_the_phone(staff)
        form.get_by_role("button").tap()
        expect(staff.get_by_test_id("step-form").get_by_role("button")).to_have_text("记录“骨灰领取安葬”")

        # Back home: the case moved on today, within its limit; nothing else changed.
        _go_home(staff, demo_site)
        expect(_item(staff, "funerals.stalled_steps")).to_have_count(0)
        assert _item_keys(staff) == [key for key in before if key != "funerals.stalled_steps"]
        assert_fits_the_phone(staff)
        staff.screenshot(path=screenshot_dir / "phone-today-funeral-step.png", full_page=True)


def _screen_eligible(page: Page, role: str) -> None:
    party = page.get_by_test_id(f"party-{role}")
    party.get_by_label("体温（℃）").fill("36.5")
    for question, answer in (
        ("近期是否有发热、干咳、乏力、咽痛等症状", "否"),
        ("风险地区", "否"),
        ("确诊、疑似病例", "否"),
        ("健康码是否为绿码", "是"),
    ):
        party.get_by_role("group").filter(has_text=question).get_by_label(answer, exact=True).check()
    party.get_by_test_id(f"screen-{role}").click()
    expect(page.get_by_test_id(f"party-{role}").get_by_test_id("check-result")).to_contain_text(
        "符合办理条件"
    )


def test_x5_registry_staff_serve_a_booked_couple_at_the_desk_and_the_count_drops(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.orgs.models import OrgUnit

    registry = OrgUnit.objects.get(code=REGISTRY_CODE)
    _institution_staff("dengjichu", REGISTRY_CODE)
    with clock.frozen(NEXT_MORNING):
        staff = open_page(new_context, **DESK)
        log_in(staff, demo_site, "dengjichu")

        bookings = _item(staff, "marriage.todays_bookings")
        expect(bookings).to_contain_text("今日婚姻登记预约")
        expect(bookings.get_by_test_id("left")).to_have_text("待办 3")
        expect(bookings).to_contain_text("已完成 0 / 3")

        # The item opens the registry's day; the clerk serves the first couple.
        bookings.click()
        expect(staff).to_have_url(f"{demo_site}/marriage/registries/{registry.pk}/day/")
        table = staff.get_by_test_id("booking-table")
        expect(table.locator("tbody tr")).to_have_count(3)
        table.locator("tbody tr").first.get_by_role("link").first.click()
        expect(staff.get_by_test_id("booking-status")).to_have_text("已预约")
        staff.get_by_test_id("check-in").click()
        expect(staff.get_by_test_id("booking-status")).to_have_text("已签到")
        _screen_eligible(staff, "a")
        _screen_eligible(staff, "b")
        staff.get_by_test_id("register").click()
        expect(staff.get_by_test_id("booking-status")).to_have_text("已办理")

        # Back home: one couple fewer to serve.
        _go_home(staff, demo_site)
        bookings = _item(staff, "marriage.todays_bookings")
        expect(bookings.get_by_test_id("left")).to_have_text("待办 2")
        expect(bookings).to_contain_text("已完成 1 / 3")
        staff.screenshot(path=screenshot_dir / "desk-today-registry-served.png", full_page=True)
