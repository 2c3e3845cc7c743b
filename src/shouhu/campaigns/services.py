"""Writes of the campaign: phases, key dates, holidays, policy and service suspensions."""

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.campaigns.calendar import key_dates_for_span
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
from shouhu.campaigns.plan import PLAN_GOAL, PLAN_NAME, shifted_deadline, shifted_phases
from shouhu.campaigns.policy import campaign_on, current_policy, policy_fields, policy_models
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.validation import clean
from shouhu.orgs.models import OrgUnit

P = TypeVar("P", bound=ModulePolicy)


def _check_phase_fits(phase: Phase) -> None:
    campaign = phase.campaign
    if phase.starts_on < campaign.starts_on or phase.ends_on > campaign.ends_on:
        raise DomainError(
            f"阶段日期须在行动期间（{campaign.starts_on}至{campaign.ends_on}）之内",
            code="phase_outside_campaign",
            field_errors={"starts_on": ["超出行动期间"]},
        )
    overlapping = (
        Phase.objects.filter(campaign=campaign, starts_on__lte=phase.ends_on, ends_on__gte=phase.starts_on)
        .exclude(pk=phase.pk)
        .first()
    )
    if overlapping:
        raise DomainError(
            f"与“{overlapping}”（{overlapping.starts_on}至{overlapping.ends_on}）时间重叠",
            code="phase_overlap",
            field_errors={"starts_on": ["与其他阶段时间重叠"]},
        )


@transaction.atomic
def campaign_create(
    *,
    actor: User | None,
    starts_on: dt.date,
    name: str = PLAN_NAME,
    with_plan_defaults: bool = True,
) -> Campaign:
    """A campaign; by default with the plan's three phases and key dates. Every module's policy
    starts with the plan's values (and the campaign's with its filing deadline)."""
    phases = shifted_phases(starts_on) if with_plan_defaults else []
    ends_on = phases[-1].ends_on if phases else starts_on
    campaign = Campaign(
        name=name, starts_on=starts_on, ends_on=ends_on, goal=PLAN_GOAL if with_plan_defaults else ""
    )
    clean(campaign)
    with acting_as(actor):
        campaign.save()
        for seed in phases:
            phase = Phase(
                campaign=campaign,
                number=seed.number,
                name=seed.name,
                starts_on=seed.starts_on,
                ends_on=seed.ends_on,
                focus=seed.focus,
                risks=seed.risks,
                target=seed.target,
            )
            clean(phase)
            phase.save()
        for model in policy_models():
            policy = model(campaign=campaign)
            if isinstance(policy, CampaignPolicy) and phases:
                policy.implementation_plan_deadline = shifted_deadline(starts_on)
            clean(policy)
            policy.save()
        for key_date in key_dates_for_span(campaign.starts_on, campaign.ends_on):
            KeyDate.objects.create(
                campaign=campaign,
                name=key_date.name,
                category=key_date.category,
                starts_on=key_date.starts_on,
                ends_on=key_date.ends_on,
                is_computed=True,
            )
    return campaign


@transaction.atomic
def phase_update(*, actor: User | None, phase: Phase, **changes: Any) -> Phase:
    allowed = {"name", "starts_on", "ends_on", "focus", "risks", "target"}
    if set(changes) - allowed:
        raise DomainError("不能修改的字段", code="invalid")
    Campaign.objects.select_for_update().get(pk=phase.campaign_id)
    for field, value in changes.items():
        setattr(phase, field, value)
    clean(phase)
    _check_phase_fits(phase)
    with acting_as(actor):
        phase.save(update_fields=[*changes, "updated_at"])
    return phase


@transaction.atomic
def phase_create(
    *,
    actor: User | None,
    campaign: Campaign,
    number: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    focus: str,
    risks: str = "",
    target: str = "",
) -> Phase:
    Campaign.objects.select_for_update().get(pk=campaign.pk)
    phase = Phase(
        campaign=campaign,
        number=number,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        focus=focus,
        risks=risks,
        target=target,
    )
    clean(phase)
    _check_phase_fits(phase)
    with acting_as(actor):
        phase.save()
    return phase


@transaction.atomic
def policy_update(*, actor: User | None, campaign: Campaign, model: type[P], values: dict[str, Any]) -> P:
    """Change some rules of one module's policy for `campaign`; its row is created with the plan's
    defaults first when the campaign has none yet (it began before the module had a policy)."""
    if model not in policy_models():
        raise DomainError("未知的政策参数模块", code="invalid")
    unknown = set(values) - set(policy_fields(model))
    if unknown:
        raise DomainError("未知的政策参数：" + "、".join(sorted(unknown)), code="invalid")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)  # one creation of a missing row
    policy = model._default_manager.filter(campaign=campaign).first()
    is_new = policy is None
    if policy is None:
        policy = model(campaign=campaign)
    for field, value in values.items():
        setattr(policy, field, value)
    clean(policy)
    if isinstance(policy, CampaignPolicy):
        _check_deadline_in_campaign(policy, campaign)
    with acting_as(actor):
        policy.save(update_fields=None if is_new else [*values, "updated_at"])
    return policy


