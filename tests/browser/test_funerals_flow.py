"""F2 on a phone: a funeral home's clerk records the remains workflow one step at a time; only
the next step is offered, and the page fits the phone."""

from pathlib import Path

import pytest
from phone import PHONE, assert_fits_the_phone, log_in, open_page
from playwright.sync_api import expect

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)


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
