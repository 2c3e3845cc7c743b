"""Writes of the assistance app: one validation path for pages, API and imports.

Every function is keyword-only and atomic and names its actor (`acting_as`); every number of a
rule comes from the policy (`AssistancePolicy`) or from the county's dated standards (`Standard`).
The database holds what must never break whatever the caller: one household at a time per
person, one head per household, one responsible person per level, one follow-up per event.
"""

import calendar
import copy
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from auditlog.models import LogEntry
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.accounts.scope import subtree_bounds, unit_in_scope
from shouhu.assistance import selectors
from shouhu.assistance.models import (
    AT_HOME_ISOLATION,
    CONFIRMED_CASE_STANDINGS,
    LEVEL_DEPTH,
    OPEN_APPLICATION,
    ROUNDING_QUANTUM,
    SUPPORTED_STANDINGS,
    AffectedReason,
    Application,
    ApplicationStatus,
    AreaType,
    AssistancePolicy,
    AssistanceReason,
    CareDelivery,
    CareNeed,
    CareTask,
    CaseByCaseReview,
    FollowUp,
    Household,
    HouseholdMember,
    IncomeAssessment,
    IncomeKind,
    IncomeLine,
    Level,
    Payment,
    PaymentKind,
    PaymentRoll,
    PaymentStatus,
    Relation,
    Responsibility,
    ReviewDecision,
    Rounding,
    Schedule,
    SignalKind,
    Standard,
    Standing,
    TemporaryAssistance,
    Visit,
)
from shouhu.campaigns.policy import current_policy
from shouhu.common import clock
from shouhu.common.audit import acting_as, audit_bulk, audit_record
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.common.tabular import read_table
from shouhu.common.validation import clean, raise_all, refuse
from shouhu.inquiries.models import Channel, Inquiry
from shouhu.inquiries.services import inquiry_answer, inquiry_assign, inquiry_close, inquiry_receive
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.idcard import InvalidPhone, normalise_phone
from shouhu.people.models import IdType, Person
from shouhu.people.services import (
    PersonInput,
    person_find_by_document,
    person_register,
    unmasked_export_record,
)

MONEY = Decimal("0.01")
BANK_ACCOUNT_DIGITS = (10, 30)  # the lengths of Chinese bank card and account numbers, not a policy
MAX_AMOUNT = Decimal("99999999.99")


def _not_future(day: dt.date, field: str, label: str) -> dict[str, list[str]]:
    today = clock.today()
    if day > today:
        return {field: [_("%(label)s不能晚于今天（%(today)s）") % {"label": label, "today": today}]}
    return {}


# --- Households (A2) ----------------------------------------------------------------------------


@dataclass
class HouseholdInput:
    unit: OrgUnit
    area_type: str
    standing: str
    head: Person | None = None
    affected_reason: str = ""
    situation: str = ""
    address: str = ""
    bank_name: str = ""
    bank_account: str = ""
    registered_on: dt.date | None = None


