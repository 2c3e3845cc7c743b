"""Reads of marriage registration. Staff see the registries of their subtree (coordinators: all)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_scope
from shouhu.alerts import audience as audiences
from shouhu.campaigns.models import Holiday, HolidayKind, ServiceSuspension, ServiceType, SuspensionMode
from shouhu.campaigns.policy import current_policy
from shouhu.campaigns.selectors import SuspensionFilters, suspension_list
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.today import Tally
from shouhu.marriage.calendar import booking_opens_on, day_plan, registry_settings
from shouhu.marriage.models import (
    ACTIVE_STATUSES,
    Booking,
    BookingParty,
    BookingStatus,
    CounterCheck,
    DateOverride,
    HallLog,
    MarriagePolicy,
    NonComplianceReport,
    RecipientKind,
    ReportRecipient,
    Slot,
    SlotPlan,
    SlotTemplate,
    SurgeDate,
    SuspensionNotice,
)
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind, UnitStatus
from shouhu.people.idcard import InvalidPhone, phone_key
from shouhu.people.models import Person
from shouhu.screening.models import ScreeningPolicy

MODULE = Module.MARRIAGE


def _scope(viewer: User, field: str = "unit") -> Q:
    return unit_scope(viewer, field=field, module=MODULE)


def public_registries() -> QuerySet[OrgUnit]:
    """Every open registry of the region: a couple may book at any of them (全区通办)."""
    return OrgUnit.objects.filter(
        kind=UnitKind.INSTITUTION,
        institution_type=InstitutionType.MARRIAGE_REGISTRY,
        status=UnitStatus.ACTIVE,
    ).order_by("path")


def public_slot(pk: int) -> Slot | None:
    """A slot of an open registry with its unit, or None: what the public and clerks book."""
    return (
        Slot.objects.select_related("unit")
        .filter(
            pk=pk,
            unit__kind=UnitKind.INSTITUTION,
            unit__institution_type=InstitutionType.MARRIAGE_REGISTRY,
            unit__status=UnitStatus.ACTIVE,
        )
        .first()
    )


def slot_list(*, unit: OrgUnit, day: dt.date) -> list[Slot]:
    """The slot rows of a registry's day (rows are made by `services.slots`, never here)."""
    return list(Slot.objects.filter(unit=unit, date=day).order_by("starts_at"))


def _offers_seats(slot: Slot, now: dt.datetime) -> bool:
    """A slot the public may pick: it offers seats and has not started (`now`: local time). A slot
    dropped from the plan keeps its row for its old bookings but offers nothing."""
    return slot.capacity > 0 and (slot.date > now.date() or slot.starts_at > now.time())


def bookable_slots(*, unit: OrgUnit, day: dt.date) -> list[Slot]:
    """The rows of the day that offer seats and have not started: what the public may pick."""
    now = clock.now().astimezone(clock.local_zone())
    return [slot for slot in slot_list(unit=unit, day=day) if _offers_seats(slot, now)]


class DayState:
    """How a day of the booking window shows on the public calendar."""

    OPEN = "open"  # seats left
    FULL = "full"  # every seat taken: the waiting list is open
    HOLIDAY = "holiday"  # a statutory holiday
    CLOSED = "closed"  # not a working day of the registry, or closed by its date override
    SUSPENDED = "suspended"  # a C4 suspension of the registry or a unit above it
    NOT_YET = "not_yet"  # a surge date whose booking has not opened
    NO_SLOTS = "no_slots"  # open, but no slot can be picked (none planned, or all started)


@dataclass(frozen=True)
class CalendarDay:
    """One day of a registry's booking window for the public: nothing about a person, only the
    day's state and the seats left on the slots that can still be picked."""

    day: dt.date
    state: str
    seats: int = 0
    note: str = ""  # the registry's own words: the holiday's or surge date's name, an override's note
    limited: bool = False  # open under a C4 limit (限流)

    @property
    def bookable(self) -> bool:
        return self.state in (DayState.OPEN, DayState.FULL)


