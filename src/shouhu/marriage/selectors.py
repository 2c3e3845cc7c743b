"""Reads of marriage registration. Staff see the registries of their subtree (coordinators: all)."""

import datetime as dt
import functools
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_scope
from shouhu.campaigns.models import ServiceSuspension, ServiceType
from shouhu.campaigns.selectors import SuspensionFilters, suspension_list
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.rows import columns, select_rows
from shouhu.marriage.models import (
    Booking,
    BookingParty,
    BookingStatus,
    HallLog,
    NonComplianceReport,
    ReportRecipient,
    Slot,
    SlotTemplate,
    SuspensionNotice,
)
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind, UnitStatus
from shouhu.people.idcard import InvalidPhone, phone_key

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


@functools.cache
def _public_slot_sql() -> str:
    # Only quoted table and column names are formatted in; every value is a parameter.
    return "SELECT {}, {} FROM {} s JOIN {} u ON u.id = s.unit_id WHERE s.id = %s AND {}".format(  # noqa: S608
        columns(Slot, "s"),
        columns(OrgUnit, "u"),
        connection.ops.quote_name(Slot._meta.db_table),
        connection.ops.quote_name(OrgUnit._meta.db_table),
        "u.kind = %s AND u.institution_type = %s AND u.status = %s",
    )


def public_slot(pk: int) -> Slot | None:
    """A slot of an open registry with its unit, or None: what the public and clerks book."""
    # Every booking asks: one hand-written statement (the ORM took longer to build it than the
    # database took to answer).
    rows = select_rows(
        _public_slot_sql(),
        [pk, UnitKind.INSTITUTION, InstitutionType.MARRIAGE_REGISTRY, UnitStatus.ACTIVE],
        (Slot, "s"),
        (OrgUnit, "u"),
    )
    if not rows:
        return None
    slot, unit = rows[0]
    slot.unit = unit
    return slot


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
