"""Writes of findings: recorded by a module, rectified by the responsible unit, accepted or
returned by the unit that found it (or one above), escalated when left overdue.

Modules call `finding_record` inside their own service's transaction, with the record the
finding came from; the steps after it are the same whatever the module. A step taken out of
order answers 409; a step by the wrong unit answers 403 (`NotYourStep`), each with a message
saying why.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.accounts.scope import sees_whole_region
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.common.validation import clean, raise_all, refuse
from shouhu.evidence.models import EvidenceFile
from shouhu.evidence.services import evidence_store
from shouhu.orgs.models import OrgUnit
from shouhu.rectification.models import (
    EventKind,
    Finding,
    FindingEvent,
    FindingStatus,
    RectificationPolicy,
)

NOTE_LENGTH = 1000  # not a policy threshold: the column's length
REASON_LENGTH = 500  # not a policy threshold: the column's length


class NotYourStep(DomainError):
    """The step is one another unit takes (403)."""

    status_code = 403


# --- Who takes which step (also used by the pages to show or hide the forms) --------------------


def _unit_of(actor: User | None) -> OrgUnit | None:
    return actor.unit if actor is not None and actor.is_authenticated else None


def rectifying_unit_refusal(actor: User | None, finding: Finding) -> str:
    """Why `actor` may not report the rectification ("" when they may): the responsible unit
    (or a unit under it, which does the work on the spot) reports it."""
    unit = _unit_of(actor)
    if unit is None or not unit.path.startswith(finding.unit.path):
        return _("整改情况由责任单位（%(unit)s）报送") % {"unit": finding.unit.name}
    return ""


def reviewing_unit_refusal(actor: User | None, finding: Finding) -> str:
    """Why `actor` may not accept or return the finding ("" when they may): the unit that found
    it or a unit above it — or a region-wide reviewer of the module — never the responsible unit
    (nor a unit under it), and never the person who reported the rectification."""
    unit = _unit_of(actor)
    if unit is None:
        return _("请先设置所属单位")
    if unit.path.startswith(finding.unit.path):
        return _("责任单位不能验收自己的整改，请由发现问题的单位或其上级验收")
    if actor is not None and finding.submitted_by_id is not None and finding.submitted_by_id == actor.pk:
        return _("报送人不能验收自己报送的整改")
    found = finding.found_unit
    above_finder = found is not None and found.path.startswith(unit.path)
    if above_finder or (actor is not None and sees_whole_region(actor, Module(finding.module))):
        return ""
    if found is None and finding.unit.path.startswith(unit.path):
        return ""  # no finding unit recorded: the responsible unit's superiors review
    return _("整改由发现问题的单位（%(unit)s）或其上级验收") % {
        "unit": found.name if found is not None else finding.unit.name
    }


# --- Steps ----------------------------------------------------------------------------------------


def _event(
    finding: Finding, *, kind: str, actor: User | None, note: str = "", unit: OrgUnit | None = None
) -> FindingEvent:
    return FindingEvent.objects.create(
        finding=finding,
        kind=kind,
        at=clock.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        unit=unit if unit is not None else _unit_of(actor),
        note=note[:NOTE_LENGTH],
    )


def origin_key(origin: models.Model) -> tuple[str, int]:
    """The ("app_label.modelname", pk) a finding keeps of the record it came from."""
    if origin is None or origin.pk is None:
        raise refuse(_("问题须来自一条已保存的记录"), code="invalid_finding", field="origin")
    return origin._meta.label_lower, int(origin.pk)


@transaction.atomic
def finding_record(
    *,
    actor: User | None,
    module: str,
    unit: OrgUnit,
    origin: models.Model,
    description: str,
    assigned_to: str = "",
    deadline: dt.date | None = None,
    found_on: dt.date | None = None,
    found_unit: OrgUnit | None = None,
) -> Finding:
    """A problem found in `module`'s record `origin`, for `unit` to fix by `deadline` (by default
    the policy's days from `found_on`, itself today by default). `found_unit` (by default the
    actor's unit) is the unit that reviews the rectification."""
    today = clock.today()
    found_on = found_on or today
    if deadline is None:
        days = current_policy(RectificationPolicy, found_on).default_deadline_days
        deadline = found_on + dt.timedelta(days=days)
    errors: dict[str, list[str]] = {}
    if module not in Module.values:
        errors["module"] = [_("未知的任务")]
    if not description.strip():
        errors["description"] = [_("请填写问题描述")]
    if found_on > today:
        errors["found_on"] = [_("发现日期不能晚于今天")]
    if deadline < found_on:
        errors["deadline"] = [_("整改期限不能早于发现日期")]
    raise_all(errors, code="invalid_finding")
    origin_model, origin_id = origin_key(origin)
    finding = Finding(
        module=module,
        unit=unit,
        found_unit=found_unit or _unit_of(actor),
        origin_model=origin_model,
        origin_id=origin_id,
        origin_label=str(origin)[:200],
        found_on=found_on,
        found_by=actor if actor is not None and actor.is_authenticated else None,
        description=description.strip()[:NOTE_LENGTH],
        assigned_to=assigned_to.strip()[:100],
        deadline=deadline,
    )
    clean(finding)
    with acting_as(actor):
        finding.save()
        _event(
            finding, kind=EventKind.RECORDED, actor=actor, note=finding.description, unit=finding.found_unit
        )
    return finding


