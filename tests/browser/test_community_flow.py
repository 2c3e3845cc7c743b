"""G6 on a phone: the township switches a community into emergency state, the closure plan's posts
become the day's duties, and the community's staff report people on duty; the pages fit the phone."""

from pathlib import Path

import pytest
from phone import PHONE, assert_fits_the_phone, log_in, open_page
from playwright.sync_api import expect

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def test_g6_township_switches_a_community_into_emergency_on_a_phone(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.campaigns.models import ServiceSuspension
    from shouhu.community.models import DutyCheck, EmergencyState
    from shouhu.orgs.models import OrgUnit

    village = OrgUnit.objects.get(code="232718001001")  # 东山第一社区, the demo's first roster
    page = open_page(new_context, **PHONE)
    log_in(page, demo_site, "dongshan")
    page.goto(f"{demo_site}/community/villages/{village.pk}/")
    assert_fits_the_phone(page)
    start = page.get_by_test_id("emergency-start")
    start.get_by_label("原因").fill("发现确诊病例密切接触者")
    start.get_by_role("button").tap()
    expect(page.get_by_test_id("state")).to_contain_text("应急状态中")
    expect(page.get_by_test_id("duties")).to_contain_text("主出入口信息核查岗")
    state = EmergencyState.objects.get(village=village, ended_at__isnull=True)
    assert ServiceSuspension.objects.filter(pk=state.suspension_id, lifted_at__isnull=True).exists()
    assert_fits_the_phone(page)

    staff = open_page(new_context, **PHONE)
    log_in(staff, demo_site, "dongshan1")
    staff.goto(f"{demo_site}/community/")
    duties = staff.get_by_test_id("duties")
    duties.get_by_role("button", name="到岗").first.tap()
    expect(staff.get_by_test_id("duties").get_by_text("已到岗")).to_have_count(1)
    assert DutyCheck.objects.filter(state=state).count() == 1
    assert_fits_the_phone(staff)
    staff.screenshot(path=screenshot_dir / "phone-community-duties.png", full_page=True)

    end = page.get_by_test_id("emergency-end")
    end.get_by_label("原因").fill("密接人员核酸阴性，风险解除")
    end.get_by_role("button").tap()
    expect(page.get_by_test_id("state")).to_contain_text("常态")
    assert ServiceSuspension.objects.get(pk=state.suspension_id).lifted_at is not None
