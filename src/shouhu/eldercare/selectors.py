"""Reads of the nursing-home app, scoped to what the viewer may see.

Reads use the eldercare scope (the region department that coordinates nursing homes reads every
county); writes are limited to the viewer's own subtree. Who is "in a home" is the person
register's answer: a living, unmerged person whose home unit is the home, as resident or staff.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_scope
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.today import Tally
from shouhu.eldercare.models import (
    SAMPLED,
    ChecklistItem,
    Closure,
    DailyLog,
    EldercarePolicy,
    HealthCheck,
    Movement,
    Shift,
    TestOutcome,
    TestResult,
    TestRound,
)
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind, UnitStatus
from shouhu.people.models import Category, Person

HOME_CATEGORIES = (Category.NURSING_HOME_RESIDENT, Category.STAFF)
ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: one calendar day


def eldercare_scope(viewer: User, *, field: str = "unit") -> Q:
    return unit_scope(viewer, field=field, module=Module.ELDERCARE)


def own_subtree(viewer: User, *, field: str) -> Q:
    """Where the viewer may write: their own unit's subtree, whatever they may read."""
    unit = viewer.unit if viewer.is_authenticated else None
    if unit is None:
        return Q(pk__in=[])
    return subtree(unit.path, field=field)


# --- Homes and their people --------------------------------------------------------------------


def nursing_homes() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind=UnitKind.INSTITUTION, institution_type=InstitutionType.NURSING_HOME)


def home_list(*, viewer: User) -> QuerySet[OrgUnit]:
    return nursing_homes().filter(eldercare_scope(viewer, field="")).order_by("path")


def home_writable(*, viewer: User) -> QuerySet[OrgUnit]:
    return nursing_homes().filter(own_subtree(viewer, field="")).order_by("path")


def access_home(viewer: User, pk: object) -> OrgUnit:
    return get_in_scope(home_list(viewer=viewer), pk)


def access_home_for_recording(viewer: User, pk: object) -> OrgUnit:
    return get_in_scope(home_writable(viewer=viewer), pk)


def people_of_home(home: OrgUnit) -> QuerySet[Person]:
    """The residents and staff of a home now (one query, ordered residents first, then by name)."""
    return (
        Person.objects.filter(
            home_unit=home,
            merged_into__isnull=True,
            deceased_on__isnull=True,
            categories__category__in=HOME_CATEGORIES,
        )
        .distinct()
        .order_by("name", "pk")
    )


def person_roles(people: list[Person]) -> dict[int, str]:
    """ "老人" or "工作人员" per person id, in one query (a resident who also works counts as resident)."""
    from shouhu.people.models import PersonCategory

    roles: dict[int, str] = {}
    rows = PersonCategory.objects.filter(person__in=people, category__in=HOME_CATEGORIES).values_list(
        "person_id", "category"
    )
    for person_id, category in rows:
        if category == Category.NURSING_HOME_RESIDENT or person_id not in roles:
            roles[person_id] = str(Category(category).label)
    return roles


def is_in_home(home: OrgUnit, person: Person) -> bool:
    return people_of_home(home).filter(pk=person.pk).exists()


def is_staff_of_home(home: OrgUnit, person: Person) -> bool:
    return people_of_home(home).filter(pk=person.pk, categories__category=Category.STAFF).exists()


# --- E1 Closed management ----------------------------------------------------------------------


def _on(day: dt.date) -> Q:
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def closure_on(unit: OrgUnit, day: dt.date) -> Closure | None:
    """The closure a home is under on `day`, if any."""
    return Closure.objects.filter(_on(day), unit=unit).order_by("-starts_on", "-pk").first()


def _closure_refusal(unit: OrgUnit, closure: Closure) -> str:
    until = f"至{closure.ends_on}" if closure.ends_on else "起"
    return f"封闭管理：{unit.name}自{closure.starts_on}{until}实行封闭管理，暂停探视（{closure.directive}）"


def closure_check(unit: OrgUnit, day: dt.date) -> str | None:
    """For entry screening: why visitors are refused at a closed home (封闭管理), else None."""
    if unit.institution_type != InstitutionType.NURSING_HOME:
        return None
    closure = closure_on(unit, day)
    return _closure_refusal(unit, closure) if closure is not None else None


