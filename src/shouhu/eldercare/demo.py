"""Demo nursing-home data: closures of the county welfare centres through
phase 2 (欢度佳节守卫行动, when the plan closes nursing homes), a testing round of yesterday with
results (one not sampled, one awaiting entry, so the missing list shows), health checks and daily
logs for the last days (one home skips its logs, so the overview flags it). Everything goes
through the services; run twice, it adds nothing.
"""

import datetime as dt
from importlib import import_module

from django.apps import apps as django_apps
from django.db.models import Q

from shouhu.campaigns.models import Phase
from shouhu.campaigns.policy import campaign_on
from shouhu.common import clock
from shouhu.eldercare import selectors, services
from shouhu.eldercare.models import ChecklistItem, Closure, DailyLog, HealthCheck, RoundScope, TestRound
from shouhu.orgs.models import OrgUnit

CHECKLIST_MIGRATION = "shouhu.eldercare.migrations.0002_default_checklist"
CLOSED_HOMES = 3
PHASE_TWO = 2
DIRECTIVE = "地区民政局关于春节期间养老机构实行封闭管理的通知"
LOG_DAYS = 3
CHECK_HOURS = (8, 15)
ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: the previous calendar day


def _phase_two_closures(homes: list[OrgUnit]) -> int:
    """The welfare centres closed through phase 2 of every campaign (the plan's, and a demo run's)."""
    created = 0
    for phase in Phase.objects.filter(number=PHASE_TWO).order_by("starts_on"):
        for home in homes[:CLOSED_HOMES]:
            taken = Closure.objects.filter(unit=home).filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=phase.starts_on), starts_on__lte=phase.ends_on
            )
            if taken.exists():
                continue
            services.closure_start(
                actor=None, home=home, starts_on=phase.starts_on, ends_on=phase.ends_on, directive=DIRECTIVE
            )
            created += 1
    return created


def _round(home: OrgUnit, day: dt.date) -> int:
    if TestRound.objects.filter(unit=home, tested_on=day).exists():
        return 0
    people = list(selectors.people_of_home(home))
    if not people:
        return 0
    test_round = services.round_create(actor=None, home=home, tested_on=day, scope=RoundScope.EVERYONE)
    for number, person in enumerate(people):
        if number == len(people) - 1:
            break  # the last one is still awaiting entry: the missing list shows them
        if number == 1:
            result, reason = "not_sampled", "外出就医，返院后补采"
        else:
            result, reason = "negative", ""
        services.round_result_record(
            actor=None, test_round=test_round, person=person, result=result, reason=reason
        )
    return 1


def _checks_and_logs(homes: list[OrgUnit], today: dt.date) -> int:
    items = list(selectors.checklist_items())
    written = 0
    for index, home in enumerate(homes):
        people = list(selectors.people_of_home(home))
        for back in range(1, LOG_DAYS + 1):
            day = today - back * ONE_DAY
            if index != len(homes) - 1 and not DailyLog.objects.filter(unit=home, day=day).exists():
                done = items if back > 1 or index % 2 == 0 else items[:-1]
                services.daily_log_record(actor=None, home=home, day=day, done_items=done)
                written += 1
            if index == 0 and not HealthCheck.objects.filter(unit=home, checked_at__date=day).exists():
                for hour in CHECK_HOURS:
                    at = dt.datetime.combine(day, dt.time(hour), tzinfo=clock.local_zone())
                    for person in people:
                        services.health_check_record(
                            actor=None, home=home, person=person, temperature="36.5", checked_at=at
                        )
                        written += 1
    return written


def load_demo_eldercare() -> dict[str, int]:
    """Idempotent: what was created this run, by kind."""
    today = clock.today()
    homes = list(selectors.nursing_homes().order_by("path"))
    centres = [h for h in homes if h.name.endswith("社会福利中心")] or homes
    # The checklist comes with migration 0002; a flushed test database lost it, so seed it again
    # with the migration's own function (it skips the items that exist).
    import_module(CHECKLIST_MIGRATION).add_items(django_apps, None)
    counts = {"checklist": ChecklistItem.objects.filter(is_active=True).count()}
    counts["closures"] = _phase_two_closures(centres)
    counts["rounds"] = _round(homes[0], today - ONE_DAY) if homes and campaign_on(today) else 0
    counts["records"] = _checks_and_logs(homes, today) if homes else 0
    return counts
