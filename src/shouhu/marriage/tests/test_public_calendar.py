"""The public booking page before a day is picked (M1): every day of the booking window with its
seats left or why it is closed; every problem of the form at once; the way to one's booking."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from shouhu.campaigns.models import Holiday, HolidayKind
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.marriage import selectors, services
from shouhu.marriage.models import Booking, MarriagePolicy, Slot, SlotPlan
from shouhu.marriage.selectors import DayState
from shouhu.marriage.tests.factories import MONDAY, book, first_slot, make_registry, suspend
from shouhu.marriage.tests.test_public import MOBILE, form_data
from shouhu.people.idcard import check_digit

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
SATURDAY = MONDAY - dt.timedelta(days=2)
TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (MONDAY + dt.timedelta(days=n) for n in range(1, 5))
SURGE = MONDAY + dt.timedelta(days=14)


@pytest.fixture
def registry(tree, plan_campaign):
    return make_registry(tree.county_a, "加格达奇区婚姻登记处", quota=4)


@pytest.fixture
def closed_days(tree, registry):
    """One day of the window closed, full or not yet open for each reason the page names."""
    Holiday.objects.update_or_create(date=TUESDAY, defaults={"name": "测试假日", "kind": HolidayKind.HOLIDAY})
    services.date_override_set(
        actor=None,  # type: ignore[arg-type]
        unit=registry,
        date=WEDNESDAY,
        is_open=False,
        daily_quota=None,
        note="设备检修",
    )
    suspend(tree.county_a, THURSDAY, ends_on=THURSDAY)
    Slot.objects.filter(unit=registry, date=FRIDAY).update(booked=F("capacity"))
    services.surge_date_set(actor=None, date=SURGE, name="测试高峰日", daily_quota=2, booking_opens_days=3)
    book(registry)  # one seat of MONDAY
    return registry


def test_m1_the_calendar_shows_each_day_of_the_window_with_seats_left_or_why_closed(client, closed_days):
    page = client.get(f"/marriage/book/?unit={closed_days.pk}", **MOBILE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="calendar"' in html

    def cell(day: dt.date) -> str:
        start = html.index(f'data-testid="day-{day.isoformat()}"')
        return html[start : html.index("</td>", start)]

    horizon = current_policy(MarriagePolicy).booking_horizon_days
    window = [clock.today() + dt.timedelta(days=n) for n in range(horizon + 1)]
    for day in window:
        assert f'data-testid="day-{day.isoformat()}"' in html, day
    assert f'data-testid="day-{(window[-1] + dt.timedelta(days=1)).isoformat()}"' not in html
    assert 'data-state="open"' in cell(MONDAY)
    assert "余 3 个" in cell(MONDAY)
    assert 'data-state="closed"' in cell(SATURDAY)
    assert "不办理" in cell(SATURDAY)
    assert 'data-state="holiday"' in cell(TUESDAY)
    assert "节假日" in cell(TUESDAY)
    assert 'data-state="closed"' in cell(WEDNESDAY)
    assert 'title="设备检修"' in cell(WEDNESDAY)
    assert 'data-state="suspended"' in cell(THURSDAY)
    assert "暂停" in cell(THURSDAY)
    assert 'data-state="full"' in cell(FRIDAY)
    assert "已约满" in cell(FRIDAY)
    assert 'data-state="not_yet"' in cell(SURGE)
    assert "未开放" in cell(SURGE)
    # Each day links to itself: the page shows that day's slots with their seats (M1).
    assert f"?unit={closed_days.pk}&amp;date={MONDAY.isoformat()}" in cell(MONDAY)
    chosen = client.get(f"/marriage/book/?unit={closed_days.pk}&date={MONDAY}").content.decode()
    assert 'aria-current="date"' in chosen[chosen.index(f'data-testid="day-{MONDAY}"') :].split("</td>")[0]
    assert 'data-testid="slot-0900"' in chosen
    assert "余 1 个" in chosen
    assert "余 2 个" in chosen
    closed = client.get(f"/marriage/book/?unit={closed_days.pk}&date={THURSDAY}").content.decode()
    assert 'data-testid="day-reason"' in closed
    assert "暂停婚姻登记" in closed
    # No registry chosen: no calendar (and nothing to count).
    assert 'data-testid="calendar"' not in client.get("/marriage/book/").content.decode()


def test_m1_the_calendar_says_what_booking_that_day_would_say(closed_days):
    """The calendar reads the window at once; `day_refusal` and `bookable_slots` decide the day
    picked. Both must agree on every day, whatever closes it."""
    services.slot_template_add(
        actor=None,
        unit=closed_days,
        starts_at=dt.time(9),
        ends_at=dt.time(9, 30),
        share=1,
        plan=SlotPlan.SURGE,
    )
    days = selectors.booking_calendar(unit=closed_days)
    assert len(days) == current_policy(MarriagePolicy).booking_horizon_days + 1
    states = set()
    for shown in days:
        policy = current_policy(MarriagePolicy, shown.day)
        refusal = selectors.day_refusal(unit=closed_days, day=shown.day, policy=policy)
        slots = selectors.bookable_slots(unit=closed_days, day=shown.day) if refusal is None else []
        assert shown.bookable == bool(slots), (shown, refusal)
        assert shown.seats == sum(slot.remaining for slot in slots), shown
        assert (shown.state == DayState.FULL) == (bool(slots) and not shown.seats), shown
        states.add(shown.state)
    assert states >= {
        DayState.OPEN,
        DayState.FULL,
        DayState.HOLIDAY,
        DayState.CLOSED,
        DayState.SUSPENDED,
        DayState.NOT_YET,
    }


def _page_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_m1_the_calendar_keeps_its_query_count_and_writes_nothing(client, tree, closed_days):
    url = f"/marriage/book/?unit={closed_days.pk}&date={MONDAY}"
    _page_queries(client, url)  # the session, content types: what a running server has cached
    few = _page_queries(client, url)
    assert not [sql for sql in few if sql.lstrip().upper().startswith(WRITES)]
    # Twice the days, more slots a day, more suspensions, holidays and overrides: the same count.
    policy = current_policy(MarriagePolicy)
    policy.booking_horizon_days *= 2
    policy.save()
    for hour in (11, 13, 14, 15):
        services.slot_template_add(
            actor=None, unit=closed_days, starts_at=dt.time(hour), ends_at=dt.time(hour, 45), share=1
        )
    suspend(tree.county_a, MONDAY + dt.timedelta(days=21), ends_on=MONDAY + dt.timedelta(days=22))
    Holiday.objects.update_or_create(
        date=MONDAY + dt.timedelta(days=23), defaults={"name": "又一假日", "kind": HolidayKind.HOLIDAY}
    )
    many = _page_queries(client, url)
    assert len(selectors.booking_calendar(unit=closed_days)) == policy.booking_horizon_days + 1
    assert Slot.objects.filter(unit=closed_days, date=MONDAY).count() > 2
    assert len(many) == len(few), "\n".join(many)
    assert not [sql for sql in many if sql.lstrip().upper().startswith(WRITES)]


def test_m1_a_day_picked_on_the_calendar_replaces_the_registry_and_day_swapped_by_htmx(client, registry):
    page = client.get(f"/marriage/book/?unit={registry.pk}&date={MONDAY}").content.decode()
    # The calendar's links and the registry and date fields swap the same part of the page, which
    # holds the date field: picking a day sets it, and the parties' fields are left as typed.
    start = page.index('id="day-choice"')
    region = page[start : page.index("<fieldset", start)]
    assert 'id="id_date"' in region
    assert 'id="id_unit"' in region
    assert 'data-testid="calendar"' in region
    assert 'id="id_a_name"' not in region
    assert region.count('hx-select="#day-choice"') >= 2
    # A day picked after coming back from the code page wins over the request's day.
    public_slot = first_slot(registry)
    response = client.post("/marriage/book/", form_data(registry, public_slot))
    assert response.status_code == 302
    later = client.get(f"/marriage/book/?unit={registry.pk}&date={MONDAY + dt.timedelta(days=1)}")
    assert f'value="{(MONDAY + dt.timedelta(days=1)).isoformat()}"' in later.content.decode()
    assert 'value="张三"' in later.content.decode()  # the typing itself is kept


def _under_age(*, female: bool) -> str:
    first17 = "232701" + "20100101" + ("002" if female else "001")
    return first17 + check_digit(first17)


def test_m1_every_problem_of_the_form_is_shown_at_once(client, registry):
    slot = first_slot(registry)
    data = form_data(
        registry,
        slot,
        a_id="232701199001011230",  # a wrong check digit
        b_id=_under_age(female=True),
        extra={"b_phone": "0457-2345678", "a_name": ""},
    )
    del data["consent"]
    response = client.post("/marriage/book/", data, **MOBILE)
    assert response.status_code == 400
    html = response.content.decode()
    beside = {
        "a_name": "必填",
        "a_id_number": "校验位",
        "b_id_number": "未达法定婚龄",
        "b_phone": "手机号",
        "consent": "须同意",
    }
    for field, words in beside.items():
        start = html.index(f'data-testid="error-{field}"')
        assert words in html[start : html.index("</div>", start)], field
    summary = html[html.index('data-testid="error-summary"') :].split("</div>", 1)[0]
    assert summary.count("<li>") == len(beside)
    assert 'href="#id_a_id_number"' in summary
    assert "当事人甲的证件号码" in summary
    assert 'href="#id_consent"' in summary
    assert html.index('data-testid="error-summary"') < html.index('id="id_unit"')  # at the top
    assert not Booking.objects.exists()


def test_m1_a_closed_day_and_an_under_age_party_are_said_together(client, tree, registry):
    slot = first_slot(registry)
    suspend(tree.county_a, MONDAY, ends_on=MONDAY)
    data = form_data(registry, slot, a_id=_under_age(female=False), b_id=_under_age(female=True))
    response = client.post("/marriage/book/", data)
    assert response.status_code == 400  # a typing problem among them: 400, not 409
    html = response.content.decode()
    summary = html[html.index('data-testid="error-summary"') :].split("</div>", 1)[0]
    assert summary.count("未达法定婚龄") == 2
    assert "暂停婚姻登记" in summary
    # The day alone closed: 409, as before.
    alone = client.post("/marriage/book/", form_data(registry, slot))
    assert alone.status_code == 409
    assert "暂停婚姻登记" in alone.content.decode()


def test_m1_find_change_or_cancel_is_a_visible_button_on_the_public_pages(client, registry):
    for url in ("/marriage/book/", f"/marriage/book/?unit={registry.pk}&date={MONDAY}"):
        html = client.get(url, **MOBILE).content.decode()
        start = html.index('data-testid="manage-button"')
        tag = html[html.rindex("<a", 0, start) : html.index(">", start)]
        assert "btn" in tag
        assert 'href="/marriage/book/manage/"' in tag
        assert "查询、取消或改约" in html[start : html.index("</a>", start)]
    # Not on the page it leads to.
    assert 'data-testid="manage-button"' not in client.get("/marriage/book/manage/").content.decode()
