"""Writes of the screening app: one validation path for pages, the public venue page, API and imports.

Every function is keyword-only and atomic; writes name their actor (`acting_as`). Verdicts come
from `rules.assess`, which reads every threshold from the policy.
"""

import datetime as dt
import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass, replace

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext

from shouhu.accounts.models import User
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.validation import clean, parse_temperature, raise_all, refuse
from shouhu.orgs.models import OrgUnit
from shouhu.people.idcard import InvalidPhone, normalise_phone, phone_key
from shouhu.people.lifecycle import (
    run_confirmed_case_handlers,
    run_isolation_end_handlers,
    run_isolation_handlers,
)
from shouhu.people.models import Person
from shouhu.screening import throttle
from shouhu.screening.models import (
    DailyScreeningCount,
    IsolationKind,
    IsolationRecord,
    RecordSource,
    RiskArea,
    RiskLevel,
    Screening,
    ScreeningPolicy,
    ScreeningSource,
    VenueCode,
    Verdict,
    visitor_name_key,
)
from shouhu.screening.places import normalise_code, parse_place, place_key, province_full_name
from shouhu.screening.rules import Assessment, Facts, TravelEntry, assess, person_in_isolation_on
from shouhu.screening.selectors import counts_by_unit_and_day

ONE_DAY = dt.timedelta(1)  # not a policy threshold: the calendar's next or previous day
MAX_TRAVEL_ENTRIES = 20
MAX_NAME_LENGTH = 30
MAX_PLACE_LENGTH = 100
RECEIPT_BYTES = 16


# --- Risk areas (S3) ---------------------------------------------------------------------------


@dataclass
class RiskAreaInput:
    level: str
    province: str
    effective_from: dt.date
    city: str = ""
    county: str = ""
    township: str = ""
    community: str = ""
    admin_code: str = ""
    effective_to: dt.date | None = None
    note: str = ""


@dataclass
class RiskAreaRecording:
    area: RiskArea
    created: bool


def clean_risk_area(data: RiskAreaInput) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    if data.level not in RiskLevel.values:
        errors["level"] = ["风险等级只能是中风险或高风险"]
    typed_code = data.admin_code.strip()
    code = normalise_code(typed_code) if typed_code.isdigit() else ""
    if typed_code and not code:
        errors["admin_code"] = ["行政区划代码应为 6、9 或 12 位数字"]
    province = province_full_name(data.province)
    if not province and code:
        province = parse_place("", code=code).province
    if not province:
        errors["province"] = [
            f"未知的省份“{data.province.strip()}”" if data.province.strip() else "请填写省份"
        ]
    elif code and parse_place("", code=code).province not in ("", province):
        errors["admin_code"] = [f"行政区划代码与省份“{province}”不符"]
    texts = {
        name: getattr(data, name).strip() for name in ("city", "county", "township", "community", "note")
    }
    for name, limit in (("city", 50), ("county", 50), ("township", 50), ("community", 100), ("note", 200)):
        if len(texts[name]) > limit:
            errors[name] = [f"不能超过 {limit} 个字"]
    if data.effective_to and data.effective_to < data.effective_from:
        errors["effective_to"] = ["截止日期不能早于生效日期"]
    raise_all(errors, code="invalid_risk_area")
    below = "".join(texts[n] for n in ("city", "county", "township", "community"))
    return {
        "level": data.level,
        "province": province,
        **{n: texts[n] for n in ("city", "county", "township", "community", "note")},
        "admin_code": data.admin_code.strip() if code else "",
        "place_key": place_key(parse_place(below, province=province, code=code)),
        "effective_from": data.effective_from,
        "effective_to": data.effective_to,
    }


def _overlapping(key: str, start: dt.date, end: dt.date | None) -> RiskArea | None:
    areas = RiskArea.objects.select_for_update().filter(place_key=key)
    areas = areas.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
    if end is not None:
        areas = areas.filter(effective_from__lte=end)
    return areas.order_by("effective_from").first()


