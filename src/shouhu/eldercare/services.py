"""Writes of the nursing-home app: one validation path for pages and the API.

Every function is keyword-only and atomic; writes name their actor (`acting_as`). Thresholds
(the fever line, checks per day) come from `current_policy()`: the fever line is entry
screening's, the checks per day the homes' own. A positive test result and an
abnormal health check alert at once, inside the transaction that records them.
"""

import contextlib
import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.urls import reverse

from shouhu.accounts.models import User
from shouhu.alerts import audience as audiences
from shouhu.alerts.models import Severity
from shouhu.alerts.services import alert_raise
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.common.validation import clean, refuse, require_temperature
from shouhu.eldercare import selectors
from shouhu.eldercare.models import (
    ChecklistItem,
    Closure,
    DailyLog,
    Direction,
    HealthCheck,
    Movement,
    MovementOutcome,
    RoundScope,
    Shift,
    Symptom,
    TestOutcome,
    TestResult,
    TestRound,
)
from shouhu.orgs.models import OrgUnit
from shouhu.people.models import Person
from shouhu.screening.models import ScreeningPolicy

POSITIVE_RESULT = "eldercare.positive_result"
ABNORMAL_CHECK = "eldercare.abnormal_health_check"
MAX_ROUND_PEOPLE = 2000
EARLIEST_YEAR = 2000  # a date before this is a typo, not a late entry


def _require_in_home(home: OrgUnit, person: Person, *, field: str = "person") -> None:
    if not selectors.is_in_home(home, person):
        raise refuse(f"{person.name}不是{home.name}登记的入住老人或工作人员", code="not_in_home", field=field)


def home_audience(home: OrgUnit, *, coordinators: bool = False) -> audiences.Audience:
    """The home's own staff (its head), the county bureau above it, and if asked the region
    department coordinating nursing homes (统筹推进)."""
    targets: list[audiences.Target] = [audiences.institution_staff(home)]
    if home.county_path() is not None:
        # A home directly under the region has no county bureau: its staff and the region are told.
        with contextlib.suppress(DomainError):
            targets.append(audiences.county_bureau(home))
    if coordinators:
        targets.append(audiences.module_coordinators(Module.ELDERCARE))
    return targets


# --- E1 Closed management ----------------------------------------------------------------------


@transaction.atomic
def closure_start(
    *,
    actor: User | None,
    home: OrgUnit,
    starts_on: dt.date,
    directive: str,
    ends_on: dt.date | None = None,
) -> Closure:
    """Close a home from `starts_on` (to `ends_on` if the directive says), refusing overlaps."""
    OrgUnit.objects.select_for_update().filter(pk=home.pk).first()  # one closure change per home at a time
    if ends_on is not None and ends_on < starts_on:
        raise refuse("结束日期不能早于开始日期", code="invalid", field="ends_on")
    overlapping = Closure.objects.filter(unit=home).exclude(ends_on__lt=starts_on)
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    existing = overlapping.order_by("starts_on").first()
    if existing is not None:
        until = f"至{existing.ends_on}" if existing.ends_on else "起，尚未解除"
        raise refuse(
            f"{home.name}已有封闭管理（{existing.starts_on}{until}），时间重叠",
            code="closure_overlap",
            field="starts_on",
            conflict=True,
        )
    closure = Closure(
        unit=home, starts_on=starts_on, ends_on=ends_on, directive=directive.strip(), started_by=actor
    )
    clean(closure)
    with acting_as(actor):
        closure.save()
    return closure


@transaction.atomic
def closure_end(*, actor: User | None, closure: Closure, last_day: dt.date, note: str = "") -> Closure:
    """End a closure: `last_day` is its last closed day. The record is kept, never deleted."""
    # The home's row first, as closure_start takes it: otherwise a later period started at the
    # same moment could pass its overlap check against the old last day, and this one against none.
    OrgUnit.objects.select_for_update().filter(pk=closure.unit_id).first()
    closure = Closure.objects.select_for_update().get(pk=closure.pk)
    if closure.ends_on is not None and closure.ends_on < clock.today():
        raise refuse(f"该封闭管理已于 {closure.ends_on} 结束", code="closure_already_ended", conflict=True)
    if last_day < closure.starts_on:
        raise refuse(f"结束日期不能早于开始日期（{closure.starts_on}）", code="invalid", field="last_day")
    later = Closure.objects.filter(unit_id=closure.unit_id, starts_on__gt=closure.starts_on)
    if later.filter(starts_on__lte=last_day).exists():
        raise refuse("结束日期与之后的封闭管理重叠", code="closure_overlap", field="last_day", conflict=True)
    closure.ends_on = last_day
    closure.end_note = note.strip()[:300]
    closure.ended_by = actor
    clean(closure)
    with acting_as(actor):
        closure.save(update_fields=["ends_on", "end_note", "ended_by", "updated_at"])
    return closure


