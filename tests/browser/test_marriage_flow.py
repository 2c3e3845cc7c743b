"""M5 and M1 in a phone-sized browser: a couple books the last seat of a 520 slot, typing the codes
their phones received; the next couple is offered the waiting list and joins it."""

import datetime as dt
from pathlib import Path

import pytest
from phone import OVERFLOW_SLACK_PX, PHONE, PHONE_WIDTH, open_page
from playwright.sync_api import Page, expect

from shouhu.common import clock

DAY_520 = dt.date(2022, 5, 20)
# Inside the week before 520, when its booking is open (the policy's surge opening days).
BOOKING_MOMENT = dt.datetime(2022, 5, 16, 10, 0)

pytestmark = pytest.mark.django_db(transaction=True)


def fill_couple(page: Page, *, a_id: str, b_id: str, serial: int) -> None:
    page.locator("#id_a_name").fill("张三")
    page.locator("#id_a_id_number").fill(a_id)
    page.locator("#id_a_phone").fill(f"1391234{serial:04d}")
    page.locator("#id_b_name").fill("李四")
    page.locator("#id_b_id_number").fill(b_id)
    page.locator("#id_b_phone").fill(f"1381234{serial:04d}")
    page.locator("#id_consent").check()


def type_codes(page: Page) -> None:
    """What the couple reads on their phones: the codes queued in the outbox for them."""
    from shouhu.marriage.tests.factories import sent_codes

    expect(page.get_by_test_id("public-title")).to_have_text("输入验证码")
    codes = sent_codes()
    page.locator("#id_code_a").fill(codes["a"])
    page.locator("#id_code_b").fill(codes["b"])
    page.get_by_test_id("confirm").click()


def test_m5_phone_books_the_last_520_seat_and_the_next_couple_joins_the_waiting_list(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.marriage import services
    from shouhu.marriage.tests.factories import resident_id
    from shouhu.orgs.models import OrgUnit

    registry = OrgUnit.objects.get(code="232718M")  # 加格达奇区婚姻登记处
    with clock.frozen(BOOKING_MOMENT):
        services.surge_date_set(actor=None, date=DAY_520, name="“520”", daily_quota=8, is_computed=True)
        # What `marriage_tick` does at that moment: the rows of the window's days (pages make none).
        services.slots_make_upcoming()
        first = open_page(new_context, **PHONE)
        first.goto(f"{demo_site}/marriage/book/?unit={registry.pk}&date={DAY_520}")
        slot = first.get_by_test_id("slot-0830")
        expect(first.get_by_test_id("slots")).to_contain_text("余 1 个")
        slot.check()
        fill_couple(first, a_id=resident_id(9001), b_id=resident_id(9002, female=True), serial=1)
        widths = first.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
        assert widths["scroll"] <= PHONE_WIDTH + OVERFLOW_SLACK_PX, widths
        first.get_by_test_id("submit").click()
        type_codes(first)
        expect(first.get_by_test_id("public-title")).to_have_text("预约成功")
        expect(first.get_by_test_id("advance-notice")).to_contain_text("需携带的材料")
        first.screenshot(path=str(screenshot_dir / "marriage_520_booked.png"), full_page=True)

        second = open_page(new_context, **PHONE)
        # The second couple picks the day on the calendar (M1): the day is shown full before they
        # pick it, and picking it fills the date field and lists its slots (htmx, no reload).
        second.goto(f"{demo_site}/marriage/book/?unit={registry.pk}")
        expect(second.get_by_test_id("manage-button")).to_be_visible()
        day_cell = second.get_by_test_id(f"day-{DAY_520.isoformat()}")
        expect(day_cell).to_contain_text("余")
        second.locator("#id_a_name").fill("张三")
        day_cell.locator("a").click()
        expect(second.locator("#id_date")).to_have_value(DAY_520.isoformat())
        expect(second.locator("#id_a_name")).to_have_value("张三")  # what was typed stays
        expect(second.get_by_test_id("slots")).to_contain_text("已约满，可候补")
        widths = second.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
        )
        assert widths["scroll"] <= PHONE_WIDTH + OVERFLOW_SLACK_PX, widths
        second.get_by_test_id("slot-0830").check()
        fill_couple(second, a_id=resident_id(9003), b_id=resident_id(9004, female=True), serial=2)
        second.get_by_test_id("submit").click()
        type_codes(second)
        expect(second.get_by_test_id("waitlist-offer")).to_contain_text("已约满")
        expect(second.get_by_test_id("form-error")).to_have_count(0)  # said once, in the offer
        second.get_by_test_id("join-waitlist").click()
        expect(second.get_by_test_id("public-title")).to_have_text("已登记候补")