@transaction.atomic
def risk_area_create(
    *, actor: User | None, data: RiskAreaInput, source: str = RecordSource.TYPED
) -> RiskAreaRecording:
    """Add a risk area for a period. The same record entered again (an import run twice) is unchanged."""
    values = clean_risk_area(data)
    key = str(values["place_key"])
    existing = _overlapping(key, data.effective_from, data.effective_to)
    if existing is not None:
        same = (
            existing.level == values["level"]
            and existing.effective_from == values["effective_from"]
            and existing.effective_to == values["effective_to"]
        )
        if same:
            return RiskAreaRecording(existing, created=False)
        until = f"至{existing.effective_to}" if existing.effective_to else "起，仍在生效"
        raise refuse(
            f"{existing.place_label}已有一条{existing.get_level_display()}记录（{existing.effective_from}{until}），"
            "时间重叠；等级变化请用“调整等级”，解除请用“结束”",
            code="risk_area_overlap",
            field="effective_from",
            conflict=True,
        )
    area = RiskArea(**values, source=source, created_by=actor)
    clean(area, validate_constraints=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                area.save()
        except IntegrityError as error:
            raise refuse("该地区已有一条仍在生效的记录", code="risk_area_overlap", conflict=True) from error
    return RiskAreaRecording(area, created=True)


@transaction.atomic
def risk_area_end(*, actor: User | None, area: RiskArea, last_day: dt.date, note: str = "") -> RiskArea:
    """The area is no longer at risk after `last_day`. The record is ended, never deleted."""
    area = RiskArea.objects.select_for_update().get(pk=area.pk)
    if area.effective_to is not None:
        raise refuse(
            f"该记录已于 {area.effective_to} 截止；如需更正请新增一条记录",
            code="risk_area_already_ended",
            conflict=True,
        )
    if last_day < area.effective_from:
        raise refuse(f"截止日期不能早于生效日期（{area.effective_from}）", code="invalid", field="last_day")
    area.effective_to = last_day
    fields = ["effective_to", "updated_at"]
    if note.strip():
        area.note = note.strip()[:200]
        fields.append("note")
    with acting_as(actor):
        area.save(update_fields=fields)
    return area


@transaction.atomic
def risk_area_change_level(
    *, actor: User | None, area: RiskArea, level: str, from_day: dt.date, note: str = ""
) -> RiskArea:
    """A new level from `from_day`: the current record ends the day before, a new one starts."""
    if level not in RiskLevel.values:
        raise refuse("风险等级只能是中风险或高风险", code="invalid", field="level")
    if level == area.level:
        raise refuse("等级没有变化", code="invalid", field="level")
    if from_day <= area.effective_from:
        raise refuse(
            f"调整日期须晚于原记录的生效日期（{area.effective_from}）", code="invalid", field="from_day"
        )
    risk_area_end(actor=actor, area=area, last_day=from_day - ONE_DAY)
    successor = RiskArea(
        level=level,
        province=area.province,
        city=area.city,
        county=area.county,
        township=area.township,
        community=area.community,
        admin_code=area.admin_code,
        place_key=area.place_key,
        effective_from=from_day,
        note=note.strip()[:200],
        source=RecordSource.TYPED,
        created_by=actor,
    )
    with acting_as(actor):
        successor.save()
    return successor


# --- Isolation register ------------------------------------------------------------------------


def planned_end_for(*, kind: str, starts_on: dt.date, policy: ScreeningPolicy) -> dt.date:
    """The release day: the first day free, after the policy's days for the kind."""
    days = {
        IsolationKind.CENTRALISED: policy.centralised_isolation_days,
        IsolationKind.HOME: policy.home_isolation_days,
        IsolationKind.HEALTH_MONITORING: policy.health_monitoring_days,
    }[IsolationKind(kind)]
    return starts_on + dt.timedelta(days=days)


@dataclass
class IsolationRecording:
    record: IsolationRecord
    created: bool
    # This call recorded the confirmation: a new record with its 确诊日期, or the same isolation
    # entered again (a list imported twice) with the date now filled in.
    confirmed: bool = False


def _confirmation_problem(*, confirmed_on: dt.date, ended_on: dt.date | None, today: dt.date) -> str:
    if confirmed_on > today:
        return f"确诊日期不能晚于今天（{today}）"
    if ended_on is not None and confirmed_on > ended_on:
        return f"确诊日期不能晚于实际解除日期（{ended_on}）"
    return ""


def _announce_confirmation(*, actor: User | None, record: IsolationRecord, confirmed_on: dt.date) -> None:
    """Tell the other modules (assistance, A6) once per confirmation: the same date on another
    record of the person (moved from centralised isolation to home monitoring) is the same news."""
    known = (
        IsolationRecord.objects.filter(person_id=record.person_id, confirmed_on=confirmed_on)
        .exclude(pk=record.pk)
        .exists()
    )
    if not known:
        run_confirmed_case_handlers(actor=actor, person=record.person, confirmed_on=confirmed_on)


@transaction.atomic
def isolation_record(
    *,
    actor: User | None,
    person: Person,
    kind: str,
    starts_on: dt.date,
    source: str,
    planned_end_on: dt.date | None = None,
    actual_end_on: dt.date | None = None,
    note: str = "",
    entered_via: str = RecordSource.TYPED,
    confirmed_on: dt.date | None = None,
) -> IsolationRecording:
    """Record an isolation; `confirmed_on` when the person is a confirmed case (确诊病例), which the
    other modules then learn in this transaction (people.lifecycle)."""
    errors: dict[str, list[str]] = {}
    today = clock.today()
    if kind not in IsolationKind.values:
        errors["kind"] = ["隔离类型只能是集中隔离、居家隔离或居家健康监测"]
    if not source.strip():
        errors["source"] = ["请填写信息来源"]
    elif len(source.strip()) > 100:
        errors["source"] = ["信息来源不能超过 100 个字"]
    if planned_end_on is not None and planned_end_on <= starts_on:
        errors["planned_end_on"] = ["计划解除日期须晚于开始日期"]
    if actual_end_on is not None and actual_end_on < starts_on:
        errors["actual_end_on"] = ["实际解除日期不能早于开始日期"]
    if actual_end_on is not None and actual_end_on > today:
        errors["actual_end_on"] = [f"实际解除日期不能晚于今天（{today}）"]
    if confirmed_on is not None:
        problem = _confirmation_problem(confirmed_on=confirmed_on, ended_on=actual_end_on, today=today)
        if problem:
            errors["confirmed_on"] = [problem]
    raise_all(errors, code="invalid_isolation")
    planned = planned_end_on or planned_end_for(
        kind=kind, starts_on=starts_on, policy=current_policy(ScreeningPolicy, starts_on)
    )
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).first()
    same_kind = IsolationRecord.objects.filter(person=person, kind=kind)
    existing = same_kind.filter(starts_on=starts_on).first()
    if (
        existing is not None
        and existing.planned_end_on == planned
        and existing.actual_end_on == actual_end_on
    ):
        if confirmed_on is None or existing.confirmed_on == confirmed_on:
            return IsolationRecording(existing, created=False)
        # The same isolation entered again, now known to be a confirmed case: marked as a page would.
        marked = isolation_mark_confirmed(actor=actor, record=existing, confirmed_on=confirmed_on)
        return IsolationRecording(marked, created=False, confirmed=True)
    end = actual_end_on or planned
    overlapping = (
        same_kind.filter(starts_on__lt=end)
        .filter(
            Q(actual_end_on__isnull=True, planned_end_on__gt=starts_on)
            | Q(actual_end_on__isnull=False, actual_end_on__gt=starts_on)
        )
        .first()
    )
    if overlapping is not None:
        raise refuse(
            f"此人已有一条{overlapping.kind_text}记录（{overlapping.starts_on}起，"
            f"{overlapping.ends_on}解除），时间重叠",
            code="isolation_overlap",
            field="starts_on",
            conflict=True,
        )
    record = IsolationRecord(
        person=person,
        kind=kind,
        starts_on=starts_on,
        planned_end_on=planned,
        actual_end_on=actual_end_on,
        source=source.strip(),
        note=note.strip()[:200],
        confirmed_on=confirmed_on,
        entered_via=entered_via,
        recorded_by=actor,
    )
    clean(record)
    with acting_as(actor):
        record.save()
    run_isolation_handlers(
        actor=actor,
        person=person,
        starts_on=starts_on,
        kind=kind,
        kind_label=record.kind_text,
        ended_on=actual_end_on,
    )
    if confirmed_on is not None:
        _announce_confirmation(actor=actor, record=record, confirmed_on=confirmed_on)
    return IsolationRecording(record, created=True, confirmed=confirmed_on is not None)