@transaction.atomic
def _movement_decide(
    *,
    actor: User | None,
    home: OrgUnit,
    person: Person,
    direction: str,
    purpose: str,
    approver: str,
    reason: str,
) -> Movement:
    """Decide and record one attempt, holding the home's row as closure_start/closure_end do: a
    closure started at the same moment cannot slip between the check and the record."""
    OrgUnit.objects.select_for_update().filter(pk=home.pk).first()
    closure = selectors.closure_on(home, clock.today())
    movement = Movement(
        unit=home,
        closure=closure,
        person=person,
        direction=direction,
        purpose=purpose[:200],
        requested_at=clock.now(),
        recorded_by=actor,
    )
    if closure is None:
        movement.outcome = MovementOutcome.ALLOWED
    elif approver or reason:
        if not (approver and reason):
            field = "approver" if not approver else "approval_reason"
            raise refuse("特殊情况进出须同时写明批准人和批准理由", code="invalid", field=field)
        movement.outcome = MovementOutcome.EXCEPTION
        movement.approver = approver[:50]
        movement.approval_reason = reason[:200]
    else:
        movement.outcome = MovementOutcome.REFUSED
    clean(movement)
    with acting_as(actor):
        movement.save()
    return movement


def movement_request(
    *,
    actor: User | None,
    home: OrgUnit,
    person: Person,
    direction: str,
    purpose: str,
    approver: str = "",
    approval_reason: str = "",
) -> Movement:
    """A resident or staff member asks to leave or enter (不进不出 while the home is closed).

    Outside a closure the movement is only recorded. Inside one it is an exception when a named
    person approved it with a reason; otherwise the attempt is recorded as refused and the
    caller gets a `ConflictError` saying why (the record is committed first: refusals are part of
    the ledger, so this function is deliberately not atomic as a whole).
    """
    if direction not in Direction.values:
        raise refuse("方向只能是外出或进入", code="invalid", field="direction")
    purpose, approver, approval_reason = purpose.strip(), approver.strip(), approval_reason.strip()
    if not purpose:
        raise refuse("请填写事由", code="invalid", field="purpose")
    _require_in_home(home, person)
    movement = _movement_decide(
        actor=actor,
        home=home,
        person=person,
        direction=direction,
        purpose=purpose,
        approver=approver,
        reason=approval_reason,
    )
    if movement.outcome != MovementOutcome.REFUSED:
        return movement
    closure = movement.closure
    assert closure is not None  # a refusal is always inside a closure (database check)
    verb = "外出" if direction == Direction.OUT else "进入"
    raise refuse(
        f"{home.name}正在封闭管理（{closure.starts_on}起），人员不进不出：{person.name}不能{verb}。"
        "确需进出的，须写明批准人和批准理由，按特殊情况登记。",
        code="closed_management",
        conflict=True,
    )


