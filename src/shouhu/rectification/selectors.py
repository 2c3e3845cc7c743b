"""Reads of findings, scoped to the viewer.

A viewer sees the findings whose responsible unit lies in their part of the tree, and those their
own unit (or one under it) found; a region department sees every county's findings of the
modules it coordinates (`scope.sees_whole_region`), as for requests from the public."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Model, Prefetch, Q, QuerySet, Value, When

from shouhu.accounts.models import User
from shouhu.accounts.scope import sees_whole_region, subtree
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.today import Counter, Tally
from shouhu.evidence.models import EvidenceFile
from shouhu.rectification.models import Finding, FindingEvent, FindingStatus

NOTHING = Q(pk__in=[])
ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: the calendar's next day


def overdue(today: dt.date) -> Q:
    """Open findings past their deadline (a submitted one waits on its reviewer, not on the unit)."""
    return Q(status=FindingStatus.OPEN, deadline__lt=today)


def finding_scope(viewer: User) -> Q:
    if not viewer.is_authenticated or viewer.unit_id is None or viewer.unit is None:
        return NOTHING
    wide = [module for module in Module if sees_whole_region(viewer, module)]
    if len(wide) == len(Module):
        return Q()
    path = viewer.unit.path
    scope = subtree(path, field="unit") | subtree(path, field="found_unit")
    return scope | Q(module__in=wide) if wide else scope


@dataclass(frozen=True)
class FindingFilters:
    module: str = ""
    status: str = ""
    overdue_only: bool = False
    unit_path: str = ""  # the responsible unit's subtree
    search: str = ""


def finding_list(*, viewer: User, filters: FindingFilters | None = None) -> QuerySet[Finding]:
    """The viewer's findings, overdue first, then by deadline."""
    filters = filters or FindingFilters()
    today = clock.today()
    findings = Finding.objects.filter(finding_scope(viewer)).select_related(
        "unit", "found_unit", "found_by", "escalated_to"
    )
    if filters.module:
        findings = findings.filter(module=filters.module)
    if filters.status:
        findings = findings.filter(status=filters.status)
    if filters.overdue_only:
        findings = findings.filter(overdue(today))
    if filters.unit_path:
        findings = findings.filter(subtree(filters.unit_path, field="unit"))
    if filters.search:
        findings = findings.filter(description__icontains=filters.search.strip())
    return findings.annotate(
        is_overdue=Case(When(overdue(today), then=Value(1)), default=Value(0), output_field=IntegerField()),
        step=Case(
            When(status=FindingStatus.OPEN, then=Value(0)),
            When(status=FindingStatus.SUBMITTED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    ).order_by("-is_overdue", "step", "deadline", "pk")


def access_finding(viewer: User, pk: object) -> Finding:
    """One finding the viewer may see, with its history and evidence; 404 alike for missing and
    forbidden."""
    findings = finding_list(viewer=viewer).prefetch_related(
        Prefetch(
            "events",
            queryset=FindingEvent.objects.select_related("actor", "unit").prefetch_related("evidence"),
        ),
        "evidence",
    )
    return get_in_scope(findings, pk)


def access_finding_evidence(viewer: User, finding_id: object, evidence_id: object) -> EvidenceFile:
    """An evidence file of a finding the viewer may see (404 otherwise, or when the file is not
    that finding's)."""
    finding = get_in_scope(finding_list(viewer=viewer), finding_id)
    return get_in_scope(finding.evidence.all(), evidence_id)


def findings_of(origin: Model) -> QuerySet[Finding]:
    """The findings recorded from one module record (no viewer check: call it after the module's
    own `access_*` of that record)."""
    return (
        Finding.objects.filter(origin_model=origin._meta.label_lower, origin_id=origin.pk)
        .select_related("unit", "found_unit", "found_by", "escalated_to")
        .order_by("found_on", "pk")
    )


# The modules that show their findings on a Today line of their own (`today_counter`): the
# rectification app's line leaves them out, so no finding is counted twice on the page.
OWN_LINES: set[str] = set()


def _counter(module: str | None) -> Counter:
    def count(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
        late = overdue(today)
        is_open = Q(status=FindingStatus.OPEN)
        start, end = clock.start_of(today), clock.start_of(today + ONE_DAY)
        submitted_today = Q(submitted_at__gte=start, submitted_at__lt=end) & ~is_open
        findings = Finding.objects.filter(subtree(within, field="unit"))
        if module:
            findings = findings.filter(module=module)
        elif OWN_LINES:
            findings = findings.exclude(module__in=OWN_LINES)
        rows = (
            findings.filter(is_open | submitted_today)
            .values("unit_id", "unit__path")
            .annotate(
                overdue=Count("pk", filter=late),
                done=Count("pk", filter=submitted_today),
                waiting=Count("pk", filter=is_open & ~late),
            )
            .order_by()
        )
        return [
            Tally(
                row["unit_id"],
                row["unit__path"],
                done=row["done"],
                due=row["done"] + row["waiting"],
                overdue=row["overdue"],
            )
            for row in rows
        ]

    return count


def today_counter(module: Module | str) -> Counter:
    """A module's Today work over its findings, per responsible unit: `overdue` = open past the
    deadline, `due` = the other open ones and those reported today, `done` = reported today.
    Registering it moves the module's findings from the rectification app's own Today line to
    the module's."""
    OWN_LINES.add(str(module))
    return _counter(str(module))


# The same over the findings of every module without a line of its own: the rectification
# work's own line on Today (supervision's inspections, leaders' walk-throughs, …).
today_all_findings: Counter = _counter(None)
