"""X5, X6 in a browser: each role finds today's work on the home page (工作台) at the desk and on
a 375 px phone; a nursing home's staff does one item and sees it leave the list; a county clerk
and a leader see who is behind among their units (units × modules), the clerk never another
county's rows."""

from pathlib import Path

import pytest
from phone import PHONE, assert_fits_the_phone, log_in, open_page
from playwright.sync_api import Page, expect

from shouhu.accounts.demo import DEMO_LOGINS

# The live server runs in another thread: it must see committed data.
pytestmark = pytest.mark.django_db(transaction=True)

DESK = {"viewport": {"width": 1280, "height": 900}}
HOME_CODE = "232718N1"  # 加格达奇区社会福利中心, the demo login fulizhongxin's
COUNTY_CODE = "232718"  # 加格达奇区, the demo login jiagedaqi's
OTHER_COUNTY_CODE = "232701"  # 漠河市


def _item(page: Page, key: str):
    return page.locator(f'[data-testid="today-item"][data-work="{key}"]')


def _item_keys(page: Page) -> list[str]:
    return [item.get_attribute("data-work") or "" for item in page.get_by_test_id("today-item").all()]


def _board_unit_ids(page: Page) -> list[int]:
    return [int(row.get_attribute("data-unit") or 0) for row in page.get_by_test_id("board-row").all()]