def closure_check_over(start: dt.date, end: dt.date) -> Callable[[OrgUnit, dt.date], str | None]:
    """`closure_check` for any home and day from `start` to `end`, from the closures read at once."""
    by_home: dict[int, list[Closure]] = {}
    overlapping = Closure.objects.filter(starts_on__lte=end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start)
    )
    for closure in overlapping.order_by("-starts_on", "-pk"):
        by_home.setdefault(closure.unit_id, []).append(closure)

    def check(unit: OrgUnit, day: dt.date) -> str | None:
        if unit.institution_type != InstitutionType.NURSING_HOME:
            return None
        for closure in by_home.get(unit.pk, []):  # the latest first, as closure_on takes it
            if closure.starts_on <= day and (closure.ends_on is None or closure.ends_on >= day):
                return _closure_refusal(unit, closure)
        return None

    return check


@dataclass(frozen=True)
class ClosureFilters:
    unit: int | None = None
    active_on: dt.date | None = None


def closure_list(*, viewer: User, filters: ClosureFilters | None = None) -> QuerySet[Closure]:
    filters = filters or ClosureFilters()
    closures = Closure.objects.filter(eldercare_scope(viewer), unit__in=nursing_homes())
    if filters.unit:
        closures = closures.filter(unit_id=filters.unit)
    if filters.active_on:
        closures = closures.filter(_on(filters.active_on))
    return closures.select_related("unit", "started_by", "ended_by").order_by("-starts_on", "-pk")


def access_closure(viewer: User, pk: object) -> Closure:
    return get_in_scope(closure_list(viewer=viewer), pk)


def access_closure_for_recording(viewer: User, pk: object) -> Closure:
    closures = Closure.objects.filter(own_subtree(viewer, field="unit")).select_related("unit")
    return get_in_scope(closures, pk)


def movement_list(*, closure: Closure) -> QuerySet[Movement]:
    return Movement.objects.filter(closure=closure).select_related("person", "recorded_by")


def recent_movements(*, home: OrgUnit, limit: int = 20) -> list[Movement]:
    return list(
        Movement.objects.filter(unit=home)
        .select_related("person", "recorded_by")
        .order_by("-requested_at")[:limit]
    )


def shift_list(*, closure: Closure) -> QuerySet[Shift]:
    return Shift.objects.filter(closure=closure).select_related("person", "recorded_by")


# --- E2 Testing rounds -------------------------------------------------------------------------


def _with_counts(rounds: QuerySet[TestRound]) -> QuerySet[TestRound]:
    return rounds.annotate(
        member_count=Count("results", distinct=True),
        sampled_count=Count("results", filter=Q(results__result__in=SAMPLED), distinct=True),
        positive_count=Count("results", filter=Q(results__result=TestOutcome.POSITIVE), distinct=True),
        awaiting_count=Count("results", filter=Q(results__result=TestOutcome.AWAITING), distinct=True),
    )


@dataclass(frozen=True)
class RoundFilters:
    unit: int | None = None


def round_list(*, viewer: User, filters: RoundFilters | None = None) -> QuerySet[TestRound]:
    filters = filters or RoundFilters()
    rounds = TestRound.objects.filter(eldercare_scope(viewer), unit__in=nursing_homes())
    if filters.unit:
        rounds = rounds.filter(unit_id=filters.unit)
    return _with_counts(rounds.select_related("unit", "created_by")).order_by("-tested_on", "-pk")


def access_round(viewer: User, pk: object) -> TestRound:
    return get_in_scope(round_list(viewer=viewer), pk)


def access_round_for_recording(viewer: User, pk: object) -> TestRound:
    rounds = TestRound.objects.filter(own_subtree(viewer, field="unit")).select_related("unit")
    return get_in_scope(_with_counts(rounds), pk)


def round_results(test_round: TestRound) -> QuerySet[TestResult]:
    return TestResult.objects.filter(round=test_round).select_related("person").order_by("person__name", "pk")


def round_member(test_round: TestRound, person_id: int) -> Person | None:
    """The person of a round's list (fixed when the round was made), or None if not on it."""
    row = round_results(test_round).filter(person_id=person_id).first()
    return row.person if row is not None else None


def checklist_items_by_id(ids: set[int]) -> list[ChecklistItem]:
    """The items named (retired ones too: the service refuses those with a clear message)."""
    return list(checklist_items(include_inactive=True).filter(pk__in=ids))


