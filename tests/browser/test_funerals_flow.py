"""F2 on a phone: a funeral home's clerk records the remains workflow one step at a time; only
the next step is offered, and the page fits the phone."""

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from shouhu.accounts.demo import DEMO_PASSWORD

PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PHONE_WIDTH = 375
OVERFLOW_SLACK_PX = 2
ACTION_TIMEOUT_MS = 10_000

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def open_page(new_context, **context_args: object) -> Page:
    context: BrowserContext = new_context(**context_args)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context.new_page()


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{base_url}/")


def assert_fits_the_phone(page: Page) -> None:
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["inner"] == PHONE_WIDTH, widths
    assert widths["scroll"] <= PHONE_WIDTH + OVERFLOW_SLACK_PX, f"{page.url} 横向溢出：{widths}"


def test_f2_a_clerk_records_the_next_remains_step_on_a_phone(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.funerals.models import RemainsStepRecord
    from shouhu.funerals.tests.factories import make_covid_case
    from shouhu.orgs.models import OrgUnit

    home = OrgUnit.objects.get(code="232718F")  # 加格达奇区殡仪馆, in the county of the login jiagedaqi
    case = make_covid_case(home, "测试逝者")

    page = open_page(new_context, **PHONE)
    log_in(page, demo_site, "jiagedaqi")
    page.goto(f"{demo_site}/funerals/cases/{case.pk}/")
    form = page.get_by_test_id("step-form")
    expect(form.get_by_role("button")).to_have_text("记录“卫生防疫处理”")
    assert_fits_the_phone(page)
    form.get_by_label("执行人员").fill("赵立新")
    form.get_by_label("使用的防护装备").fill("N95 口罩、防护服、护目镜")
    form.get_by_role("button").tap()
    expect(page.get_by_test_id("stage")).to_have_text("待接运")
    expect(page.get_by_test_id("step-form").get_by_role("button")).to_have_text("记录“接运”")
    assert RemainsStepRecord.objects.filter(case=case).count() == 1
    # Transport without a vehicle: refused beside the field, nothing saved.
    form = page.get_by_test_id("step-form")
    form.get_by_label("执行人员").fill("赵立新")
    form.get_by_label("使用的防护装备").fill("N95 口罩、防护服")
    form.get_by_role("button").tap()
    expect(page.get_by_test_id("step-form")).to_contain_text("接运环节须填写车辆")
    assert RemainsStepRecord.objects.filter(case=case).count() == 1
    assert_fits_the_phone(page)
    page.screenshot(path=screenshot_dir / "phone-funeral-step.png", full_page=True)
