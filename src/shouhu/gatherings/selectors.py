"""Reads of the gatherings app, scoped to what the viewer may see.

Gatherings belong to the villages and communities task (三; `Module.COMMUNITY`): a village sees its
own, a township its villages', a county its townships', never another's. Writes are limited to the
viewer's own subtree (`*_for_recording`, `*_for_deciding`).

The check of a list (`participant_check`) classifies every participant in the database, in one
statement whatever the list's length: ok, missing, positive, too old, or sampled after the start.
Every rule's number is the policy's in force today (the door is kept on the day, so today's rules
are the day's).
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_scope
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.today import Tally
from shouhu.gatherings.models import (
    LIVE_STATUSES,
    Gathering,
    GatheringsPolicy,
    GatheringStatus,
    Participant,
    TestResult,
)
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.idcard import document_key, normalise_id_number

ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: the calendar's next day


def gathering_scope(viewer: User, *, field: str = "unit") -> Q:
    return unit_scope(viewer, field=field, module=Module.COMMUNITY)


def own_subtree(viewer: User, *, field: str) -> Q:
    """Where the viewer may write: their own unit's subtree, whatever they may read."""
    unit = viewer.unit if viewer.is_authenticated else None
    if unit is None:
        return Q(pk__in=[])
    return subtree(unit.path, field=field)


def policy() -> GatheringsPolicy:
    return current_policy(GatheringsPolicy)


# --- Villages -----------------------------------------------------------------------------------


def village_writable(*, viewer: User) -> QuerySet[OrgUnit]:
    """The villages and communities where the viewer may take applications."""
    return OrgUnit.objects.filter(own_subtree(viewer, field=""), kind=UnitKind.VILLAGE).order_by("path")


def get_village_for_recording(viewer: User, pk: object) -> OrgUnit:
    return get_in_scope(village_writable(viewer=viewer), pk)


def village_choices(*, viewer: User) -> QuerySet[OrgUnit]:
    """The villages the viewer may narrow the list to."""
    return OrgUnit.objects.filter(gathering_scope(viewer, field=""), kind=UnitKind.VILLAGE).order_by("path")


# --- The check of a list --------------------------------------------------------------------------


class Verdict:
    OK = "ok"
    MISSING = "missing"
    POSITIVE = "positive"
    TOO_OLD = "too_old"
    AFTER_START = "after_start"


# The order of the check's list: who still needs a test first, the admitted last.
VERDICT_ORDER = [Verdict.MISSING, Verdict.POSITIVE, Verdict.TOO_OLD, Verdict.AFTER_START, Verdict.OK]


def window_start(gathering: Gathering, hours: int) -> dt.datetime:
    """The earliest sampling time whose negative result admits to the gathering."""
    return gathering.starts_at - dt.timedelta(hours=hours)


# One output type for every value of the CASE: left to itself, each Value builds its own field,
# which costs more than classifying the rows.
_INTEGER: "IntegerField[Any, Any]" = IntegerField()
_TEXT: "CharField[Any, Any]" = CharField()


def _rank(earliest: Any, start: Any) -> Case:
    """The verdict of a participant row as its place in `VERDICT_ORDER`, computed by the database in
    one CASE (which also orders the list: who still needs a test first); `earliest` and `start` are
    the bounds of the window."""
    return Case(
        When(
            test_result=TestResult.NONE,
            then=Value(VERDICT_ORDER.index(Verdict.MISSING), output_field=_INTEGER),
        ),
        When(
            test_result=TestResult.POSITIVE,
            then=Value(VERDICT_ORDER.index(Verdict.POSITIVE), output_field=_INTEGER),
        ),
        When(
            sampled_at__lt=earliest, then=Value(VERDICT_ORDER.index(Verdict.TOO_OLD), output_field=_INTEGER)
        ),
        When(
            sampled_at__gt=start, then=Value(VERDICT_ORDER.index(Verdict.AFTER_START), output_field=_INTEGER)
        ),
        default=Value(VERDICT_ORDER.index(Verdict.OK), output_field=_INTEGER),
        output_field=_INTEGER,
    )