def _household_errors(data: HouseholdInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.unit.kind != UnitKind.VILLAGE:
        errors["unit"] = [_("困难家庭须登记在村（社区）")]
    if data.area_type not in AreaType.values:
        errors["area_type"] = [_("城乡类别只能是城市或农村")]
    if data.standing not in Standing.values:
        errors["standing"] = [_("未知的救助类别")]
    if data.standing == Standing.EPIDEMIC_AFFECTED and data.affected_reason not in AffectedReason.values:
        errors["affected_reason"] = [_("受疫情影响的家庭须选择受影响原因")]
    account = data.bank_account.replace(" ", "")
    if account and not (
        account.isdigit() and BANK_ACCOUNT_DIGITS[0] <= len(account) <= BANK_ACCOUNT_DIGITS[1]
    ):
        errors["bank_account"] = [_("银行账号应为 10–30 位数字")]
    return errors


def member_person(
    *, actor: User | None, unit: OrgUnit, name: str, id_type: str = "", id_number: str = ""
) -> Person:
    """The person a member is, from the one register: the one with this document if the clerk may
    see them, else a new entry in the household's village.

    A person without an ID document (an elderly person who lost their card) is registered with
    the name only: the register's checks apply to every number given, and a record without one is
    counted as 证件不明 wherever the register reports completeness. Another unit's person is never
    linked from here: the refusal is the same whatever the name, so the form cannot test names."""
    name = name.strip()
    if not name:
        raise refuse(_("请填写姓名"), code="invalid_person", field="name")
    number = id_number.strip()
    document = id_type or IdType.RESIDENT_ID
    found = person_find_by_document(id_type=document, id_number=number) if number else None
    if found is None:
        return person_register(
            actor=actor, data=PersonInput(name=name, home_unit=unit, id_type=document, id_number=number)
        ).person
    if actor is None or not unit_in_scope(actor, found.home_unit.path):
        raise refuse(
            _("该证件号码无法在本单位关联登记，请联系县（市、区）民政局办理"),
            code="person_out_of_reach",
            field="id_number",
        )
    if found.name != name:
        raise refuse(_("该证件号码已登记为另一姓名，请核对"), code="name_mismatch", field="name")
    return found


def _usable_member(person: Person) -> dict[str, list[str]]:
    if person.merged_into_id is not None:
        return {"person": [_("该人员记录已合并到另一条记录，请选择合并后的记录")]}
    if person.deceased_on is not None:
        return {"person": [_("该人员已登记死亡")]}
    return {}


@transaction.atomic
def household_register(*, actor: User | None, data: HouseholdInput) -> Household:
    """A household with its head, in a village or community of the caller's subtree (checked by
    the caller's access helper). Registering the head of another household is refused: a person
    belongs to one household at a time."""
    registered_on = data.registered_on or clock.today()
    if data.head is None:
        raise refuse(_("请填写户主"), code="invalid_household", field="head")
    # A reason belongs to 受疫情影响 only: one left selected with another standing is dropped, on
    # registration as on update (the database refuses it anyway).
    errors = {
        **_household_errors(data),
        **_usable_member(data.head),
        **_not_future(registered_on, "registered_on", _("登记日期")),
    }
    raise_all(errors, code="invalid_household")
    household = Household(
        unit=data.unit,
        area_type=data.area_type,
        standing=data.standing,
        affected_reason=data.affected_reason if data.standing == Standing.EPIDEMIC_AFFECTED else "",
        situation=data.situation.strip(),
        address=data.address.strip(),
        bank_name=data.bank_name.strip(),
        bank_account=data.bank_account.replace(" ", ""),
        registered_on=registered_on,
        registered_by=actor,
    )
    clean(household)
    with acting_as(actor):
        household.save()
        _member_save(household=household, person=data.head, relation=Relation.HEAD, joined_on=registered_on)
    return household


@transaction.atomic
def household_open(
    *,
    actor: User | None,
    data: HouseholdInput,
    head_name: str,
    head_id_type: str = "",
    head_id_number: str = "",
) -> Household:
    """Register a household whose head is named as typed (linked or registered by `member_person`),
    all or nothing: a refused household leaves no new person in the register."""
    data.head = member_person(
        actor=actor, unit=data.unit, name=head_name, id_type=head_id_type, id_number=head_id_number
    )
    return household_register(actor=actor, data=data)


@transaction.atomic
def household_update(
    *,
    actor: User | None,
    household: Household,
    area_type: str,
    standing: str,
    affected_reason: str = "",
    situation: str = "",
    address: str = "",
    bank_name: str | None = None,
    bank_account: str | None = None,
) -> Household:
    """Change a household's standing or details; the audit log keeps every earlier value. The
    bank details change only when given (None keeps them: a form that does not show them)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    data = HouseholdInput(
        unit=household.unit,
        area_type=area_type,
        standing=standing,
        affected_reason=affected_reason if standing == Standing.EPIDEMIC_AFFECTED else "",
        bank_name=household.bank_name if bank_name is None else bank_name,
        bank_account=household.bank_account if bank_account is None else bank_account,
    )
    raise_all(_household_errors(data), code="invalid_household")
    household.area_type = area_type
    household.standing = standing
    household.affected_reason = data.affected_reason
    household.situation = situation.strip()
    household.address = address.strip()
    household.bank_name = data.bank_name.strip()
    household.bank_account = data.bank_account.replace(" ", "")
    clean(household)
    with acting_as(actor):
        household.save()
    return household


def _member_save(
    *, household: Household, person: Person, relation: str, joined_on: dt.date
) -> HouseholdMember:
    member = HouseholdMember(household=household, person=person, relation=relation, joined_on=joined_on)
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).first()
    current = (
        HouseholdMember.objects.filter(person=person, left_on__isnull=True)
        .select_related("household__unit")
        .first()
    )
    if current is not None:
        message = _("%(name)s已是%(unit)s另一困难家庭的成员，须先从原家庭移出") % {
            "name": person.name,
            "unit": current.household.unit.name,
        }
        raise refuse(message, code="member_elsewhere", field="person", conflict=True)
    clean(member, validate_constraints=False)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as error:
        # The unique indexes decide a race between two clerks; either way the answer is the same.
        raise refuse(
            _("此人已是另一困难家庭的成员，或该户已有户主"),
            code="member_conflict",
            field="person",
            conflict=True,
        ) from error
    return member


@transaction.atomic
def member_add(
    *,
    actor: User | None,
    household: Household,
    person: Person,
    relation: str,
    joined_on: dt.date | None = None,
) -> HouseholdMember:
    joined_on = joined_on or clock.today()
    errors = {**_usable_member(person), **_not_future(joined_on, "joined_on", _("加入日期"))}
    if relation not in Relation.values:
        errors["relation"] = [_("未知的与户主关系")]
    elif (
        relation == Relation.HEAD
        and household.members.filter(left_on__isnull=True, relation=Relation.HEAD).exists()
    ):
        errors["relation"] = [_("该户已有户主；更换户主须先将原户主移出或改为其他关系")]
    raise_all(errors, code="invalid_member")
    with acting_as(actor):
        return _member_save(household=household, person=person, relation=relation, joined_on=joined_on)


@transaction.atomic
def member_join(
    *,
    actor: User | None,
    household: Household,
    name: str,
    relation: str,
    id_type: str = "",
    id_number: str = "",
    joined_on: dt.date | None = None,
) -> HouseholdMember:
    """Add a member named as typed (as `household_open` does for the head), all or nothing."""
    person = member_person(actor=actor, unit=household.unit, name=name, id_type=id_type, id_number=id_number)
    return member_add(actor=actor, household=household, person=person, relation=relation, joined_on=joined_on)


@transaction.atomic
def household_head_change(
    *, actor: User | None, member: HouseholdMember, former_head_relation: str
) -> HouseholdMember:
    """Make a current member the head (the head died, moved out, …); a former head still in the
    household takes `former_head_relation`. One transaction: never two heads, never none."""
    Household.objects.select_for_update().filter(pk=member.household_id).values_list("pk", flat=True).first()
    member = HouseholdMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise refuse(_("该成员已离开本户"), code="member_already_left", conflict=True)
    if member.relation == Relation.HEAD:
        raise refuse(_("该成员已是户主"), code="already_head", conflict=True)
    head = (
        HouseholdMember.objects.select_for_update()
        .filter(household_id=member.household_id, left_on__isnull=True, relation=Relation.HEAD)
        .first()
    )
    if head is not None and (
        former_head_relation not in Relation.values or former_head_relation == Relation.HEAD
    ):
        raise refuse(_("请选择原户主与新户主的关系"), code="invalid_member", field="former_head_relation")
    with acting_as(actor):
        if head is not None:
            head.relation = former_head_relation
            head.save(update_fields=["relation", "updated_at"])
        member.relation = Relation.HEAD
        member.save(update_fields=["relation", "updated_at"])
    return member


@transaction.atomic
def member_relation_change(*, actor: User | None, member: HouseholdMember, relation: str) -> HouseholdMember:
    """Correct a current member's relation to the head (配偶, 子女, …). The head itself changes
    only through `household_head_change`, so a household never has two heads or none."""
    member = HouseholdMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise refuse(_("该成员已离开本户"), code="member_already_left", conflict=True)
    if member.relation == Relation.HEAD:
        raise refuse(
            _("户主的关系不能直接修改：请先将另一成员设为户主"), code="member_is_head", conflict=True
        )
    if relation == Relation.HEAD:
        raise refuse(_("设为户主请使用“设为户主”"), code="invalid_member", field="relation")
    if relation not in Relation.values:
        raise refuse(_("请选择与户主关系"), code="invalid_member", field="relation")
    if relation == member.relation:
        return member
    member.relation = relation
    with acting_as(actor):
        member.save(update_fields=["relation", "updated_at"])
    return member


@transaction.atomic
def member_leave(
    *, actor: User | None, member: HouseholdMember, left_on: dt.date, reason: str
) -> HouseholdMember:
    """A member leaves (moved out, married, died, …): the row stays as the household's history."""
    member = HouseholdMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise refuse(
            _("该成员已于 %(day)s 离开") % {"day": member.left_on}, code="member_already_left", conflict=True
        )
    errors = _not_future(left_on, "left_on", _("离开日期"))
    if left_on < member.joined_on:
        errors["left_on"] = [_("离开日期不能早于加入日期（%(day)s）") % {"day": member.joined_on}]
    if not reason.strip():
        errors["left_reason"] = [_("请填写离开原因")]
    raise_all(errors, code="invalid_member")
    member.left_on = left_on
    member.left_reason = reason.strip()[:100]
    with acting_as(actor):
        member.save(update_fields=["left_on", "left_reason", "updated_at"])
    return member


def household_size(household: Household) -> int:
    return household.members.filter(left_on__isnull=True).count()


# --- Three-level responsibility (A1) -------------------------------------------------------------


def level_unit(household: Household, level: str) -> OrgUnit:
    """The household's county, township or village: its own village's ancestor at that level."""
    path = household.unit.path[: LEVEL_DEPTH[Level(level)] * OrgUnit.steplen]
    return OrgUnit.objects.get(path=path)


@transaction.atomic
def responsibility_assign(
    *,
    actor: User | None,
    household: Household,
    level: str,
    name: str,
    phone: str = "",
    user: User | None = None,
    assigned_on: dt.date | None = None,
) -> Responsibility:
    """Name the person who answers for the household at `level`; whoever held it until now is
    ended the same day (the history keeps both)."""
    assigned_on = assigned_on or clock.today()
    errors: dict[str, list[str]] = _not_future(assigned_on, "assigned_on", _("起始日期"))
    if level not in Level.values:
        errors["level"] = [_("层级只能是县级、乡级或村级")]
    name = name.strip() or (user.get_full_name() or user.username if user is not None else "")
    if not name:
        errors["name"] = [_("请填写包保责任人姓名")]
    number = ""
    if phone.strip():
        try:
            number = normalise_phone(phone)
        except InvalidPhone as error:
            errors["phone"] = [str(error)]
    raise_all(errors, code="invalid_responsibility")
    unit = level_unit(household, level)
    if user is not None and (user.unit is None or not user.unit.path.startswith(unit.path)):
        raise refuse(
            _("%(user)s不是%(unit)s的工作人员") % {"user": user, "unit": unit.name},
            code="responsible_outside_unit",
            field="user",
        )
    Household.objects.select_for_update().filter(pk=household.pk).values_list("pk", flat=True).first()
    current = Responsibility.objects.filter(household=household, level=level, ended_on__isnull=True).first()
    with acting_as(actor):
        if current is not None:
            if assigned_on < current.assigned_on:
                raise refuse(
                    _("起始日期不能早于现任责任人的起始日期（%(day)s）") % {"day": current.assigned_on},
                    code="invalid_responsibility",
                    field="assigned_on",
                )
            current.ended_on = assigned_on
            current.save(update_fields=["ended_on", "updated_at"])
        responsibility = Responsibility(
            household=household,
            level=level,
            unit=unit,
            user=user,
            name=name,
            phone=number,
            assigned_on=assigned_on,
            assigned_by=actor,
        )
        clean(responsibility, validate_constraints=False)
        responsibility.save()
    return responsibility


# --- Visits (A2) --------------------------------------------------------------------------------


@transaction.atomic
def visit_record(
    *,
    actor: User | None,
    household: Household,
    visited_on: dt.date,
    visitor: str,
    findings: str,
    needs: str = "",
) -> Visit:
    errors = _not_future(visited_on, "visited_on", _("走访日期"))
    if visited_on < household.registered_on:
        errors["visited_on"] = [
            _("走访日期不能早于家庭登记日期（%(day)s）") % {"day": household.registered_on}
        ]
    if not visitor.strip():
        errors["visitor"] = [_("请填写走访人")]
    if not findings.strip():
        errors["findings"] = [_("请填写走访情况")]
    raise_all(errors, code="invalid_visit")
    visit = Visit(
        household=household,
        visited_on=visited_on,
        visitor=visitor.strip(),
        findings=findings.strip(),
        needs=needs.strip(),
        recorded_by=actor,
    )
    clean(visit)
    with acting_as(actor):
        visit.save()
    return visit


def next_visit_due(household: Household, *, last_visit: dt.date | None, policy: AssistancePolicy) -> dt.date:
    """The day by which the household must have been visited again: the policy's interval for its
    standing after the last visit, or after its registration if never visited."""
    since = last_visit or household.registered_on
    return since + dt.timedelta(days=policy.visit_days(household.standing))


# --- Signals from other modules: 早发现 (A2) ----------------------------------------------------


def _open_follow_up(
    *, actor: User | None, person: Person, kind: str, happened_on: dt.date, detail: str
) -> None:
    household = selectors.household_of(person)
    if household is None:
        return
    with acting_as(actor):
        FollowUp.objects.get_or_create(
            household=household,
            person=person,
            kind=kind,
            happened_on=happened_on,
            defaults={"detail": detail[:200], "opened_at": clock.now()},
        )


def on_isolation(
    *,
    actor: User | None,
    person: Person,
    starts_on: dt.date,
    kind: str,
    kind_label: str,
    ended_on: dt.date | None,
) -> None:
    """A member of a household enters the isolation register: the county follows up (A2); a member
    of a 低保 or 特困 household isolated at home gets a care task (A9), unless the isolation is
    recorded after it ended."""
    _open_follow_up(
        actor=actor, person=person, kind=SignalKind.ISOLATION, happened_on=starts_on, detail=kind_label
    )
    household = selectors.household_of(person)
    if (
        household is None
        or household.standing not in SUPPORTED_STANDINGS
        or kind not in AT_HOME_ISOLATION
        or ended_on is not None
    ):
        return
    with acting_as(actor):
        CareTask.objects.get_or_create(
            person=person,
            starts_on=starts_on,
            defaults={"household": household, "isolation": kind_label, "opened_at": clock.now()},
        )


def on_isolation_end(*, actor: User | None, person: Person, starts_on: dt.date, ended_on: dt.date) -> None:
    """The register ends the isolation: its care task closes (A9)."""
    task = CareTask.objects.filter(person=person, starts_on=starts_on, closed_at__isnull=True).first()
    if task is None:
        return
    task.closed_at = clock.now()
    task.close_reason = _("%(day)s 解除隔离") % {"day": ended_on}
    with acting_as(actor):
        task.save(update_fields=["closed_at", "close_reason", "updated_at"])


@transaction.atomic
def care_delivery_record(
    *,
    actor: User | None,
    task: CareTask,
    delivered_on: dt.date,
    needs: list[str],
    items: str,
    delivered_by: str,
) -> CareDelivery:
    """What was brought to an isolated person (food, medicine, heating — it is winter)."""
    errors = _not_future(delivered_on, "delivered_on", _("送达日期"))
    if delivered_on < task.starts_on:
        errors["delivered_on"] = [_("送达日期不能早于隔离开始日期（%(day)s）") % {"day": task.starts_on}]
    unknown = [need for need in needs if need not in CareNeed.values]
    if not needs or unknown:
        errors["needs"] = [_("请选择需求类别")]
    if not items.strip():
        errors["items"] = [_("请填写送达物资或服务")]
    if not delivered_by.strip():
        errors["delivered_by"] = [_("请填写送达人")]
    raise_all(errors, code="invalid_care_delivery")
    delivery = CareDelivery(
        task=task,
        delivered_on=delivered_on,
        needs=sorted(set(needs)),
        items=items.strip(),
        delivered_by=delivered_by.strip(),
        recorded_by=actor,
    )
    clean(delivery)
    with acting_as(actor):
        delivery.save()
    return delivery


def follow_up_on_death(*, actor: User | None, person: Person, died_on: dt.date) -> None:
    """A member of a household dies: the county follows up (the household's size and what it is
    owed change). The member stays on the roll until the clerk records their leaving."""
    _open_follow_up(actor=actor, person=person, kind=SignalKind.DEATH, happened_on=died_on, detail="")


def follow_up_on_confirmed_case(*, actor: User | None, person: Person, confirmed_on: dt.date) -> None:
    """A member is reported a confirmed case: the county follows up, and a 低保, 特困 or 低收入
    household is owed temporary assistance (A6) — the follow-up says so."""
    household = selectors.household_of(person)
    owed = household is not None and household.standing in CONFIRMED_CASE_STANDINGS
    detail = _("按规定及时予以临时救助（确诊病例）") if owed else ""
    _open_follow_up(
        actor=actor, person=person, kind=SignalKind.CONFIRMED_CASE, happened_on=confirmed_on, detail=detail
    )


@transaction.atomic
def follow_up_close(*, actor: User | None, follow_up: FollowUp, outcome: str) -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.closed_at is not None:
        raise refuse(_("该事项已处理完成"), code="follow_up_closed", conflict=True)
    if not outcome.strip():
        raise refuse(_("请填写处理情况"), code="invalid_follow_up", field="outcome")
    follow_up.outcome = outcome.strip()[:300]
    follow_up.closed_at = clock.now()
    follow_up.closed_by = actor
    with acting_as(actor):
        follow_up.save(update_fields=["outcome", "closed_at", "closed_by", "updated_at"])
    return follow_up


# --- Standards (A8) -----------------------------------------------------------------------------


@dataclass
class StandardInput:
    county: OrgUnit
    area_type: str
    effective_from: dt.date
    dibao_standard: Decimal
    tekun_standard: Decimal
    minimum_wage: Decimal
    employment_cost_percent: int
    isolation_living_cost_percent: int
    document: str = ""


@transaction.atomic
def standard_create(*, actor: User | None, data: StandardInput) -> Standard:
    """A county's new standards from a date; earlier months keep the standards they had."""
    if data.county.kind != UnitKind.COUNTY:
        raise refuse(_("救助标准按县（市、区）制定"), code="invalid_standard", field="county")
    standard = Standard(
        county=data.county,
        area_type=data.area_type,
        effective_from=data.effective_from,
        dibao_standard=data.dibao_standard,
        tekun_standard=data.tekun_standard,
        minimum_wage=data.minimum_wage,
        employment_cost_percent=data.employment_cost_percent,
        isolation_living_cost_percent=data.isolation_living_cost_percent,
        document=data.document.strip(),
        recorded_by=actor,
    )
    clean(standard)
    with acting_as(actor):
        standard.save()
    return standard


# --- Income assessment (A4, A8) -----------------------------------------------------------------


@dataclass(frozen=True)
class IncomeLineInput:
    person: Person
    kind: str
    amount: Decimal
    back_at_work: bool = False
    isolation_days: int = 0


@dataclass(frozen=True)
class Step:
    """One line of the working: what it is, how it was reached, the figure."""

    label: str
    formula: str
    amount: Decimal

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "formula": self.formula, "amount": str(self.amount)}


