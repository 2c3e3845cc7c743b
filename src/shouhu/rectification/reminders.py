"""Overdue findings (G1, Q3 × X6). The day after a missed deadline the responsible unit is told;
once the finding is overdue by more than the policy's escalation days it goes up to the
responsible unit's parent, which is told too, urgently. The escalation is recorded on the finding
once (`services.finding_escalate`), by the runner's re-check right before it alerts — a dry run
writes nothing. Reporting the rectification resolves both alerts."""

import datetime as dt
from collections.abc import Callable, Iterator

from django.db.models import BooleanField, Case, Value, When
from django.urls import reverse

from shouhu.alerts.audience import unit_staff
from shouhu.alerts.models import Severity
from shouhu.alerts.registry import DueReminder, register_check, register_kind
from shouhu.common.modules import Module
from shouhu.orgs.models import OrgUnit
from shouhu.rectification import services
from shouhu.rectification.models import Finding
from shouhu.rectification.permissions import RectificationPerm
from shouhu.rectification.selectors import overdue

FINDING_OVERDUE = "rectification.overdue"
FINDING_ESCALATED = "rectification.escalated"

register_kind(FINDING_OVERDUE, "问题逾期未整改")
register_kind(FINDING_ESCALATED, "逾期未整改问题上报上级")


def _still_overdue(pk: int, today: dt.date) -> Callable[[], bool]:
    def still_due() -> bool:
        return Finding.objects.filter(overdue(today), pk=pk).exists()

    return still_due


def _escalate(pk: int, today: dt.date) -> Callable[[], bool]:
    def still_due() -> bool:
        return services.finding_escalate(finding_id=pk, today=today) is not None

    return still_due


def overdue_findings(today: dt.date) -> Iterator[DueReminder]:
    escalate = services.escalation_due(today)
    findings = list(
        Finding.objects.filter(overdue(today))
        .select_related("unit")
        .annotate(
            to_escalate=Case(
                When(escalate, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by("deadline", "pk")
    )
    above = {f.unit.path[: -OrgUnit.steplen] for f in findings if f.to_escalate and f.unit.depth > 1}
    parents = {unit.path: unit for unit in OrgUnit.objects.filter(path__in=above)}
    for finding in findings:
        what = f"{Module(finding.module).label}：{finding.description[:40]}"
        link = reverse("rectification:finding_detail", args=[finding.pk])
        yield DueReminder(
            source=finding.module,
            kind=FINDING_OVERDUE,
            title=f"问题逾期未整改：{finding.unit.name}",
            body=f"{what}。整改期限 {finding.deadline:%Y-%m-%d} 已过，请尽快整改并报送。",
            unit=finding.unit,
            audience=[unit_staff(finding.unit, code=RectificationPerm.RECTIFY)],
            dedupe_key=f"{FINDING_OVERDUE}:{finding.pk}",
            still_due=_still_overdue(finding.pk, today),
            link=link,
            target=finding,
        )
        if not finding.to_escalate:
            continue
        parent = parents.get(finding.unit.path[: -OrgUnit.steplen])
        if parent is None:
            continue
        yield DueReminder(
            source=finding.module,
            kind=FINDING_ESCALATED,
            title=f"下级逾期未整改问题：{finding.unit.name}",
            body=f"{what}。整改期限 {finding.deadline:%Y-%m-%d}，逾期仍未整改，已上报{parent.name}，请督促整改。",
            unit=parent,
            audience=[unit_staff(parent, code=RectificationPerm.RECORD)],
            dedupe_key=f"{FINDING_ESCALATED}:{finding.pk}",
            still_due=_escalate(finding.pk, today),
            severity=Severity.URGENT,
            link=link,
            target=finding,
        )


register_check("rectification.overdue", overdue_findings)
