"""What a registry offers on a day (M1, M5, M6): open or not and why, the quota and its slots.

Order of the rules: the registry's weekdays, then statutory holidays and 调休 workdays (the
campaigns Holiday table), then the registry's own date override; the surge plan applies on a
surge date; a C4 suspension closes the day whatever the rest says.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Exists, F, FilteredRelation, OuterRef, Q, Subquery, Value
from django.db.models.functions import JSONObject
from django.utils.translation import gettext as _

from shouhu.campaigns.calendar import qixi
from shouhu.campaigns.models import Holiday, HolidayKind, ServiceType
from shouhu.campaigns.selectors import ServiceAvailability, service_availability, suspensions_in_force
from shouhu.marriage.models import MarriagePolicy, RegistrySettings, SlotPlan, SlotTemplate, SurgeDate
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


def slot_templates(unit: OrgUnit) -> dict[str, list[SlotTemplate]]:
    """The registry's slot plans by plan, each in order of time: read once for many days."""
    plans: dict[str, list[SlotTemplate]] = {SlotPlan.NORMAL: [], SlotPlan.SURGE: []}
    for template in SlotTemplate.objects.filter(unit=unit).order_by("starts_at"):
        plans[template.plan].append(template)
    return plans


def _day_facts(unit: OrgUnit, day: dt.date, *, with_suspensions: bool) -> dict[str, Any]:
    """The registry's settings, its override of `day`, the holiday and the surge date of `day`,
    whether it has normal and surge slot plans and (`with_suspensions`) whether a C4 suspension
    touches the day, in one statement: every booking asks."""

    # One subquery per table, not per column: building each one costs the ORM more than the
    # database takes to answer the whole statement.
    holiday = Subquery(Holiday.objects.filter(date=day).values(row=JSONObject(kind="kind", name="name"))[:1])
    surge = Subquery(
        SurgeDate.objects.filter(date=day).values(
            row=JSONObject(
                id="pk",
                name="name",
                is_computed="is_computed",
                daily_quota="daily_quota",
                booking_opens_days="booking_opens_days",
            )
        )[:1]
    )

    def has_plan(plan: str) -> Exists:
        return Exists(SlotTemplate.objects.filter(unit=OuterRef("pk"), plan=plan))

    suspended_or_limited: Exists | Value = Value(None, output_field=BooleanField(null=True))
    if with_suspensions:
        suspended_or_limited = Exists(
            suspensions_in_force(service=ServiceType.MARRIAGE_REGISTRATION, unit=unit, on=day)
        )
    facts = (
        OrgUnit.objects.filter(pk=unit.pk)
        .annotate(
            override=FilteredRelation(
                "marriage_date_overrides", condition=Q(marriage_date_overrides__date=day)
            )
        )
        .values(
            settings_id=F("marriage_settings__id"),
            settings_weekdays=F("marriage_settings__open_weekdays"),
            settings_quota=F("marriage_settings__daily_quota"),
            override_id=F("override__id"),
            override_is_open=F("override__is_open"),
            override_quota=F("override__daily_quota"),
            override_note=F("override__note"),
            holiday=holiday,
            surge=surge,
            has_normal=has_plan(SlotPlan.NORMAL),
            has_surge=has_plan(SlotPlan.SURGE),
            suspended_or_limited=suspended_or_limited,
        )
        .get()
    )
    holiday_row, surge_row = facts.pop("holiday") or {}, facts.pop("surge") or {}
    return {
        **facts,
        "holiday_kind": holiday_row.get("kind"),
        "holiday_name": holiday_row.get("name"),
        "surge_id": surge_row.get("id"),
        "surge_name": surge_row.get("name"),
        "surge_is_computed": bool(surge_row.get("is_computed")),  # SQLite's JSON says 0/1
        "surge_quota": surge_row.get("daily_quota"),
        "surge_opens_days": surge_row.get("booking_opens_days"),
    }


def day_plan(
    unit: OrgUnit,
    day: dt.date,
    *,
    policy: MarriagePolicy,
    with_slots: bool = True,
    with_suspensions: bool = True,
    templates: dict[str, list[SlotTemplate]] | None = None,
) -> DayPlan:
    """What `unit` offers on `day`. Without `with_slots` the slots are not worked out (a booking
    already has its slot row): open or not, why, the quota and the surge date are the same.
    Without `with_suspensions`, the registry's own rules only (what the day returns to once a
    C4 suspension is lifted). `templates`: the registry's `slot_templates`, when many days are
    planned at once."""
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
    chosen_plan = SlotPlan.SURGE if surge is not None and facts["has_surge"] else SlotPlan.NORMAL
    if templates is not None:
        planned = templates[chosen_plan]
    else:
        planned = list(SlotTemplate.objects.filter(unit=unit, plan=chosen_plan).order_by("starts_at"))
    capacities = split_quota(quota, [t.share for t in planned])
    plan.slots = [
        PlannedSlot(t.starts_at, t.ends_at, capacity)
        for t, capacity in zip(planned, capacities, strict=True)
        if capacity > 0
    ]
    return plan
