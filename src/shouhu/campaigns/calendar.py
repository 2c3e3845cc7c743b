"""Dates that are computed, never typed: lunar festivals and the statutory holiday table."""

import datetime as dt
from dataclasses import dataclass

import chinese_calendar
from lunar_python import Lunar

from shouhu.campaigns.models import KeyDateCategory


@dataclass(frozen=True)
class ComputedKeyDate:
    name: str
    category: str
    starts_on: dt.date
    ends_on: dt.date


def _solar(lunar_month: int, lunar_day: int, year: int) -> dt.date:
    solar = Lunar.fromYmd(year, lunar_month, lunar_day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def qingming(year: int) -> dt.date:
    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def spring_festival(year: int) -> dt.date:
    return _solar(1, 1, year)


def lantern_festival(year: int) -> dt.date:
    return _solar(1, 15, year)


def qixi(year: int) -> dt.date:
    return _solar(7, 7, year)


def key_dates_for_year(year: int) -> list[ComputedKeyDate]:
    """The recurring key dates of the plan in one calendar year."""

    def single(name: str, category: str, day: dt.date) -> ComputedKeyDate:
        return ComputedKeyDate(name, category, day, day)

    return [
        single("元旦", KeyDateCategory.THREE_FESTIVALS, dt.date(year, 1, 1)),
        single("春节", KeyDateCategory.THREE_FESTIVALS, spring_festival(year)),
        single("元宵节", KeyDateCategory.THREE_FESTIVALS, lantern_festival(year)),
        single("清明节", KeyDateCategory.QINGMING, qingming(year)),
        single("“520”婚姻登记", KeyDateCategory.MARRIAGE_SURGE, dt.date(year, 5, 20)),
        single("“521”婚姻登记", KeyDateCategory.MARRIAGE_SURGE, dt.date(year, 5, 21)),
        single("七夕", KeyDateCategory.MARRIAGE_SURGE, qixi(year)),
    ]


# Dated events the plan names (四会). Their dates are facts of those years, not rules:
# events of other years are added by staff on the calendar page.
NAMED_EVENTS: list[ComputedKeyDate] = [
    ComputedKeyDate("北京冬奥会", KeyDateCategory.FOUR_MEETINGS, dt.date(2022, 2, 4), dt.date(2022, 2, 20)),
    ComputedKeyDate("全国“两会”", KeyDateCategory.FOUR_MEETINGS, dt.date(2022, 3, 4), dt.date(2022, 3, 11)),
]


def key_dates_for_span(starts_on: dt.date, ends_on: dt.date) -> list[ComputedKeyDate]:
    """Key dates from the campaign's first day to the end of its last calendar year.

    The tail of the last year is kept so that 七夕 and other surge dates after the campaign
    can still be planned for.
    """
    last_day = dt.date(ends_on.year, 12, 31)
    found = [
        key_date
        for year in range(starts_on.year, ends_on.year + 1)
        for key_date in key_dates_for_year(year)
        if starts_on <= key_date.starts_on <= last_day
    ]
    found += [e for e in NAMED_EVENTS if starts_on <= e.starts_on <= last_day]
    return sorted(found, key=lambda k: (k.starts_on, k.name))


@dataclass(frozen=True)
class HolidayRow:
    date: dt.date
    name: str
    is_workday: bool


def statutory_holidays() -> list[HolidayRow]:
    """Every holiday and 调休 workday the chinesecalendar package knows (it stops at 2026)."""
    names = {h.value: h.chinese for h in chinese_calendar.Holiday}
    rows = [HolidayRow(day, names.get(name, name), False) for day, name in chinese_calendar.holidays.items()]
    rows += [HolidayRow(day, names.get(name, name), True) for day, name in chinese_calendar.workdays.items()]
    return sorted(rows, key=lambda r: r.date)
