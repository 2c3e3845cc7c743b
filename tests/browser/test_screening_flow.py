"""S4 and S1 in a phone-sized browser: a visitor's venue-code declaration through a risk area is
refused with its reason; staff admit a green, known person: pick, answer what was seen (nothing
is preselected), a temperature button, confirm."""

import re
from pathlib import Path

import pytest
from phone import PHONE, answer_codes, assert_fits_the_phone, log_in, open_page
from playwright.sync_api import expect

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def test_s4_venue_code_refuses_risk_travel_and_staff_admit_in_three_taps(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.orgs.models import OrgUnit
    from shouhu.screening.tests.factories import make_person, risk_area

    home = OrgUnit.objects.get(code="232718N1")  # 加格达奇区社会福利中心, the demo login fulizhongxin's
    risk_area(province="北京市", county="朝阳区", level="high")
    make_person(home, "刘老汉")

    staff = open_page(new_context, **PHONE)
    log_in(staff, demo_site, "fulizhongxin")
    staff.goto(f"{demo_site}/screening/venues/{home.pk}/poster/")
    expect(staff.get_by_test_id("poster")).to_contain_text("加格达奇区社会福利中心")
    expect(staff.get_by_test_id("qr").locator("svg")).to_be_visible()
    venue_url = staff.get_by_test_id("poster").locator(".font-monospace").inner_text().strip()
    assert "/v/" in venue_url
    assert f"/{home.pk}/" not in venue_url

    visitor = open_page(new_context, **PHONE)
    visitor.goto(venue_url)
    expect(visitor.get_by_test_id("venue-name")).to_have_text("加格达奇区社会福利中心")
    expect(visitor.get_by_test_id("privacy-notice")).to_contain_text("个人信息保护法")
    visitor.get_by_label("姓名").fill("李访客")
    visitor.get_by_label("手机号").fill("13800138000")
    row = visitor.get_by_test_id("travel-row").first
    row.locator("select").select_option("北京市")
    row.get_by_placeholder("如 北京市朝阳区").fill("朝阳区")
    row.locator("input[type=date]").first.fill("2022-01-02")
    answer_codes(visitor)  # nothing is preselected: each question is answered
    visitor.get_by_label("我已阅读并同意上述个人信息处理说明").check()
    assert_fits_the_phone(visitor)
    visitor.get_by_test_id("submit").tap()
    verdict = visitor.get_by_test_id("public-verdict")
    expect(verdict).to_contain_text("劝返")
    expect(verdict).to_contain_text("高风险地区北京市朝阳区")
    assert_fits_the_phone(visitor)
    visitor.screenshot(path=screenshot_dir / "phone-venue-refused.png", full_page=True)

    staff.goto(f"{demo_site}/screening/")
    expect(staff.get_by_test_id("desk-unit")).to_have_text("加格达奇区社会福利中心")
    staff.get_by_placeholder("姓名").fill("刘老汉")
    staff.get_by_placeholder("姓名").press("Enter")
    staff.get_by_test_id("people").get_by_role("link", name=re.compile("刘老汉")).tap()  # tap 1
    answer_codes(staff)
    staff.get_by_test_id("temperature-buttons").get_by_text("36.5", exact=True).tap()  # tap 2
    assert_fits_the_phone(staff)
    staff.screenshot(path=screenshot_dir / "phone-desk-check.png")
    staff.get_by_test_id("confirm").tap()  # tap 3
    result = staff.get_by_test_id("verdict")
    expect(result).to_contain_text("准予进入")
    expect(result).to_contain_text("刘老汉")
    expect(staff.get_by_test_id("recent")).to_contain_text("刘老汉")
    assert_fits_the_phone(staff)