def missing_list(test_round: TestRound) -> QuerySet[TestResult]:
    """应检尽检：everyone of the round not (yet) sampled — no result entered, or not sampled."""
    return round_results(test_round).exclude(result__in=SAMPLED)


def coverage_percent(sampled: int, members: int) -> float | None:
    return round(100.0 * sampled / members, 1) if members else None


@dataclass
class CountyCoverage:
    county: OrgUnit
    homes: int = 0
    homes_with_round: int = 0
    members: int = 0
    sampled: int = 0
    positive: int = 0

    @property
    def percent(self) -> float | None:
        return coverage_percent(self.sampled, self.members)


def latest_rounds(homes: list[OrgUnit], *, on: dt.date) -> dict[int, TestRound]:
    """The latest round on or before `on` of each home, with its counts (two queries)."""
    latest = (
        TestRound.objects.filter(unit__in=homes, tested_on__lte=on)
        .values("unit_id")
        .annotate(last=Max("tested_on"))
    )
    wanted = Q(pk__in=[])
    for row in latest:
        wanted |= Q(unit_id=row["unit_id"], tested_on=row["last"])
    rounds = _with_counts(TestRound.objects.filter(wanted)).order_by("tested_on", "pk")
    return {r.unit_id: r for r in rounds}


def county_coverage(*, viewer: User, on: dt.date) -> list[CountyCoverage]:
    """Per county: the latest round of each home, added up (a home with no round counts zero)."""
    homes = list(home_list(viewer=viewer))
    rounds = latest_rounds(homes, on=on)
    county_paths = {h.county_path() for h in homes} - {None}
    counties = {c.path: c for c in OrgUnit.objects.filter(path__in=county_paths, kind=UnitKind.COUNTY)}
    rows: dict[str, CountyCoverage] = {}
    for home in homes:
        path = home.county_path()
        if path is None or path not in counties:
            continue
        row = rows.setdefault(path, CountyCoverage(county=counties[path]))
        row.homes += 1
        test_round = rounds.get(home.pk)
        if test_round is not None:
            row.homes_with_round += 1
            row.members += test_round.member_count  # type: ignore[attr-defined]  # annotated
            row.sampled += test_round.sampled_count  # type: ignore[attr-defined]
            row.positive += test_round.positive_count  # type: ignore[attr-defined]
    return [rows[p] for p in sorted(rows)]


def round_due(*, home: OrgUnit, today: dt.date, interval_days: int) -> bool:
    """A closed home must test every `interval_days`: due when its last round is that old, or none.
    A round already planned counts only if it falls within the next interval: one typed for a
    far-off day (a typo, or 9999-12-31) must not silence the reminder for good."""
    if closure_on(home, today) is None:
        return False
    horizon = today + dt.timedelta(days=interval_days)
    rounds = TestRound.objects.filter(unit=home, tested_on__lte=horizon)
    last = rounds.aggregate(last=Max("tested_on"))["last"]
    return last is None or (today - last).days >= interval_days


# --- E3 Health monitoring ----------------------------------------------------------------------


def health_checks_on(*, home: OrgUnit, day: dt.date) -> QuerySet[HealthCheck]:
    start = clock.start_of(day)
    end = start + dt.timedelta(days=1)  # not a policy threshold: one calendar day
    return HealthCheck.objects.filter(unit=home, checked_at__gte=start, checked_at__lt=end)


def check_counts(*, home: OrgUnit, day: dt.date) -> dict[int, int]:
    rows = health_checks_on(home=home, day=day).values("person_id").annotate(n=Count("pk"))
    return {r["person_id"]: r["n"] for r in rows}


def people_short_of_checks(*, home: OrgUnit, day: dt.date, per_day: int) -> list[Person]:
    """Residents and staff with fewer checks on `day` than the policy asks."""
    counts = check_counts(home=home, day=day)
    return [p for p in people_of_home(home) if counts.get(p.pk, 0) < per_day]


def abnormal_checks(*, viewer: User, day: dt.date) -> list[HealthCheck]:
    homes = home_list(viewer=viewer)
    checks = HealthCheck.objects.filter(unit__in=homes, is_abnormal=True)
    zone_start = clock.start_of(day)
    return list(
        checks.filter(checked_at__gte=zone_start)
        .select_related("person", "unit")
        .order_by("-checked_at")[:50]
    )