def _check_deadline_in_campaign(policy: CampaignPolicy, campaign: Campaign) -> None:
    """The counties file their implementation plans during the campaign, not in year 1 or 9999."""
    deadline = policy.implementation_plan_deadline
    if deadline is None:
        return
    if not campaign.starts_on <= deadline <= campaign.ends_on:
        message = _("县级实施方案报备截止日期须在行动期间（%(starts)s 至 %(ends)s）之内") % {
            "starts": campaign.starts_on,
            "ends": campaign.ends_on,
        }
        raise DomainError(
            message,
            code="deadline_outside_campaign",
            field_errors={"implementation_plan_deadline": [message]},
        )


@transaction.atomic
def key_date_create(
    *,
    actor: User | None,
    campaign: Campaign,
    name: str,
    category: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    warning_days: int | None = None,
) -> KeyDate:
    key_date = KeyDate(
        campaign=campaign,
        name=name.strip(),
        category=category,
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        warning_days=warning_days,
        is_computed=False,
    )
    clean(key_date)
    with acting_as(actor):
        key_date.save()
    return key_date


@transaction.atomic
def holiday_set(*, actor: User | None, date: dt.date, name: str, is_workday: bool) -> Holiday:
    """Add or correct one day of the holiday table (years the package does not cover)."""
    holiday = Holiday.objects.filter(date=date).first() or Holiday(date=date)
    holiday.name = name.strip()
    holiday.kind = "workday" if is_workday else "holiday"
    clean(holiday, validate_unique=False)
    with acting_as(actor):
        holiday.save()
    return holiday


# Modules holding bookings of a service register what to do the moment it is suspended (tell the
# holders). They run once the suspension has committed, each in its own transaction: telling
# thousands of holders must not hold the suspension's write lock, and a failure to tell them must
# not undo the suspension (it is logged; the module's cron catches up, so handlers act once per
# booking).
SuspensionHandler = Callable[..., object]
_suspension_handlers: dict[str, list[SuspensionHandler]] = {}


def register_suspension_handler(service: str, handler: SuspensionHandler) -> None:
    """`handler(suspension=...)` runs whenever a suspension of `service` is created."""
    _suspension_handlers.setdefault(service, []).append(handler)


def _check_suspension_span(starts_on: dt.date, ends_on: dt.date) -> None:
    """A suspension is a measure of a campaign: it starts while one runs, and lasts at most the
    policy's maximum, so a slip of the date picker cannot close a service for years. It may run
    past the campaign's end (a nursing home stays closed while the epidemic lasts), by at most
    that maximum. Without any campaign yet, only the maximum (the plan's default) applies."""
    campaign = campaign_on(starts_on)
    if (campaign is None and Campaign.objects.exists()) or (
        campaign is not None and not campaign.starts_on <= starts_on <= campaign.ends_on
    ):
        message = _("暂停或限流须在行动期间开始")
        if campaign is not None:
            message = _("暂停或限流须在行动期间（%(starts)s 至 %(ends)s）开始") % {
                "starts": campaign.starts_on,
                "ends": campaign.ends_on,
            }
        raise DomainError(message, code="suspension_outside_campaign", field_errors={"starts_on": [message]})
    longest = current_policy(CampaignPolicy, starts_on).suspension_max_days
    if (ends_on - starts_on).days + 1 > longest:
        message = _("一次暂停或限流最长 %(days)s 天（政策参数），需要更久的请到期前再登记") % {
            "days": longest
        }
        raise DomainError(message, code="suspension_too_long", field_errors={"ends_on": [message]})


@transaction.atomic
def suspension_create(
    *,
    actor: User,
    unit: OrgUnit,
    service: str,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str,
    mode: str = SuspensionMode.SUSPENDED,
    limit_note: str = "",
) -> ServiceSuspension:
    if service not in ServiceType.values:
        raise DomainError("未知的服务类型", code="invalid", field_errors={"service": ["未知的服务类型"]})
    if not reason or not reason.strip():
        raise DomainError("请填写暂停或限流的原因", code="invalid", field_errors={"reason": ["请填写原因"]})
    if mode == SuspensionMode.LIMITED and not limit_note.strip():
        raise DomainError(
            "限流须说明限流措施", code="invalid", field_errors={"limit_note": ["请说明限流措施"]}
        )
    if ends_on < clock.today():
        raise DomainError(
            "结束日期已过，无需登记暂停", code="invalid", field_errors={"ends_on": ["结束日期已过"]}
        )
    _check_suspension_span(starts_on, ends_on)
    suspension = ServiceSuspension(
        unit=unit,
        service=service,
        mode=mode,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
        limit_note=limit_note.strip(),
        created_by=actor,
    )
    clean(suspension)
    with acting_as(actor):
        suspension.save()
    for handler in _suspension_handlers.get(service, []):
        transaction.on_commit(functools.partial(handler, suspension=suspension), robust=True)
    return suspension


@transaction.atomic
def suspension_lift(*, actor: User, suspension: ServiceSuspension, reason: str) -> ServiceSuspension:
    """End a suspension early; the record stays for the history."""
    if suspension.lifted_at is not None:
        raise ConflictError("该暂停已解除", code="already_lifted")
    if not reason.strip():
        raise DomainError("请填写解除原因", code="invalid", field_errors={"reason": ["请填写解除原因"]})
    suspension.lifted_at = clock.now()
    suspension.lift_reason = reason.strip()
    with acting_as(actor):
        suspension.save(update_fields=["lifted_at", "lift_reason", "updated_at"])
    return suspension