def test_x5_nursing_home_staff_does_the_daily_log_on_a_phone_and_it_leaves_the_list(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.orgs.models import OrgUnit

    home = OrgUnit.objects.get(code=HOME_CODE)
    staff = open_page(new_context, **PHONE)
    log_in(staff, demo_site, "fulizhongxin")

    # The bell is outside the collapsed menu: visible on the phone without a tap.
    expect(staff.locator("#mainnav")).to_be_hidden()
    expect(staff.get_by_test_id("alerts-badge")).to_be_visible()

    expect(staff.get_by_test_id("today-items")).to_be_visible()
    before = _item_keys(staff)
    # The home's own work is there (other modules add theirs; overdue work of any comes first).
    assert {"eldercare.health_checks", "eldercare.daily_log"} <= set(before), before
    assert before.index("eldercare.health_checks") < before.index("eldercare.daily_log"), before
    daily_log = _item(staff, "eldercare.daily_log")
    expect(daily_log).to_contain_text("今日防控日志")
    expect(daily_log.get_by_test_id("left")).to_have_text("待办 1")
    expect(daily_log.get_by_test_id("overdue")).to_have_count(0)
    assert_fits_the_phone(staff)
    staff.screenshot(path=screenshot_dir / "phone-today-home-staff.png", full_page=True)

    # The item opens the page that does it, for the staff's own home.
    daily_log.tap()
    expect(staff).to_have_url(f"{demo_site}/eldercare/homes/{home.pk}/log/")
    staff.get_by_label("通风换气").check()
    staff.get_by_label("室内环境消杀").check()
    staff.get_by_role("button", name="保存").tap()
    expect(staff.get_by_text("2022-01-05 防控日志已保存")).to_be_visible()
    assert_fits_the_phone(staff)

    # Back home: the daily log is done, the rest of the day's work is still there.
    staff.goto(f"{demo_site}/")
    expect(staff.get_by_test_id("today-items")).to_be_visible()
    expect(_item(staff, "eldercare.daily_log")).to_have_count(0)
    assert _item_keys(staff) == [key for key in before if key != "eldercare.daily_log"]
    expect(staff.get_by_test_id("alerts-badge")).to_be_visible()
    assert_fits_the_phone(staff)
    staff.screenshot(path=screenshot_dir / "phone-today-home-staff-done.png", full_page=True)


def test_x5_county_clerk_sees_todays_items_and_their_own_units_against_the_region(
    demo_site: str, new_context, screenshot_dir: Path
) -> None:
    from shouhu.accounts.models import User
    from shouhu.common import clock
    from shouhu.orgs.models import OrgUnit
    from shouhu.site.selectors import today_work

    county = OrgUnit.objects.get(code=COUNTY_CODE)
    other_county = OrgUnit.objects.get(code=OTHER_COUNTY_CODE)
    children = {
        unit.pk: unit for unit in OrgUnit.objects.filter(path__startswith=county.path, depth=county.depth + 1)
    }
    clerk = open_page(new_context, **DESK)
    log_in(clerk, demo_site, "jiagedaqi")

    work = today_work(viewer=User.objects.get(username="jiagedaqi"), today=clock.today())
    keys = _item_keys(clerk)
    assert keys == [item.work.key for item in work.items]
    assert {"screening.venues_screened", "eldercare.health_checks", "eldercare.daily_log"} <= set(keys), keys
    # Overdue work first (X6).
    overdue = [
        bool(item.get_by_test_id("overdue").count()) for item in clerk.get_by_test_id("today-item").all()
    ]
    assert overdue == sorted(overdue, reverse=True), list(zip(keys, overdue, strict=True))
    screened = _item(clerk, "screening.venues_screened")
    expect(screened.get_by_test_id("overdue")).to_have_text("逾期 3")
    expect(screened.get_by_test_id("left")).to_have_text("待办 2")
    expect(_item(clerk, "eldercare.daily_log").get_by_test_id("left")).to_have_text("待办 2")

    board = clerk.get_by_test_id("board")
    expect(board).to_be_visible()
    rows = _board_unit_ids(clerk)
    # Only the county's own children: its townships and institutions, never another county's.
    assert rows, "加格达奇区应有下级单位今日有待办工作"
    assert set(rows) <= set(children), [pk for pk in rows if pk not in children]
    names = {children[pk].name for pk in rows}
    assert {"东山街道", "光明街道", "加格达奇区社会福利中心", "加格达奇敬老院"} <= names, names
    other_units = set(OrgUnit.objects.filter(path__startswith=other_county.path).values_list("pk", flat=True))
    assert not set(rows) & other_units
    expect(board).not_to_contain_text(other_county.name)
    # Worst first: the rows and their order are the composition's.
    assert work.board is not None
    assert rows == [row.unit.pk for row in work.board.rows]

    # The county's own rate and the region's average, per module.
    own = clerk.get_by_test_id("board-own")
    region = clerk.get_by_test_id("board-region")
    expect(own.locator("th")).to_have_text("本单位合计完成率")
    expect(region.locator("th")).to_have_text("全区平均完成率")
    expect(region.locator("td")).to_have_count(len(work.board.modules))
    expected = [f"{s.percent_done}%" if s.percent_done is not None else "—" for s in work.board.region]
    expect(region.locator("td")).to_have_text(expected)
    clerk.screenshot(path=screenshot_dir / "desk-today-county.png", full_page=True)


def test_x5_leader_sees_every_county_on_the_board(demo_site: str, new_context, screenshot_dir: Path) -> None:
    from shouhu.orgs.models import OrgUnit, UnitKind

    region = OrgUnit.objects.get(depth=1)
    counties = {unit.pk: unit.name for unit in OrgUnit.objects.filter(kind=UnitKind.COUNTY)}
    assert len(counties) == 7, counties
    leader = open_page(new_context, **DESK)
    log_in(leader, demo_site, "leader")

    expect(leader.get_by_test_id("today-items")).to_be_visible()
    board = leader.get_by_test_id("board")
    expect(board).to_be_visible()
    rows = _board_unit_ids(leader)
    assert set(counties) <= set(rows), {name for pk, name in counties.items() if pk not in rows}
    # Rows are the region's children (the counties and the region's own institutions), once each.
    region_children = set(
        OrgUnit.objects.filter(path__startswith=region.path, depth=region.depth + 1).values_list(
            "pk", flat=True
        )
    )
    assert set(rows) <= region_children
    assert len(rows) == len(set(rows))
    for name in counties.values():
        expect(board.get_by_test_id("board-row").filter(has_text=name)).to_have_count(1)
    # Units × modules: one column per module with work today, each cell the unit's done / due, a
    # link to the module's page; the rows worst first, as composed.
    from shouhu.accounts.models import User
    from shouhu.common import clock
    from shouhu.site.selectors import today_work

    work = today_work(viewer=User.objects.get(username="leader"), today=clock.today())
    assert work.board is not None
    assert {"入口查验", "养老机构", "困难群众救助"} <= set(work.board.modules), work.board.modules
    expect(board.locator("thead th")).to_have_text(["单位", *work.board.modules])
    assert rows == [row.unit.pk for row in work.board.rows]
    first = board.get_by_test_id("board-row").first
    expected = [
        f"{cell.standing.done} / {cell.standing.due}" if cell else "—" for cell in work.board.rows[0].cells
    ]
    cells = first.locator("td")
    expect(cells).to_have_count(len(work.board.modules))
    for cell, text in zip(cells.all(), expected, strict=True):
        expect(cell).to_contain_text(text)
    expect(first.locator("td a")).to_have_count(sum(1 for cell in work.board.rows[0].cells if cell))
    # The leader sees the whole region: no "own against the region" rows.
    expect(leader.get_by_test_id("board-own")).to_have_count(0)
    expect(leader.get_by_test_id("board-region")).to_have_count(0)
    leader.screenshot(path=screenshot_dir / "desk-today-leader.png", full_page=True)


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_x5_every_demo_login_finds_todays_work_and_every_link_answers(
    demo_site: str, new_context, size: str
) -> None:
    context_args = PHONE if size == "phone" else DESK
    problems: list[str] = []
    for login in DEMO_LOGINS:
        page = open_page(new_context, **context_args)
        log_in(page, demo_site, login.username)
        response = page.goto(f"{demo_site}/")
        assert response is not None, login.username
        assert response.status == 200, (login.username, response.status)
        items = page.get_by_test_id("today-items")
        nothing = page.get_by_test_id("today-nothing")
        assert items.count() + nothing.count() == 1, login.username
        expect(page.get_by_test_id("alerts-badge")).to_be_visible()
        if size == "phone":
            assert_fits_the_phone(page)
        links = {
            (item.get_attribute("data-work") or "", item.get_attribute("href") or "")
            for item in page.get_by_test_id("today-item").all()
        }
        links |= {
            ("board", a.get_attribute("href") or "") for a in page.get_by_test_id("board").locator("a").all()
        }
        for key, href in sorted(links):
            answer = page.goto(f"{demo_site}{href}")
            status = answer.status if answer is not None else None
            if status is None or status >= 400:
                problems.append(f"{login.username} ({login.role}) {key} {href} → {status}")
        page.context.close()
    assert not problems, "\n".join(problems)
