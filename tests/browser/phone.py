"""What every browser test shares: a phone-sized context, logging in, and the no-overflow check."""

from playwright.sync_api import BrowserContext, Page, expect

from shouhu.accounts.demo import DEMO_PASSWORD

PHONE_WIDTH = 375
PHONE = {
    "viewport": {"width": PHONE_WIDTH, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
OVERFLOW_SLACK_PX = 2
ACTION_TIMEOUT_MS = 10_000  # fail fast instead of Playwright's 30 s default


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
    # The URL changes when the new page starts; its scripts (Bootstrap's menu) run by "load".
    page.wait_for_load_state("load")


def assert_fits_the_phone(page: Page) -> None:
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["inner"] == PHONE_WIDTH, widths
    assert widths["scroll"] <= PHONE_WIDTH + OVERFLOW_SLACK_PX, f"{page.url} 横向溢出：{widths}"


def answer_codes(page: Page) -> None:
    """What was seen, one tap each: green codes, no star, a mask (none is preselected)."""
    for field, answer in (
        ("health_code", "绿码"),
        ("itinerary_code", "绿色"),
        ("itinerary_star", "不带星号"),
        ("mask", "已佩戴"),
    ):
        page.get_by_test_id(f"codes-{field}").get_by_text(answer, exact=True).tap()