def booking_calendar(*, unit: OrgUnit) -> list[CalendarDay]:
    """Every day of the booking window at `unit` (an open registry), open or closed and why, with
    the seats left: what the public booking page shows before a day is picked.

    A fixed number of statements however long the window: the registry's settings, the window's
    holidays, surge dates, date overrides and suspensions, its slot plans and its slot rows, each
    read once. The rules are `calendar.day_plan`'s and `day_refusal`'s, applied to each day in
    turn (`test_m1_the_calendar_says_what_booking_that_day_would_say` holds them together); the
    window and the surge dates' opening follow today's policy, as the date picker does. The day
    a couple picks is still decided by `day_refusal` and its slots by `bookable_slots`. Writes
    nothing: a day without rows (not yet made by `marriage_tick`) offers no slot."""
    today = clock.today()
    policy = current_policy(MarriagePolicy, today)
    last = today + dt.timedelta(days=policy.booking_horizon_days)
    window = (today, last)
    open_weekdays = registry_settings(unit).open_weekdays
    holidays: dict[dt.date, Holiday] = {}
    for holiday in Holiday.objects.filter(date__range=window):
        holidays.setdefault(holiday.date, holiday)
    surges = {surge.date: surge for surge in SurgeDate.objects.filter(date__range=window)}
    overrides = {
        row.date: row
        for row in DateOverride.objects.filter(unit=unit, date__range=window, is_open__isnull=False)
    }
    plans = set(SlotTemplate.objects.filter(unit=unit).values_list("plan", flat=True).distinct())
    suspensions = list(
        ServiceSuspension.objects.filter(
            service=ServiceType.MARRIAGE_REGISTRATION,
            unit__path__in=OrgUnit.path_and_ancestors(unit.path),
            starts_on__lte=last,
            ends_on__gte=today,
        )
    )
    now = clock.now().astimezone(clock.local_zone())
    seats: dict[dt.date, int] = {}
    for slot in Slot.objects.filter(unit=unit, date__range=window):
        if _offers_seats(slot, now):
            seats[slot.date] = seats.get(slot.date, 0) + slot.capacity - slot.booked
    days = []
    for offset in range(policy.booking_horizon_days + 1):
        day = today + dt.timedelta(days=offset)
        days.append(
            _calendar_day(
                day,
                open_weekdays=open_weekdays,
                holiday=holidays.get(day),
                surge=surges.get(day),
                override=overrides.get(day),
                modes={s.mode for s in suspensions if _in_force(s, day)},
                plans=plans,
                seats=seats.get(day),
                policy=policy,
                today=today,
            )
        )
    return days


NEXT_DAY = dt.timedelta(days=1)  # not a policy threshold: a suspension lifted during the day holds it


def _in_force(suspension: ServiceSuspension, day: dt.date) -> bool:
    """`campaigns.selectors.suspensions_in_force`'s test, for a suspension already read."""
    lifted = suspension.lifted_at
    return suspension.starts_on <= day <= suspension.ends_on and (
        lifted is None or lifted >= clock.start_of(day + NEXT_DAY)
    )


def _calendar_day(
    day: dt.date,
    *,
    open_weekdays: str,
    holiday: Holiday | None,
    surge: SurgeDate | None,
    override: DateOverride | None,
    modes: set[str],
    plans: set[str],
    seats: int | None,
    policy: MarriagePolicy,
    today: dt.date,
) -> CalendarDay:
    # In `calendar.day_plan`'s order: the weekdays, the holiday, the surge date, the override.
    is_open, state, note = str(day.isoweekday()) in open_weekdays, DayState.CLOSED, ""
    if holiday is not None:
        is_open = holiday.kind == HolidayKind.WORKDAY
        state, note = DayState.HOLIDAY, holiday.name
    if surge is not None:
        is_open, note = True, surge.name
    if override is not None:
        is_open = bool(override.is_open)
        state, note = DayState.CLOSED, override.note or note
    if not is_open:
        return CalendarDay(day, state, note=note)
    if SuspensionMode.SUSPENDED in modes:
        return CalendarDay(day, DayState.SUSPENDED, note=note)
    if not (SlotPlan.NORMAL in plans or (surge is not None and SlotPlan.SURGE in plans)):
        return CalendarDay(day, DayState.NO_SLOTS, note=note)
    if surge is not None and today < booking_opens_on(surge, policy):
        return CalendarDay(day, DayState.NOT_YET, note=note)
    limited = SuspensionMode.LIMITED in modes
    if seats is None:
        return CalendarDay(day, DayState.NO_SLOTS, note=note, limited=limited)
    state = DayState.OPEN if seats > 0 else DayState.FULL
    return CalendarDay(day, state, seats=max(seats, 0), note=note, limited=limited)


