"""Staff leave and travel in a browser (R4): the county bureau's head, on a phone, approves a
request waiting for it and acknowledges a trip to a risk area; both pages fit the phone."""

from pathlib import Path

import pytest
from phone import PHONE, assert_fits_the_phone, log_in, open_page
from playwright.sync_api import expect

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def test_r4_the_head_approves_leave_and_acknowledges_a_risk_trip_on_a_phone(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.staffing.models import LeaveRequest, LeaveStatus, TravelReport

    leave = LeaveRequest.objects.get(status=LeaveStatus.PENDING, filed_by__username="fulizhongxin")
    trip = TravelReport.objects.get(risk_hit=True)

    page = open_page(new_context, **PHONE)
    log_in(page, demo_site, "jiagedaqi")
    page.goto(f"{demo_site}/staffing/?status=pending")
    page.locator(f"a[href='/staffing/leaves/{leave.pk}/']").first.tap()
    expect(page.get_by_test_id("leave-status")).to_have_text("待审批")
    page.wait_for_load_state("load")
    assert_fits_the_phone(page)
    page.get_by_test_id("approve").tap()
    expect(page.get_by_test_id("leave-status")).to_have_text("已批准")
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED

    page.goto(f"{demo_site}/staffing/travel/?awaiting=1")
    page.locator(f"a[href='/staffing/travel/{trip.pk}/']").first.tap()
    expect(page.get_by_test_id("risk-result")).to_contain_text("目的地涉及高风险地区")
    page.wait_for_load_state("load")
    assert_fits_the_phone(page)
    page.screenshot(path=screenshot_dir / "phone-staffing-risk-trip.png", full_page=True)
    page.get_by_test_id("acknowledge").tap()
    expect(page.get_by_test_id("risk-result")).to_contain_text("已由")
    trip.refresh_from_db()
    assert trip.acknowledged_by is not None
    assert_fits_the_phone(page)
