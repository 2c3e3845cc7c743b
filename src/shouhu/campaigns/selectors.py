"""Reads of the campaign. Campaign data is region-wide; suspensions are scoped by unit."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shouhu.accounts.models import User
from shouhu.accounts.scope import unit_scope
from shouhu.campaigns.models import (
    Campaign,
    CampaignPolicy,
    Holiday,
    KeyDate,
    ModulePolicy,
    Phase,
    ServiceSuspension,
    ServiceType,
    SuspensionMode,
)
from shouhu.campaigns.policy import current_policy, policy_models, policy_of
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.orgs.models import OrgUnit


def campaign_list(*, viewer: User) -> QuerySet[Campaign]:
    return Campaign.objects.order_by("-starts_on")


def access_campaign(viewer: User, pk: object) -> Campaign:
    return get_in_scope(campaign_list(viewer=viewer), pk)


def campaign_policies(*, viewer: User, campaign: Campaign) -> list[ModulePolicy]:
    """Every module's policy for `campaign`, in the plan's order (a missing row as the plan's
    defaults), in one statement."""
    joined = Campaign.objects.select_related(*(model.accessor() for model in policy_models())).get(
        pk=campaign.pk
    )
    return [policy_of(joined, model) for model in policy_models()]


def campaign_records(*, viewer: User, campaign: Campaign) -> list[Model]:
    """The campaign and what belongs to it, for its change history."""
    policies = [policy for policy in campaign_policies(viewer=viewer, campaign=campaign) if policy.pk]
    return [campaign, *campaign.phases.all(), *campaign.key_dates.all(), *policies]


def phase_list(*, viewer: User, campaign: Campaign) -> QuerySet[Phase]:
    return campaign.phases.order_by("starts_on")


def key_date_list(*, viewer: User, campaign: Campaign) -> QuerySet[KeyDate]:
    return campaign.key_dates.order_by("starts_on", "name")


def access_phase(viewer: User, pk: object) -> Phase:
    return get_in_scope(Phase.objects.select_related("campaign"), pk)


def access_key_date(viewer: User, pk: object) -> KeyDate:
    return get_in_scope(KeyDate.objects.select_related("campaign"), pk)


def holiday_list(*, viewer: User, year: int | None = None) -> QuerySet[Holiday]:
    holidays = Holiday.objects.all()
    if year:
        holidays = holidays.filter(date__year=year)
    return holidays.order_by("date")


# --- Suspensions (C4) ------------------------------------------------------------------------


def _start_of_next_day(day: dt.date) -> dt.datetime:
    one_day = dt.timedelta(1)  # not a policy threshold: the calendar's next day
    return clock.start_of(day + one_day)


def _in_force_on(day: dt.date) -> Q:
    return Q(starts_on__lte=day, ends_on__gte=day) & (
        Q(lifted_at__isnull=True) | Q(lifted_at__gte=_start_of_next_day(day))
    )


@dataclass(frozen=True)
class SuspensionFilters:
    service: str = ""
    unit: int | None = None
    active_on: dt.date | None = None


def suspension_list(*, viewer: User, filters: SuspensionFilters | None = None) -> QuerySet[ServiceSuspension]:
    filters = filters or SuspensionFilters()
    suspensions = ServiceSuspension.objects.filter(unit_scope(viewer)).select_related("unit", "created_by")
    if filters.service:
        suspensions = suspensions.filter(service=filters.service)
    if filters.unit:
        suspensions = suspensions.filter(unit_id=filters.unit)
    if filters.active_on:
        suspensions = suspensions.filter(_in_force_on(filters.active_on))
    return suspensions.order_by("-starts_on", "-pk")


def access_suspension(viewer: User, pk: object) -> ServiceSuspension:
    return get_in_scope(suspension_list(viewer=viewer), pk)


@dataclass(frozen=True)
class ServiceAvailability:
    is_open: bool
    is_limited: bool = False
    reason: str = ""
    suspension: ServiceSuspension | None = None

    @property
    def message(self) -> str:
        if self.is_open and not self.is_limited:
            return _("正常办理")
        return self.reason


def suspensions_in_force(*, service: str, unit: OrgUnit, on: dt.date) -> QuerySet[ServiceSuspension]:
    """The suspensions of `service` at `unit` or above it in force on `on`, "limited" before
    "suspended": for this module's answer and for other modules' queries that ask the same in
    passing (as an `Exists`)."""
    return ServiceSuspension.objects.filter(
        _in_force_on(on), service=service, unit__path__in=OrgUnit.path_and_ancestors(unit.path)
    ).order_by("mode", "starts_on", "pk")


# The service names of the reasons, in the reader's language (ServiceType's labels are the stored
# Chinese ones).
_SERVICE_NAMES = {
    ServiceType.MARRIAGE_REGISTRATION: gettext_lazy("婚姻登记"),
    ServiceType.FUNERAL_CEREMONY: gettext_lazy("殡葬治丧仪式"),
    ServiceType.LOTTERY_SALES: gettext_lazy("福彩销售"),
    ServiceType.VISITS: gettext_lazy("探视来访"),
}


def service_availability(*, service: str, unit: OrgUnit, on: dt.date) -> ServiceAvailability:
    """Whether `service` is open at `unit` on `on` — the one answer every module asks.

    A suspension registered at a unit applies to its whole subtree (a county bureau that
    suspends marriage registration suspends it at every registry of the county).
    """
    suspensions = list(suspensions_in_force(service=service, unit=unit, on=on).select_related("unit"))
    if not suspensions:
        return ServiceAvailability(is_open=True)
    label = str(_SERVICE_NAMES.get(ServiceType(service), ServiceType(service).label))
    for suspension in suspensions:
        if suspension.mode == SuspensionMode.SUSPENDED:
            return ServiceAvailability(
                is_open=False,
                reason=_("%(unit)s自%(starts_on)s至%(ends_on)s暂停%(service)s：%(reason)s")
                % {
                    "unit": suspension.unit.name,
                    "starts_on": suspension.starts_on,
                    "ends_on": suspension.ends_on,
                    "service": label,
                    "reason": suspension.reason,
                },
                suspension=suspension,
            )
    limited = suspensions[0]
    return ServiceAvailability(
        is_open=True,
        is_limited=True,
        reason=_("%(unit)s%(service)s限流：%(limit_note)s（%(reason)s）")
        % {
            "unit": limited.unit.name,
            "service": label,
            "limit_note": limited.limit_note,
            "reason": limited.reason,
        },
        suspension=limited,
    )


# Modules that hold bookings (marriage appointments, funeral cases, …) register a provider
# here, so a new suspension lists the people already booked inside its window.
AffectedProvider = Callable[[ServiceSuspension], list[str]]
_affected_providers: dict[str, list[AffectedProvider]] = {}


def register_affected_provider(service: str, provider: AffectedProvider) -> None:
    _affected_providers.setdefault(service, []).append(provider)


def suspension_affected(suspension: ServiceSuspension) -> list[str]:
    return [
        line for provider in _affected_providers.get(suspension.service, []) for line in provider(suspension)
    ]


# --- Calendar (C2) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyDateWarning:
    key_date: KeyDate
    days_ahead: int


@dataclass
class CalendarView:
    campaign: Campaign | None
    phases: list[Phase] = field(default_factory=list)
    key_dates: list[KeyDate] = field(default_factory=list)
    warnings: list[KeyDateWarning] = field(default_factory=list)
    holidays: list[Holiday] = field(default_factory=list)


def calendar_view(*, viewer: User, campaign: Campaign | None, today: dt.date | None = None) -> CalendarView:
    today = today or clock.today()
    if campaign is None:
        return CalendarView(campaign=None)
    policy = current_policy(CampaignPolicy, today)
    key_dates = list(key_date_list(viewer=viewer, campaign=campaign))
    warnings = []
    for key_date in key_dates:
        days_ahead = (key_date.starts_on - today).days
        lead = key_date.warning_days if key_date.warning_days is not None else policy.key_date_warning_days
        if 0 <= days_ahead <= lead:
            warnings.append(KeyDateWarning(key_date, days_ahead))
    last = max([campaign.ends_on, *[k.ends_on for k in key_dates]])
    holidays = list(Holiday.objects.filter(date__gte=campaign.starts_on, date__lte=last).order_by("date"))
    return CalendarView(
        campaign=campaign,
        phases=list(campaign.phases.order_by("starts_on")),
        key_dates=key_dates,
        warnings=warnings,
        holidays=holidays,
    )