@dataclass(frozen=True)
class Working:
    total_income: Decimal
    total_deductions: Decimal
    per_capita_income: Decimal
    dibao_amount: Decimal
    steps: list[Step]


def _money(value: Decimal) -> Decimal:
    return value.quantize(MONEY, rounding=ROUND_HALF_UP)


def assess(
    *,
    lines: list[IncomeLineInput],
    names: dict[int, str],
    household_size: int,
    standard: Standard,
    month: dt.date,
    rounding: str,
) -> Working:
    """The 低保 amount of A8, line by line.

    Income counts every member's income of the month. A member back at work (外出务工或返岗复工)
    deducts employment costs of the standard's percent of the minimum wage, at most their wage;
    a member isolated at home deducts living costs of the standard's percent of the 低保 standard
    for the days isolated, pro rata over the month, at most what is left of their income. The
    amount is (低保标准 − 人均收入) × 家庭人口, rounded as the policy says, and 0 when the per-capita
    income reaches the standard."""
    steps: list[Step] = []
    total_income = Decimal("0")
    total_deductions = Decimal("0")
    days_in_month = calendar.monthrange(month.year, month.month)[1]
    for line in lines:
        name = names.get(line.person.pk, str(line.person.pk))
        amount = _money(line.amount)
        total_income += amount
        steps.append(Step(f"{name} {IncomeKind(line.kind).label}", _("申报收入"), amount))
        left = amount
        if line.back_at_work and line.kind == IncomeKind.WAGE and standard.employment_cost_percent:
            cost = _money(standard.minimum_wage * standard.employment_cost_percent / 100)
            deducted = min(cost, left)
            left -= deducted
            total_deductions += deducted
            formula = _("最低工资标准 %(wage)s × %(percent)s%%，不超过该项收入") % {
                "wage": standard.minimum_wage,
                "percent": standard.employment_cost_percent,
            }
            steps.append(Step(f"{name} {_('扣减就业成本')}", formula, -deducted))
        if line.isolation_days and standard.isolation_living_cost_percent:
            cost = _money(
                standard.dibao_standard
                * standard.isolation_living_cost_percent
                / 100
                * min(line.isolation_days, days_in_month)
                / days_in_month
            )
            deducted = min(cost, left)
            left -= deducted
            total_deductions += deducted
            formula = _(
                "低保标准 %(standard)s × %(percent)s%% × 隔离 %(days)s 天 ÷ 当月 %(month_days)s 天"
            ) % {
                "standard": standard.dibao_standard,
                "percent": standard.isolation_living_cost_percent,
                "days": line.isolation_days,
                "month_days": days_in_month,
            }
            steps.append(Step(f"{name} {_('扣减居家隔离期间生活支出')}", formula, -deducted))
    counted = total_income - total_deductions
    steps.append(Step(_("家庭月收入"), _("各项收入合计 − 扣减合计"), counted))
    per_capita = _money(counted / household_size)
    steps.append(
        Step(_("人均月收入"), _("家庭月收入 ÷ 家庭人口 %(size)s 人") % {"size": household_size}, per_capita)
    )
    gap = standard.dibao_standard - per_capita
    if gap <= 0:
        amount = Decimal("0.00")
        formula = _("人均月收入不低于低保标准 %(standard)s，不予保障") % {"standard": standard.dibao_standard}
    else:
        quantum = ROUNDING_QUANTUM[Rounding(rounding)]
        amount = _money((gap * household_size).quantize(quantum, rounding=ROUND_HALF_UP))
        formula = _(
            "（低保标准 %(standard)s − 人均月收入 %(income)s）× 家庭人口 %(size)s 人，%(rounding)s"
        ) % {
            "standard": standard.dibao_standard,
            "income": per_capita,
            "size": household_size,
            "rounding": Rounding(rounding).label,
        }
    steps.append(Step(_("低保金（元/月）"), formula, amount))
    return Working(
        total_income=total_income,
        total_deductions=total_deductions,
        per_capita_income=per_capita,
        dibao_amount=amount,
        steps=steps,
    )