def slot_exists(pk: int) -> bool:
    return Slot.objects.filter(pk=pk).exists()


def day_refusal(*, unit: OrgUnit, day: dt.date, policy: MarriagePolicy, priority: bool = False) -> str | None:
    """Why `day` cannot be booked at `unit` now, or None. `priority`: a holder moved by a suspension."""
    today = clock.today()
    if day < today:
        return _("不能预约已过去的日期")
    if day > today + dt.timedelta(days=policy.booking_horizon_days):
        return _("只能预约 %(days)s 天以内的日期") % {"days": policy.booking_horizon_days}
    plan = day_plan(unit, day, policy=policy, with_slots=False)
    if not plan.is_open:
        return plan.reason
    if plan.surge is not None and not priority:
        opens = booking_opens_on(plan.surge, policy)
        if today < opens:
            return _("%(surge)s（%(day)s）的预约将于 %(opens)s 开放") % {
                "surge": plan.surge.name,
                "day": day,
                "opens": opens,
            }
    return None


def people_by_document(document_indexes: list[str]) -> dict[str, Person]:
    """The register's people with these documents (blind indexes), by index: one query."""
    found = Person.objects.filter(id_index__in=sorted(set(document_indexes)), merged_into__isnull=True)
    return {person.id_index: person for person in found}


def active_booking_holders(person_ids: list[int]) -> set[int]:
    """Which of these people hold an active booking or waiting place."""
    return set(
        BookingParty.objects.filter(person__in=person_ids, is_active=True).values_list("person_id", flat=True)
    )


def registry_list(*, viewer: User) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(
        _scope(viewer, field=""),
        kind=UnitKind.INSTITUTION,
        institution_type=InstitutionType.MARRIAGE_REGISTRY,
    ).order_by("path")


def access_registry(viewer: User, pk: object) -> OrgUnit:
    return get_in_scope(registry_list(viewer=viewer), pk)


def access_slot_template(viewer: User, pk: object) -> SlotTemplate:
    return get_in_scope(SlotTemplate.objects.filter(_scope(viewer)).select_related("unit"), pk)


@dataclass(frozen=True)
class BookingFilters:
    unit: int | None = None
    date: dt.date | None = None
    status: str = ""


def booking_list(*, viewer: User, filters: BookingFilters | None = None) -> QuerySet[Booking]:
    filters = filters or BookingFilters()
    bookings = Booking.objects.filter(_scope(viewer)).select_related("unit", "slot")
    if filters.unit:
        bookings = bookings.filter(unit_id=filters.unit)
    if filters.date:
        bookings = bookings.filter(date=filters.date)
    if filters.status:
        bookings = bookings.filter(status=filters.status)
    return bookings.prefetch_related("parties__person").order_by(
        "date", "slot__starts_at", "created_at", "pk"
    )


def access_booking(viewer: User, pk: object) -> Booking:
    return get_in_scope(booking_list(viewer=viewer), pk)


def booking_by_code(*, viewer: User, code: str) -> Booking | None:
    return booking_list(viewer=viewer).filter(code=code.strip().upper()[:16]).first()


def public_booking(*, code: str, phone: str) -> Booking | None:
    """The booking whose code and one party's phone both match, else None (no hint which is wrong)."""
    try:
        index = phone_key(phone)
    except InvalidPhone:
        return None
    clean = code.strip().upper()[:16]
    if not clean or not index:
        return None
    party = (
        BookingParty.objects.filter(booking__code=clean, phone_index=index)
        .select_related("booking__unit", "booking__slot")
        .first()
    )
    return party.booking if party else None