@transaction.atomic
def shift_record(
    *,
    actor: User | None,
    closure: Closure,
    person: Person,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    post: str = "",
) -> Shift:
    """A staff member's shift inside a closure."""
    home = closure.unit
    if not selectors.is_staff_of_home(home, person):
        raise refuse(f"{person.name}不是{home.name}的工作人员", code="not_staff", field="person")
    if ends_at <= starts_at:
        raise refuse("下班时间须晚于上班时间", code="invalid", field="ends_at")
    first_day = starts_at.astimezone(clock.local_zone()).date()
    last_day = ends_at.astimezone(clock.local_zone()).date()
    if first_day < closure.starts_on or (closure.ends_on is not None and last_day > closure.ends_on):
        until = closure.ends_on or "尚未解除"
        raise refuse(
            f"排班须在封闭期内（{closure.starts_on}至{until}）",
            code="shift_outside_closure",
            field="starts_at",
        )
    shift = Shift(
        closure=closure,
        person=person,
        starts_at=starts_at,
        ends_at=ends_at,
        post=post.strip()[:50],
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    clean(shift)
    with acting_as(actor):
        shift.save()
    return shift


# --- E2 Testing rounds -------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    actor: User | None,
    home: OrgUnit,
    tested_on: dt.date,
    scope: str,
    people: Sequence[Person] = (),
    note: str = "",
) -> TestRound:
    """A testing round; its list of people is fixed now (everyone in the home, or the list given)."""
    if scope not in RoundScope.values:
        raise refuse("检测范围只能是全体或指定名单", code="invalid", field="scope")
    everyone = list(selectors.people_of_home(home))
    if scope == RoundScope.EVERYONE:
        members = everyone
    else:
        inside = {p.pk for p in everyone}
        outside = [p.name for p in people if p.pk not in inside]
        if outside:
            raise refuse(
                f"以下人员不是{home.name}的入住老人或工作人员：{'、'.join(outside)}",
                code="not_in_home",
                field="people",
            )
        members = list({p.pk: p for p in people}.values())
    if not members:
        raise refuse(f"{home.name}没有需要检测的人员", code="empty_round", field="people")
    if len(members) > MAX_ROUND_PEOPLE:
        raise refuse("一轮检测人数过多", code="invalid", field="people")
    test_round = TestRound(
        unit=home, tested_on=tested_on, scope=scope, note=note.strip()[:200], created_by=actor
    )
    clean(test_round)
    with acting_as(actor):
        test_round.save()
    TestResult.objects.bulk_create([TestResult(round=test_round, person=p) for p in members])
    return test_round


def _alert_positive(*, actor: User | None, result: TestResult) -> None:
    test_round = result.round
    home = test_round.unit
    alert_raise(
        source=Module.ELDERCARE,
        kind=POSITIVE_RESULT,
        title=f"核酸检测阳性：{home.name} {result.person.name}",
        body=(
            f"{home.name}{test_round.tested_on}的核酸检测中，{result.person.name}结果为阳性。"
            "请立即按应急预案处置，并报告属地疫情防控指挥部。"
        ),
        unit=home,
        audience=home_audience(home, coordinators=True),
        severity=Severity.URGENT,
        dedupe_key=f"{POSITIVE_RESULT}:{result.pk}",
        link=reverse("eldercare:round_detail", kwargs={"round_id": test_round.pk}),
        target=result,
        actor=actor,
    )


@transaction.atomic
def round_result_record(
    *, actor: User | None, test_round: TestRound, person: Person, result: str, reason: str = ""
) -> TestResult:
    """Enter or correct one person's result; a positive result alerts at once."""
    if result not in TestOutcome.values or result == TestOutcome.AWAITING:
        raise refuse("结果只能是阴性、阳性、待出结果或未采样", code="invalid", field="result")
    reason = reason.strip()
    if result == TestOutcome.NOT_SAMPLED and not reason:
        raise refuse("未采样须写明原因", code="invalid", field="reason")
    if test_round.tested_on > clock.today():
        raise refuse(f"检测日期（{test_round.tested_on}）未到，不能录入结果", code="round_in_future")
    row = (
        TestResult.objects.select_for_update()
        .select_related("round__unit", "person")
        .filter(round=test_round, person=person)
        .first()
    )
    if row is None:
        raise refuse(f"{person.name}不在本轮检测名单中", code="not_in_round", field="person")
    was_positive = row.result == TestOutcome.POSITIVE
    row.result = result
    row.reason = reason[:200] if result == TestOutcome.NOT_SAMPLED else ""
    row.recorded_at = clock.now()
    row.recorded_by = actor
    clean(row)
    with acting_as(actor):
        row.save(update_fields=["result", "reason", "recorded_at", "recorded_by"])
    if result == TestOutcome.POSITIVE and not was_positive:
        _alert_positive(actor=actor, result=row)
    return row


# --- E3 Health monitoring ----------------------------------------------------------------------


