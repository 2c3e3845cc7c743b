"""Reads of the assistance app, scoped to what the viewer may see.

Reads use the assistance scope: the region's 社会救助科 (which coordinates the task) and the
region-wide roles read every county, a county its own villages. Writes are limited to the
viewer's own subtree (`*_for_recording`).
"""

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree, unit_scope
from shouhu.assistance.models import (
    OPEN_APPLICATION,
    SUPPORTED_STANDINGS,
    Application,
    ApplicationStatus,
    AreaType,
    AssistancePolicy,
    CareDelivery,
    CareTask,
    CaseByCaseReview,
    FollowUp,
    Household,
    HouseholdMember,
    IncomeAssessment,
    Level,
    Payment,
    PaymentKind,
    PaymentRoll,
    PaymentStatus,
    Relation,
    Responsibility,
    Schedule,
    Standard,
    Standing,
    TemporaryAssistance,
    Visit,
)
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.common.today import Tally
from shouhu.inquiries.models import Inquiry
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.models import Person

ONE_DAY = dt.timedelta(days=1)  # not a policy threshold: the calendar's next or previous day


def assistance_scope(viewer: User, *, field: str = "unit") -> Q:
    return unit_scope(viewer, field=field, module=Module.ASSISTANCE)


def own_subtree(viewer: User, *, field: str) -> Q:
    """Where the viewer may write: their own unit's subtree, whatever they may read."""
    unit = viewer.unit if viewer.is_authenticated else None
    if unit is None:
        return Q(pk__in=[])
    return subtree(unit.path, field=field)


# --- Villages -----------------------------------------------------------------------------------


def village_writable(*, viewer: User) -> QuerySet[OrgUnit]:
    """The villages and communities where the viewer may register households."""
    return OrgUnit.objects.filter(own_subtree(viewer, field=""), kind=UnitKind.VILLAGE).order_by("path")


def county_writable(*, viewer: User) -> QuerySet[OrgUnit]:
    """The counties whose standards the viewer keeps: their own county only."""
    return OrgUnit.objects.filter(own_subtree(viewer, field=""), kind=UnitKind.COUNTY).order_by("path")


# --- Households (A1, A2, A4) ----------------------------------------------------------------------


def overdue_on(today: dt.date, policy: AssistancePolicy) -> Q:
    """Households not visited within their standing's interval by `today` (needs `last_seen`)."""
    condition = Q(pk__in=[])
    for standing in Standing.values:
        condition |= Q(
            standing=standing, last_seen__lt=today - dt.timedelta(days=policy.visit_days(standing))
        )
    return condition


def _due_on(today: dt.date, policy: AssistancePolicy) -> Q:
    """Households whose interval ends exactly `today` (needs `last_seen`)."""
    condition = Q(pk__in=[])
    for standing in Standing.values:
        condition |= Q(standing=standing, last_seen=today - dt.timedelta(days=policy.visit_days(standing)))
    return condition


def _missing_level() -> Q:
    condition = Q(pk__in=[])
    for level in Level.values:
        held = Responsibility.objects.filter(household=OuterRef("pk"), level=level, ended_on__isnull=True)
        condition |= Q(~Exists(held))
    return condition


def _latest_assessment() -> QuerySet[IncomeAssessment]:
    return IncomeAssessment.objects.filter(household=OuterRef("pk")).order_by("-month", "-assessed_at", "-pk")


def with_last_seen(households: QuerySet[Household]) -> QuerySet[Household]:
    """`last_visit` (None if never), and `last_seen`: the last visit, or the registration."""
    last_visit = (
        Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1]
    )
    return households.annotate(last_visit=Subquery(last_visit)).annotate(
        last_seen=Coalesce("last_visit", "registered_on")
    )


@dataclass(frozen=True)
class HouseholdFilters:
    search: str = ""
    unit: int | None = None
    standing: str = ""
    missing_level: bool = False
    visit_overdue: bool = False
    unprotected: bool = False


def _head(field: str) -> QuerySet[HouseholdMember]:
    return HouseholdMember.objects.filter(
        household=OuterRef(field), left_on__isnull=True, relation=Relation.HEAD
    )


def head_name(*, field: str = "pk") -> Subquery:
    """The name of the current head of the household at `field` of the outer query."""
    return Subquery(_head(field).values("person__name")[:1])