def valid_test() -> Q:
    """A participant row whose test admits to its own gathering (`window_earliest` annotated on
    the gathering, see `with_pending`): negative, sampled inside the window, not after the start."""
    return Q(
        test_result=TestResult.NEGATIVE,
        sampled_at__gte=OuterRef("window_earliest"),
        sampled_at__lte=OuterRef("starts_at"),
    )


def utc_moment(text: str | None) -> dt.datetime | None:
    """A timestamp column cast to text — "2022-01-04 07:00:00[.ffffff]" (SQLite) or the same with
    "+00" (PostgreSQL, whose sessions Django keeps in UTC) — as an aware datetime."""
    if text is None:
        return None
    return dt.datetime.fromisoformat(text.split("+")[0]).replace(tzinfo=dt.UTC)


@dataclass(slots=True)  # not frozen: a frozen __init__ costs a call per field, per row
class ParticipantCheck:
    pk: int
    name: str
    id_masked: str
    test_result: str
    sampled_text: str | None  # the database's own UTC text of the sampling time, read as is
    verdict: str
    reasons: "_Reasons"

    @property
    def sampled_at(self) -> dt.datetime | None:
        """The sampling time, made a datetime when shown: the check itself needs only the verdict,
        and converting a thousand timestamps cost more than classifying them."""
        return utc_moment(self.sampled_text)

    @property
    def admitted(self) -> bool:
        return self.verdict == Verdict.OK

    @property
    def reason(self) -> str:
        """Why, in words: written when shown (the page, the print-out, the API), not for every row
        the check classifies."""
        return self.reasons.of(self.verdict, self.sampled_at)


@dataclass(frozen=True)
class ListCheck:
    gathering: Gathering
    hours: int
    earliest: dt.datetime
    rows: list[ParticipantCheck] = field(default_factory=list)

    @property
    def pending(self) -> list[ParticipantCheck]:
        """Who still needs a (valid) test: every row that is not ok."""
        return [row for row in self.rows if not row.admitted]

    @property
    def ok_count(self) -> int:
        return sum(1 for row in self.rows if row.admitted)


class _Reasons:
    """The reason texts of one check, translated once, not once per row."""

    def __init__(self, hours: int, start: dt.datetime) -> None:
        zone = clock.local_zone()
        self.zone = zone
        self.missing = _("未提供核酸检测结果，须在活动开始前 %(hours)s 小时内检测") % {"hours": hours}
        self.positive = _("核酸检测结果为阳性，不得参加，须报告卫生健康部门")
        self.too_old = _("采样时间 %(at)s 早于活动开始前 %(hours)s 小时，须重新检测")
        self.after_start = _("采样时间 %(at)s 晚于活动开始时间，不能作为活动前的检测结果")
        self.ok = _("%(at)s 采样，阴性，在 %(hours)s 小时内")
        self.hours = hours

    def of(self, verdict: str, sampled_at: dt.datetime | None) -> str:
        if verdict == Verdict.MISSING:
            return self.missing
        if verdict == Verdict.POSITIVE:
            return self.positive
        at = sampled_at.astimezone(self.zone).strftime("%m-%d %H:%M") if sampled_at else ""
        if verdict == Verdict.TOO_OLD:
            return self.too_old % {"at": at, "hours": self.hours}
        if verdict == Verdict.AFTER_START:
            return self.after_start % {"at": at}
        return self.ok % {"at": at, "hours": self.hours}