@transaction.atomic
def assessment_record(
    *,
    actor: User | None,
    household: Household,
    month: dt.date,
    lines: list[IncomeLineInput],
    note: str = "",
) -> IncomeAssessment:
    """Assess a household's income for `month` against its county's standard in force then, and
    keep the working with it. Lines may only name the household's members of that month."""
    month = month.replace(day=1)
    errors: dict[str, list[str]] = {}
    if month > clock.today():
        errors["month"] = [_("核算月份不能晚于本月")]
    county_path = household.unit.county_path() or ""
    standard = selectors.standard_in_force(
        county_path=county_path, area_type=household.area_type, month=month
    )
    if standard is None:
        errors["month"] = [
            _("%(month)s 尚无本县%(area)s救助标准，请先录入标准")
            % {"month": f"{month:%Y-%m}", "area": AreaType(household.area_type).label}
        ]
    month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    members = {
        m.person_id: m.person.name
        for m in household.members.filter(joined_on__lte=month_end)
        .exclude(left_on__lt=month)
        .select_related("person")
    }
    for index, line in enumerate(lines):
        if line.person.pk not in members:
            errors[f"lines.{index}.person"] = [
                _("%(name)s不是该户当月的家庭成员") % {"name": line.person.name}
            ]
        if line.kind not in IncomeKind.values:
            errors[f"lines.{index}.kind"] = [_("未知的收入类型")]
        if not Decimal("0") <= line.amount <= MAX_AMOUNT:
            errors[f"lines.{index}.amount"] = [_("收入金额须为 0 至 99999999.99 元")]
        if not 0 <= line.isolation_days <= 31:
            errors[f"lines.{index}.isolation_days"] = [_("隔离天数须为 0 至 31 天")]
    if not members:
        errors["household"] = [_("该户当月没有家庭成员")]
    raise_all(errors, code="invalid_assessment")
    assert standard is not None
    policy = current_policy(AssistancePolicy, month)
    working = assess(
        lines=lines,
        names=members,
        household_size=len(members),
        standard=standard,
        month=month,
        rounding=policy.amount_rounding,
    )
    assessment = IncomeAssessment(
        household=household,
        month=month,
        standard=standard,
        dibao_standard=standard.dibao_standard,
        minimum_wage=standard.minimum_wage,
        household_size=len(members),
        total_income=working.total_income,
        total_deductions=working.total_deductions,
        per_capita_income=working.per_capita_income,
        dibao_amount=working.dibao_amount,
        working=[step.as_dict() for step in working.steps],
        note=note.strip()[:200],
        assessed_at=clock.now(),
        assessed_by=actor,
    )
    clean(assessment)
    with acting_as(actor):
        assessment.save()
        # The lines never change after this; the audited assessment keeps them in its working.
        IncomeLine.objects.bulk_create(
            IncomeLine(
                assessment=assessment,
                person=line.person,
                kind=line.kind,
                amount=_money(line.amount),
                back_at_work=line.back_at_work,
                isolation_days=line.isolation_days,
            )
            for line in lines
        )
    return assessment


# --- Case-by-case review (A10) ----------------------------------------------------------------


@dataclass
class ReviewInput:
    hardship: str
    proposed_amount: Decimal
    met_on: dt.date
    participants: str
    decision: str
    approved_by: str
    approved_amount: Decimal = Decimal("0")
    reference: str = ""