def displaced_by_suspension(booking: Booking) -> bool:
    """Whether a suspension in force over this booking's day told its holders to rebook first.

    Only while the booking is still inside a suspension that has not been lifted: once moved out
    (or the day reopened), the public rules apply to it again."""
    return (
        booking.status == BookingStatus.BOOKED
        and SuspensionNotice.objects.filter(
            booking=booking,
            suspension__service=ServiceType.MARRIAGE_REGISTRATION,
            suspension__lifted_at__isnull=True,
            suspension__starts_on__lte=booking.date,
            suspension__ends_on__gte=booking.date,
        ).exists()
    )


def access_marriage_suspension(viewer: User, pk: object) -> ServiceSuspension:
    """A suspension of marriage registration in the viewer's scope: another service's suspension
    gets the same 404 as a missing one (it concerns no marriage booking)."""
    return get_in_scope(
        suspension_list(viewer=viewer, filters=SuspensionFilters(service=ServiceType.MARRIAGE_REGISTRATION)),
        pk,
    )


def affected_bookings(suspension: ServiceSuspension) -> list[Booking]:
    """Bookings (and waiting places) inside a suspension's window at the registries it covers (C4)."""
    if suspension.service != ServiceType.MARRIAGE_REGISTRATION:
        return []
    return list(
        Booking.objects.filter(
            subtree(suspension.unit.path, field="unit"),
            date__gte=suspension.starts_on,
            date__lte=suspension.ends_on,
            status__in=ACTIVE_FOR_SUSPENSION,
        )
        .select_related("unit", "slot")
        .prefetch_related("parties__person")
        .order_by("date", "slot__starts_at", "pk")
    )


ACTIVE_FOR_SUSPENSION = (BookingStatus.WAITING, BookingStatus.OFFERED, BookingStatus.BOOKED)


def suspensions_affecting(
    *, viewer: User, on: dt.date, limit: int = 20
) -> list[tuple[ServiceSuspension, list[Booking]]]:
    """Marriage suspensions not lifted and still running on `on` over the viewer's registries,
    whoever registered them (a county's or the region's covers its registries), each with the
    viewer's bookings inside its window (C4). Three queries, whatever the number of suspensions."""
    paths = list(registry_list(viewer=viewer).values_list("path", flat=True))
    # A suspension covers a registry when it was registered at the registry or above it.
    covering = sorted({covered for path in paths for covered in OrgUnit.path_and_ancestors(path)})
    if not covering:
        return []
    suspensions = list(
        ServiceSuspension.objects.filter(
            service=ServiceType.MARRIAGE_REGISTRATION,
            unit__path__in=covering,
            ends_on__gte=on,
            lifted_at__isnull=True,
        )
        .select_related("unit")
        .order_by("-starts_on", "-pk")[:limit]
    )
    if not suspensions:
        return []
    windows = Q(pk__in=[])
    for suspension in suspensions:
        windows |= subtree(suspension.unit.path, field="unit") & Q(
            date__gte=suspension.starts_on, date__lte=suspension.ends_on
        )
    bookings = list(
        Booking.objects.filter(_scope(viewer), windows, status__in=ACTIVE_FOR_SUSPENSION)
        .select_related("unit", "slot")
        .order_by("date", "slot__starts_at", "pk")
    )
    return [
        (
            suspension,
            [
                b
                for b in bookings
                if b.unit.path.startswith(suspension.unit.path)
                and suspension.starts_on <= b.date <= suspension.ends_on
            ],
        )
        for suspension in suspensions
    ]


def affected_lines(suspension: ServiceSuspension) -> list[str]:
    """The campaigns suspension page lists these (registered in apps.py)."""
    lines = []
    for booking in affected_bookings(suspension):
        names = "、".join(p.name[:1] + "某" for p in booking.parties.all())
        lines.append(
            f"婚姻登记预约 {booking.code}：{booking.unit.name} {booking.date} "
            f"{booking.slot.starts_at:%H:%M}（{names}，{booking.get_status_display()}）"
        )
    return lines


def report_list(*, viewer: User, status: str = "") -> QuerySet[NonComplianceReport]:
    reports = NonComplianceReport.objects.filter(_scope(viewer)).select_related(
        "unit", "booking", "closed_by"
    )
    if status:
        reports = reports.filter(status=status)
    return reports.order_by("-created_at", "-pk")


