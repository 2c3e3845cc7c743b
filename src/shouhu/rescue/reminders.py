"""Rescue reminders (R2, R3 × X6), run by `manage.py run_reminders` (hourly in cron).

- A return home under way longer than the policy's days without the receiving side's
  confirmation: the station and its county bureau are told (once per trip).
- An open incident without a follow-up report for longer than the policy's hours: the station
  and its county bureau are told (once per incident and missed report).

Each reminder asks again right before delivery, so an arrival confirmed or a report made between
the check and the delivery tells nobody.
"""

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator

from django.urls import reverse

from shouhu.alerts import audience as audiences
from shouhu.alerts.models import Severity
from shouhu.alerts.registry import DueReminder, register_check, register_kind
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.orgs.models import OrgUnit
from shouhu.rescue import selectors
from shouhu.rescue.models import Incident, RescuePolicy, ReturnStatus, ReturnTrip
from shouhu.rescue.services import INCIDENT_REPORTED

RETURN_OVERDUE = "rescue.return_overdue"
FOLLOW_UP_OVERDUE = "rescue.follow_up_overdue"

register_kind(INCIDENT_REPORTED, "救助站安全事件")
register_kind(RETURN_OVERDUE, "返乡逾期未确认到达")
register_kind(FOLLOW_UP_OVERDUE, "安全事件续报超时")


def station_and_bureau(station: OrgUnit) -> list[audiences.Target]:
    targets: list[audiences.Target] = [audiences.institution_staff(station)]
    with contextlib.suppress(DomainError):  # a station outside every county: its own staff
        targets.append(audiences.county_bureau(station))
    return targets


def _trip_still_late(trip_id: int) -> Callable[[], bool]:
    def still_due() -> bool:
        days = current_policy(RescuePolicy).return_arrival_days
        return ReturnTrip.objects.filter(
            pk=trip_id,
            status=ReturnStatus.DEPARTED,
            departed_at__lt=selectors.arrival_due_before(clock.now(), days=days),
        ).exists()

    return still_due


def overdue_returns(today: dt.date) -> Iterator[DueReminder]:
    days = current_policy(RescuePolicy).return_arrival_days
    for trip in selectors.overdue_returns(days=days):
        assert trip.departed_at is not None  # departed: the constraint holds it
        yield DueReminder(
            source=Module.RESCUE,
            kind=RETURN_OVERDUE,
            title=f"返乡逾期未确认到达：{trip.station.name} {trip.rescued.display_name}",
            body=(
                f"{trip.rescued.display_name}于 {trip.departed_at.astimezone(clock.local_zone()):%Y-%m-%d %H:%M} "
                f"出发返回{trip.destination}，超过 {days} 天仍未经接收方（{trip.receiver}）确认到达，"
                "请尽快联系核实；确认到达后本提醒即解除。"
            ),
            unit=trip.station,
            audience=station_and_bureau(trip.station),
            dedupe_key=f"{RETURN_OVERDUE}:{trip.pk}",
            still_due=_trip_still_late(trip.pk),
            severity=Severity.WARNING,
            link=reverse("rescue:rescued_detail", kwargs={"rescued_id": trip.rescued_id}),
            target=trip,
        )


def _incident_still_stale(incident_id: int, last_report_at: dt.datetime) -> Callable[[], bool]:
    def still_due() -> bool:
        return Incident.objects.filter(
            pk=incident_id, closed_at__isnull=True, last_report_at=last_report_at
        ).exists()

    return still_due


def stale_incidents(today: dt.date) -> Iterator[DueReminder]:
    hours = current_policy(RescuePolicy).incident_follow_up_hours
    for incident in selectors.stale_incidents(hours=hours):
        yield DueReminder(
            source=Module.RESCUE,
            kind=FOLLOW_UP_OVERDUE,
            title=f"安全事件续报超时：{incident.station.name} {incident.get_kind_display()}",
            body=(
                f"{incident.station.name}的{incident.get_kind_display()}"
                f"（{incident.occurred_at.astimezone(clock.local_zone()):%Y-%m-%d %H:%M}）尚未结案，"
                f"超过 {hours} 小时没有续报，请及时续报处置进展。"
            ),
            unit=incident.station,
            audience=station_and_bureau(incident.station),
            dedupe_key=f"{FOLLOW_UP_OVERDUE}:{incident.pk}:{incident.last_report_at:%Y%m%d%H%M%S}",
            still_due=_incident_still_stale(incident.pk, incident.last_report_at),
            severity=Severity.URGENT,
            link=reverse("rescue:incident_detail", kwargs={"rescue_incident_id": incident.pk}),
            target=incident,
        )


register_check(RETURN_OVERDUE, overdue_returns)
register_check(FOLLOW_UP_OVERDUE, stale_incidents)