@transaction.atomic
def review_record(*, actor: User | None, household: Household, data: ReviewInput) -> CaseByCaseReview:
    """Record a 一事一议: its deliberation and approval, audited like every write."""
    errors = _not_future(data.met_on, "met_on", _("议定日期"))
    if not data.hardship.strip():
        errors["hardship"] = [_("请填写重大生活困难情况")]
    if not Decimal("0") < data.proposed_amount <= MAX_AMOUNT:
        errors["proposed_amount"] = [_("提议救助金额须大于 0")]
    if data.decision == ReviewDecision.APPROVED and not Decimal("0") < data.approved_amount <= MAX_AMOUNT:
        errors["approved_amount"] = [_("同意的须填写议定救助金额")]
    raise_all(errors, code="invalid_review")
    review = CaseByCaseReview(
        household=household,
        hardship=data.hardship.strip(),
        proposed_amount=_money(data.proposed_amount),
        met_on=data.met_on,
        participants=data.participants.strip(),
        decision=data.decision,
        approved_amount=_money(data.approved_amount)
        if data.decision == ReviewDecision.APPROVED
        else Decimal("0"),
        approved_by=data.approved_by.strip(),
        reference=data.reference.strip(),
        recorded_by=actor,
    )
    clean(review)
    with acting_as(actor):
        review.save()
    return review


# --- Temporary assistance (A5, A6, A7) --------------------------------------------------------


@dataclass
class GrantInput:
    reason: str
    schedule: str
    amount: Decimal
    starts_on: dt.date
    is_advance: bool = False
    expected_months: int | None = None
    review: CaseByCaseReview | None = None
    inquiry: Inquiry | None = None
    note: str = ""


def _grant_errors(household: Household, data: GrantInput, policy: AssistancePolicy) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.reason not in AssistanceReason.values:
        errors["reason"] = [_("未知的救助事由")]
    if data.schedule not in Schedule.values:
        errors["schedule"] = [_("发放方式只能是一次性或按月")]
    if not Decimal("0") < data.amount <= MAX_AMOUNT:
        errors["amount"] = [_("救助金额须大于 0")]
    if data.starts_on.replace(day=1) > clock.today().replace(day=1):
        errors["starts_on"] = [_("起始月份不能晚于本月")]
    if data.reason == AssistanceReason.CONFIRMED_CASE and household.standing not in CONFIRMED_CASE_STANDINGS:
        errors["reason"] = [_("确诊病例的临时救助限于低保、特困和低收入家庭；其他家庭请选择其他事由")]
    if data.reason == AssistanceReason.LOST_WORK and not data.expected_months:
        errors["expected_months"] = [_("因疫情无法务工的，请填写困难预计持续月数")]
    if data.reason == AssistanceReason.UNCERTAIN and data.schedule != Schedule.MONTHLY:
        errors["schedule"] = [_("信息把握不准或要件不全的，按月予以临时性生活救助")]
    if data.inquiry is not None and data.inquiry.module != Module.ASSISTANCE:
        errors["inquiry"] = [_("该诉求不是救助热线受理的")]
    if data.review is not None:
        if data.review.household_id != household.pk:
            errors["review"] = [_("该一事一议不是本户的")]
        elif data.review.decision != ReviewDecision.APPROVED:
            errors["review"] = [_("该一事一议未获同意")]
        elif data.amount > data.review.approved_amount:
            errors["amount"] = [
                _("救助金额不能超过一事一议议定的 %(amount)s 元") % {"amount": data.review.approved_amount}
            ]
    elif data.amount > policy.temporary_assistance_cap:
        errors["amount"] = [
            _("救助金额超过常规上限 %(cap)s 元，须先经“一事一议”议定")
            % {"cap": policy.temporary_assistance_cap}
        ]
    return errors


@transaction.atomic
def temporary_assistance_grant(
    *, actor: User | None, household: Household, data: GrantInput
) -> TemporaryAssistance:
    """Grant 临时救助 by the rules of A5–A7 and A10 (see `_grant_errors`)."""
    policy = current_policy(AssistancePolicy)
    raise_all(_grant_errors(household, data, policy), code="invalid_temporary_assistance")
    grant = TemporaryAssistance(
        household=household,
        reason=data.reason,
        schedule=data.schedule,
        amount=_money(data.amount),
        starts_on=data.starts_on.replace(day=1),
        is_advance=data.is_advance,
        expected_months=data.expected_months,
        review=data.review,
        inquiry=data.inquiry,
        note=data.note.strip()[:200],
        granted_at=clock.now(),
        granted_by=actor,
    )
    clean(grant)
    with acting_as(actor):
        grant.save()
    return grant


@transaction.atomic
def temporary_assistance_documents_completed(
    *, actor: User | None, grant: TemporaryAssistance, completed_on: dt.date
) -> TemporaryAssistance:
    """先行救助: the documents are in; the grant leaves the waiting list."""
    grant = TemporaryAssistance.objects.select_for_update().get(pk=grant.pk)
    if not grant.is_advance:
        raise refuse(_("该临时救助不是先行救助"), code="not_advance", conflict=True)
    if grant.documents_completed_on is not None:
        raise refuse(
            _("要件已于 %(day)s 补齐") % {"day": grant.documents_completed_on},
            code="documents_done",
            conflict=True,
        )
    errors = _not_future(completed_on, "completed_on", _("要件补齐日期"))
    raise_all(errors, code="invalid_temporary_assistance")
    grant.documents_completed_on = completed_on
    with acting_as(actor):
        grant.save(update_fields=["documents_completed_on", "updated_at"])
    return grant


@transaction.atomic
def temporary_assistance_end(
    *, actor: User | None, grant: TemporaryAssistance, ended_on: dt.date, reason: str
) -> TemporaryAssistance:
    """Stop a monthly grant from the month of `ended_on` (resolved, moved to 低保, …)."""
    grant = TemporaryAssistance.objects.select_for_update().get(pk=grant.pk)
    month = ended_on.replace(day=1)
    if grant.schedule != Schedule.MONTHLY:
        raise refuse(_("一次性救助无需停发"), code="not_monthly", conflict=True)
    if grant.ended_on is not None:
        raise refuse(
            _("已于 %(month)s 停发") % {"month": f"{grant.ended_on:%Y-%m}"},
            code="already_ended",
            conflict=True,
        )
    errors: dict[str, list[str]] = {}
    if month <= grant.starts_on:
        errors["ended_on"] = [
            _("停发月份须晚于起始月份（%(month)s）") % {"month": f"{grant.starts_on:%Y-%m}"}
        ]
    if not reason.strip():
        errors["end_reason"] = [_("请填写停发原因")]
    raise_all(errors, code="invalid_temporary_assistance")
    grant.ended_on = month
    grant.end_reason = reason.strip()[:200]
    with acting_as(actor):
        grant.save(update_fields=["ended_on", "end_reason", "updated_at"])
    return grant


def _hardship_errors(grant: TemporaryAssistance, months: int) -> dict[str, list[str]]:
    """A7: only a lost-work grant whose hardship is expected to last the policy's months."""
    if grant.reason != AssistanceReason.LOST_WORK:
        return {"grant": [_("只有因疫情无法务工的临时救助可转入低保")]}
    if (grant.expected_months or 0) < months:
        return {
            "grant": [
                _("困难预计持续 %(expected)s 个月，不足 %(months)s 个月，不能纳入低保")
                % {"expected": grant.expected_months or 0, "months": months}
            ]
        }
    return {}


