"""What a registry offers on a day (M1, M5, M6): open or not and why, the quota and its slots.

Order of the rules: the registry's weekdays, then statutory holidays and 调休 workdays (the
campaigns Holiday table), then the registry's own date override; the surge plan applies on a
surge date; a C4 suspension closes the day whatever the rest says.
"""

import datetime as dt
from dataclasses import dataclass, field

from shouhu.campaigns.calendar import qixi
from shouhu.campaigns.models import Holiday, HolidayKind, Policy, ServiceType
from shouhu.campaigns.selectors import service_availability
from shouhu.marriage.models import DateOverride, RegistrySettings, SlotPlan, SlotTemplate, SurgeDate
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind, UnitStatus


def is_registry(unit: OrgUnit) -> bool:
    return unit.kind == UnitKind.INSTITUTION and unit.institution_type == InstitutionType.MARRIAGE_REGISTRY


@dataclass(frozen=True)
class PlannedSlot:
    starts_at: dt.time
    ends_at: dt.time
    capacity: int


@dataclass
class DayPlan:
    unit: OrgUnit
    day: dt.date
    is_open: bool
    reason: str = ""
    quota: int = 0
    surge: SurgeDate | None = None
    slots: list[PlannedSlot] = field(default_factory=list)
    limit_note: str = ""


def split_quota(quota: int, shares: list[int]) -> list[int]:
    """Capacities proportional to the shares, summing exactly to the quota (largest remainder)."""
    total = sum(shares)
    if not total:
        return []
    exact = [quota * share / total for share in shares]
    floors = [int(x) for x in exact]
    leftover = quota - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (floors[i] - exact[i], i))
    for index in order[:leftover]:
        floors[index] += 1
    return floors


def registry_settings(unit: OrgUnit) -> RegistrySettings:
    return RegistrySettings.objects.filter(unit=unit).first() or RegistrySettings(unit=unit)


def surge_on(day: dt.date) -> SurgeDate | None:
    return SurgeDate.objects.filter(date=day).first()


def computed_surge_dates(year: int) -> list[tuple[dt.date, str]]:
    return [(dt.date(year, 5, 20), "“520”"), (dt.date(year, 5, 21), "“521”"), (qixi(year), "七夕")]


def booking_opens_on(surge: SurgeDate, policy: Policy) -> dt.date:
    days = surge.booking_opens_days
    if days is None:
        days = policy.marriage_surge_booking_opens_days
    return surge.date - dt.timedelta(days=days)


def day_plan(unit: OrgUnit, day: dt.date, *, policy: Policy) -> DayPlan:
    if not is_registry(unit):
        return DayPlan(unit, day, is_open=False, reason=f"“{unit.name}”不是婚姻登记机关")
    if unit.status != UnitStatus.ACTIVE:
        return DayPlan(unit, day, is_open=False, reason=f"{unit.name}目前{unit.get_status_display()}")
    settings = registry_settings(unit)
    override = DateOverride.objects.filter(unit=unit, date=day).first()
    holiday = Holiday.objects.filter(date=day).first()
    surge = surge_on(day)
    is_open = str(day.isoweekday()) in settings.open_weekdays
    reason = "" if is_open else "该日不办理婚姻登记（非办理日）"
    if holiday is not None:
        is_open = holiday.kind == HolidayKind.WORKDAY
        reason = "" if is_open else f"{holiday.name}假期不办理婚姻登记"
    if surge is not None:
        is_open, reason = True, ""
    if override is not None and override.is_open is not None:
        is_open = override.is_open
        reason = "" if is_open else (override.note or "该日不办理婚姻登记")
    if not is_open:
        return DayPlan(unit, day, is_open=False, reason=reason, surge=surge)
    availability = service_availability(service=ServiceType.MARRIAGE_REGISTRATION, unit=unit, on=day)
    if not availability.is_open:
        return DayPlan(unit, day, is_open=False, reason=availability.reason, surge=surge)
    quota = policy.marriage_daily_quota
    if settings.daily_quota is not None:
        quota = settings.daily_quota
    if surge is not None and surge.daily_quota is not None:
        quota = surge.daily_quota
    if override is not None and override.daily_quota is not None:
        quota = override.daily_quota
    templates = list(SlotTemplate.objects.filter(unit=unit, plan=SlotPlan.NORMAL).order_by("starts_at"))
    if surge is not None:
        surge_templates = list(
            SlotTemplate.objects.filter(unit=unit, plan=SlotPlan.SURGE).order_by("starts_at")
        )
        templates = surge_templates or templates
    if not templates:
        return DayPlan(unit, day, is_open=False, reason=f"{unit.name}尚未设置预约时段", surge=surge)
    capacities = split_quota(quota, [t.share for t in templates])
    slots = [
        PlannedSlot(t.starts_at, t.ends_at, capacity)
        for t, capacity in zip(templates, capacities, strict=True)
        if capacity > 0
    ]
    return DayPlan(
        unit,
        day,
        is_open=True,
        quota=quota,
        surge=surge,
        slots=slots,
        limit_note=availability.reason if availability.is_limited else "",
    )