@transaction.atomic
def health_check_record(
    *,
    actor: User | None,
    home: OrgUnit,
    person: Person,
    temperature: object,
    symptoms: Sequence[str] = (),
    checked_at: dt.datetime | None = None,
    note: str = "",
) -> HealthCheck:
    """One check; a temperature at or above the policy's limit, or any symptom, alerts at once."""
    value = require_temperature(temperature)
    unknown = [s for s in symptoms if s not in Symptom.values]
    if unknown:
        raise refuse(f"未知的症状：{'、'.join(unknown)}", code="invalid", field="symptoms")
    now = clock.now()
    checked_at = checked_at or now
    if checked_at > now:
        raise refuse("监测时间不能晚于现在", code="invalid", field="checked_at")
    if checked_at.year < EARLIEST_YEAR:
        raise refuse("监测时间有误", code="invalid", field="checked_at")
    _require_in_home(home, person)
    policy = current_policy(ScreeningPolicy, checked_at.astimezone(clock.local_zone()).date())
    ordered = [s for s in Symptom.values if s in set(symptoms)]
    check = HealthCheck(
        unit=home,
        person=person,
        checked_at=checked_at,
        temperature=value,
        symptoms=ordered,
        note=note.strip()[:200],
        is_abnormal=value >= policy.temperature_limit or bool(ordered),
        recorded_by=actor,
    )
    clean(check)
    with acting_as(actor):
        check.save()
    if check.is_abnormal:
        findings = [f"体温 {value}℃"] + [Symptom(s).label for s in ordered]
        alert_raise(
            source=Module.ELDERCARE,
            kind=ABNORMAL_CHECK,
            title=f"健康监测异常：{home.name} {person.name}",
            body=(
                f"{person.name}于{checked_at.astimezone(clock.local_zone()):%Y-%m-%d %H:%M}健康监测异常："
                f"{'、'.join(findings)}（体温上限 {policy.temperature_limit}℃）。请立即复测、隔离观察并按预案处置。"
            ),
            unit=home,
            audience=home_audience(home),
            severity=Severity.URGENT,
            dedupe_key=f"{ABNORMAL_CHECK}:{check.pk}",
            link=reverse("eldercare:health_checks", kwargs={"home_id": home.pk}),
            target=check,
            actor=actor,
        )
    return check


# --- E4 Daily prevention log -------------------------------------------------------------------


@transaction.atomic
def checklist_item_save(
    *,
    actor: User | None,
    label: str,
    hint: str = "",
    order: int = 0,
    is_active: bool = True,
    item: ChecklistItem | None = None,
) -> ChecklistItem:
    """Add or change an item of the region's checklist. Items are retired, never deleted, so the
    logs that ticked them keep their meaning."""
    label = label.strip()
    if not label:
        raise refuse("请填写检查事项", code="invalid", field="label")
    same = ChecklistItem.objects.filter(label=label)
    if item is not None:
        same = same.exclude(pk=item.pk)
    if same.exists():
        raise refuse(f"已有检查事项“{label}”", code="duplicate", field="label", conflict=True)
    item = item or ChecklistItem()
    item.label, item.hint, item.order, item.is_active = label[:100], hint.strip()[:200], order, is_active
    clean(item)
    with acting_as(actor):
        item.save()
    return item


@transaction.atomic
def daily_log_record(
    *,
    actor: User | None,
    home: OrgUnit,
    day: dt.date,
    done_items: Sequence[ChecklistItem],
    note: str = "",
) -> DailyLog:
    """Record (or correct) a home's log for a day up to today; unchecked items were not done."""
    if day > clock.today():
        raise refuse(f"不能填写未来日期（{day}）的防控日志", code="future_day", field="day")
    inactive = [i.label for i in done_items if not i.is_active]
    if inactive:
        raise refuse(f"以下事项已停用：{'、'.join(inactive)}", code="invalid", field="done_items")
    log = DailyLog.objects.select_for_update().filter(unit=home, day=day).first()
    if log is None:
        log = DailyLog(unit=home, day=day)
    log.note = note.strip()[:500]
    log.recorded_by = actor
    clean(log, validate_unique=False, validate_constraints=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                log.save()
        except IntegrityError as error:
            raise refuse(
                "该日的防控日志刚由他人提交，请刷新后再试", code="conflict", conflict=True
            ) from error
        log.done_items.set(done_items)
    return log