def _locked(finding: Finding) -> Finding:
    return (
        Finding.objects.select_for_update(of=("self",))
        .select_related("unit", "found_unit")
        .get(pk=finding.pk)
    )


def _refuse_wrong_step(finding: Finding, wanted: str) -> None:
    if finding.status == wanted:
        return
    if finding.status == FindingStatus.ACCEPTED:
        raise refuse(_("该问题已验收销号"), code="finding_closed", conflict=True)
    if finding.status == FindingStatus.SUBMITTED:
        raise refuse(_("整改情况已报送，正等待验收"), code="finding_submitted", conflict=True)
    raise refuse(_("责任单位尚未报送整改情况"), code="finding_not_submitted", conflict=True)


@transaction.atomic
def finding_submit(
    *, actor: User | None, finding: Finding, note: str, evidence: Sequence[Any] = ()
) -> Finding:
    """The responsible unit reports what it did, with evidence: uploaded files (kept here as the
    responsible unit's evidence) or files already kept (`EvidenceFile`)."""
    finding = _locked(finding)
    _refuse_wrong_step(finding, FindingStatus.OPEN)
    refusal = rectifying_unit_refusal(actor, finding)
    if refusal:
        raise NotYourStep(refusal, code="not_responsible_unit")
    if not note.strip():
        raise refuse(_("请填写整改情况"), code="invalid_finding", field="note")
    files = [
        item
        if isinstance(item, EvidenceFile)
        else evidence_store(actor=actor, unit=finding.unit, module=finding.module, upload=item)
        for item in evidence
    ]
    finding.status = FindingStatus.SUBMITTED
    finding.submitted_at = clock.now()
    finding.submitted_by = actor if actor is not None and actor.is_authenticated else None
    finding.submission_note = note.strip()[:NOTE_LENGTH]
    clean(finding, exclude=["evidence"])
    with acting_as(actor):
        finding.save()
        if files:
            finding.evidence.add(*files)
        event = _event(finding, kind=EventKind.SUBMITTED, actor=actor, note=finding.submission_note)
        if files:
            event.evidence.add(*files)
    return finding


@transaction.atomic
def finding_accept(*, actor: User | None, finding: Finding, note: str = "") -> Finding:
    """验收销号: the rectification is done; the finding is closed."""
    finding = _locked(finding)
    _refuse_wrong_step(finding, FindingStatus.SUBMITTED)
    refusal = reviewing_unit_refusal(actor, finding)
    if refusal or actor is None:
        raise NotYourStep(refusal or _("请先登录"), code="not_reviewing_unit")
    finding.status = FindingStatus.ACCEPTED
    finding.accepted_at = clock.now()
    finding.accepted_by = actor
    finding.acceptance_note = note.strip()[:REASON_LENGTH]
    clean(finding, exclude=["evidence"])
    with acting_as(actor):
        finding.save()
        _event(finding, kind=EventKind.ACCEPTED, actor=actor, note=finding.acceptance_note)
    return finding


@transaction.atomic
def finding_return(*, actor: User | None, finding: Finding, reason: str) -> Finding:
    """退回: not rectified well enough; the finding is open again for the responsible unit, with
    the same deadline (a missed deadline stays missed)."""
    finding = _locked(finding)
    _refuse_wrong_step(finding, FindingStatus.SUBMITTED)
    refusal = reviewing_unit_refusal(actor, finding)
    if refusal or actor is None:
        raise NotYourStep(refusal or _("请先登录"), code="not_reviewing_unit")
    if not reason.strip():
        raise refuse(_("请写明退回理由"), code="invalid_finding", field="reason")
    finding.status = FindingStatus.OPEN
    finding.returned_count += 1
    finding.return_reason = reason.strip()[:REASON_LENGTH]
    clean(finding, exclude=["evidence"])
    with acting_as(actor):
        finding.save()
        _event(finding, kind=EventKind.RETURNED, actor=actor, note=finding.return_reason)
    return finding


def parent_of(unit: OrgUnit) -> OrgUnit | None:
    """The unit directly above `unit` (None for the region)."""
    if unit.depth <= 1:
        return None
    return OrgUnit.objects.filter(path=unit.path[: -OrgUnit.steplen]).first()


def escalation_due(today: dt.date) -> models.Q:
    """Open findings past their deadline by more than the policy's escalation days."""
    days = current_policy(RectificationPolicy, today).escalation_days
    return models.Q(status=FindingStatus.OPEN, deadline__lt=today - dt.timedelta(days=days))


@transaction.atomic
def finding_escalate(*, finding_id: int, today: dt.date) -> Finding | None:
    """Record, once, that an overdue finding went up to the responsible unit's parent; the
    finding when it is (still) to be escalated, else None (done meanwhile, or nowhere higher).
    Called by the reminder runner right before it alerts the parent unit (reminders.py)."""
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(escalation_due(today), pk=finding_id)
        .first()
    )
    if finding is None:
        return None
    parent = parent_of(finding.unit)
    if parent is None:
        return None
    if finding.escalated_at is None:
        finding.escalated_at = clock.now()
        finding.escalated_to = parent
        with acting_as(None):
            finding.save(update_fields=["escalated_at", "escalated_to", "updated_at"])
            _event(
                finding,
                kind=EventKind.ESCALATED,
                actor=None,
                unit=parent,
                note=_("逾期未整改，已上报%(unit)s") % {"unit": parent.name},
            )
    return finding