@transaction.atomic
def isolation_end(
    *, actor: User | None, record: IsolationRecord, ended_on: dt.date, reason: str = ""
) -> IsolationRecord:
    """Release a person: `ended_on` is the first day free. Early release needs a reason."""
    record = IsolationRecord.objects.select_for_update().get(pk=record.pk)
    today = clock.today()
    if record.actual_end_on is not None:
        raise refuse(f"已于 {record.actual_end_on} 解除", code="isolation_already_ended", conflict=True)
    if ended_on < record.starts_on:
        raise refuse(f"解除日期不能早于开始日期（{record.starts_on}）", code="invalid", field="ended_on")
    if ended_on > today:
        raise refuse(f"解除日期不能晚于今天（{today}）", code="invalid", field="ended_on")
    if ended_on < record.planned_end_on and not reason.strip():
        raise refuse("提前解除须填写原因", code="invalid", field="reason")
    record.actual_end_on = ended_on
    record.end_reason = reason.strip()[:200]
    with acting_as(actor):
        record.save(update_fields=["actual_end_on", "end_reason", "updated_at"])
    run_isolation_end_handlers(
        actor=actor, person=record.person, starts_on=record.starts_on, ended_on=ended_on
    )
    return record


@transaction.atomic
def isolation_mark_confirmed(
    *, actor: User | None, record: IsolationRecord, confirmed_on: dt.date
) -> IsolationRecord:
    """The person was confirmed a case (确诊病例) after their isolation was recorded. A record is
    marked once: a second marking is refused (409), whatever its date."""
    record = IsolationRecord.objects.select_for_update().select_related("person").get(pk=record.pk)
    if record.confirmed_on is not None:
        raise refuse(
            f"已于 {record.confirmed_on} 标记为确诊病例", code="isolation_already_confirmed", conflict=True
        )
    problem = _confirmation_problem(
        confirmed_on=confirmed_on, ended_on=record.actual_end_on, today=clock.today()
    )
    if problem:
        raise refuse(problem, code="invalid", field="confirmed_on")
    record.confirmed_on = confirmed_on
    with acting_as(actor):
        record.save(update_fields=["confirmed_on", "updated_at"])
    _announce_confirmation(actor=actor, record=record, confirmed_on=confirmed_on)
    return record