@transaction.atomic
def temporary_assistance_to_dibao(*, actor: User | None, grant: TemporaryAssistance) -> Application:
    """A7: a household unable to work because of the epidemic, whose hardship is expected to last
    at least the policy's months, applies for 低保 from its grant (a shorter hardship cannot); the
    application then takes its steps, and its approval ends the grant."""
    months = current_policy(AssistancePolicy).hardship_months_for_dibao
    errors = _hardship_errors(grant, months)
    if errors:
        raise refuse(errors["grant"][0], code="hardship_too_short", conflict=True)
    return application_submit(
        actor=actor,
        household=grant.household,
        data=ApplicationInput(
            standing=Standing.DIBAO,
            reason=_("因疫情无法务工，困难预计持续 %(months)s 个月") % {"months": grant.expected_months},
            applied_on=clock.today(),
            grant=grant,
        ),
    )


# --- Applications for 低保 and 特困 (A4, A7) -----------------------------------------------------


@dataclass
class ApplicationInput:
    standing: str
    reason: str
    applied_on: dt.date
    grant: TemporaryAssistance | None = None
    inquiry: Inquiry | None = None


@transaction.atomic
def application_submit(*, actor: User | None, household: Household, data: ApplicationInput) -> Application:
    """申请: the household applies for 低保 or 特困 (at the village, or from a hotline call)."""
    policy = current_policy(AssistancePolicy)
    errors = _not_future(data.applied_on, "applied_on", _("申请日期"))
    if data.standing not in SUPPORTED_STANDINGS:
        errors["standing"] = [_("只能申请低保或特困供养")]
    elif data.standing == household.standing:
        errors["standing"] = [
            _("该户已是%(standing)s家庭") % {"standing": Standing(household.standing).label}
        ]
    if not data.reason.strip():
        errors["reason"] = [_("请填写申请理由")]
    if data.applied_on < household.registered_on:
        errors["applied_on"] = [
            _("申请日期不能早于该户登记日期（%(day)s）") % {"day": household.registered_on}
        ]
    if data.grant is not None:
        if data.grant.household_id != household.pk:
            errors["grant"] = [_("该临时救助不是本户的")]
        elif data.standing != Standing.DIBAO:
            errors["grant"] = [_("由临时救助转入的只能申请低保")]
        else:
            errors.update(_hardship_errors(data.grant, policy.hardship_months_for_dibao))
    if data.inquiry is not None and data.inquiry.module != Module.ASSISTANCE:
        errors["inquiry"] = [_("该诉求不是救助热线受理的")]
    raise_all(errors, code="invalid_application")
    Household.objects.select_for_update().filter(pk=household.pk).values_list("pk", flat=True).first()
    if household.applications.filter(status__in=OPEN_APPLICATION).exists():
        raise refuse(_("该户已有正在办理的申请"), code="application_open", conflict=True)
    application = Application(
        household=household,
        standing=data.standing,
        reason=data.reason.strip()[:300],
        applied_on=data.applied_on,
        grant=data.grant,
        inquiry=data.inquiry,
        recorded_by=actor,
    )
    clean(application)
    with acting_as(actor):
        application.save()
    return application


def _application_at(application: Application, status: str) -> Application:
    """The application locked, at step `status`, or a refusal naming the step it is at."""
    locked = Application.objects.select_for_update().select_related("household__unit").get(pk=application.pk)
    if locked.status != status:
        raise refuse(
            _("该申请当前环节为“%(step)s”，不能办理此操作")
            % {"step": ApplicationStatus(locked.status).label},
            code="application_step",
            conflict=True,
        )
    return locked


def _step_day_errors(day: dt.date, previous: dt.date, field: str, label: str) -> dict[str, list[str]]:
    errors = _not_future(day, field, label)
    if day < previous:
        errors[field] = [_("%(label)s不能早于上一环节日期（%(day)s）") % {"label": label, "day": previous}]
    return errors


@transaction.atomic
def application_accept(*, actor: User | None, application: Application, accepted_on: dt.date) -> Application:
    """受理: the township accepts the application (within the policy's days, or it is late)."""
    application = _application_at(application, ApplicationStatus.APPLIED)
    errors = _step_day_errors(accepted_on, application.applied_on, "accepted_on", _("受理日期"))
    raise_all(errors, code="invalid_application")
    application.status = ApplicationStatus.ACCEPTED
    application.accepted_on = accepted_on
    with acting_as(actor):
        application.save(update_fields=["status", "accepted_on", "updated_at"])
    return application


@transaction.atomic
def application_investigate(
    *,
    actor: User | None,
    application: Application,
    investigated_on: dt.date,
    findings: str,
    assessment: IncomeAssessment | None = None,
) -> Application:
    """入户调查: what the visit found; an application for 低保 names the household's income
    assessment (核算), whose amount the decision rests on."""
    application = _application_at(application, ApplicationStatus.ACCEPTED)
    assert application.accepted_on is not None
    errors = _step_day_errors(investigated_on, application.accepted_on, "investigated_on", _("入户调查日期"))
    if not findings.strip():
        errors["findings"] = [_("请填写调查情况")]
    if assessment is not None and assessment.household_id != application.household_id:
        errors["assessment"] = [_("该核算不是本户的")]
    elif assessment is None and application.standing == Standing.DIBAO:
        errors["assessment"] = [_("申请低保须先对该户进行家庭收入核算")]
    raise_all(errors, code="invalid_application")
    application.status = ApplicationStatus.INVESTIGATED
    application.investigated_on = investigated_on
    application.findings = findings.strip()[:500]
    application.assessment = assessment
    with acting_as(actor):
        application.save(update_fields=["status", "investigated_on", "findings", "assessment", "updated_at"])
    return application


@transaction.atomic
def application_publicise(*, actor: User | None, application: Application, starts_on: dt.date) -> Application:
    """公示: the findings are posted in the village for the policy's days."""
    application = _application_at(application, ApplicationStatus.INVESTIGATED)
    assert application.investigated_on is not None
    errors = _step_day_errors(starts_on, application.investigated_on, "starts_on", _("公示开始日期"))
    raise_all(errors, code="invalid_application")
    days = current_policy(AssistancePolicy, starts_on).application_publicity_days
    application.status = ApplicationStatus.PUBLICISED
    application.publicised_from = starts_on
    application.publicised_until = starts_on + dt.timedelta(days=days - 1)
    with acting_as(actor):
        application.save(update_fields=["status", "publicised_from", "publicised_until", "updated_at"])
    return application


@transaction.atomic
def application_approve(
    *, actor: User | None, application: Application, decided_on: dt.date, objections: str = ""
) -> Application:
    """审批: after the publicity has run its full days, the county includes the household in 低保 or
    特困 — 低保 only when its assessment found an amount owed. A grant it came from ends next
    month."""
    application = _application_at(application, ApplicationStatus.PUBLICISED)
    assert application.publicised_until is not None
    errors = _not_future(decided_on, "decided_on", _("审批日期"))
    if decided_on <= application.publicised_until:
        errors["decided_on"] = [
            _("公示期至 %(day)s 结束，期满后方可审批") % {"day": application.publicised_until}
        ]
    assessment = application.assessment
    if application.standing == Standing.DIBAO and (assessment is None or assessment.dibao_amount <= 0):
        errors["assessment"] = [_("核算结果人均收入不低于低保标准，不能批准纳入低保")]
    raise_all(errors, code="invalid_application")
    application.status = ApplicationStatus.APPROVED
    application.decided_on = decided_on
    application.decided_by = actor
    application.objections = objections.strip()[:300]
    with acting_as(actor):
        application.save(update_fields=["status", "decided_on", "decided_by", "objections", "updated_at"])
    household = application.household
    grant = application.grant
    if grant is not None and grant.schedule == Schedule.MONTHLY and grant.ended_on is None:
        temporary_assistance_end(
            actor=actor,
            grant=grant,
            ended_on=max(_month_after(decided_on), _month_after(grant.starts_on)),
            reason=_("转入低保"),
        )
    household_update(
        actor=actor,
        household=household,
        area_type=household.area_type,
        standing=application.standing,
        situation=household.situation,
        address=household.address,
    )
    return application