# --- E4 Daily prevention log -------------------------------------------------------------------


def checklist_items(*, include_inactive: bool = False) -> QuerySet[ChecklistItem]:
    items = ChecklistItem.objects.all()
    return items if include_inactive else items.filter(is_active=True)


def access_checklist_item(viewer: User, pk: object) -> ChecklistItem:
    """The checklist is the region's, one for every home: any reader may open an item."""
    return get_in_scope(checklist_items(include_inactive=True), pk)


def daily_log_on(*, home: OrgUnit, day: dt.date) -> DailyLog | None:
    return DailyLog.objects.filter(unit=home, day=day).prefetch_related("done_items").first()


def recent_logs(*, home: OrgUnit, limit: int = 14) -> list[DailyLog]:
    return list(DailyLog.objects.filter(unit=home).prefetch_related("done_items").order_by("-day")[:limit])


def homes_needing_watch() -> QuerySet[OrgUnit]:
    """Homes the reminders look at: every nursing home still in service."""
    return nursing_homes().filter(status=UnitStatus.ACTIVE).order_by("path")


# --- Overview ----------------------------------------------------------------------------------


@dataclass
class HomeRow:
    home: OrgUnit
    closure: Closure | None = None
    latest_round: TestRound | None = None
    people: int = 0
    checked_today: int = 0
    log_today: bool = False
    log_missing_yesterday: bool = False
    abnormal_today: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float | None:
        r = self.latest_round
        if r is None:
            return None
        return coverage_percent(r.sampled_count, r.member_count)  # type: ignore[attr-defined]


def home_overview(*, viewer: User, today: dt.date) -> list[HomeRow]:
    """One row per home in scope: closed?, latest round, today's checks and log (a fixed number of queries)."""
    homes = list(home_list(viewer=viewer))
    ids = [h.pk for h in homes]
    closures: dict[int, Closure] = {}
    for closure in Closure.objects.filter(_on(today), unit_id__in=ids).order_by("starts_on", "pk"):
        closures[closure.unit_id] = closure
    rounds = latest_rounds(homes, on=today)
    people = defaultdict(int)
    person_rows = (
        Person.objects.filter(
            home_unit_id__in=ids,
            merged_into__isnull=True,
            deceased_on__isnull=True,
            categories__category__in=HOME_CATEGORIES,
        )
        .values("home_unit_id")
        .annotate(n=Count("pk", distinct=True))
    )
    for row in person_rows:
        people[row["home_unit_id"]] = row["n"]
    start = clock.start_of(today)
    checks = (
        HealthCheck.objects.filter(unit_id__in=ids, checked_at__gte=start)
        .values("unit_id")
        .annotate(n=Count("person_id", distinct=True), abnormal=Count("pk", filter=Q(is_abnormal=True)))
    )
    checked = {row["unit_id"]: row for row in checks}
    yesterday = today - dt.timedelta(days=1)  # not a policy threshold: the previous day
    logs = set(
        DailyLog.objects.filter(unit_id__in=ids, day__in=[today, yesterday]).values_list("unit_id", "day")
    )
    rows = []
    for home in homes:
        counted = checked.get(home.pk, {})
        rows.append(
            HomeRow(
                home=home,
                closure=closures.get(home.pk),
                latest_round=rounds.get(home.pk),
                people=people[home.pk],
                checked_today=counted.get("n", 0),
                abnormal_today=counted.get("abnormal", 0),
                log_today=(home.pk, today) in logs,
                log_missing_yesterday=(home.pk, yesterday) not in logs,
            )
        )
    return rows


# --- Today (X5, X6): each home's work of the day, in a fixed number of queries ----------------
#
# Registered in `eldercare/today.py`. Each counter answers for the homes of the subtree at
# `within` ("" the whole region) that the reminders watch, whatever their number and size.


def _homes_within(within: str) -> QuerySet[OrgUnit]:
    """The watched homes of a subtree, as a subquery of the counters (never fetched by itself)."""
    return homes_needing_watch().filter(subtree(within, field="")).order_by()