# --- Screenings (S1, S2) ----------------------------------------------------------------------


def clean_travel(entries: list[TravelEntry]) -> list[TravelEntry]:
    """Every entry kept as typed; dates in the future or reversed are refused, naming the entry."""
    today = clock.today()
    problems: list[str] = []
    if len(entries) > MAX_TRAVEL_ENTRIES:
        problems.append(f"旅居史最多填写 {MAX_TRAVEL_ENTRIES} 条")
    cleaned = []
    for number, entry in enumerate(entries[:MAX_TRAVEL_ENTRIES], start=1):
        place = " ".join(entry.place.split())
        province = province_full_name(entry.province) if entry.province.strip() else ""
        if entry.province.strip() and not province:
            problems.append(f"第{number}条：未知的省份“{entry.province.strip()}”")
        if not place and not province and not entry.code.strip():
            problems.append(f"第{number}条：请填写地点")
        if len(place) > MAX_PLACE_LENGTH:
            problems.append(f"第{number}条：地点不能超过 {MAX_PLACE_LENGTH} 个字")
        if entry.arrived_on > today:
            problems.append(f"第{number}条：到达日期 {entry.arrived_on} 晚于今天（{today}）")
        if entry.left_on is not None and entry.left_on > today:
            problems.append(f"第{number}条：离开日期 {entry.left_on} 晚于今天（{today}）")
        if entry.left_on is not None and entry.left_on < entry.arrived_on:
            problems.append(f"第{number}条：离开日期不能早于到达日期")
        cleaned.append(replace(entry, place=place, province=province, code=entry.code.strip()))
    if problems:
        raise DomainError("；".join(problems), code="invalid_travel", field_errors={"travel": problems})
    return cleaned


def travel_from_stored(screening: Screening) -> list[TravelEntry]:
    return [
        TravelEntry(
            place=item.get("place", ""),
            province=item.get("province", ""),
            code=item.get("code", ""),
            arrived_on=dt.date.fromisoformat(item["arrived_on"]),
            left_on=dt.date.fromisoformat(item["left_on"]) if item.get("left_on") else None,
        )
        for item in screening.travel
    ]


def _isolation_of(*, person: Person | None, phone_index: str, day: dt.date) -> IsolationRecord | None:
    if person is not None:
        return person_in_isolation_on(person, day)
    if not phone_index:
        return None
    # A visitor not picked from the register may still be in it under their phone number.
    for match in Person.objects.filter(phone_index=phone_index, merged_into__isnull=True)[:5]:
        record = person_in_isolation_on(match, day)
        if record is not None:
            return record
    return None


