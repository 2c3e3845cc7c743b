"""Gathering reminders (G3 × X6), run by `manage.py run_reminders` (hourly in cron).

- An application still undecided with its start less than the policy's `decision_due_hours` away:
  the township that decides it and the village that took it are told (once per gathering).
- A gathering starting within the test window whose list still has participants without a valid
  test: the village and its township are told, with how many, so the village can send the
  organiser the list of who still needs a test (the organiser has no account).

Each reminder asks again right before delivery, so a decision taken or a list completed between the
check and the delivery tells nobody.
"""

import datetime as dt
from collections.abc import Callable, Iterator

from django.urls import reverse

from shouhu.alerts.audience import Target, unit_staff
from shouhu.alerts.models import Severity
from shouhu.alerts.registry import DueReminder, register_check, register_kind
from shouhu.common import clock
from shouhu.common.modules import Module
from shouhu.gatherings import selectors
from shouhu.gatherings.models import Gathering, GatheringStatus
from shouhu.gatherings.permissions import GatheringPerm
from shouhu.orgs.models import OrgUnit

DECISION_DUE = "gatherings.decision_due"
TESTS_MISSING = "gatherings.tests_missing"

register_kind(DECISION_DUE, "聚集性活动临近开始仍未审批")
register_kind(TESTS_MISSING, "聚集性活动参加人员仍需核酸检测")


def _parents(gatherings: list[Gathering]) -> dict[str, OrgUnit]:
    """The township above each village, by the village's path, in one query."""
    paths = {g.unit.path[: -OrgUnit.steplen] for g in gatherings}
    return {u.path: u for u in OrgUnit.objects.filter(path__in=paths)}


def _audience(gathering: Gathering, parents: dict[str, OrgUnit], *, township_code: str) -> list[Target]:
    targets: list[Target] = [unit_staff(gathering.unit, code=GatheringPerm.RECORD)]
    township = parents.get(gathering.unit.path[: -OrgUnit.steplen])
    if township is not None:
        targets.append(unit_staff(township, code=township_code))
    return targets


def _still_undecided(pk: int) -> Callable[[], bool]:
    def still_due() -> bool:
        rules = selectors.policy()
        return selectors.decisions_near(rules=rules, as_of=clock.now()).filter(pk=pk).exists()

    return still_due


def decisions_due(today: dt.date) -> Iterator[DueReminder]:
    rules = selectors.policy()
    gatherings = list(selectors.decisions_near(rules=rules, as_of=clock.now()))
    parents = _parents(gatherings)
    zone = clock.local_zone()
    for g in gatherings:
        yield DueReminder(
            source=Module.COMMUNITY,
            kind=DECISION_DUE,
            title=f"聚集性活动待审批：{g.unit.name} {g.title}",
            body=(
                f"{g.unit.name}受理的“{g.title}”（预计 {g.headcount} 人）将于 "
                f"{g.starts_at.astimezone(zone):%Y-%m-%d %H:%M} 开始，仍未审批。"
                "请乡镇政府在开始前批准或不予批准；未经批准的，现场核验一律不准入。"
            ),
            unit=g.unit,
            audience=_audience(g, parents, township_code=GatheringPerm.DECIDE),
            dedupe_key=f"{DECISION_DUE}:{g.pk}",
            still_due=_still_undecided(g.pk),
            severity=Severity.URGENT,
            link=reverse("gatherings:gathering_detail", kwargs={"gathering_id": g.pk}),
            target=g,
        )


def _still_missing(pk: int) -> Callable[[], bool]:
    def still_due() -> bool:
        rules = selectors.policy()
        return selectors.lists_needing_tests(rules=rules, as_of=clock.now()).filter(pk=pk).exists()

    return still_due


def tests_missing(today: dt.date) -> Iterator[DueReminder]:
    rules = selectors.policy()
    gatherings = list(selectors.lists_needing_tests(rules=rules, as_of=clock.now()))
    parents = _parents(gatherings)
    zone = clock.local_zone()
    for g in gatherings:
        yield DueReminder(
            source=Module.COMMUNITY,
            kind=TESTS_MISSING,
            title=f"参加人员仍需核酸检测：{g.unit.name} {g.title}（{g.pending_tests} 人）",
            body=(
                f"“{g.title}”将于 {g.starts_at.astimezone(zone):%Y-%m-%d %H:%M} 开始，名单中仍有 "
                f"{g.pending_tests} 人没有开始前 {rules.test_window_hours} 小时内的核酸检测阴性结果。"
                "请把待检测名单交给举办人，督促检测；没有有效阴性结果的不得参加。"
            ),
            unit=g.unit,
            audience=_audience(g, parents, township_code=GatheringPerm.VIEW),
            dedupe_key=f"{TESTS_MISSING}:{g.pk}",
            still_due=_still_missing(g.pk),
            severity=Severity.URGENT if g.status == GatheringStatus.APPROVED else Severity.WARNING,
            link=reverse("gatherings:gathering_pending", kwargs={"gathering_id": g.pk}),
            target=g,
        )


register_check(DECISION_DUE, decisions_due)
register_check(TESTS_MISSING, tests_missing)