def today_health_checks(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """今日健康监测, counted in checks: `due` = the home's residents and staff × the policy's
    checks a day; `done` = today's checks, at most that many per person (a third check of one
    person does not stand in for another's missing one); `overdue` = the checks missing
    yesterday, counted the same way under yesterday's policy (what the morning reminder names).
    A home with nobody to check has nothing to do. Four queries: two policies, people, checks."""
    yesterday = today - ONE_DAY
    per_day = current_policy(EldercarePolicy, today).health_checks_per_day
    per_day_before = current_policy(EldercarePolicy, yesterday).health_checks_per_day
    people = (
        Person.objects.filter(
            home_unit__in=_homes_within(within),
            merged_into__isnull=True,
            deceased_on__isnull=True,
            categories__category__in=HOME_CATEGORIES,
        )
        .values_list("home_unit_id", "home_unit__path", "pk")
        .order_by("home_unit__path", "pk")
        .distinct()
    )
    start = clock.start_of(today)
    checks = (
        HealthCheck.objects.filter(
            unit__in=_homes_within(within),
            checked_at__gte=clock.start_of(yesterday),
            checked_at__lt=clock.start_of(today + ONE_DAY),
        )
        .values("unit_id", "person_id")
        .annotate(
            today=Count("pk", filter=Q(checked_at__gte=start)),
            before=Count("pk", filter=Q(checked_at__lt=start)),
        )
        .order_by()
    )
    counted = {(row["unit_id"], row["person_id"]): (row["today"], row["before"]) for row in checks}
    rows: dict[int, tuple[str, int, int, int]] = {}
    for home_id, path, person_id in people:
        on_day, before = counted.get((home_id, person_id), (0, 0))
        _, done, due, overdue = rows.get(home_id, (path, 0, 0, 0))
        rows[home_id] = (
            path,
            done + min(on_day, per_day),
            due + per_day,
            overdue + max(per_day_before - before, 0),
        )
    return [Tally(home_id, path, done, due, overdue) for home_id, (path, done, due, overdue) in rows.items()]


def today_daily_logs(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """今日防控日志, one per home: `due` 1, `done` 1 once today's log is written; `overdue` 1
    while yesterday's is missing (a late entry clears it). Two queries: homes, logs."""
    yesterday = today - ONE_DAY
    homes = homes_needing_watch().filter(subtree(within, field="")).values_list("pk", "path")
    logged = set(
        DailyLog.objects.filter(unit__in=_homes_within(within), day__in=[today, yesterday])
        .order_by()
        .values_list("unit_id", "day")
    )
    return [
        Tally(
            home_id,
            path,
            done=int((home_id, today) in logged),
            due=1,
            overdue=int((home_id, yesterday) not in logged),
        )
        for home_id, path in homes
    ]


def today_test_rounds(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """封闭机构核酸检测 (`round_due`'s rule, for every closed home at once): a closed home owes a
    round `test_interval_days` after its last one before today, or from the day its closure
    began if that is later or it has none. Owed today: `due` 1, and `done` 1 once a round is
    made for today or within the next interval (what silences the reminder); owed since an
    earlier day and still not made: `overdue` 1. A home whose next round falls after today, or
    not closed today, has nothing to do. Three queries: policy, closures, rounds."""
    interval = dt.timedelta(days=current_policy(EldercarePolicy, today).test_interval_days)
    closures = (
        Closure.objects.filter(_on(today), unit__in=_homes_within(within))
        .order_by("starts_on", "pk")
        .values_list("unit_id", "unit__path", "starts_on")
    )
    closed = {unit_id: (path, starts_on) for unit_id, path, starts_on in closures}  # the latest wins
    rounds = (
        TestRound.objects.filter(
            unit__in=Closure.objects.filter(_on(today), unit__in=_homes_within(within)).values("unit_id"),
            tested_on__lte=today + interval,
        )
        .values("unit_id")
        .annotate(
            last=Max("tested_on", filter=Q(tested_on__lt=today)),
            made=Count("pk", filter=Q(tested_on__gte=today)),
        )
        .order_by()
    )
    held = {row["unit_id"]: (row["last"], row["made"]) for row in rounds}
    tallies = []
    for home_id, (path, starts_on) in closed.items():
        last, made = held.get(home_id, (None, 0))
        owed_on = starts_on if last is None else max(last + interval, starts_on)
        if owed_on > today:
            continue
        if made:
            tallies.append(Tally(home_id, path, done=1, due=1))
        elif owed_on == today:
            tallies.append(Tally(home_id, path, done=0, due=1))
        else:
            tallies.append(Tally(home_id, path, done=0, due=0, overdue=1))
    return tallies