def _checked(participants: QuerySet[Participant], gathering: Gathering, hours: int) -> list[ParticipantCheck]:
    earliest = window_start(gathering, hours)
    rows = (
        participants.annotate(
            rank=_rank(earliest, gathering.starts_at), sampled_text=Cast("sampled_at", output_field=_TEXT)
        )
        .order_by("rank", "name", "pk")
        .values_list("pk", "name", "id_masked", "test_result", "sampled_text", "rank")
    )
    reasons = _Reasons(hours, gathering.starts_at)
    order = VERDICT_ORDER
    return [
        ParticipantCheck(pk, name, masked, result, sampled, order[rank], reasons)
        for pk, name, masked, result, sampled, rank in rows
    ]


def participant_check(gathering: Gathering, *, rules: GatheringsPolicy | None = None) -> ListCheck:
    """Every participant of the list against the policy's test window, who still needs a test
    first. Two queries whatever the list's length (the policy, the list); one with `rules` given."""
    hours = (rules or policy()).test_window_hours
    return ListCheck(
        gathering=gathering,
        hours=hours,
        earliest=window_start(gathering, hours),
        rows=_checked(Participant.objects.filter(gathering=gathering), gathering, hours),
    )


# --- Approval ---------------------------------------------------------------------------------------


def needs_approval(gathering: Gathering, rules: GatheringsPolicy) -> bool:
    return gathering.headcount >= rules.approval_headcount


def gathering_refusal(gathering: Gathering, rules: GatheringsPolicy) -> str | None:
    """Why nobody is admitted to the gathering, whatever their test (None: the list decides)."""
    if gathering.status == GatheringStatus.CANCELLED:
        return _("活动已取消，不得举办")
    if gathering.status == GatheringStatus.REFUSED:
        return _("乡镇政府不予批准：%(reason)s") % {"reason": gathering.decision_reason}
    if gathering.status == GatheringStatus.APPLIED or (
        gathering.status == GatheringStatus.RECORDED and needs_approval(gathering, rules)
    ):
        return _("活动人数达到 %(limit)s 人，须经乡镇政府批准后举办，目前尚未批准") % {
            "limit": rules.approval_headcount
        }
    if clock.now() >= gathering.ends_at:
        return _("活动已结束")
    return None


# --- The door ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DoorAnswer:
    query: str
    refusal: str | None  # the gathering's own: everyone is refused
    matches: list[ParticipantCheck]

    @property
    def found(self) -> bool:
        return bool(self.matches)


def _looks_like_document(text: str) -> bool:
    return sum(ch.isdigit() for ch in text) >= 5  # not a policy threshold: names have no digits


def door_check(*, gathering: Gathering, query: str, rules: GatheringsPolicy | None = None) -> DoorAnswer:
    """A participant at the door, found by ID number (whole) or by name (exact): admit or refuse,
    with the reason. A gathering that may not take place refuses everyone, with its own reason."""
    rules = rules or policy()
    text = query.strip()
    participants = Participant.objects.filter(gathering=gathering)
    if _looks_like_document(text):
        participants = participants.filter(id_index=document_key(normalise_id_number(text)))
    else:
        participants = participants.filter(name=text)
    matches = _checked(participants, gathering, rules.test_window_hours) if text else []
    return DoorAnswer(query=text, refusal=gathering_refusal(gathering, rules), matches=matches)


