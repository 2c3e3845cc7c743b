"""Assistance in a browser (issue 15): a village worker records a visit on a phone; a county clerk
assesses a household and sees the amount with its working; the monthly roll is generated and the
bank's file exported with its reason."""

from pathlib import Path

import pytest
from phone import PHONE, assert_fits_the_phone, log_in, open_page
from playwright.sync_api import expect

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a2_a_village_worker_records_a_visit_on_a_phone(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.assistance.models import Household, Visit

    household = Household.objects.filter(unit__code="232718001001").order_by("pk").first()
    assert household is not None
    before = Visit.objects.filter(household=household).count()

    page = open_page(new_context, **PHONE)
    log_in(page, demo_site, "dongshan1")
    page.goto(f"{demo_site}/assistance/")
    page.locator(f"a[href='/assistance/{household.pk}/']").first.tap()
    page.get_by_role("link", name="记录走访").first.tap()
    form = page.get_by_test_id("visit-form")
    expect(form).to_be_visible()
    page.wait_for_load_state("load")
    assert_fits_the_phone(page)
    form.get_by_label("走访情况").fill("老人身体尚可，家中取暖正常")
    form.get_by_label("困难诉求").fill("需要常用药品")
    form.get_by_role("button", name="保存走访记录").tap()
    expect(page.locator(".alert-success")).to_contain_text("已记录走访")
    assert Visit.objects.filter(household=household).count() == before + 1
    assert_fits_the_phone(page)
    page.screenshot(path=screenshot_dir / "phone-assistance-visit.png", full_page=True)


def test_a8_a_county_clerk_assesses_a_household_and_generates_the_roll(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.assistance.models import Household, Payment, Standing
    from shouhu.people.models import PersonalDataReveal

    household = (
        Household.objects.filter(standing=Standing.DIBAO, unit__code="232718001001").order_by("pk").first()
    )
    assert household is not None
    head = household.members.get(relation="head").person

    page = open_page(new_context, viewport={"width": 1280, "height": 900})
    log_in(page, demo_site, "jiagedaqi")
    page.goto(f"{demo_site}/assistance/{household.pk}/assessments/new/")
    form = page.get_by_test_id("assessment-form")
    lines = page.get_by_test_id("income-lines").locator("fieldset").first
    lines.get_by_label("成员").select_option(label=head.name)
    lines.get_by_label("收入类型").select_option(label="工资性收入")
    lines.get_by_label("金额（元/月）").fill("900")
    lines.get_by_label("已外出务工或返岗复工").check()
    form.get_by_role("button", name="核算").click()
    # The working, line by line, ending in the amount.
    expect(page.get_by_role("cell", name=f"{head.name} 扣减就业成本")).to_be_visible()
    expect(page.get_by_role("cell", name="低保金（元/月）")).to_be_visible()
    page.screenshot(path=screenshot_dir / "assistance-assessment.png", full_page=True)

    page.goto(f"{demo_site}/assistance/rolls/")
    page.get_by_role("button", name="生成花名册").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("加格达奇区")
    assert Payment.objects.filter(roll__county__code="232718").exists()
    page.get_by_label("导出事由").fill("本月低保金代发")
    with page.expect_download() as download:
        page.get_by_role("button", name="导出银行代发文件").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert PersonalDataReveal.objects.filter(reason="本月低保金代发").exists()