@transaction.atomic
def application_refuse(
    *, actor: User | None, application: Application, decided_on: dt.date, reason: str
) -> Application:
    """Not accepted, not eligible after the visit, or refused by the county: at whatever step the
    application is, with the reason the family is told."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in OPEN_APPLICATION:
        raise refuse(
            _("该申请已办结（%(step)s）") % {"step": ApplicationStatus(application.status).label},
            code="application_closed",
            conflict=True,
        )
    errors = _step_day_errors(decided_on, application.applied_on, "decided_on", _("办结日期"))
    if not reason.strip():
        errors["reason"] = [_("请写明不予通过的理由")]
    raise_all(errors, code="invalid_application")
    application.refused_at = application.status
    application.status = ApplicationStatus.REFUSED
    application.refusal_reason = reason.strip()[:300]
    application.decided_on = decided_on
    application.decided_by = actor
    with acting_as(actor):
        application.save(
            update_fields=["status", "refused_at", "refusal_reason", "decided_on", "decided_by", "updated_at"]
        )
    return application


# --- The assistance hotline (A11) ----------------------------------------------------------------


@transaction.atomic
def hotline_call_receive(
    *,
    actor: User | None,
    unit: OrgUnit,
    summary: str,
    channel: str = Channel.HOTLINE,
    caller_name: str = "",
    caller_phone: str = "",
    received_at: dt.datetime | None = None,
    household: Household | None = None,
) -> Inquiry:
    """Log a call to the assistance hotline (or a walk-in, an online message) at `unit`, with the
    policy's hours to a first answer and to closure; a known household links its head."""
    policy = current_policy(AssistancePolicy)
    head = None
    if household is not None:
        head = (
            household.members.filter(left_on__isnull=True, relation=Relation.HEAD)
            .select_related("person")
            .first()
        )
    return inquiry_receive(
        actor=actor,
        module=Module.ASSISTANCE,
        unit=unit,
        channel=channel,
        summary=summary,
        answer_hours=policy.hotline_answer_hours,
        close_hours=policy.hotline_close_hours,
        received_at=received_at,
        caller_name=caller_name,
        caller_phone=caller_phone,
        person=head.person if head is not None else None,
    )


def hotline_call_answer(*, actor: User | None, inquiry: Inquiry, answer: str) -> Inquiry:
    """The first answer to a caller of the assistance hotline (the shared requests' rule)."""
    return inquiry_answer(actor=actor, inquiry=inquiry, answer=answer)


def hotline_call_close(*, actor: User | None, inquiry: Inquiry, outcome: str) -> Inquiry:
    return inquiry_close(actor=actor, inquiry=inquiry, outcome=outcome)


def hotline_call_assign(*, actor: User | None, inquiry: Inquiry, user: User) -> Inquiry:
    return inquiry_assign(actor=actor, inquiry=inquiry, user=user)


# --- Payments (A3) ----------------------------------------------------------------------------


def _month_after(day: dt.date) -> dt.date:
    """The first day of the month after `day`'s."""
    first = day.replace(day=1)
    return first + dt.timedelta(days=calendar.monthrange(first.year, first.month)[1])


def _month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@transaction.atomic
def roll_generate(*, actor: User | None, county: OrgUnit, month: dt.date) -> PaymentRoll:
    """The county's roll for `month` from the entitlements in force (`selectors.entitlements`):
    the latest assessment's 低保 amount, the 特困 standard per member, each temporary grant of
    the month. Running it again adds only what is missing: a roll per county and month, a row per
    household, kind and grant (unique), so two clerks at once cannot pay a household twice."""
    month = month.replace(day=1)
    if county.kind != UnitKind.COUNTY:
        raise refuse(_("发放花名册按县（市、区）生成"), code="invalid_roll", field="county")
    if month > clock.today().replace(day=1):
        raise refuse(_("不能生成以后月份的花名册"), code="invalid_roll", field="month")
    OrgUnit.objects.select_for_update().filter(pk=county.pk).values_list("pk", flat=True).first()
    roll = PaymentRoll.objects.filter(county=county, month=month).first()
    if roll is None:
        roll = PaymentRoll(county=county, month=month, generated_at=clock.now(), generated_by=actor)
        with acting_as(actor):
            roll.save()
    before = Payment.objects.filter(roll=roll).count()
    _insert_entitlements(roll)
    # The rows are derived from audited entitlements: one entry names the run, not 100,000.
    audit_record(
        actor=actor,
        obj=roll,
        action=LogEntry.Action.UPDATE,
        changes={"payments": [str(before), str(Payment.objects.filter(roll=roll).count())]},
        object_repr=str(roll),
    )
    return roll


# Written by hand, the one statement of this app that is: `bench/bench_roll.py` measured the ORM
# path — `selectors.entitlements` read into Python, then `bulk_create` — at 0.09 of this INSERT …
# SELECT's rows per second (20,000 households, SQLite, 2026-12-07; 1.90 s against 0.17 s), three
# quarters of it in compiling 180,000 values into the INSERT. The rules are those of
# `selectors.entitlements`, which a test holds equal to what this writes.
ENTITLEMENTS_INSERT = """
    INSERT INTO assistance_payment (roll_id, household_id, kind, grant_id, amount, status, paid_amount, bank_note)
    SELECT %(roll)s, id, %(dibao)s, 0, owed, %(pending)s, 0, '' FROM (
        SELECT h.id, (SELECT a.dibao_amount FROM assistance_incomeassessment a
                      WHERE a.household_id = h.id AND a.month <= %(month)s
                      ORDER BY a.month DESC, a.assessed_at DESC, a.id DESC LIMIT 1) AS owed
        FROM assistance_household h JOIN orgs_orgunit u ON u.id = h.unit_id
        WHERE u.path >= %(low)s AND u.path < %(high)s AND h.standing = %(dibao_standing)s
          AND h.registered_on <= %(end)s
          AND NOT EXISTS (SELECT 1 FROM assistance_payment p WHERE p.roll_id = %(roll)s
                          AND p.household_id = h.id AND p.kind = %(dibao)s AND p.grant_id = 0)
    ) d WHERE owed > 0
    UNION ALL
    SELECT %(roll)s, id, %(tekun)s, 0, CASE WHEN area_type = %(urban)s THEN CAST(%(urban_tekun)s AS DECIMAL)
                                           ELSE CAST(%(rural_tekun)s AS DECIMAL) END * people,
           %(pending)s, 0, '' FROM (
        SELECT h.id, h.area_type, (SELECT COUNT(*) FROM assistance_householdmember m
                                   WHERE m.household_id = h.id AND m.joined_on <= %(end)s
                                     AND (m.left_on IS NULL OR m.left_on > %(month)s)) AS people
        FROM assistance_household h JOIN orgs_orgunit u ON u.id = h.unit_id
        WHERE u.path >= %(low)s AND u.path < %(high)s AND h.standing IN (%(tekun_dispersed)s, %(tekun_centralised)s)
          AND h.registered_on <= %(end)s
          AND NOT EXISTS (SELECT 1 FROM assistance_payment p WHERE p.roll_id = %(roll)s
                          AND p.household_id = h.id AND p.kind = %(tekun)s AND p.grant_id = 0)
    ) t WHERE people > 0
        AND CASE WHEN area_type = %(urban)s THEN CAST(%(urban_tekun)s AS DECIMAL)
                 ELSE CAST(%(rural_tekun)s AS DECIMAL) END > 0
    UNION ALL
    SELECT %(roll)s, g.household_id, %(temporary)s, g.id, g.amount, %(pending)s, 0, ''
    FROM assistance_temporaryassistance g
    JOIN assistance_household h ON h.id = g.household_id JOIN orgs_orgunit u ON u.id = h.unit_id
    WHERE u.path >= %(low)s AND u.path < %(high)s
      AND ((g.schedule = %(once)s AND g.starts_on = %(month)s)
           OR (g.schedule = %(monthly)s AND g.starts_on <= %(month)s AND (g.ended_on IS NULL OR g.ended_on > %(month)s)))
      AND NOT EXISTS (SELECT 1 FROM assistance_payment p WHERE p.roll_id = %(roll)s
                      AND p.household_id = g.household_id AND p.kind = %(temporary)s AND p.grant_id = g.id)
"""