# --- Gatherings ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GatheringFilters:
    search: str = ""
    status: str = ""
    needs_test: bool = False
    village: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def with_pending(gatherings: QuerySet[Gathering], hours: int) -> QuerySet[Any]:
    """Each gathering with `pending_tests`: its participants without a test that admits them."""
    pending = (
        Participant.objects.filter(gathering=OuterRef("pk"))
        .exclude(valid_test())
        .order_by()
        .values("gathering")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return gatherings.annotate(
        window_earliest=ExpressionWrapper(
            F("starts_at") - dt.timedelta(hours=hours), output_field=DateTimeField()
        ),
        pending_tests=Coalesce(Subquery(pending, output_field=IntegerField()), Value(0)),
    )


def gathering_list(
    *, viewer: User, filters: GatheringFilters | None = None, rules: GatheringsPolicy | None = None
) -> QuerySet[Gathering]:
    filters = filters or GatheringFilters()
    hours = (rules or policy()).test_window_hours
    gatherings: QuerySet[Any] = with_pending(Gathering.objects.filter(gathering_scope(viewer)), hours)
    if filters.search:
        text = filters.search.strip()
        gatherings = gatherings.filter(Q(title__icontains=text) | Q(organiser_name__icontains=text))
    if filters.status:
        gatherings = gatherings.filter(status=filters.status)
    if filters.needs_test:
        gatherings = gatherings.filter(status__in=LIVE_STATUSES, pending_tests__gt=0)
    if filters.village:
        gatherings = gatherings.filter(unit_id=filters.village)
    if filters.date_from:
        gatherings = gatherings.filter(starts_at__gte=clock.start_of(filters.date_from))
    if filters.date_to:
        gatherings = gatherings.filter(starts_at__lt=clock.start_of(filters.date_to + ONE_DAY))
    return gatherings.select_related("unit", "funeral_case", "marriage_booking").order_by("-starts_at", "-pk")


def access_gathering(viewer: User, pk: object) -> Gathering:
    return get_in_scope(
        Gathering.objects.filter(gathering_scope(viewer)).select_related("unit", "decided_by"), pk
    )


def access_gathering_for_recording(viewer: User, pk: object) -> Gathering:
    """A gathering of the viewer's own villages (the village committee that took it, and the
    township and county above it)."""
    return get_in_scope(
        Gathering.objects.filter(own_subtree(viewer, field="unit")).select_related("unit"), pk
    )


def access_gathering_for_deciding(viewer: User, pk: object) -> Gathering:
    """A gathering the viewer's township decides: one of the villages of their own subtree."""
    return access_gathering_for_recording(viewer, pk)


def participants_of(gathering: Gathering) -> QuerySet[Participant]:
    return Participant.objects.filter(gathering=gathering).order_by("name", "pk")


def access_participant(viewer: User, pk: object) -> Participant:
    return get_in_scope(
        Participant.objects.filter(gathering_scope(viewer, field="gathering__unit")).select_related(
            "gathering__unit"
        ),
        pk,
    )


def access_participant_for_recording(viewer: User, pk: object) -> Participant:
    return get_in_scope(
        Participant.objects.filter(own_subtree(viewer, field="gathering__unit")).select_related(
            "gathering__unit"
        ),
        pk,
    )


# --- Links from funerals and marriage ------------------------------------------------------------------


def gathering_for_funeral_case(case: Any) -> Gathering | None:
    """The gathering (still live, else the latest) that a funeral case's ceremony is held as."""
    return (
        Gathering.objects.filter(funeral_case=case)
        .annotate(live=Case(When(status__in=LIVE_STATUSES, then=Value(0)), default=Value(1)))
        .order_by("live", "-pk")
        .first()
    )


def gathering_for_booking(booking: Any) -> Gathering | None:
    """The gathering (still live, else the latest) that a marriage booking's banquet is held as."""
    return (
        Gathering.objects.filter(marriage_booking=booking)
        .annotate(live=Case(When(status__in=LIVE_STATUSES, then=Value(0)), default=Value(1)))
        .order_by("live", "-pk")
        .first()
    )


def booking_for_link(*, code: str, phone: str) -> Any:
    """A marriage booking named by its code and one party's phone (the couple's own proof; the
    village cannot read the registry's bookings otherwise), else None."""
    from shouhu.marriage.selectors import public_booking

    return public_booking(code=code, phone=phone)


# --- Today (X5, X6): in a fixed number of queries ----------------------------------------------------
#
# Registered in `gatherings/today.py`.


def today_approvals(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """审批 per village of the subtree at `within`: `overdue` = applications still undecided with
    their start less than the policy's `decision_due_hours` away (or past); `due` = the other
    undecided ones plus those decided today; `done` = decided today. Two queries."""
    rules = current_policy(GatheringsPolicy, today)
    start = clock.start_of(today)
    as_of = min(clock.now(), clock.start_of(today + ONE_DAY))
    near = as_of + dt.timedelta(hours=rules.decision_due_hours)
    waiting = Q(status=GatheringStatus.APPLIED)
    late = waiting & Q(starts_at__lte=near)
    decided = Q(decided_at__gte=start, decided_at__lt=start + ONE_DAY)
    rows = (
        Gathering.objects.filter(subtree(within, field="unit"))
        .filter(waiting | decided)
        .values("unit_id", "unit__path")
        .annotate(
            overdue=Count("pk", filter=late),
            done=Count("pk", filter=decided & ~waiting),
            waiting=Count("pk", filter=waiting & ~late),
        )
        .order_by()
    )
    return [
        Tally(
            r["unit_id"], r["unit__path"], done=r["done"], due=r["done"] + r["waiting"], overdue=r["overdue"]
        )
        for r in rows
    ]


def upcoming_window(rules: GatheringsPolicy, as_of: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The gatherings whose lists matter now: those starting within the test window from now, the
    time in which a participant can still take a test that admits them."""
    return as_of, as_of + dt.timedelta(hours=rules.test_window_hours)


def today_tests(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """核酸检测 per village: gatherings (still to take place) starting within the test window whose
    list has participants still needing a valid test — `overdue` when they start today; `due` =
    the others plus the lists already complete; `done` = the complete lists. Two queries."""
    rules = current_policy(GatheringsPolicy, today)
    as_of = min(clock.now(), clock.start_of(today + ONE_DAY))
    low, high = upcoming_window(rules, as_of)
    end_of_day = clock.start_of(today + ONE_DAY)
    hours = rules.test_window_hours
    pending = Exists(Participant.objects.filter(gathering=OuterRef("pk")).exclude(valid_test()).order_by())
    rows = (
        Gathering.objects.filter(
            subtree(within, field="unit"),
            status__in=LIVE_STATUSES,
            starts_at__gte=low,
            starts_at__lt=high,
            participant_count__gt=0,
        )
        .annotate(
            window_earliest=ExpressionWrapper(
                F("starts_at") - dt.timedelta(hours=hours), output_field=DateTimeField()
            )
        )
        .annotate(has_pending=pending)
        .values("unit_id", "unit__path")
        .annotate(
            overdue=Count("pk", filter=Q(has_pending=True, starts_at__lt=end_of_day)),
            waiting=Count("pk", filter=Q(has_pending=True, starts_at__gte=end_of_day)),
            done=Count("pk", filter=Q(has_pending=False)),
        )
        .order_by()
    )
    return [
        Tally(
            r["unit_id"], r["unit__path"], done=r["done"], due=r["done"] + r["waiting"], overdue=r["overdue"]
        )
        for r in rows
    ]


def decisions_near(*, rules: GatheringsPolicy, as_of: dt.datetime) -> QuerySet[Gathering]:
    """Applications still undecided whose start is near or past (the reminder's)."""
    near = as_of + dt.timedelta(hours=rules.decision_due_hours)
    return (
        Gathering.objects.filter(status=GatheringStatus.APPLIED, starts_at__lte=near, ends_at__gt=as_of)
        .select_related("unit")
        .order_by("starts_at", "pk")
    )


def lists_needing_tests(*, rules: GatheringsPolicy, as_of: dt.datetime) -> QuerySet[Any]:
    """Live gatherings starting within the test window whose lists have participants still
    needing a test, with `pending_tests` (the reminder's)."""
    low, high = upcoming_window(rules, as_of)
    return (
        with_pending(
            Gathering.objects.filter(status__in=LIVE_STATUSES, starts_at__gte=low, starts_at__lt=high),
            rules.test_window_hours,
        )
        .filter(pending_tests__gt=0)
        .select_related("unit")
        .order_by("starts_at", "pk")
    )
