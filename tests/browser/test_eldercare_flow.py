"""E1 and E2 in a phone-sized browser: a home closed by its staff refuses a visitor at the desk
(封闭管理) and a resident's exit; a positive result tapped in at the bedside reaches the county
bureau's inbox at once; a fever and the daily log are recorded on the phone (E3, E4)."""

import re
from pathlib import Path

import pytest
from phone import PHONE, answer_codes, assert_fits_the_phone, log_in, open_page
from playwright.sync_api import expect

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)


def test_e1_e2_closed_home_refuses_visitor_and_exit_and_a_positive_reaches_the_county(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.eldercare.selectors import people_of_home
    from shouhu.orgs.models import OrgUnit

    home = OrgUnit.objects.get(code="232718N1")  # 加格达奇区社会福利中心, the demo login fulizhongxin's
    people = list(people_of_home(home))
    assert people, "演示数据中该养老机构应有入住老人和工作人员"

    staff = open_page(new_context, **PHONE)
    log_in(staff, demo_site, "fulizhongxin")
    staff.goto(f"{demo_site}/eldercare/homes/{home.pk}/")
    staff.get_by_role("link", name="开始封闭管理").tap()
    staff.get_by_label("开始日期").fill("2022-01-05")
    staff.get_by_label("结束日期").fill("2022-01-20")
    staff.get_by_label("依据的通知或指令").fill("地区疫情防控指挥部紧急通知")
    staff.get_by_role("button", name="保存").tap()
    expect(staff.locator("h1")).to_contain_text("封闭管理 2022-01-05 – 2022-01-20")

    # A visitor at the desk is refused with the reason 封闭管理.
    staff.goto(f"{demo_site}/screening/desk/{home.pk}/visitor/")
    staff.locator("input[name=visitor_name]").fill("探视家属")
    answer_codes(staff)  # nothing is preselected
    staff.get_by_test_id("temperature-buttons").get_by_text("36.5", exact=True).tap()
    staff.get_by_test_id("confirm").tap()
    verdict = staff.get_by_test_id("verdict")
    expect(verdict).to_contain_text("劝返")
    expect(verdict.get_by_test_id("reasons")).to_contain_text("封闭管理")
    assert_fits_the_phone(staff)
    staff.screenshot(path=screenshot_dir / "phone-eldercare-visitor-refused.png", full_page=True)

    # A resident's exit is refused, with the way to record an approved exception.
    resident = people[-1]
    staff.goto(f"{demo_site}/eldercare/homes/{home.pk}/movements/new/")
    staff.get_by_label("人员").select_option(str(resident.pk))
    staff.get_by_label("外出").check()
    staff.get_by_label("事由").fill("回家过年")
    staff.get_by_role("button", name="登记").tap()
    expect(staff.get_by_role("alert")).to_contain_text("人员不进不出")
    assert_fits_the_phone(staff)

    # A round of everyone; one tap enters a positive result.
    staff.goto(f"{demo_site}/eldercare/homes/{home.pk}/rounds/new/")
    staff.get_by_role("button", name="保存").tap()
    expect(staff.get_by_test_id("round-summary")).to_contain_text(f"已采样 0/{len(people)}")
    staff.on("dialog", lambda dialog: dialog.accept())
    row = staff.get_by_test_id("result-row").filter(has_text=resident.name).first
    row.get_by_role("button", name="阳性").tap()
    expect(staff.get_by_test_id("round-summary")).to_contain_text("阳性 1")
    assert_fits_the_phone(staff)
    staff.screenshot(path=screenshot_dir / "phone-eldercare-round.png", full_page=True)

    # Health checks at the bedside: a fever is flagged and alerted at once.
    staff.goto(f"{demo_site}/eldercare/homes/{home.pk}/checks/")
    check_row = staff.get_by_test_id("check-row").filter(has_text=resident.name).first
    check_row.locator("input[name=temperature]").fill("38.2")
    check_row.get_by_role("button", name="记录").tap()
    expect(staff.get_by_text(re.compile(f"{resident.name}：体温 38.2℃.*异常，已提醒"))).to_be_visible()
    assert_fits_the_phone(staff)
    staff.screenshot(path=screenshot_dir / "phone-eldercare-checks.png", full_page=True)

    # Today's prevention log: tick the checklist, save.
    staff.goto(f"{demo_site}/eldercare/homes/{home.pk}/log/")
    staff.get_by_label("通风换气").check()
    staff.get_by_label("室内环境消杀").check()
    staff.get_by_role("button", name="保存").tap()
    expect(staff.get_by_text("2022-01-05 防控日志已保存")).to_be_visible()
    assert_fits_the_phone(staff)

    county = open_page(new_context)
    log_in(county, demo_site, "jiagedaqi")
    county.goto(f"{demo_site}/alerts/")
    expect(
        county.get_by_text(re.compile(f"核酸检测阳性：加格达奇区社会福利中心 {resident.name}"))
    ).to_be_visible()