def _insert_entitlements(roll: PaymentRoll) -> None:
    """The roll's missing rows, by `ENTITLEMENTS_INSERT` (see there why by hand)."""
    month = roll.month
    low, high = subtree_bounds(roll.county.path)
    standards = {
        area: selectors.standard_in_force(county_path=roll.county.path, area_type=area, month=month)
        for area in AreaType.values
    }
    # No standard in force for an area: its 特困 households are owed nothing this month (0 skips
    # them). The SQL casts the figures: SQLite receives a Decimal as text, and text compares
    # greater than any number there ('0' > 0).
    tekun = {
        area: (standard.tekun_standard if standard else Decimal("0")) for area, standard in standards.items()
    }
    with connection.cursor() as cursor:
        cursor.execute(
            ENTITLEMENTS_INSERT,
            {
                "roll": roll.pk,
                "month": month,
                "end": _month_end(month),
                "low": low,
                "high": high or "~",  # "~" sorts after every path character (0-9, A-Z)
                "dibao": PaymentKind.DIBAO.value,
                "tekun": PaymentKind.TEKUN.value,
                "temporary": PaymentKind.TEMPORARY.value,
                "pending": PaymentStatus.PENDING.value,
                "dibao_standing": Standing.DIBAO.value,
                "tekun_dispersed": Standing.TEKUN_DISPERSED.value,
                "tekun_centralised": Standing.TEKUN_CENTRALISED.value,
                "urban": AreaType.URBAN.value,
                "urban_tekun": tekun[AreaType.URBAN],
                "rural_tekun": tekun[AreaType.RURAL],
                "once": Schedule.ONCE.value,
                "monthly": Schedule.MONTHLY.value,
            },
        )


RESULT_WORDS = {
    "成功": PaymentStatus.PAID,
    "已发放": PaymentStatus.PAID,
    "paid": PaymentStatus.PAID,
    "失败": PaymentStatus.FAILED,
    "failed": PaymentStatus.FAILED,
    "退回": PaymentStatus.RETURNED,
    "returned": PaymentStatus.RETURNED,
}


@dataclass(frozen=True)
class BankResult:
    row_number: int
    payment_id: str
    result: str
    paid_amount: str
    settled_on: dt.date | None
    note: str = ""


@dataclass
class Reconciliation:
    updated: int
    errors: list[tuple[int, str]]


@transaction.atomic
def roll_reconcile(*, actor: User | None, roll: PaymentRoll, results: list[BankResult]) -> Reconciliation:
    """Apply the bank's result file to the roll: each row names a payment of this roll (its 流水号),
    the result (成功/失败/退回) and the amount paid. Every bad row is reported with its row number
    and nothing is applied unless all rows are good (a half-applied bank file cannot be told
    from a whole one)."""
    payments = {str(p.pk): p for p in Payment.objects.select_for_update().filter(roll=roll)}
    errors: list[tuple[int, str]] = []
    changed: list[tuple[Payment, Payment, list[str]]] = []
    seen: set[str] = set()
    for row in results:
        payment = payments.get(row.payment_id.strip())
        status = RESULT_WORDS.get(row.result.strip().lower())
        if payment is None:
            errors.append((row.row_number, _("流水号 %(id)s 不在本花名册中") % {"id": row.payment_id}))
            continue
        if row.payment_id in seen:
            errors.append((row.row_number, _("流水号 %(id)s 重复") % {"id": row.payment_id}))
            continue
        seen.add(row.payment_id)
        if status is None:
            errors.append(
                (row.row_number, _("处理结果只能是成功、失败或退回：%(value)s") % {"value": row.result})
            )
            continue
        try:
            paid = Decimal(row.paid_amount.strip() or "0") if status == PaymentStatus.PAID else Decimal("0")
        except ArithmeticError:
            errors.append((row.row_number, _("实发金额不是数字：%(value)s") % {"value": row.paid_amount}))
            continue
        if status == PaymentStatus.PAID and not Decimal("0") < paid <= payment.amount:
            errors.append(
                (
                    row.row_number,
                    _("实发金额须大于 0 且不超过应发金额 %(amount)s") % {"amount": payment.amount},
                )
            )
            continue
        before = copy.copy(payment)
        payment.status = status
        payment.paid_amount = _money(paid)
        payment.settled_on = row.settled_on or clock.today()
        payment.bank_note = row.note.strip()[:200]
        changed.append((before, payment, ["status", "paid_amount", "settled_on", "bank_note"]))
    if errors:
        raise DomainError(
            _("银行反馈文件有 %(n)s 行有误，未导入任何一行") % {"n": len(errors)},
            code="invalid_bank_file",
            field_errors={f"row {number}": [message] for number, message in errors},
        )
    Payment.objects.bulk_update(
        [after for _before, after, _fields in changed],
        ["status", "paid_amount", "settled_on", "bank_note"],
        batch_size=5000,
    )
    audit_bulk(actor=actor, updated=changed)
    return Reconciliation(updated=len(changed), errors=[])


BANK_RESULT_HEADERS = ["流水号", "处理结果"]
BANK_RESULT_ALIASES = {
    "流水号": "流水号",
    "交易流水号": "流水号",
    "处理结果": "处理结果",
    "结果": "处理结果",
    "实发金额": "实发金额",
    "金额": "实发金额",
    "处理日期": "处理日期",
    "日期": "处理日期",
    "备注": "备注",
    "失败原因": "备注",
}


def _bank_date(text: str) -> dt.date | None:
    text = text.strip()[:10].replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def roll_reconcile_file(
    *, actor: User | None, roll: PaymentRoll, filename: str, data: bytes
) -> Reconciliation:
    """Read the bank's result file (xlsx or CSV, as the bank returns it: 流水号, 处理结果, 实发金额,
    处理日期, 备注) and apply it with `roll_reconcile` — every bad row reported, all or nothing."""
    table = read_table(
        filename, data, required_headers=BANK_RESULT_HEADERS, known_headers=BANK_RESULT_ALIASES
    )
    results = []
    bad_dates: list[tuple[int, str]] = []
    for number, row in table.numbered():
        settled = _bank_date(row.get("处理日期", ""))
        if row.get("处理日期", "").strip() and settled is None:
            bad_dates.append((number, _("处理日期无法识别：%(value)s") % {"value": row["处理日期"]}))
        results.append(
            BankResult(
                row_number=number,
                payment_id=row.get("流水号", ""),
                result=row.get("处理结果", ""),
                paid_amount=row.get("实发金额", ""),
                settled_on=settled,
                note=row.get("备注", ""),
            )
        )
    if bad_dates:
        raise DomainError(
            _("银行反馈文件有 %(n)s 行有误，未导入任何一行") % {"n": len(bad_dates)},
            code="invalid_bank_file",
            field_errors={f"row {number}": [message] for number, message in bad_dates},
        )
    return roll_reconcile(actor=actor, roll=roll, results=results)


def roll_bank_file_record(*, actor: User, roll: PaymentRoll, reason: str, remote_addr: str | None) -> None:
    """The bank's batch file carries account and ID numbers unmasked: its export is logged with
    its reason, as every unmasked export of personal data is."""
    unmasked_export_record(
        actor=actor,
        reason=reason,
        detail=f"发放花名册 {roll.county.name} {roll.month:%Y-%m}",
        remote_addr=remote_addr,
    )
