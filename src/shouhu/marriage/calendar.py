"""What a registry offers on a day (M1, M5, M6): open or not and why, the quota and its slots.

Order of the rules: the registry's weekdays, then statutory holidays and 调休 workdays (the
campaigns Holiday table), then the registry's own date override; the surge plan applies on a
surge date; a C4 suspension closes the day whatever the rest says.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from shouhu.campaigns.calendar import qixi
from shouhu.campaigns.models import Holiday, HolidayKind, ServiceType
from shouhu.campaigns.selectors import ServiceAvailability, service_availability, suspensions_in_force_sql
from shouhu.marriage.models import (
    DateOverride,
    MarriagePolicy,
    RegistrySettings,
    SlotPlan,
    SlotTemplate,
    SurgeDate,
)
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


def booking_opens_on(surge: SurgeDate, policy: MarriagePolicy) -> dt.date:
    days = surge.booking_opens_days
    if days is None:
        days = policy.surge_booking_opens_days
    return surge.date - dt.timedelta(days=days)


_FACT_NAMES = (
    "settings_id",
    "settings_weekdays",
    "settings_quota",
    "override_id",
    "override_is_open",
    "override_quota",
    "override_note",
    "holiday_kind",
    "holiday_name",
    "surge_id",
    "surge_name",
    "surge_is_computed",
    "surge_quota",
    "surge_opens_days",
    "has_normal",
    "has_surge",
    "suspended_or_limited",
)


def _day_facts(unit: OrgUnit, day: dt.date, *, with_suspensions: bool) -> dict[str, Any]:
    """The registry's settings, its override of `day`, the holiday and the surge date of `day`,
    whether it has normal and surge slot plans and (`with_suspensions`) whether a C4 suspension
    touches the day, in one statement: every booking asks. Written as SQL because the ORM took
    longer to compile it with subqueries than to run five queries."""
    tables = {
        model.__name__: connection.ops.quote_name(model._meta.db_table)
        for model in (RegistrySettings, DateOverride, Holiday, SurgeDate, SlotTemplate)
    }
    suspensions = "NULL"
    suspension_params: list[Any] = []
    if with_suspensions:
        where, suspension_params = suspensions_in_force_sql(
            service=ServiceType.MARRIAGE_REGISTRATION, unit=unit, on=day
        )
        suspensions = f"EXISTS (SELECT 1 {where})"
    sql = f"""
        SELECT r.id, r.open_weekdays, r.daily_quota, o.id, o.is_open, o.daily_quota, o.note,
               h.kind, h.name, g.id, g.name, g.is_computed, g.daily_quota, g.booking_opens_days,
               EXISTS (SELECT 1 FROM {tables["SlotTemplate"]} t WHERE t.unit_id = %s AND t.plan = %s),
               EXISTS (SELECT 1 FROM {tables["SlotTemplate"]} t WHERE t.unit_id = %s AND t.plan = %s),
               {suspensions}
        FROM (SELECT 1 AS one) AS fixed
        LEFT JOIN {tables["RegistrySettings"]} r ON r.unit_id = %s
        LEFT JOIN {tables["DateOverride"]} o ON o.unit_id = %s AND o.date = %s
        LEFT JOIN {tables["Holiday"]} h ON h.date = %s
        LEFT JOIN {tables["SurgeDate"]} g ON g.date = %s
    """  # noqa: S608 - only table names are formatted in; every value is a parameter
    on = connection.ops.adapt_datefield_value(day)
    params: list[Any] = [
        unit.pk,
        SlotPlan.NORMAL.value,
        unit.pk,
        SlotPlan.SURGE.value,
        *suspension_params,
        unit.pk,
        unit.pk,
        on,
        on,
        on,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    facts = dict(zip(_FACT_NAMES, row, strict=True))
    for name in ("override_is_open", "surge_is_computed", "has_normal", "has_surge", "suspended_or_limited"):
        if facts[name] is not None:
            facts[name] = bool(facts[name])  # SQLite answers 0/1
    return facts


def day_plan(
    unit: OrgUnit,
    day: dt.date,
    *,
    policy: MarriagePolicy,
    with_slots: bool = True,
    with_suspensions: bool = True,
) -> DayPlan:
    """What `unit` offers on `day`. Without `with_slots` the slots are not worked out (a booking
    already has its slot row): open or not, why, the quota and the surge date are the same.
    Without `with_suspensions`, the registry's own rules only (what the day returns to once a
    C4 suspension is lifted)."""
    if not is_registry(unit):
        return DayPlan(unit, day, is_open=False, reason=_("“%(unit)s”不是婚姻登记机关") % {"unit": unit.name})
    if unit.status != UnitStatus.ACTIVE:
        reason = _("%(unit)s目前%(status)s") % {"unit": unit.name, "status": unit.get_status_display()}
        return DayPlan(unit, day, is_open=False, reason=reason)
    facts = _day_facts(unit, day, with_suspensions=with_suspensions)
    open_weekdays = (
        facts["settings_weekdays"] if facts["settings_id"] is not None else RegistrySettings().open_weekdays
    )
    surge = None
    if facts["surge_id"] is not None:
        surge = SurgeDate(
            pk=facts["surge_id"],
            date=day,
            name=facts["surge_name"],
            is_computed=facts["surge_is_computed"],
            daily_quota=facts["surge_quota"],
            booking_opens_days=facts["surge_opens_days"],
        )
    is_open = str(day.isoweekday()) in open_weekdays
    reason = "" if is_open else _("该日不办理婚姻登记（非办理日）")
    if facts["holiday_kind"] is not None:
        is_open = facts["holiday_kind"] == HolidayKind.WORKDAY
        reason = "" if is_open else _("%(holiday)s假期不办理婚姻登记") % {"holiday": facts["holiday_name"]}
    if surge is not None:
        is_open, reason = True, ""
    override_is_open = facts["override_is_open"] if facts["override_id"] is not None else None
    if override_is_open is not None:
        is_open = bool(override_is_open)
        reason = "" if is_open else (facts["override_note"] or _("该日不办理婚姻登记"))
    if not is_open:
        return DayPlan(unit, day, is_open=False, reason=reason, surge=surge)
    # The day's facts said whether any suspension touches it: nearly always none, and then the
    # suspensions need not be read.
    availability = (
        service_availability(service=ServiceType.MARRIAGE_REGISTRATION, unit=unit, on=day)
        if facts["suspended_or_limited"]
        else ServiceAvailability(is_open=True)
    )
    if not availability.is_open:
        return DayPlan(unit, day, is_open=False, reason=availability.reason, surge=surge)
    quota = policy.daily_quota
    surge_quota = surge.daily_quota if surge is not None else None
    for chosen in (facts["settings_quota"], surge_quota, facts["override_quota"]):  # the last set wins
        if chosen is not None:
            quota = chosen
    if not (facts["has_normal"] or (surge is not None and facts["has_surge"])):
        return DayPlan(
            unit, day, is_open=False, reason=_("%(unit)s尚未设置预约时段") % {"unit": unit.name}, surge=surge
        )
    plan = DayPlan(
        unit,
        day,
        is_open=True,
        quota=quota,
        surge=surge,
        limit_note=availability.reason if availability.is_limited else "",
    )
    if not with_slots:
        return plan
    templates = list(SlotTemplate.objects.filter(unit=unit, plan=SlotPlan.NORMAL).order_by("starts_at"))
    if surge is not None and facts["has_surge"]:
        templates = list(SlotTemplate.objects.filter(unit=unit, plan=SlotPlan.SURGE).order_by("starts_at"))
    capacities = split_quota(quota, [t.share for t in templates])
    plan.slots = [
        PlannedSlot(t.starts_at, t.ends_at, capacity)
        for t, capacity in zip(templates, capacities, strict=True)
        if capacity > 0
    ]
    return plan
