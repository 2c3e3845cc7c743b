"""The entry rules of the plan (S2), in one place, reading every threshold from the policy.

`assess` takes what was observed at the entrance and answers admitted, refused (with every
reason) or pending (nothing refuses yet, but no temperature has been taken). It is a pure
function of its arguments plus the risk-area list and the isolation register, so the desk,
the venue-code page and the API give the same answer for the same facts.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import translation

from shouhu.campaigns.models import ServiceType
from shouhu.campaigns.selectors import service_availability
from shouhu.orgs.models import OrgUnit, UnitStatus
from shouhu.people.models import Person
from shouhu.screening.models import (
    HealthCode,
    IsolationRecord,
    ItineraryCode,
    RefusalReason,
    RiskArea,
    ScreeningPolicy,
    Verdict,
    record_label,
)
from shouhu.screening.places import Place, Reach, parse_place, reach


@dataclass(frozen=True)
class TravelEntry:
    """One place of a travel history, as declared."""

    place: str
    arrived_on: dt.date
    left_on: dt.date | None = None
    province: str = ""
    code: str = ""

    @property
    def last_day(self) -> dt.date:
        return self.left_on or self.arrived_on

    @property
    def parsed(self) -> Place:
        return parse_place(self.place, province=self.province, code=self.code)

    @property
    def label(self) -> str:
        place = self.parsed
        text = self.place.strip()
        if place.province and not text.startswith(place.province[:2]):
            text = f"{place.province}{text}"
        days = f"{self.arrived_on}" + (
            f"至{self.left_on}" if self.left_on and self.left_on != self.arrived_on else ""
        )
        return f"{text or place.province}（{days}）"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "place": self.place,
            "province": self.province,
            "code": self.code,
            "arrived_on": self.arrived_on.isoformat(),
            "left_on": self.left_on.isoformat() if self.left_on else None,
        }


@dataclass(frozen=True)
class TravelMatch:
    entry: TravelEntry
    area: RiskArea
    reach: Reach


@dataclass
class TravelCheck:
    """What a travel history meets: definite matches refuse; possible ones and unknown places are flagged."""

    matches: list[TravelMatch] = field(default_factory=list)
    possible: list[TravelMatch] = field(default_factory=list)
    unknown: list[TravelEntry] = field(default_factory=list)


def lookback_start(*, on: dt.date, policy: ScreeningPolicy) -> dt.date:
    return on - dt.timedelta(days=policy.risk_lookback_days)


def areas_at_risk_between(start: dt.date, end: dt.date) -> list[RiskArea]:
    return list(
        RiskArea.objects.filter(effective_from__lte=end)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
        .order_by("-level", "place_key", "effective_from")
    )


def travel_check(entries: list[TravelEntry], *, on: dt.date, policy: ScreeningPolicy) -> TravelCheck:
    """Which declared places touch an area while it was at risk, within the look-back period."""
    check = TravelCheck()
    start = lookback_start(on=on, policy=policy)
    relevant = [e for e in entries if e.last_day >= start and e.arrived_on <= on]
    areas = areas_at_risk_between(start, on) if relevant else []
    for entry in entries:
        place = entry.parsed
        if not place.is_known:
            check.unknown.append(entry)
        if entry not in relevant:
            continue
        first = max(entry.arrived_on, start)
        last = min(entry.last_day, on)
        for area in areas:
            if area.effective_from > last or (area.effective_to is not None and area.effective_to < first):
                continue
            found = reach(place, area_place(area))
            if found == Reach.WITHIN:
                check.matches.append(TravelMatch(entry, area, found))
            elif found == Reach.POSSIBLE:
                check.possible.append(TravelMatch(entry, area, found))
    return check


def area_place(area: RiskArea) -> Place:
    return parse_place(area.place_text, province=area.province, code=area.admin_code)


def person_in_isolation_on(person: Person, day: dt.date) -> IsolationRecord | None:
    """The isolation or health monitoring `person` is under on `day`, if any (M3 and S2 ask this)."""
    return (
        IsolationRecord.objects.filter(person_id=person.pk, starts_on__lte=day)
        .filter(
            Q(actual_end_on__isnull=True, planned_end_on__gt=day)
            | Q(actual_end_on__isnull=False, actual_end_on__gt=day)
        )
        .order_by("-starts_on", "-pk")
        .first()
    )


# Other modules may close an institution to visitors (nursing homes under closed management):
# each check answers a refusal text for the unit and day, or None.
ClosureCheck = Callable[[OrgUnit, dt.date], str | None]
# The same check prepared for many units and days (start, end): it reads its rows once, so that
# the figures of every institution and the home page cost a fixed number of queries.
SpanClosureCheck = Callable[[dt.date, dt.date], ClosureCheck]
_closure_checks: list[ClosureCheck] = []
_span_checks: dict[ClosureCheck, SpanClosureCheck] = {}


def register_closure_check(check: ClosureCheck, *, over_span: SpanClosureCheck | None = None) -> None:
    if check not in _closure_checks:
        _closure_checks.append(check)
    if over_span is not None:
        _span_checks[check] = over_span


def closure_checks() -> list[ClosureCheck]:
    return list(_closure_checks)


def closure_checks_over(start: dt.date, end: dt.date) -> list[ClosureCheck]:
    """Every registered check, each prepared for the days `start`–`end` where it can be."""
    return [_span_checks[check](start, end) if check in _span_checks else check for check in _closure_checks]


def closure_reason(unit: OrgUnit, day: dt.date) -> tuple[str | None, str]:
    """(why the unit is closed to visitors or None, a note when visits are only limited)."""
    if unit.status != UnitStatus.ACTIVE:
        return f"{unit.name}目前{unit.get_status_display()}，暂停接待来访", ""
    # The reason is stored with the screening: in the records' language, whatever the screener reads.
    with translation.override(settings.LANGUAGE_CODE):
        availability = service_availability(service=ServiceType.VISITS, unit=unit, on=day)
    if not availability.is_open:
        return availability.reason, ""
    for check in _closure_checks:
        reason = check(unit, day)
        if reason:
            return reason, ""
    return None, availability.reason if availability.is_limited else ""


@dataclass(frozen=True)
class Facts:
    """What was observed (or declared) at the entrance."""

    health_code: str = HealthCode.GREEN
    itinerary_code: str = ItineraryCode.GREEN
    itinerary_star: bool = False
    temperature: Decimal | None = None
    mask: bool = True
    refused_checks: bool = False
    travel: tuple[TravelEntry, ...] = ()


@dataclass
class Assessment:
    verdict: str
    reasons: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    needs_review: bool = False  # a place could not be told, or may lie in a risk area

    @property
    def reason_codes(self) -> list[str]:
        return list(dict.fromkeys(code for code, _ in self.reasons))

    @property
    def reason_texts(self) -> list[str]:
        return [text for _, text in self.reasons]


def assess(
    *,
    facts: Facts,
    unit: OrgUnit,
    on: dt.date,
    policy: ScreeningPolicy,
    isolation: IsolationRecord | None,
) -> Assessment:
    reasons: list[tuple[str, str]] = []
    notes: list[str] = []
    if facts.refused_checks:
        reasons.append((RefusalReason.REFUSED_CHECKS, "拒绝配合扫码或测温"))
    if facts.health_code == HealthCode.NOT_SHOWN:
        reasons.append((RefusalReason.HEALTH_CODE, "未出示健康码"))
    elif facts.health_code != HealthCode.GREEN:
        reasons.append((RefusalReason.HEALTH_CODE, f"健康码为{record_label(HealthCode(facts.health_code))}"))
    if facts.itinerary_code == ItineraryCode.NOT_SHOWN:
        reasons.append((RefusalReason.ITINERARY_CODE, "未出示行程码"))
    elif facts.itinerary_code != ItineraryCode.GREEN:
        reasons.append(
            (RefusalReason.ITINERARY_CODE, f"行程码为{record_label(ItineraryCode(facts.itinerary_code))}")
        )
    if facts.itinerary_star:
        if policy.itinerary_star_refused:
            reasons.append((RefusalReason.ITINERARY_CODE, "行程码带星号（到过有中高风险地区的城市）"))
        else:
            notes.append("行程码带星号，请询问具体行程")
    if facts.temperature is not None and facts.temperature >= policy.temperature_limit:
        reasons.append(
            (RefusalReason.TEMPERATURE, f"体温 {facts.temperature}℃，达到或超过 {policy.temperature_limit}℃")
        )
    check = travel_check(list(facts.travel), on=on, policy=policy)
    for match in check.matches:
        area = match.area
        reasons.append(
            (
                RefusalReason.RISK_AREA,
                f"{policy.risk_lookback_days}天内到过{area.level_text}地区{area.place_label}"
                f"（{area.effective_from}起）：{match.entry.label}",
            )
        )
    definite = {m.entry for m in check.matches}
    for match in check.possible:
        if match.entry not in definite:
            notes.append(
                f"{match.entry.label}可能涉及{match.area.level_text}地区{match.area.place_label}，请核实具体地点"
            )
    for entry in check.unknown:
        notes.append(f"无法识别的地点“{entry.place.strip()}”（已按原文记录），请核实所在省份和地区")
    closed, limited = closure_reason(unit, on)
    if closed:
        reasons.append((RefusalReason.CLOSED, closed))
    if limited:
        notes.append(limited)
    # What the register says about a person comes last: the visitor's own copy of a verdict
    # (`Screening.visitor_reason_list`) leaves it out, since a phone typed proves nobody (X2).
    if isolation is not None:
        reasons.append(
            (
                RefusalReason.ISOLATION,
                f"{isolation.kind_text}期内（{isolation.starts_on}起，{isolation.ends_on}解除）",
            )
        )
    if not facts.mask:
        notes.append("未佩戴口罩：请先佩戴口罩")
    if reasons:
        verdict = Verdict.REFUSED
    elif facts.temperature is None:
        verdict = Verdict.PENDING
    else:
        verdict = Verdict.ADMITTED
    return Assessment(
        verdict=verdict,
        reasons=reasons,
        notes=list(dict.fromkeys(notes)),
        needs_review=bool(check.possible or check.unknown),
    )
