"""Gatherings in a browser (G3): a village worker opens the 40-guest wedding banquet on a phone and
sees at the top who still lacks a valid test, with the reason; the door check refuses a guest
while the township has not approved."""

from pathlib import Path

import pytest
from phone import PHONE, assert_fits_the_phone, log_in, open_page
from playwright.sync_api import expect

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def test_g3_a_village_worker_sees_who_lacks_a_valid_test_on_a_phone(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.gatherings import selectors
    from shouhu.gatherings.models import Gathering

    banquet = Gathering.objects.get(is_demo=True, participant_count=40)
    pending = selectors.participant_check(banquet).pending
    assert len(pending) == 5

    page = open_page(new_context, **PHONE)
    log_in(page, demo_site, "dongshan1")
    page.goto(f"{demo_site}/gatherings/")
    page.get_by_role("link", name=banquet.title).tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text(banquet.title)
    page.wait_for_load_state("load")
    assert_fits_the_phone(page)
    box = page.get_by_test_id("pending")
    expect(box).to_contain_text("仍需检测：5 人")
    rows = page.get_by_test_id("pending-row")
    expect(rows).to_have_count(5)
    for row in pending:
        expect(box).to_contain_text(row.name)
    expect(box).to_contain_text("未提供核酸检测结果")
    expect(box).to_contain_text("早于活动开始前 48 小时")
    # Who still needs a test is above everything else on the page.
    first_box = box.bounding_box()
    ok = page.get_by_test_id("ok-list").locator("..")
    assert first_box is not None
    assert ok.bounding_box() is not None
    assert first_box["y"] < ok.bounding_box()["y"]
    page.screenshot(path=screenshot_dir / "phone-gathering-list-check.png", full_page=True)

    page.get_by_test_id("door-link").tap()
    page.get_by_label("姓名或证件号码").fill(pending[0].name)
    page.get_by_role("button", name="核验").tap()
    verdict = page.get_by_test_id("door-verdict").first
    expect(verdict).to_contain_text("不准入")
    expect(page.get_by_test_id("gathering-refusal")).to_contain_text("尚未批准")
    assert_fits_the_phone(page)
    page.screenshot(path=screenshot_dir / "phone-gathering-door.png", full_page=True)