def access_report(viewer: User, pk: object) -> NonComplianceReport:
    return get_in_scope(report_list(viewer=viewer), pk)


def can_receive_reports(unit: OrgUnit) -> bool:
    """A unit whose report handlers can open reports of every registry: the region itself, or a
    region-level department or affiliated unit coordinating marriage registration (a county
    bureau would be alerted about reports its scope cannot show)."""
    if unit.status != UnitStatus.ACTIVE:
        return False
    if unit.depth == 1:
        return True
    return (
        unit.depth == 2
        and unit.kind in (UnitKind.DEPARTMENT, UnitKind.AFFILIATED)
        and MODULE in unit.coordinated_modules
    )


def recipient_unit_choices() -> QuerySet[OrgUnit]:
    candidates = OrgUnit.objects.filter(depth__lte=2, status=UnitStatus.ACTIVE).exclude(kind=UnitKind.COUNTY)
    return OrgUnit.objects.filter(pk__in=[u.pk for u in candidates if can_receive_reports(u)]).order_by(
        "path"
    )


def report_recipient_list(*, viewer: User) -> QuerySet[ReportRecipient]:
    """Region-wide: one list says where every registry's non-compliance reports go."""
    return ReportRecipient.objects.select_related("unit").order_by("kind", "unit__path", "pk")


def access_report_recipient(viewer: User, pk: object) -> ReportRecipient:
    return get_in_scope(report_recipient_list(viewer=viewer), pk)


def hall_log_list(*, viewer: User, unit: int | None = None) -> QuerySet[HallLog]:
    logs = HallLog.objects.filter(_scope(viewer)).select_related("unit", "recorded_by")
    if unit:
        logs = logs.filter(unit_id=unit)
    return logs.order_by("-done_at", "-pk")


@dataclass(frozen=True)
class DailyCount:
    unit: OrgUnit
    capacity: int
    booked: int
    waiting: int
    checked_in: int
    registered: int
    refused: int
    cancelled: int


def daily_counts(*, viewer: User, day: dt.date) -> list[DailyCount]:
    """Per registry on one day: seats offered and taken, and what became of the bookings."""
    registries = list(registry_list(viewer=viewer))
    capacity = dict(
        Slot.objects.filter(unit__in=registries, date=day)
        .values("unit")
        .annotate(total=Sum("capacity"))
        .values_list("unit", "total")
    )
    by_status = {
        (row["unit"], row["status"]): row["n"]
        for row in Booking.objects.filter(unit__in=registries, date=day)
        .values("unit", "status")
        .annotate(n=Count("pk"))
    }

    def n(unit: OrgUnit, *statuses: str) -> int:
        return sum(by_status.get((unit.pk, s), 0) for s in statuses)

    return [
        DailyCount(
            unit=unit,
            capacity=capacity.get(unit.pk, 0) or 0,
            booked=n(
                unit,
                BookingStatus.BOOKED,
                BookingStatus.OFFERED,
                BookingStatus.CHECKED_IN,
                BookingStatus.REGISTERED,
                BookingStatus.REFUSED,
            ),
            waiting=n(unit, BookingStatus.WAITING),
            checked_in=n(unit, BookingStatus.CHECKED_IN),
            registered=n(unit, BookingStatus.REGISTERED),
            refused=n(unit, BookingStatus.REFUSED),
            cancelled=n(unit, BookingStatus.CANCELLED, BookingStatus.EXPIRED),
        )
        for unit in registries
    ]


def booking_with_parties(booking: Booking) -> Booking:
    """A booking just written, with its parties and their register records read in one query:
    what the API shows of it. The unit and slot it was written with are kept."""
    prefetch_related_objects([booking], Prefetch("parties", BookingParty.objects.select_related("person")))
    return booking


def booking_fresh(booking: Booking) -> Booking:
    """A booking read again after a change, as the API shows it."""
    return (
        Booking.objects.select_related("unit", "slot").prefetch_related("parties__person").get(pk=booking.pk)
    )