def head_person_id(*, field: str = "pk") -> Subquery:
    return Subquery(_head(field).values("person_id")[:1])


def household_list(*, viewer: User, filters: HouseholdFilters | None = None) -> QuerySet[Household]:
    """Households in scope, each with its head's name, its size, its last visit and its latest
    assessment's amount, in one statement whatever the number of households."""
    filters = filters or HouseholdFilters()
    size = (
        HouseholdMember.objects.filter(household=OuterRef("pk"), left_on__isnull=True)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    levels = (
        Responsibility.objects.filter(household=OuterRef("pk"), ended_on__isnull=True)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    households: QuerySet[Household] = with_last_seen(
        Household.objects.filter(assistance_scope(viewer)).select_related("unit")
    ).annotate(
        head_name=head_name(),
        size=Coalesce(Subquery(size), 0),
        levels_held=Coalesce(Subquery(levels), 0),
        latest_amount=Subquery(_latest_assessment().values("dibao_amount")[:1]),
    )
    if filters.search:
        named = HouseholdMember.objects.filter(
            household=OuterRef("pk"), left_on__isnull=True, person__name__icontains=filters.search.strip()
        )
        households = households.filter(Exists(named))
    if filters.unit:
        unit = OrgUnit.objects.filter(pk=filters.unit).values_list("path", flat=True).first()
        households = households.filter(subtree(unit, field="unit")) if unit else households.none()
    if filters.standing:
        households = households.filter(standing=filters.standing)
    if filters.missing_level:
        households = households.filter(_missing_level())
    if filters.visit_overdue:
        households = households.filter(overdue_on(clock.today(), current_policy(AssistancePolicy)))
    if filters.unprotected:
        households = unprotected(households)
    return households.order_by("unit__path", "pk")


def unprotected(households: QuerySet[Household]) -> QuerySet[Household]:
    """应保尽保 (A4): households outside 低保/特困 whose latest assessment found their per-capita
    income under the 低保 standard (an amount owed) — for the county to include them."""
    latest_amount = Subquery(_latest_assessment().values("dibao_amount")[:1])
    return households.exclude(standing__in=SUPPORTED_STANDINGS).alias(owed=latest_amount).filter(owed__gt=0)


def access_household(viewer: User, pk: object) -> Household:
    return get_in_scope(Household.objects.filter(assistance_scope(viewer)).select_related("unit"), pk)


def access_household_for_recording(viewer: User, pk: object) -> Household:
    return get_in_scope(
        Household.objects.filter(own_subtree(viewer, field="unit")).select_related("unit"), pk
    )


def members_of(household: Household) -> QuerySet[HouseholdMember]:
    """Current members first (the head first), then those who left, newest first."""
    current_first = Case(When(left_on__isnull=True, then=Value(0)), default=Value(1))
    head_first = Case(When(relation=Relation.HEAD, then=Value(0)), default=Value(1))
    return household.members.select_related("person").order_by(
        current_first, head_first, F("left_on").desc(), "pk"
    )


def access_member_for_recording(viewer: User, pk: object) -> HouseholdMember:
    return get_in_scope(
        HouseholdMember.objects.filter(own_subtree(viewer, field="household__unit")).select_related(
            "household"
        ),
        pk,
    )


def current_member_people(household: Household) -> QuerySet[Person]:
    """The household's current members as persons of the register, in the order they joined."""
    return Person.objects.filter(
        assistance_memberships__household=household, assistance_memberships__left_on__isnull=True
    ).order_by("assistance_memberships__pk")


def filter_units(*, viewer: User) -> QuerySet[OrgUnit]:
    """The townships and villages the viewer may narrow the household list to."""
    return OrgUnit.objects.filter(
        assistance_scope(viewer, field=""), kind__in=(UnitKind.TOWNSHIP, UnitKind.VILLAGE)
    ).order_by("path")


def responsibilities_of(household: Household) -> QuerySet[Responsibility]:
    """Per level, the current one first, then the earlier ones, newest first."""
    return household.responsibilities.select_related("unit", "user").order_by(
        "level", F("ended_on").desc(nulls_first=True), "-assigned_on", "-pk"
    )


def visits_of(household: Household) -> QuerySet[Visit]:
    return household.visits.order_by("-visited_on", "-pk")


# --- Follow-ups (A2) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpFilters:
    open_only: bool = True
    kind: str = ""


def follow_up_list(*, viewer: User, filters: FollowUpFilters | None = None) -> QuerySet[FollowUp]:
    filters = filters or FollowUpFilters()
    follow_ups = FollowUp.objects.filter(assistance_scope(viewer, field="household__unit")).select_related(
        "household__unit", "person"
    )
    if filters.open_only:
        follow_ups = follow_ups.filter(closed_at__isnull=True)
    if filters.kind:
        follow_ups = follow_ups.filter(kind=filters.kind)
    # Open ones first on both databases (PostgreSQL sorts NULL last by default).
    return follow_ups.order_by(F("closed_at").asc(nulls_first=True), "opened_at", "pk")


def follow_ups_of(household: Household) -> QuerySet[FollowUp]:
    """One household's follow-ups, open ones first."""
    return household.follow_ups.select_related("person").order_by(
        F("closed_at").asc(nulls_first=True), "opened_at", "pk"
    )


def access_follow_up_for_recording(viewer: User, pk: object) -> FollowUp:
    return get_in_scope(
        FollowUp.objects.filter(own_subtree(viewer, field="household__unit")).select_related(
            "household", "person"
        ),
        pk,
    )


# --- Standards and assessments (A4, A8) -------------------------------------------------------


def standard_list(*, viewer: User) -> QuerySet[Standard]:
    return Standard.objects.filter(assistance_scope(viewer, field="county")).select_related("county")


def assessments_of(household: Household) -> QuerySet[IncomeAssessment]:
    """A household's assessments in summary, newest first (each one's lines are on its own page)."""
    return household.assessments.select_related("standard")


def access_assessment(viewer: User, pk: object) -> IncomeAssessment:
    return get_in_scope(
        IncomeAssessment.objects.filter(assistance_scope(viewer, field="household__unit"))
        .select_related("household__unit", "standard")
        .prefetch_related("lines__person"),
        pk,
    )


# --- Today (X5, X6) -----------------------------------------------------------------------------


def _tallies_per_village(rows: QuerySet[Any], *, unit: str, overdue: Q, done: Q, waiting: Q) -> list[Tally]:
    """One `Tally` per village of `rows` (grouped by their `unit` relation), in one statement:
    `due` is what is `done` plus what is `waiting`; `overdue` stands apart."""
    counted = (
        rows.values(f"{unit}_id", f"{unit}__path")
        .annotate(
            overdue=Count("pk", filter=overdue),
            done=Count("pk", filter=done),
            waiting=Count("pk", filter=waiting),
        )
        .order_by()
    )
    return [
        Tally(
            row[f"{unit}_id"],
            row[f"{unit}__path"],
            done=row["done"],
            due=row["done"] + row["waiting"],
            overdue=row["overdue"],
        )
        for row in counted
    ]


def today_visits(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """走访 per village of the subtree at `within`: `overdue` = households past their standing's
    interval; `due` = those whose interval ends today, and those visited today; `done` = visited
    today. Two queries: the policy, the households grouped by village."""
    policy = current_policy(AssistancePolicy, today)
    overdue = overdue_on(today, policy)
    visited_today = Q(last_visit=today)
    return _tallies_per_village(
        with_last_seen(Household.objects.filter(subtree(within, field="unit"))).filter(
            overdue | _due_on(today, policy) | visited_today
        ),
        unit="unit",
        overdue=overdue,
        done=visited_today,
        waiting=_due_on(today, policy),
    )


def today_follow_ups(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """早发现 follow-ups per village: `overdue` = open longer than the policy's days; `due` = the
    other open ones and those closed today; `done` = closed today."""
    policy = current_policy(AssistancePolicy, today)
    cutoff = clock.start_of(today) - dt.timedelta(days=policy.follow_up_days - 1)
    is_open = Q(closed_at__isnull=True)
    late = is_open & Q(opened_at__lt=cutoff)
    closed_today = Q(closed_at__gte=clock.start_of(today), closed_at__lt=clock.start_of(today + ONE_DAY))
    return _tallies_per_village(
        FollowUp.objects.filter(subtree(within, field="household__unit")).filter(is_open | closed_today),
        unit="household__unit",
        overdue=late,
        done=closed_today,
        waiting=is_open & ~Q(opened_at__lt=cutoff),
    )


def today_responsibility_gaps(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """三级包保 per village: households still missing a responsible person at some level (due now)."""
    rows = (
        Household.objects.filter(subtree(within, field="unit"))
        .filter(_missing_level())
        .values("unit_id", "unit__path")
        .annotate(missing=Count("pk"))
        .order_by()
    )
    return [Tally(row["unit_id"], row["unit__path"], done=0, due=row["missing"]) for row in rows]


def standard_in_force(*, county_path: str, area_type: str, month: dt.date) -> Standard | None:
    """The county's standard for `area_type` in force on the first day of `month`."""
    return (
        Standard.objects.filter(county__path=county_path, area_type=area_type, effective_from__lte=month)
        .order_by("-effective_from")
        .first()
    )


# --- Applications (A4, A7) -----------------------------------------------------------------------


def application_late(today: dt.date, policy: AssistancePolicy) -> Q:
    """Open applications past a deadline of the policy: not accepted within its days of applying,
    or not decided within its days of acceptance."""
    not_accepted = Q(
        status=ApplicationStatus.APPLIED,
        applied_on__lt=today - dt.timedelta(days=policy.application_accept_days),
    )
    not_decided = Q(
        status__in=OPEN_APPLICATION,
        accepted_on__lt=today - dt.timedelta(days=policy.application_decision_days),
    )
    return not_accepted | not_decided


def application_waiting(today: dt.date) -> Q:
    """Open applications with a step to take now: all but those still in their publicity."""
    return Q(status__in=OPEN_APPLICATION) & ~Q(
        status=ApplicationStatus.PUBLICISED, publicised_until__gte=today
    )


@dataclass(frozen=True)
class ApplicationFilters:
    status: str = ""
    open_only: bool = False
    late_only: bool = False


def application_list(*, viewer: User, filters: ApplicationFilters | None = None) -> QuerySet[Application]:
    """Applications in scope with the head's name, newest first, in one statement."""
    filters = filters or ApplicationFilters()
    applications = Application.objects.filter(
        assistance_scope(viewer, field="household__unit")
    ).select_related("household__unit")
    if filters.status:
        applications = applications.filter(status=filters.status)
    if filters.open_only:
        applications = applications.filter(status__in=OPEN_APPLICATION)
    if filters.late_only:
        today = clock.today()
        applications = applications.filter(application_late(today, current_policy(AssistancePolicy, today)))
    return applications.annotate(head_name=head_name(field="household")).order_by("-applied_on", "-pk")


def access_application(viewer: User, pk: object) -> Application:
    return get_in_scope(
        Application.objects.filter(assistance_scope(viewer, field="household__unit"))
        .select_related("household__unit", "assessment", "grant", "inquiry")
        .annotate(head_name=head_name(field="household")),
        pk,
    )


def access_application_for_recording(viewer: User, pk: object) -> Application:
    return get_in_scope(
        Application.objects.filter(own_subtree(viewer, field="household__unit")).select_related(
            "household__unit", "assessment", "grant"
        ),
        pk,
    )


def applications_of(household: Household) -> QuerySet[Application]:
    return household.applications.order_by("-applied_on", "-pk")


def today_applications(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """低保特困申请 per village: `overdue` = open past a deadline; `due` = the others with a step to
    take now, and those decided today; `done` = decided today."""
    policy = current_policy(AssistancePolicy, today)
    late = application_late(today, policy)
    waiting = application_waiting(today)
    decided_today = Q(decided_on=today)
    return _tallies_per_village(
        Application.objects.filter(subtree(within, field="household__unit")).filter(waiting | decided_today),
        unit="household__unit",
        overdue=late,
        done=decided_today,
        waiting=waiting & ~late,
    )


# --- Temporary assistance and reviews (A5, A6, A7, A10) ---------------------------------------


@dataclass(frozen=True)
class GrantFilters:
    reason: str = ""
    in_force_only: bool = False
    awaiting_documents: bool = False


def grant_list(*, viewer: User, filters: GrantFilters | None = None) -> QuerySet[TemporaryAssistance]:
    filters = filters or GrantFilters()
    grants = TemporaryAssistance.objects.filter(
        assistance_scope(viewer, field="household__unit")
    ).select_related("household__unit", "review")
    if filters.reason:
        grants = grants.filter(reason=filters.reason)
    if filters.in_force_only:
        month = clock.today().replace(day=1)
        grants = grants.filter(_in_force(month))
    if filters.awaiting_documents:
        grants = awaiting_documents(grants, today=clock.today())
    return grants.annotate(head_name=head_name(field="household")).order_by("-starts_on", "-pk")


def awaiting_documents(
    grants: QuerySet[TemporaryAssistance], *, today: dt.date
) -> QuerySet[TemporaryAssistance]:
    """先行救助 (A5) granted more than the policy's days ago whose documents are still missing."""
    days = current_policy(AssistancePolicy, today).advance_documents_days
    since = clock.start_of(today) - dt.timedelta(days=days)
    return grants.filter(is_advance=True, documents_completed_on__isnull=True, granted_at__lt=since)


def _in_force(month: dt.date) -> Q:
    """Grants paid in `month`: a one-off of that month, a monthly one started and not ended."""
    once = Q(schedule=Schedule.ONCE, starts_on=month)
    monthly = Q(schedule=Schedule.MONTHLY, starts_on__lte=month) & (
        Q(ended_on__isnull=True) | Q(ended_on__gt=month)
    )
    return once | monthly


def access_grant_for_recording(viewer: User, pk: object) -> TemporaryAssistance:
    return get_in_scope(
        TemporaryAssistance.objects.filter(own_subtree(viewer, field="household__unit")).select_related(
            "household__unit"
        ),
        pk,
    )


def reviews_of(household: Household) -> QuerySet[CaseByCaseReview]:
    return household.reviews.order_by("-met_on", "-pk")


def household_of(person: Person) -> Household | None:
    """The household the person belongs to now, if any."""
    return Household.objects.filter(members__person=person, members__left_on__isnull=True).first()


def hotline_assignees(call: Inquiry) -> QuerySet[User]:
    """Who may be given a call: active staff of its handling unit and of the units below it."""
    return (
        User.objects.filter(subtree(call.unit.path, field="unit"), is_active=True)
        .exclude(role="")
        .select_related("unit")
        .order_by("unit__path", "display_name", "username")
    )


def grants_from_call(call: Inquiry) -> QuerySet[TemporaryAssistance]:
    """The temporary grants a hotline call led to."""
    return TemporaryAssistance.objects.filter(inquiry=call).select_related("household__unit").order_by("pk")


def grants_of(household: Household) -> QuerySet[TemporaryAssistance]:
    return household.temporary_assistance.select_related("review").order_by("-starts_on", "-pk")


# --- Payments (A3) ----------------------------------------------------------------------------


def _month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


Entitlement = tuple[int, str, int, Decimal]  # household, kind, grant (0 if none), amount


def entitlements(*, county_path: str, month: dt.date) -> list[Entitlement]:
    """What each household of the county is owed for `month`, in five statements whatever their
    number: 低保 — the latest assessment of that month or before, when it found an amount;
    特困 — the 特困 standard in force × the members of that month; each temporary grant in force."""
    month_end = _month_end(month)
    households = Household.objects.filter(subtree(county_path, field="unit"), registered_on__lte=month_end)
    rows: list[Entitlement] = []
    latest = (
        IncomeAssessment.objects.filter(household=OuterRef("pk"), month__lte=month)
        .order_by("-month", "-assessed_at", "-pk")
        .values("dibao_amount")[:1]
    )
    dibao = (
        households.filter(standing=Standing.DIBAO)
        .annotate(owed=Subquery(latest))
        .filter(owed__gt=0)
        .values_list("pk", "owed")
    )
    rows += [(pk, PaymentKind.DIBAO, 0, owed) for pk, owed in dibao]
    standards = {
        area: standard_in_force(county_path=county_path, area_type=area, month=month)
        for area in AreaType.values
    }
    members = (
        HouseholdMember.objects.filter(household=OuterRef("pk"), joined_on__lte=month_end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=month))
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    tekun = (
        households.filter(standing__in=(Standing.TEKUN_DISPERSED, Standing.TEKUN_CENTRALISED))
        .annotate(people=Subquery(members))
        .filter(people__gt=0)
        .values_list("pk", "area_type", "people")
    )
    for pk, area, people in tekun:
        standard = standards[area]
        if standard is not None:
            rows.append((pk, PaymentKind.TEKUN, 0, standard.tekun_standard * people))
    grants = TemporaryAssistance.objects.filter(
        _in_force(month), subtree(county_path, field="household__unit")
    ).values_list("household_id", "pk", "amount")
    rows += [(household_id, PaymentKind.TEMPORARY, pk, amount) for household_id, pk, amount in grants]
    return rows


def roll_list(*, viewer: User) -> QuerySet[PaymentRoll]:
    return (
        PaymentRoll.objects.filter(assistance_scope(viewer, field="county"))
        .select_related("county")
        .annotate(
            payment_count=Count("payments"),
            total=Sum("payments__amount"),
            paid_count=Count("payments", filter=Q(payments__status=PaymentStatus.PAID)),
        )
        .order_by("-month", "county__path")
    )


def access_roll(viewer: User, pk: object) -> PaymentRoll:
    return get_in_scope(
        PaymentRoll.objects.filter(assistance_scope(viewer, field="county")).select_related("county"), pk
    )


def access_roll_for_recording(viewer: User, pk: object) -> PaymentRoll:
    return get_in_scope(
        PaymentRoll.objects.filter(own_subtree(viewer, field="county")).select_related("county"), pk
    )


def payments_of(roll: PaymentRoll) -> QuerySet[Payment]:
    """The roll's rows with the payee (the household's head) and the account, for the bank file."""
    return (
        roll.payments.select_related("household__unit")
        .annotate(head_name=head_name(field="household"), head_id=head_person_id(field="household"))
        .order_by("household__unit__path", "household_id", "kind", "grant_id")
    )


def unpaid_payments(*, today: dt.date) -> QuerySet[Payment]:
    """欠发/少发 (A3), whoever asks: payments of a month whose pay day (the policy's) has passed
    without the full amount paid — pending, failed, returned, or paid short."""
    pay_day = current_policy(AssistancePolicy, today).pay_day
    # The latest month whose pay day has passed: this month after its pay day, else the last.
    last_due = (
        today.replace(day=1) if today.day > pay_day else (today.replace(day=1) - ONE_DAY).replace(day=1)
    )
    return Payment.objects.filter(roll__month__lte=last_due).exclude(
        status=PaymentStatus.PAID, paid_amount__gte=F("amount")
    )


def arrears(*, viewer: User, today: dt.date) -> QuerySet[Payment]:
    """The viewer's part of `unpaid_payments`, with the payee, oldest month first."""
    return (
        unpaid_payments(today=today)
        .filter(assistance_scope(viewer, field="household__unit"))
        .select_related("roll__county", "household__unit")
        .annotate(head_name=head_name(field="household"))
        .order_by("roll__month", "household__unit__path", "pk")
    )


def arrears_by_county(*, viewer: User, today: dt.date) -> list[dict[str, object]]:
    """The region's view of arrears: per county, households and amount short."""
    return list(
        arrears(viewer=viewer, today=today)
        .order_by()
        .values("roll__county_id", "roll__county__name", "roll__county__path")
        .annotate(
            payments=Count("pk"),
            households=Count("household", distinct=True),
            short=Sum(F("amount") - F("paid_amount")),
        )
        .order_by("roll__county__path")
    )


@dataclass(frozen=True)
class BankRow:
    payment_id: int
    payee: str
    id_number: str
    bank_name: str
    bank_account: str
    amount: Decimal
    kind: str
    village: str


def bank_file_rows(roll: PaymentRoll) -> list[BankRow]:
    """The roll's pending and failed payments, as the bank's batch file lists them: the payee (the
    head), their ID number and the household's account, unmasked (`services.roll_bank_file_record`
    logs the export first). Three statements whatever the roll's size."""
    payments = list(payments_of(roll).exclude(status__in=(PaymentStatus.PAID, PaymentStatus.RETURNED)))
    heads = {p.pk: getattr(p, "head_id", None) for p in payments}
    people = Person.objects.in_bulk([pk for pk in heads.values() if pk])
    rows = []
    for payment in payments:
        person = people.get(heads[payment.pk] or 0)
        rows.append(
            BankRow(
                payment_id=payment.pk,
                payee=getattr(payment, "head_name", None) or "",
                id_number=person.id_number if person else "",
                bank_name=payment.household.bank_name,
                bank_account=payment.household.bank_account,
                amount=payment.amount,
                kind=str(PaymentKind(payment.kind).label),
                village=payment.household.unit.name,
            )
        )
    return rows


def today_arrears(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """欠发 per village: `overdue` = households with a payment not made in full by its pay day."""
    rows = (
        unpaid_payments(today=today)
        .filter(subtree(within, field="household__unit"))
        .values("household__unit_id", "household__unit__path")
        .annotate(households=Count("household", distinct=True))
        .order_by()
    )
    return [
        Tally(
            row["household__unit_id"], row["household__unit__path"], done=0, due=0, overdue=row["households"]
        )
        for row in rows
    ]


def today_awaiting_documents(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """先行救助 per village: `overdue` = advances past the policy's days without documents; `due` =
    the younger ones still waiting, and those completed today; `done` = completed today."""
    grants = TemporaryAssistance.objects.filter(subtree(within, field="household__unit"), is_advance=True)
    late = Q(pk__in=awaiting_documents(grants, today=today).values("pk"))
    waiting = Q(documents_completed_on__isnull=True)
    completed_today = Q(documents_completed_on=today)
    return _tallies_per_village(
        grants.filter(waiting | completed_today),
        unit="household__unit",
        overdue=late,
        done=completed_today,
        waiting=waiting & ~late,
    )


# --- Care of isolated people (A9) ---------------------------------------------------------------


def with_last_care(tasks: QuerySet[CareTask]) -> QuerySet[CareTask]:
    """`last_delivery` (None if none yet) and `cared_since`: the last delivery, or the start."""
    last = (
        CareDelivery.objects.filter(task=OuterRef("pk")).order_by("-delivered_on").values("delivered_on")[:1]
    )
    return tasks.annotate(last_delivery=Subquery(last)).annotate(
        cared_since=Coalesce("last_delivery", "starts_on")
    )


def care_overdue(today: dt.date, policy: AssistancePolicy) -> Q:
    """Open tasks with no delivery for more than the policy's days (needs `cared_since`)."""
    return Q(closed_at__isnull=True, cared_since__lt=today - dt.timedelta(days=policy.care_delivery_days))


@dataclass(frozen=True)
class CareFilters:
    open_only: bool = True
    overdue_only: bool = False


def care_task_list(*, viewer: User, filters: CareFilters | None = None) -> QuerySet[CareTask]:
    filters = filters or CareFilters()
    tasks = with_last_care(
        CareTask.objects.filter(assistance_scope(viewer, field="household__unit")).select_related(
            "household__unit", "person"
        )
    )
    if filters.open_only:
        tasks = tasks.filter(closed_at__isnull=True)
    if filters.overdue_only:
        tasks = tasks.filter(care_overdue(clock.today(), current_policy(AssistancePolicy)))
    return tasks.order_by(F("closed_at").asc(nulls_first=True), "cared_since", "pk")


def access_care_task_for_recording(viewer: User, pk: object) -> CareTask:
    return get_in_scope(
        CareTask.objects.filter(own_subtree(viewer, field="household__unit")).select_related(
            "household__unit", "person"
        ),
        pk,
    )


def deliveries_of(task: CareTask) -> QuerySet[CareDelivery]:
    return task.deliveries.order_by("-delivered_on", "-pk")


def care_tasks_of(household: Household) -> QuerySet[CareTask]:
    return with_last_care(household.care_tasks.select_related("person")).order_by(
        F("closed_at").asc(nulls_first=True), "-starts_on"
    )


def today_care(*, within: str, today: dt.date, viewer_id: int) -> list[Tally]:
    """照料 per village: `overdue` = open tasks without a delivery for more than the policy's days;
    `due` = the other open tasks, and those delivered to today; `done` = delivered to today."""
    policy = current_policy(AssistancePolicy, today)
    overdue = care_overdue(today, policy)
    delivered_today = Q(last_delivery=today)
    return _tallies_per_village(
        with_last_care(
            CareTask.objects.filter(subtree(within, field="household__unit"), closed_at__isnull=True)
        ),
        unit="household__unit",
        overdue=overdue,
        done=delivered_today,
        # Spelled out: NOT (last_delivery = today) is NULL, not true, without a delivery yet.
        waiting=~overdue & (Q(last_delivery__isnull=True) | Q(last_delivery__lt=today)),
    )
