"""The Content Security Policy in a real browser: the main pages, the public ones and the API's
documentation load and work without a single violation (Chromium reports each blocked script,
style, font or connection as a `securitypolicyviolation` event and on the console)."""

import pytest
from phone import PHONE, log_in, open_page
from playwright.sync_api import ConsoleMessage, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"viewport": {"width": 1280, "height": 800}}

# Collected by the page itself, before any of its scripts runs.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def watched(new_context, **context_args: object) -> tuple[Page, list[str]]:
    page = open_page(new_context, **context_args)
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            console.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.add_init_script(LISTEN)
    return page, console


def visit(page: Page, url: str, found: list[str]) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status < 500, url
    assert "default-src 'self'" in (response.header_value("content-security-policy") or ""), url
    settle(page, found)


def settle(page: Page, found: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    found += [f"{page.url}: {v}" for v in page.evaluate("window.__violations.splice(0)")]


def test_the_main_pages_run_under_the_policy_without_a_violation(demo_site: str, new_context) -> None:
    from shouhu.campaigns.models import Campaign
    from shouhu.orgs.models import OrgUnit

    page, console = watched(new_context, **DESKTOP)
    found: list[str] = []
    visit(page, f"{demo_site}/accounts/login/", found)
    log_in(page, demo_site, "jiagedaqi")
    # The screening figures page's chart draws (ECharts) and its tooltip shows on hover.
    visit(page, f"{demo_site}/screening/records/daily/", found)
    chart = page.get_by_test_id("screening-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    chart.hover(position={"x": 200, "y": 200})
    settle(page, found)
    for path in (
        "/campaigns/calendar/",
        "/campaigns/suspensions/",
        "/campaigns/holidays/",
        "/orgs/",
        "/people/",
        "/vaccination/",
        "/vaccination/todo/",
        "/vaccination/doses/",
        "/screening/records/",
        "/screening/records/daily/",
        "/screening/risk-areas/",
        "/screening/isolations/",
        "/eldercare/",
        "/funerals/",
        "/marriage/",
        "/alerts/",
        "/notifications/",
        "/campaigns/new/",  # refused: the 403 page
        "/no-such-page/",  # the 404 page
    ):
        visit(page, f"{demo_site}{path}", found)
    # htmx swaps a filtered list in.
    page.goto(f"{demo_site}/orgs/")
    page.get_by_placeholder("名称或编码").fill("东山")
    page.get_by_placeholder("名称或编码").press("Enter")
    expect(page.get_by_test_id("unit-table").locator("tbody")).to_contain_text("东山街道")
    settle(page, found)
    # A date past 2100 typed into the address bar: the page refuses it beside the filter (the date
    # picker's own min and max keep htmx from sending it).
    refused = page.goto(f"{demo_site}/campaigns/suspensions/?active_on=9999-12-31")
    assert refused is not None
    assert refused.status == 400
    expect(page.get_by_role("alert")).to_contain_text("日期须在 1900-01-01 至 2100-12-31 之间")
    expect(page.locator("input[name=active_on]")).to_have_attribute("max", "2100-12-31")
    settle(page, found)

    admin, admin_console = watched(new_context, **DESKTOP)
    log_in(admin, demo_site, "admin")
    campaign = Campaign.objects.order_by("starts_on").first()
    admin_pages = (
        f"/admin/campaigns/campaignpolicy/{campaign.campaigns_policy.pk}/change/",
        "/admin/orgs/orgunit/",
    )
    for path in (
        f"/campaigns/{campaign.pk}/",
        "/vaccination/region/",
        "/vaccination/region/circular/",
        *admin_pages,
    ):
        visit(admin, f"{demo_site}{path}", found)
    home = OrgUnit.objects.get(code="232718N1")
    visit(page, f"{demo_site}/screening/venues/{home.pk}/poster/", found)
    # The confirmation, now in site.js: cancelled, the venue code stays as it was.
    code = page.get_by_test_id("poster").locator(".font-monospace")
    before = code.inner_text()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="更换场所码").click()
    expect(code).to_have_text(before)
    settle(page, found)
    assert not found + console + admin_console, "\n".join(found + console + admin_console)


def test_the_public_pages_run_under_the_policy_without_a_violation(demo_site: str, new_context) -> None:
    from django.urls import reverse

    from shouhu.orgs.models import OrgUnit
    from shouhu.screening.services import venue_code_issue

    page, console = watched(new_context, **PHONE)
    found: list[str] = []
    visit(page, f"{demo_site}/marriage/book/", found)
    registry = page.locator("select[name=unit] option").nth(1).get_attribute("value")
    page.locator("select[name=unit]").select_option(registry)
    page.locator("input[name=date]").fill("2022-01-07")
    page.locator("input[name=date]").dispatch_event("change")
    settle(page, found)
    visit(page, f"{demo_site}/marriage/book/manage/", found)
    venue = venue_code_issue(actor=None, unit=OrgUnit.objects.get(code="232718N1"))
    visit(page, f"{demo_site}{reverse('venue:declare', kwargs={'token': venue.token})}", found)
    assert not found + console, "\n".join(found + console)


def test_the_api_documentation_works_under_its_policy(demo_site: str, new_context) -> None:
    page, console = watched(new_context, **DESKTOP)
    found: list[str] = []
    loaded: list[str] = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    visit(page, f"{demo_site}/api/docs/", found)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("守护 Shouhu API")
    expect(page.locator(".opblock").first).to_be_visible()
    settle(page, found)
    assert not found + console, "\n".join(found + console)

    visit(page, f"{demo_site}/api/redoc/", found)
    expect(page.get_by_role("heading", name="守护 Shouhu API")).to_be_visible()
    # ReDoc's search runs in its worker (a blob: URL its policy allows).
    # Its index is built in the background: type again until it answers.
    results = page.locator("[data-role='search:results'] li")
    for _attempt in range(10):
        page.get_by_placeholder("Search...").fill("")
        page.get_by_placeholder("Search...").press_sequentially("suspensions")
        try:
            results.first.wait_for(timeout=1_000)
            break
        except PlaywrightTimeoutError:
            continue
    expect(results.first).to_be_visible()
    settle(page, found)
    # ReDoc always shows Redocly's logo from its CDN (no option turns it off): the policy blocks
    # it, the logo hides itself, and nothing is fetched from outside. That is the only violation.
    assert found == [f"{demo_site}/api/redoc/: img-src https://cdn.redoc.ly/redoc/logo-mini.svg :0"], found
    assert all("cdn.redoc.ly" in line for line in console), console
    # Nothing from another host was loaded: no web fonts, no CDN.
    assert loaded
    assert all(url.startswith((demo_site, "data:", "blob:")) for url in loaded), loaded