def session_booking(pk: object) -> Booking | None:
    """The booking a public session holds (found earlier by code and phone, or just made)."""
    if not isinstance(pk, int):
        return None
    return Booking.objects.select_related("unit", "slot").filter(pk=pk).first()


# --- A registry's rules (M1, M5) --------------------------------------------------------------


def slot_template_list(*, unit: OrgUnit) -> list[SlotTemplate]:
    return list(SlotTemplate.objects.filter(unit=unit).order_by("plan", "starts_at"))


def upcoming_date_overrides(*, unit: OrgUnit, limit: int = 50) -> list[DateOverride]:
    return list(DateOverride.objects.filter(unit=unit, date__gte=clock.today()).order_by("date")[:limit])


def upcoming_surge_dates(*, limit: int = 100) -> list[SurgeDate]:
    return list(SurgeDate.objects.filter(date__gte=clock.today()).order_by("date")[:limit])


def overlapping_slot_template(template: SlotTemplate) -> SlotTemplate | None:
    """A slot of the same registry and plan whose hours overlap `template`'s."""
    return SlotTemplate.objects.filter(
        unit=template.unit, plan=template.plan, starts_at__lt=template.ends_at, ends_at__gt=template.starts_at
    ).first()


def date_override_row(*, unit: OrgUnit, day: dt.date) -> DateOverride | None:
    return DateOverride.objects.filter(unit=unit, date=day).first()


def days_with_slots(*, unit: OrgUnit, since: dt.date) -> list[dt.date]:
    return list(Slot.objects.filter(unit=unit, date__gte=since).values_list("date", flat=True).distinct())


def slots_with_bookings(*, unit: OrgUnit, days: list[dt.date], statuses: tuple[str, ...]) -> set[int]:
    """The slots of these days that a booking in one of `statuses` points at."""
    return set(
        Booking.objects.filter(unit=unit, date__in=days, status__in=statuses).values_list(
            "slot_id", flat=True
        )
    )


def days_with_bookings(*, unit: OrgUnit, days: list[dt.date], statuses: tuple[str, ...]) -> set[dt.date]:
    return set(
        Booking.objects.filter(unit=unit, date__in=days, status__in=statuses).values_list("date", flat=True)
    )


def day_has_seats_held(*, unit: OrgUnit, day: dt.date) -> bool:
    return Slot.objects.filter(unit=unit, date=day, booked__gt=0).exists()


def date_has_bookings(day: dt.date) -> bool:
    """Whether any registry has an active booking on `day`."""
    return Booking.objects.filter(date=day, status__in=ACTIVE_STATUSES).exists()


def registries_to_plan(day: dt.date) -> QuerySet[OrgUnit]:
    """The registries whose rows of `day` a region-wide rule (a surge date) reshapes: every open
    registry, and any other that has rows that day."""
    return OrgUnit.objects.filter(
        Q(pk__in=public_registries().values("pk")) | Q(pk__in=Slot.objects.filter(date=day).values("unit_id"))
    ).order_by("pk")


def notified_bookings(suspension: ServiceSuspension) -> set[int]:
    """The bookings whose holders were told of this suspension already."""
    return set(SuspensionNotice.objects.filter(suspension=suspension).values_list("booking_id", flat=True))


# --- At the counter (M3, M4) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    text: str  # Chinese: a refusal's reasons are stored with it (reports, alerts)
    refuses_when: bool
    label: str = ""  # the text in the reader's language, for the form and its messages


def _question(key: str, template: str, refuses_when: bool, **values: object) -> Question:
    return Question(key, template % values, refuses_when, label=_(template) % values)