def _apply(screening: Screening, assessment: Assessment, travel: list[TravelEntry]) -> None:
    screening.verdict = assessment.verdict
    screening.reason_codes = assessment.reason_codes
    screening.reasons = "\n".join(assessment.reason_texts)
    screening.notes = "\n".join(assessment.notes)
    screening.needs_review = assessment.needs_review
    screening.travel_data = json.dumps([e.as_dict() for e in travel], ensure_ascii=False) if travel else ""


def _visitor_identity(name: str, phone: str, *, required: bool) -> tuple[str, str, str, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    name = " ".join(name.split())
    if required and not name:
        errors["visitor_name"] = ["请填写姓名"]
    elif len(name) > MAX_NAME_LENGTH:
        errors["visitor_name"] = [f"姓名不能超过 {MAX_NAME_LENGTH} 个字"]
    normalised = ""
    if phone.strip():
        try:
            normalised = normalise_phone(phone)
        except InvalidPhone as error:
            errors["visitor_phone"] = [str(error)]
    elif required:
        errors["visitor_phone"] = ["请填写手机号，便于必要时联系"]
    return name, normalised, phone_key(normalised) if normalised else "", errors


def _untraceable_visitor(name: str, phone: str) -> dict[str, list[str]]:
    """What a visitor entering an institution has not given of what traces them (S1)."""
    errors: dict[str, list[str]] = {}
    if not name:
        errors["visitor_name"] = [gettext("请填写访客姓名：进入服务机构的访客须登记姓名和手机号")]
    if not phone:
        errors["visitor_phone"] = [gettext("请填写访客手机号，便于必要时追踪联系")]
    return errors


def _require_institution(unit: OrgUnit) -> None:
    if not unit.is_institution:
        raise refuse("只能在服务机构登记入口查验", code="not_an_institution", field="unit")


# Not atomic on purpose: the only write is one INSERT of one table (no parent rows, no audit
# row — screenings stay out of the log), which the database applies whole or not at all; the
# reads before it take no locks, so a transaction would add BEGIN and COMMIT round trips to the
# busiest write of the system without guarding anything. Called inside an outer transaction
# (an import), the INSERT joins it.
def screening_record(
    *,
    actor: User | None,
    unit: OrgUnit,
    facts: Facts,
    person: Person | None = None,
    visitor_name: str = "",
    visitor_phone: str = "",
    source: str = ScreeningSource.DESK,
    visitor_identity_required: bool = False,
) -> Screening:
    """One check at the entrance, by staff. Admitted needs a temperature; a refusal keeps its reasons.

    With `visitor_identity_required` (the desk) a visitor not picked from the register must give
    a name and a phone number unless they are turned away: whoever enters an institution can be
    traced. A refusal is recorded whatever the visitor tells — someone who refuses the checks
    seldom gives a number, and the daily counts need the refusal.
    """
    _require_institution(unit)
    errors: dict[str, list[str]] = {}
    temperature = None
    try:
        temperature = parse_temperature(facts.temperature)
    except DomainError as error:
        errors.update(error.field_errors)
    travel: list[TravelEntry] = []
    try:
        travel = clean_travel(list(facts.travel))
    except DomainError as error:
        errors.update(error.field_errors)
    name, phone, phone_index, identity_errors = _visitor_identity(
        "" if person else visitor_name, "" if person else visitor_phone, required=False
    )
    errors.update(identity_errors)
    raise_all(errors, code="invalid_screening")
    facts = replace(facts, temperature=temperature, travel=tuple(travel))
    today = clock.today()
    assessment = assess(
        facts=facts,
        unit=unit,
        on=today,
        policy=current_policy(ScreeningPolicy, today),
        isolation=_isolation_of(person=person, phone_index=phone_index, day=today),
    )
    if person is None and visitor_identity_required and assessment.verdict != Verdict.REFUSED:
        raise_all(_untraceable_visitor(name, phone), code="visitor_identity_required")
    if assessment.verdict == Verdict.PENDING:
        raise refuse(
            "请测量体温后再确认（拒绝测温请勾选“拒绝配合查验”）",
            code="temperature_required",
            field="temperature",
        )
    now = clock.now()
    screening = Screening(
        unit=unit,
        person=person,
        visitor_name=name,
        visitor_phone=phone,
        visitor_phone_index=phone_index,
        visitor_name_index=visitor_name_key(name),
        screened_at=now,
        health_code=facts.health_code,
        itinerary_code=facts.itinerary_code,
        itinerary_star=facts.itinerary_star,
        temperature=temperature,
        mask=facts.mask,
        refused_checks=facts.refused_checks,
        source=source,
        screened_by=actor,
        confirmed_at=now,
    )
    _apply(screening, assessment, travel)
    # The busiest write of the system (every entrance, every visitor): the related rows are the
    # ones loaded for this request, and both check constraints were decided above (temperature
    # range by parse_temperature, no admission without one by the rule book) and are enforced
    # by the database anyway — re-asking costs six statements per screening.
    clean(screening, validate_constraints=False, exclude=("unit", "person", "screened_by"))
    with acting_as(actor):
        screening.save()
    return screening


# --- Venue codes and self-declarations (S4) ---------------------------------------------------


class TooManyDeclarations(DomainError):
    status_code = 429


class DuplicateDeclaration(ConflictError):
    """The same phone declared at the same venue moments ago: the first declaration stands."""

    def __init__(self, message: str, *, existing: Screening) -> None:
        super().__init__(message, code="duplicate_declaration")
        self.existing = existing


def _new_token() -> str:
    return secrets.token_urlsafe(RECEIPT_BYTES)


@transaction.atomic
def venue_code_issue(*, actor: User | None, unit: OrgUnit) -> VenueCode:
    """The institution's venue code, made on first use."""
    _require_institution(unit)
    existing = VenueCode.objects.filter(unit=unit).first()
    if existing is not None:
        return existing
    venue = VenueCode(unit=unit, token=_new_token(), issued_by=actor)
    with acting_as(actor):
        try:
            with transaction.atomic():
                venue.save()
        except IntegrityError:
            return VenueCode.objects.get(unit=unit)
    return venue


@transaction.atomic
def venue_code_rotate(*, actor: User | None, venue: VenueCode) -> VenueCode:
    """A new token: posters printed before stop working (a leaked or misused code)."""
    venue.token = _new_token()
    venue.rotated_at = clock.now()
    venue.issued_by = actor
    with acting_as(actor):
        venue.save(update_fields=["token", "rotated_at", "issued_by", "updated_at"])
    return venue


@transaction.atomic
def declaration_submit(
    *,
    venue: VenueCode,
    visitor_name: str,
    visitor_phone: str,
    facts: Facts,
    client_address: str,
    own_receipts: Collection[str] = (),
) -> Screening:
    """A visitor's self-declaration from the venue page: a provisional verdict, temperature by staff.

    A second submission within the policy's window is a repeat only when it comes from the same
    browser (`own_receipts`): a repeat is answered with the earlier receipt, which nobody else
    may see, so the same phone typed elsewhere makes a new declaration (X2)."""
    today = clock.today()
    policy = current_policy(ScreeningPolicy, today)
    refusal = throttle.declaration_refusal(venue_token=venue.token, address=client_address, policy=policy)
    if refusal:
        raise TooManyDeclarations(refusal, code="throttled")
    unit = venue.unit
    errors: dict[str, list[str]] = {}
    name, phone, phone_index, identity_errors = _visitor_identity(visitor_name, visitor_phone, required=True)
    errors.update(identity_errors)
    travel: list[TravelEntry] = []
    try:
        travel = clean_travel(list(facts.travel))
    except DomainError as error:
        errors.update(error.field_errors)
    raise_all(errors, code="invalid_declaration")
    # One venue's declarations are written one at a time, so a double tap cannot make two.
    VenueCode.objects.select_for_update().filter(pk=venue.pk).values_list("pk", flat=True).first()
    now = clock.now()
    window = dt.timedelta(seconds=policy.declaration_repeat_window_seconds)
    earlier = (
        Screening.objects.filter(
            unit=unit,
            visitor_phone_index=phone_index,
            source=ScreeningSource.VENUE_CODE,
            screened_at__gte=now - window,
            receipt__in=list(own_receipts),
        )
        .order_by("-screened_at")
        .first()
        if own_receipts
        else None
    )
    if earlier is not None:
        seconds = max(0, int((now - earlier.screened_at).total_seconds()))
        raise DuplicateDeclaration(
            f"您在 {seconds} 秒前已提交过申报，无需重复提交；下面是您的申报结果", existing=earlier
        )
    facts = replace(facts, temperature=None, travel=tuple(travel))
    assessment = assess(
        facts=facts,
        unit=unit,
        on=today,
        policy=policy,
        isolation=_isolation_of(person=None, phone_index=phone_index, day=today),
    )
    screening = Screening(
        unit=unit,
        visitor_name=name,
        visitor_phone=phone,
        visitor_phone_index=phone_index,
        visitor_name_index=visitor_name_key(name),
        screened_at=now,
        health_code=facts.health_code,
        itinerary_code=facts.itinerary_code,
        itinerary_star=facts.itinerary_star,
        mask=facts.mask,
        source=ScreeningSource.VENUE_CODE,
        receipt=_new_token(),
    )
    _apply(screening, assessment, travel)
    clean(screening, validate_unique=False)
    with acting_as(None):
        screening.save()
    return screening


@transaction.atomic
def declaration_confirm(
    *,
    actor: User | None,
    screening: Screening,
    temperature: object,
    health_code: str | None = None,
    itinerary_code: str | None = None,
    itinerary_star: bool | None = None,
    mask: bool | None = None,
    refused_checks: bool = False,
) -> Screening:
    """Staff take the temperature of a self-declared visitor (and correct the codes they saw)."""
    screening = Screening.objects.select_for_update().select_related("unit").get(pk=screening.pk)
    if screening.verdict != Verdict.PENDING:
        raise refuse(
            f"该申报已处理（{screening.get_verdict_display()}）", code="declaration_done", conflict=True
        )
    measured = parse_temperature(temperature)
    if measured is None and not refused_checks:
        raise refuse("请填写测量的体温", code="temperature_required", field="temperature")
    facts = Facts(
        health_code=health_code or screening.health_code,
        itinerary_code=itinerary_code or screening.itinerary_code,
        itinerary_star=screening.itinerary_star if itinerary_star is None else itinerary_star,
        temperature=measured,
        mask=screening.mask if mask is None else mask,
        refused_checks=refused_checks,
        travel=tuple(travel_from_stored(screening)),
    )
    today = clock.today()
    assessment = assess(
        facts=facts,
        unit=screening.unit,
        on=today,
        policy=current_policy(ScreeningPolicy, today),
        isolation=_isolation_of(
            person=screening.person, phone_index=screening.visitor_phone_index, day=today
        ),
    )
    screening.health_code = facts.health_code
    screening.itinerary_code = facts.itinerary_code
    screening.itinerary_star = facts.itinerary_star
    screening.temperature = measured
    screening.mask = facts.mask
    screening.refused_checks = refused_checks
    _apply(screening, assessment, list(facts.travel))
    screening.screened_by = actor
    screening.confirmed_at = clock.now()
    clean(screening, validate_unique=False)
    with acting_as(actor):
        screening.save(
            update_fields=[
                "health_code",
                "itinerary_code",
                "itinerary_star",
                "temperature",
                "mask",
                "refused_checks",
                "verdict",
                "reason_codes",
                "reasons",
                "notes",
                "needs_review",
                "travel_data",
                "screened_by",
                "confirmed_at",
            ]
        )
    return screening


# --- Retention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeResult:
    cutoff: dt.date
    deleted: int
    days: int


@transaction.atomic
def visitor_records_purge(*, today: dt.date | None = None) -> PurgeResult:
    """Delete screenings older than the policy's retention days, keeping each day's anonymous counts."""
    today = today or clock.today()
    policy = current_policy(ScreeningPolicy, today)
    cutoff = today - dt.timedelta(days=policy.visitor_record_retention_days)
    start_of_cutoff = clock.start_of(cutoff)
    old = Screening.objects.filter(screened_at__lt=start_of_cutoff)
    counts = counts_by_unit_and_day(old)
    existing = {
        (c.unit_id, c.day): c
        for c in DailyScreeningCount.objects.select_for_update().filter(
            unit_id__in={unit_id for unit_id, _ in counts}, day__in={day for _, day in counts}
        )
    }
    for (unit_id, day), figures in counts.items():
        row = existing.get((unit_id, day)) or DailyScreeningCount(unit_id=unit_id, day=day)
        row.screenings += figures.screenings
        row.admitted += figures.admitted
        row.refused += figures.refused
        row.pending += figures.pending
        by_reason = dict(row.refusals_by_reason)
        for code, number in figures.refusals_by_reason.items():
            by_reason[code] = by_reason.get(code, 0) + number
        row.refusals_by_reason = by_reason
        row.save()
    deleted, _ = old.delete()
    return PurgeResult(cutoff=cutoff, deleted=deleted, days=len(counts))
