"""Reads of the inbox: a user sees their own deliveries, nothing else.

Alerts are addressed to people, not to a subtree, so the scope here is the delivery's user.
A county-A alert is invisible to a county-B clerk because it was never delivered to them, and
`access_delivery` answers 404 for it exactly as for an alert that does not exist.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree
from shouhu.alerts.models import Alert, AlertDelivery, Severity
from shouhu.alerts.registry import kind_label
from shouhu.common.access import get_in_scope
from shouhu.common.today import Tally


@dataclass(frozen=True)
class InboxFilters:
    unread: bool = False
    unacknowledged: bool = False
    kind: str = ""
    severity: str = ""


def delivery_visible(*, viewer: User) -> QuerySet[AlertDelivery]:
    if not viewer.is_authenticated:
        return AlertDelivery.objects.none()
    return AlertDelivery.objects.filter(user=viewer)


def inbox(*, viewer: User, filters: InboxFilters | None = None) -> QuerySet[AlertDelivery]:
    filters = filters or InboxFilters()
    deliveries = delivery_visible(viewer=viewer)
    if filters.unread:
        deliveries = deliveries.filter(read_at__isnull=True)
    if filters.unacknowledged:
        deliveries = deliveries.filter(acknowledged_at__isnull=True)
    if filters.kind:
        deliveries = deliveries.filter(alert__kind=filters.kind)
    if filters.severity:
        deliveries = deliveries.filter(alert__severity=filters.severity)
    return deliveries.select_related("alert", "alert__unit", "alert__content_type").order_by(
        "-delivered_at", "-pk"
    )


def unread_count(*, viewer: User) -> int:
    """One COUNT on a partial index: cheap enough for the header of every page."""
    return delivery_visible(viewer=viewer).filter(read_at__isnull=True).count()


def inbox_kinds(*, viewer: User) -> list[tuple[str, str]]:
    """The kinds of alert in the viewer's inbox, for the filter (one query)."""
    kinds = (
        delivery_visible(viewer=viewer)
        .order_by("alert__kind")
        .values_list("alert__kind", flat=True)
        .distinct()
    )
    return [(kind, kind_label(kind)) for kind in kinds]


def access_delivery(viewer: User, alert_id: object) -> AlertDelivery:
    """The viewer's copy of an alert, by the alert's id (the same link for every recipient)."""
    alerts = Alert.objects.filter(pk__in=delivery_visible(viewer=viewer).values("alert_id"))
    alert = get_in_scope(alerts, alert_id)
    return inbox(viewer=viewer).get(alert=alert)


def open_alert(*, dedupe_key: str) -> Alert | None:
    """The open alert for a condition, if any (for raisers that want to resolve it)."""
    if not dedupe_key:
        return None
    return Alert.objects.filter(dedupe_key=dedupe_key, resolved_at__isnull=True).first()


# --- Today (X6) ------------------------------------------------------------------------------------

# What must be read first: urgent alerts (the severities above warning).
URGENT_SEVERITIES = (Severity.URGENT,)


def urgent_unread(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """The viewer's own unread urgent alerts, as one tally of the viewer's unit (none for a user
    without a unit, or whose unit lies outside the subtree at `within`). Reading one is the work,
    so nothing counts as done; an unread alert has no deadline, so none is overdue. One query."""
    unread = Count(
        "alert_deliveries",
        filter=Q(
            alert_deliveries__read_at__isnull=True, alert_deliveries__alert__severity__in=URGENT_SEVERITIES
        ),
    )
    rows = (
        User.objects.filter(
            subtree(within, field="unit") if within else Q(), pk=viewer_id, unit__isnull=False
        )
        .values("unit_id", "unit__path")
        .annotate(unread=unread)
        .order_by()
    )
    return [
        Tally(unit_id=row["unit_id"], unit_path=row["unit__path"], done=0, due=row["unread"]) for row in rows
    ]