def questions_for(party: BookingParty, policy: MarriagePolicy, screening: ScreeningPolicy) -> list[Question]:
    """The inquiry of M3: for everyone, and more for key epidemic areas and HMT parties."""
    days = screening.risk_lookback_days
    base = [
        _question("symptoms", gettext_noop("近期是否有发热、干咳、乏力、咽痛等症状"), True),
        _question(
            "risk_area", gettext_noop("近 %(days)s 天内是否到过中高风险地区或重点疫区"), True, days=days
        ),
        _question(
            "contact", gettext_noop("近 %(days)s 天内是否接触过确诊、疑似病例或无症状感染者"), True, days=days
        ),
        _question("health_code_green", gettext_noop("健康码是否为绿码"), False),
    ]
    if party.is_hmt:
        base += [
            _question(
                "arrived_recently", gettext_noop("是否为近 %(days)s 天内从港澳台或境外入境"), False, days=days
            ),
            _question(
                "isolation_done",
                gettext_noop("如为近期入境，是否已按规定完成入境隔离和健康监测（未近期入境选“是”）"),
                False,
            ),
            _question(
                "test_negative",
                gettext_noop("是否持有 %(hours)s 小时内核酸检测阴性证明"),
                False,
                hours=policy.test_validity_hours,
            ),
        ]
    return base


def booking_parties(booking: Booking) -> list[BookingParty]:
    return list(booking.parties.select_related("person"))


def booking_checks(booking: Booking) -> dict[int, CounterCheck]:
    """The latest screening of each party of the booking."""
    return {c.party_id: c for c in booking.checks.order_by("checked_at")}


def parties_screened_eligible(*, booking: Booking, since: dt.datetime) -> set[int]:
    return set(
        CounterCheck.objects.filter(booking=booking, is_eligible=True, checked_at__gte=since).values_list(
            "party_id", flat=True
        )
    )


def is_report_recipient(*, kind: str, unit: OrgUnit | None) -> bool:
    return ReportRecipient.objects.filter(kind=kind, unit=unit).exists()


def recipient_unit(pk: int) -> OrgUnit | None:
    """A unit named as a report recipient (the service decides whether it may be one)."""
    return OrgUnit.objects.filter(pk=pk).first()


def report_targets(unit: OrgUnit) -> list[audiences.Target]:
    """Who is alerted of a registry's non-compliance report: the recipients configured, else the
    county bureau of the registry and the coordinators of marriage registration."""
    configured = list(ReportRecipient.objects.select_related("unit"))
    targets: list[audiences.Target] = []
    kinds = [r.kind for r in configured] or [RecipientKind.COUNTY_BUREAU, RecipientKind.COORDINATORS]
    for kind in kinds:
        if kind == RecipientKind.COUNTY_BUREAU and unit.county_path():
            targets.append(audiences.county_bureau(unit))
        elif kind == RecipientKind.COORDINATORS:
            targets.append(audiences.module_coordinators(Module.MARRIAGE))
    for recipient in configured:
        if recipient.kind == RecipientKind.UNIT and recipient.unit is not None:
            targets.append(
                audiences.UnitRoles(recipient.unit, audiences.roles_with("marriage.manage_reports"))
            )
    return targets or [audiences.module_coordinators(Module.MARRIAGE)]


# --- Today (X5) ------------------------------------------------------------------------------------

# A booking of the day the counter serves, and those it has finished with: registered, or refused
# after screening. A check-in is half-way (screening and registration follow); a waiting place or an
# unconfirmed offer is not yet the counter's, and a cancelled one no longer. Earlier days' bookings
# never closed are not left to anyone: the counter works only on the booking's own day and the
# tick (`offers_expire`) lets them lapse, so nothing is ever overdue here.
COUNTER_DUE_STATUSES = (
    BookingStatus.BOOKED,
    BookingStatus.CHECKED_IN,
    BookingStatus.REGISTERED,
    BookingStatus.REFUSED,
)
COUNTER_DONE_STATUSES = (BookingStatus.REGISTERED, BookingStatus.REFUSED)


def todays_bookings(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """Per registry of the subtree at `within` ("": the region) with bookings on `today`: the
    couples the counter serves today and how many it has finished with. One query."""
    rows = (
        Booking.objects.filter(subtree(within, field="unit") if within else Q())
        .filter(date=today, status__in=COUNTER_DUE_STATUSES)
        .values("unit_id", "unit__path")
        .annotate(due=Count("pk"), done=Count("pk", filter=Q(status__in=COUNTER_DONE_STATUSES)))
        .order_by("unit__path")
    )
    return [
        Tally(unit_id=row["unit_id"], unit_path=row["unit__path"], done=row["done"], due=row["due"])
        for row in rows
    ]
