"""A registry's rules (M1, M5): its settings, slot plans, date overrides and the surge dates, and
the slot rows of the coming days brought in line with them whenever they change."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Model, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.campaigns.models import ServiceType
from shouhu.campaigns.policy import current_policy
from shouhu.campaigns.selectors import service_availability
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.errors import ConflictError
from shouhu.common.validation import clean, refuse
from shouhu.marriage import selectors
from shouhu.marriage.calendar import (
    computed_surge_dates,
    day_plan,
    is_registry,
    registry_settings,
    slot_templates,
    surge_on,
)
from shouhu.marriage.models import (
    ACTIVE_STATUSES,
    BookingStatus,
    DateOverride,
    MarriagePolicy,
    RegistrySettings,
    Slot,
    SlotPlan,
    SlotTemplate,
    SurgeDate,
)
from shouhu.marriage.services.slots import booking_window, create_rows, is_bookable_day, missing_rows
from shouhu.marriage.services.waiting import offer_next
from shouhu.orgs.models import OrgUnit

EXTRA_NOTICE_MAX_LENGTH = 300  # not a policy threshold: the text goes into every advance notice
# Bookings whose slot keeps its hours through a change of plan: live appointments and the
# counter's records (a registration, a refusal and its report).
HOURS_KEEPING_STATUSES = (*ACTIVE_STATUSES, BookingStatus.REGISTERED, BookingStatus.REFUSED)


def _replan_slots(*, unit: OrgUnit, days: list[dt.date]) -> None:
    """Bring the slot rows of `days` in line with the unit's plan after its rules changed, and
    make the rows a bookable day's plan has and the day has not got yet.

    A slot of the new plan gets the plan's capacity, never less than the seats already held, and
    offers new seats to the waiting list; a slot the plan no longer has takes no more bookings
    (capacity = seats held) and goes when no booking points at it. Capacities change with one
    guarded UPDATE each, so a booking taking a seat meanwhile is never lost and the CHECK
    constraint still holds. The plan is the registry's own rules: a C4 suspension closes a day
    for bookings but does not reshape it, so the day is whole again once the suspension is lifted.
    A slot that a live appointment or a counter record points at (active, registered or refused
    bookings) keeps its hours: they are the couple's appointment and its record. When the new plan
    has other hours at that start, the row takes nobody new, like a slot dropped from the plan.
    Cancelled and lapsed bookings do not hold hours: otherwise one cancellation would keep the
    new plan's slot at that start (one row per start) from ever being made.
    """
    if not days:
        return
    rows: dict[dt.date, list[Slot]] = {day: [] for day in days}
    for slot in Slot.objects.filter(unit=unit, date__in=days):
        rows[slot.date].append(slot)
    with_rows = [day for day, slots in rows.items() if slots]
    with_bookings = selectors.slots_with_bookings(unit=unit, days=with_rows, statuses=HOURS_KEEPING_STATUSES)
    held = selectors.days_with_bookings(unit=unit, days=with_rows, statuses=ACTIVE_STATUSES)
    templates = slot_templates(unit)
    closed_with_bookings = []
    new_rows: list[Slot] = []
    for day, slots in sorted(rows.items()):
        policy = current_policy(MarriagePolicy, day)
        plan = day_plan(unit, day, policy=policy, with_suspensions=False, templates=templates)
        was_open = any(slot.capacity > 0 for slot in slots)
        if not plan.is_open and was_open and day in held:
            closed_with_bookings.append(day)
            continue
        planned = {p.starts_at: p for p in plan.slots} if plan.is_open else {}
        grown = []
        for slot in slots:
            wanted = planned.get(slot.starts_at)
            if wanted is not None and wanted.ends_at != slot.ends_at and slot.pk in with_bookings:
                wanted = None  # its hours are a booking's record: it keeps them and takes nobody new
            capacity = wanted.capacity if wanted is not None else 0
            ends_at = wanted.ends_at if wanted is not None else slot.ends_at
            if (capacity, ends_at) == (slot.capacity, slot.ends_at):
                continue
            Slot.objects.filter(pk=slot.pk).update(
                capacity=Greatest(F("booked"), Value(capacity)), ends_at=ends_at
            )
            if capacity > slot.capacity:
                grown.append(slot)
        if (
            grown
            and service_availability(service=ServiceType.MARRIAGE_REGISTRATION, unit=unit, on=day).is_open
        ):
            for slot in grown:
                offer_next(slot)
        if any(slot.starts_at not in planned and slot.booked == 0 for slot in slots):
            Slot.objects.filter(unit=unit, date=day, booked=0, bookings__isnull=True).exclude(
                starts_at__in=list(planned)
            ).delete()
        if is_bookable_day(day, policy):
            new_rows += missing_rows(plan, slots)
    if closed_with_bookings:
        # The caller's transaction rolls the change of rules back with this refusal.
        dates = "、".join(str(day) for day in closed_with_bookings[:10])
        more = (
            _("等 %(count)s 天") % {"count": len(closed_with_bookings)}
            if len(closed_with_bookings) > 10
            else ""
        )
        raise refuse(
            _(
                "这样修改会关闭已有预约的日期（%(dates)s%(more)s）；请先登记服务暂停（通知已预约的当事人），"
                "或只修改以后的日期"
            )
            % {"dates": dates, "more": more},
            code="has_bookings",
            conflict=True,
        )
    create_rows(new_rows)


def _replan_future_slots(unit: OrgUnit) -> None:
    """Every coming day: those with rows and those of the booking window."""
    days = set(selectors.days_with_slots(unit=unit, since=clock.today()))
    _replan_slots(unit=unit, days=sorted(days | set(booking_window())))


def require_registry(unit: OrgUnit) -> None:
    if not is_registry(unit):
        raise refuse(_("该单位不是婚姻登记机关"), code="not_registry", field="unit")


def _lock_registries(units: list[OrgUnit]) -> None:
    """Changes of a registry's rules run one at a time (two administrators at once): each takes
    the registry's row first, and the second then sees what the first committed (its overlap
    check, its settings row). NO KEY UPDATE: a booking's foreign key to the unit (checked at
    commit, FOR KEY SHARE) is not blocked, so a couple holding a seat never waits on this lock
    while this change waits on their seat. In pk order, so that two changes never deadlock."""
    pks = sorted({unit.pk for unit in units})
    if pks:
        list(
            OrgUnit.objects.select_for_update(no_key=True).filter(pk__in=pks).order_by("pk").values_list("pk")
        )


def _save_rule(instance: Model, *, actor: User | None, message: str, field: str) -> None:
    """Save a rule row; another administrator's row for the same key committed first is a
    conflict to retry, not a server error."""
    try:
        with transaction.atomic(), acting_as(actor):
            instance.save()
    except IntegrityError as error:
        raise refuse(message, code="changed_meanwhile", field=field, conflict=True) from error


@transaction.atomic
def registry_settings_update(
    *, actor: User, unit: OrgUnit, daily_quota: int | None, open_weekdays: str, extra_notice: str = ""
) -> RegistrySettings:
    require_registry(unit)
    _lock_registries([unit])
    weekdays = "".join(sorted(set(open_weekdays.strip())))
    if not weekdays or any(c not in "1234567" for c in weekdays):
        raise refuse(_("每周办理日应为 1–7 的数字，如 12345"), code="invalid", field="open_weekdays")
    settings = registry_settings(unit)
    if len(extra_notice.strip()) > EXTRA_NOTICE_MAX_LENGTH:
        raise refuse(
            _("补充告知事项不能超过 %(limit)s 字（会写入每份提前告知）") % {"limit": EXTRA_NOTICE_MAX_LENGTH},
            code="invalid",
            field="extra_notice",
        )
    settings.daily_quota = daily_quota
    settings.open_weekdays = weekdays
    settings.extra_notice = extra_notice.strip()
    clean(settings, validate_unique=False)
    _save_rule(settings, actor=actor, message=_("设置刚刚被他人修改，请刷新后重试"), field="daily_quota")
    _replan_future_slots(unit)
    return settings


@transaction.atomic
def slot_template_add(
    *,
    actor: User | None,
    unit: OrgUnit,
    starts_at: dt.time,
    ends_at: dt.time,
    share: int,
    plan: str = SlotPlan.NORMAL,
) -> SlotTemplate:
    require_registry(unit)
    _lock_registries([unit])
    template = SlotTemplate(unit=unit, plan=plan, starts_at=starts_at, ends_at=ends_at, share=share)
    clean(template)
    overlapping = selectors.overlapping_slot_template(template)
    if overlapping is not None:
        raise refuse(
            _("与已有时段 %(slot)s 重叠，请调整开始或结束时间") % {"slot": overlapping},
            code="overlap",
            field="starts_at",
        )
    _save_rule(template, actor=actor, message=_("该时段刚刚被他人添加，请刷新后查看"), field="starts_at")
    _replan_future_slots(unit)
    return template


@transaction.atomic
def slot_template_remove(*, actor: User, template: SlotTemplate) -> None:
    unit = template.unit
    _lock_registries([unit])
    with acting_as(actor):
        template.delete()
    _replan_future_slots(unit)


@transaction.atomic
def date_override_set(
    *,
    actor: User,
    unit: OrgUnit,
    date: dt.date,
    is_open: bool | None,
    daily_quota: int | None,
    note: str = "",
) -> DateOverride:
    require_registry(unit)
    _lock_registries([unit])
    if date < clock.today():
        raise refuse(_("不能调整已过去的日期"), code="invalid", field="date")
    # A smaller quota keeps the seats already held (see _replan_slots); closing a day with
    # bookings goes through a suspension, which tells the holders.
    if is_open is False and selectors.day_has_seats_held(unit=unit, day=date):
        raise refuse(
            _("该日已有预约，请先通过服务暂停（C4）通知已预约的当事人"), code="has_bookings", conflict=True
        )
    override = selectors.date_override_row(unit=unit, day=date) or DateOverride(unit=unit, date=date)
    override.is_open, override.daily_quota, override.note = is_open, daily_quota, note.strip()
    clean(override, validate_unique=False)
    _save_rule(override, actor=actor, message=_("该日的调整刚刚被他人修改，请刷新后重试"), field="date")
    _replan_slots(unit=unit, days=[date])
    return override


@transaction.atomic
def surge_date_set(
    *,
    actor: User | None,
    date: dt.date,
    name: str,
    daily_quota: int | None = None,
    booking_opens_days: int | None = None,
    is_computed: bool = False,
) -> SurgeDate:
    if date < clock.today():
        raise refuse(_("不能把已过去的日期设为高峰日"), code="invalid", field="date")
    surge = surge_on(date) or SurgeDate(date=date)
    if surge.pk is None and selectors.date_has_bookings(date):
        raise refuse(
            _("%(date)s 已有婚姻登记预约，不能再设为高峰日；高峰日应在开放预约之前设置") % {"date": date},
            code="has_bookings",
            field="date",
            conflict=True,
        )
    surge.name = name.strip()
    surge.daily_quota = daily_quota
    surge.booking_opens_days = booking_opens_days
    surge.is_computed = is_computed
    clean(surge, validate_unique=False)
    # Every registry: a surge date may open a day that had no rows (a weekend's 520).
    units = list(selectors.registries_to_plan(date))
    _lock_registries(units)
    _save_rule(surge, actor=actor, message=_("该日刚刚被他人设为高峰日，请刷新后查看"), field="date")
    for unit in units:
        _replan_slots(unit=unit, days=[date])
    return surge


def _computed_surge_add(*, actor: User | None, day: dt.date, name: str) -> bool:
    if day < clock.today() or selectors.date_has_bookings(day):
        return False  # too late for a surge plan: the day is booked under the normal one
    if surge_on(day) is not None:
        return False  # staff set it already
    try:
        surge_date_set(actor=actor, date=day, name=name, is_computed=True)
    except ConflictError as error:
        if error.code != "changed_meanwhile":
            raise
        return False  # another administrator's sync set it a moment ago (its savepoint is undone)
    return True


@transaction.atomic
def surge_dates_sync_upcoming(*, actor: User | None) -> list[dt.date]:
    """The next 520, 521 and 七夕 each: this year's while still ahead, else next year's (late in
    the year this year's are past). Returns the dates made; the ones already set are left alone."""
    today = clock.today()
    made = []
    for (day, name), (next_year, _name) in zip(
        computed_surge_dates(today.year), computed_surge_dates(today.year + 1), strict=True
    ):
        upcoming = day if day >= today else next_year
        if _computed_surge_add(actor=actor, day=upcoming, name=name):
            made.append(upcoming)
    return made
