"""Writes of the community app: one validation path for pages, API and imports.

Every function is keyword-only and atomic; writes name their actor (`acting_as`). The roster's
people come from the one person register (found by ID number, or registered in the village).
One open emergency state per village is held by the database; switching takes the village's
open state under a lock-free insert that the unique index refuses twice.
"""

import contextlib
import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.accounts.roles import Role
from shouhu.accounts.scope import unit_in_scope
from shouhu.alerts import audience as audiences
from shouhu.alerts.models import Severity
from shouhu.alerts.services import alert_raise
from shouhu.campaigns.models import CampaignPolicy, ServiceType
from shouhu.campaigns.policy import current_policy
from shouhu.campaigns.services import suspension_create, suspension_lift
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.errors import DomainError
from shouhu.common.modules import Module
from shouhu.common.validation import clean, raise_all, refuse
from shouhu.community import selectors
from shouhu.community.models import (
    Checkpoint,
    ClosurePlan,
    CommunityPolicy,
    Duty,
    DutyCheck,
    EmergencyState,
    FieldVisit,
    MovementKind,
    PlanPost,
    RosterMember,
    RosterRole,
    SupplyItem,
    SupplyMovement,
    SupplyStock,
)
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.idcard import InvalidPhone, normalise_phone
from shouhu.people.models import IdType, Person
from shouhu.people.services import PersonInput, person_find_by_document, person_register

MAX_QUANTITY = 1_000_000  # not a policy threshold: the largest quantity one movement may carry
EMERGENCY_STARTED = "community.emergency_started"
EMERGENCY_ENDED = "community.emergency_ended"
SUPPLY_LOW_STOCK = "community.supply_low_stock"


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _require_village(unit: OrgUnit) -> None:
    if unit.kind != UnitKind.VILLAGE:
        raise refuse(
            _("“%(unit)s”不是村（社区）") % {"unit": unit.name}, code="not_a_village", field="village"
        )


# --- Roster (G2) -------------------------------------------------------------------------------


def member_person(*, actor: User | None, village: OrgUnit, name: str, id_number: str = "") -> Person:
    """The person a roster member is, from the one register: the one with this ID number if the
    clerk may see them, else a new entry in the village. Another unit's person is never linked
    from here: the refusal is the same whatever the name, so the form cannot test names."""
    name = name.strip()
    if not name:
        raise refuse(_("请填写姓名"), code="invalid_person", field="name")
    number = id_number.strip()
    found = person_find_by_document(id_type=IdType.RESIDENT_ID, id_number=number) if number else None
    if found is None:
        return person_register(
            actor=actor, data=PersonInput(name=name, home_unit=village, id_number=number)
        ).person
    if actor is not None and not unit_in_scope(actor, found.home_unit.path):
        raise refuse(
            _("该证件号码无法在本单位关联登记，请联系县（市、区）民政局办理"),
            code="person_out_of_reach",
            field="id_number",
        )
    if found.name != name:
        raise refuse(_("该证件号码已登记为另一姓名，请核对"), code="name_mismatch", field="name")
    return found


@dataclass
class RosterInput:
    role: str
    phone: str
    name: str = ""
    id_number: str = ""
    person: Person | None = None
    title: str = ""
    estate: str = ""
    is_responsible: bool = False


@transaction.atomic
def roster_add(*, actor: User | None, village: OrgUnit, data: RosterInput) -> RosterMember:
    """Add a person to a village's prevention organisation in one role (G2)."""
    _require_village(village)
    errors: dict[str, list[str]] = {}
    if data.role not in RosterRole.values:
        errors["role"] = [_("未知的角色")]
    phone = ""
    if not data.phone.strip():
        errors["phone"] = [_("请填写联系电话")]
    else:
        try:
            phone = normalise_phone(data.phone)
        except InvalidPhone as error:
            errors["phone"] = [str(error)]
    if data.person is None and not data.name.strip():
        errors["name"] = [_("请填写姓名")]
    raise_all(errors, code="invalid_member")
    person = data.person or member_person(
        actor=actor, village=village, name=data.name, id_number=data.id_number
    )
    if person.deceased_on is not None:
        raise refuse(_("该人员已登记死亡"), code="person_deceased", field="name")
    if RosterMember.objects.filter(village=village, person=person, role=data.role).exists():
        raise refuse(
            _("%(name)s已在本村（社区）担任“%(role)s”")
            % {"name": person.name, "role": RosterRole(data.role).label},
            code="duplicate_member",
            conflict=True,
        )
    member = RosterMember(
        village=village,
        person=person,
        role=data.role,
        title=data.title.strip(),
        estate=data.estate.strip(),
        phone=phone,
        is_responsible=data.is_responsible,
        recorded_by=_user(actor),
    )
    clean(member, validate_unique=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError as error:
            raise refuse(
                _("此人已在本村（社区）担任该角色"), code="duplicate_member", conflict=True
            ) from error
    return member


@transaction.atomic
def roster_remove(*, actor: User | None, member: RosterMember) -> None:
    """Take a person off the roster; refused while they are named on a post or a checkpoint."""
    if member.posts.exists() or member.checkpoints.exists():
        raise refuse(
            _("%(name)s仍在方案岗位或卡口上，请先调整岗位和卡口人员") % {"name": member.person.name},
            code="member_on_duty",
            conflict=True,
        )
    with acting_as(actor):
        member.delete()


def _village_members(village: OrgUnit, members: list[RosterMember], *, field_name: str) -> None:
    if any(m.village_id != village.pk for m in members):
        raise refuse(_("只能选择本村（社区）防控组织的人员"), code="member_elsewhere", field=field_name)


# --- Checkpoints and the closure plan (G4/G6) -----------------------------------------------


@transaction.atomic
def checkpoint_add(
    *,
    actor: User | None,
    village: OrgUnit,
    name: str,
    hours: str,
    staff: list[RosterMember],
    estate: str = "",
    location: str = "",
) -> Checkpoint:
    _require_village(village)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("请填写卡口名称")]
    if not hours.strip():
        errors["hours"] = [_("请填写值守时段")]
    if not staff:
        errors["staff"] = [_("请选择值守人员")]
    raise_all(errors, code="invalid_checkpoint")
    _village_members(village, staff, field_name="staff")
    if Checkpoint.objects.filter(village=village, name=name.strip()).exists():
        raise refuse(_("本村（社区）已有同名卡口"), code="duplicate_checkpoint", field="name", conflict=True)
    checkpoint = Checkpoint(
        village=village,
        name=name.strip(),
        hours=hours.strip(),
        estate=estate.strip(),
        location=location.strip(),
    )
    clean(checkpoint, validate_unique=False)
    with acting_as(actor):
        checkpoint.save()
        checkpoint.staff.set(staff)
    return checkpoint


@transaction.atomic
def checkpoint_remove(*, actor: User | None, checkpoint: Checkpoint) -> None:
    with acting_as(actor):
        checkpoint.delete()


@transaction.atomic
def plan_save(*, actor: User | None, village: OrgUnit, organisation: str, note: str = "") -> ClosurePlan:
    """Write (or rewrite) the organisation of a village's closure plan."""
    _require_village(village)
    if not organisation.strip():
        raise refuse(_("请填写组织架构"), code="invalid_plan", field="organisation")
    plan = ClosurePlan.objects.select_for_update().filter(village=village).first() or ClosurePlan(
        village=village
    )
    plan.organisation = organisation.strip()
    plan.note = note.strip()
    clean(plan, validate_unique=False)
    with acting_as(actor):
        plan.save()
    return plan


@transaction.atomic
def post_add(
    *,
    actor: User | None,
    village: OrgUnit,
    duty: str,
    name: str,
    members: list[RosterMember],
    estate: str = "",
    tasks: str = "",
) -> PlanPost:
    """A post of the plan with its duty and the roster people named to it."""
    plan = ClosurePlan.objects.filter(village=village).first()
    if plan is None:
        raise refuse(_("请先填写封闭管理方案的组织架构"), code="no_plan", conflict=True)
    errors: dict[str, list[str]] = {}
    if duty not in Duty.values:
        errors["duty"] = [_("未知的职责")]
    if not name.strip():
        errors["name"] = [_("请填写岗位名称")]
    if not members:
        errors["members"] = [_("请选择上岗人员")]
    raise_all(errors, code="invalid_post")
    _village_members(village, members, field_name="members")
    if PlanPost.objects.filter(plan=plan, name=name.strip()).exists():
        raise refuse(_("方案中已有同名岗位"), code="duplicate_post", field="name", conflict=True)
    post = PlanPost(plan=plan, duty=duty, name=name.strip(), estate=estate.strip(), tasks=tasks.strip())
    clean(post, validate_unique=False)
    with acting_as(actor):
        post.save()
        post.members.set(members)
    return post


@transaction.atomic
def post_remove(*, actor: User | None, post: PlanPost) -> None:
    with acting_as(actor):
        post.delete()


# --- Emergency state (G6) ----------------------------------------------------------------------


def _emergency_audience(village: OrgUnit) -> list[audiences.Target]:
    """The village's own staff, its township's, and the county bureau."""
    targets: list[audiences.Target] = [audiences.unit_staff(village, roles=[Role.VILLAGE_STAFF])]
    township = selectors.township_of(village)
    if township is not None:
        targets.append(audiences.unit_staff(township, roles=[Role.TOWNSHIP_STAFF]))
    with contextlib.suppress(DomainError):
        targets.append(audiences.county_bureau(village))
    return targets


def _started_text(village: OrgUnit, state: EmergencyState, posts: int, people: int) -> str:
    return (
        f"{village.name}于 {state.started_at.astimezone(clock.local_zone()):%Y-%m-%d %H:%M} 进入应急状态"
        f"（{state.reason}），启动封闭管理方案：{posts} 个岗位、{people} 人上岗；"
        f"辖区服务机构暂停探视至 {state.suspension.ends_on if state.suspension else '另行通知'}。"
    )


@transaction.atomic
def emergency_start(*, actor: User, village: OrgUnit, reason: str) -> EmergencyState:
    """Switch a village into emergency state (G6): its closure plan's posts become today's duties,
    visits to the institutions within it are suspended (C4), the township and county are told."""
    _require_village(village)
    if not reason.strip():
        raise refuse(_("请填写启动原因"), code="invalid_state", field="reason")
    if selectors.open_state_of(village) is not None:
        raise refuse(_("该村（社区）已处于应急状态"), code="already_in_emergency", conflict=True)
    plan = selectors.plan_of(village)
    posts = selectors.posts_of(plan)
    if not posts:
        raise refuse(
            _("该村（社区）尚无封闭管理方案岗位，请先制定方案并安排岗位人员"), code="no_plan", conflict=True
        )
    now = clock.now()
    today = clock.today()
    state = EmergencyState(village=village, started_at=now, started_by=actor, reason=reason.strip())
    clean(state, validate_unique=False, validate_constraints=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                state.save()
        except IntegrityError as error:
            raise refuse(
                _("该村（社区）已处于应急状态"), code="already_in_emergency", conflict=True
            ) from error
    # Visits to the institutions within the village stop for as long as a suspension may last;
    # ending the state lifts it.
    longest = current_policy(CampaignPolicy, today).suspension_max_days
    state.suspension = suspension_create(
        actor=actor,
        unit=village,
        service=ServiceType.VISITS,
        starts_on=today,
        ends_on=today + dt.timedelta(days=longest - 1),
        reason=f"{village.name}进入应急状态：{state.reason}"[:200],
    )
    state.save(update_fields=["suspension", "updated_at"])
    people = {m.pk for post in posts for m in post.members.all()}
    with translation.override(settings.LANGUAGE_CODE):
        alert_raise(
            source=Module.COMMUNITY,
            kind=EMERGENCY_STARTED,
            title=f"{village.name}进入应急状态",
            body=_started_text(village, state, len(posts), len(people)),
            unit=village,
            audience=_emergency_audience(village),
            severity=Severity.URGENT,
            dedupe_key=f"{EMERGENCY_STARTED}:{state.pk}",
            link=reverse("community:village_home", kwargs={"village_id": village.pk}),
            target=state,
            actor=actor,
        )
    return state


@transaction.atomic
def emergency_end(*, actor: User, village: OrgUnit, reason: str) -> EmergencyState:
    """End a village's emergency state, recorded the same way; lifts the suspension it made."""
    if not reason.strip():
        raise refuse(_("请填写结束原因"), code="invalid_state", field="reason")
    state = (
        EmergencyState.objects.select_for_update(of=("self",))
        .filter(village=village, ended_at__isnull=True)
        .select_related("suspension")
        .first()
    )
    if state is None:
        raise refuse(_("该村（社区）未处于应急状态"), code="not_in_emergency", conflict=True)
    state.ended_at = clock.now()
    state.ended_by = actor
    state.end_reason = reason.strip()
    clean(state, validate_unique=False, validate_constraints=False)
    with acting_as(actor):
        state.save(update_fields=["ended_at", "ended_by", "end_reason", "updated_at"])
    if state.suspension is not None and state.suspension.lifted_at is None:
        suspension_lift(
            actor=actor, suspension=state.suspension, reason=f"应急状态结束：{state.end_reason}"[:200]
        )
    with translation.override(settings.LANGUAGE_CODE):
        alert_raise(
            source=Module.COMMUNITY,
            kind=EMERGENCY_ENDED,
            title=f"{village.name}结束应急状态",
            body=(
                f"{village.name}于 {state.ended_at.astimezone(clock.local_zone()):%Y-%m-%d %H:%M} 结束应急状态"
                f"（{state.end_reason}），辖区服务机构恢复探视。"
            ),
            unit=village,
            audience=_emergency_audience(village),
            severity=Severity.INFO,
            dedupe_key=f"{EMERGENCY_ENDED}:{state.pk}",
            link=reverse("community:village_home", kwargs={"village_id": village.pk}),
            target=state,
            actor=actor,
        )
    return state


@transaction.atomic
def duty_check(*, actor: User | None, village: OrgUnit, post: PlanPost, member: RosterMember) -> DutyCheck:
    """A person named to a post reports on duty today, during the village's emergency state."""
    state = selectors.open_state_of(village)
    if state is None:
        raise refuse(_("该村（社区）未处于应急状态"), code="not_in_emergency", conflict=True)
    if post.plan.village_id != village.pk or not post.members.filter(pk=member.pk).exists():
        raise refuse(_("此人未安排在该岗位"), code="not_on_post", field="member")
    today = clock.today()
    check = DutyCheck(
        state=state, post=post, member=member, on=today, checked_at=clock.now(), recorded_by=_user(actor)
    )
    with acting_as(actor):
        try:
            with transaction.atomic():
                check.save()
        except IntegrityError as error:
            raise refuse(_("今日已登记到岗"), code="already_checked", conflict=True) from error
    return check


# --- Supplies (G4/G6) ----------------------------------------------------------------------------


def _check_quantity(item: str, quantity: int) -> None:
    errors: dict[str, list[str]] = {}
    if item not in SupplyItem.values:
        errors["item"] = [_("未知的物资")]
    if not 0 < quantity <= MAX_QUANTITY:
        errors["quantity"] = [_("数量须在 1–%(max)s 之间") % {"max": MAX_QUANTITY}]
    raise_all(errors, code="invalid_quantity")


@transaction.atomic
def supply_receive(
    *, actor: User | None, village: OrgUnit, item: str, quantity: int, supplier: str
) -> SupplyMovement:
    _require_village(village)
    _check_quantity(item, quantity)
    if not supplier.strip():
        raise refuse(_("请填写物资来源（如上级调拨、采购、捐赠）"), code="invalid_receipt", field="supplier")
    SupplyStock.objects.get_or_create(village=village, item=item)
    SupplyStock.objects.filter(village=village, item=item).update(
        quantity=F("quantity") + quantity, updated_at=clock.now()
    )
    balance = SupplyStock.objects.get(village=village, item=item).quantity
    movement = SupplyMovement(
        village=village,
        item=item,
        kind=MovementKind.RECEIPT,
        quantity=quantity,
        balance_after=balance,
        supplier=supplier.strip(),
        happened_at=clock.now(),
        recorded_by=_user(actor),
    )
    clean(movement)
    with acting_as(actor):
        movement.save()
    return movement


@transaction.atomic
def supply_issue(
    *, actor: User | None, village: OrgUnit, item: str, quantity: int, issued_to: str
) -> SupplyMovement:
    """Issue supplies to a named person; more than in stock is refused (409)."""
    _require_village(village)
    _check_quantity(item, quantity)
    if not issued_to.strip():
        raise refuse(_("请填写领用人"), code="invalid_issue", field="issued_to")
    # The guarded UPDATE is the check: of two concurrent issues only those the stock covers match.
    taken = SupplyStock.objects.filter(village=village, item=item, quantity__gte=quantity).update(
        quantity=F("quantity") - quantity, updated_at=clock.now()
    )
    if not taken:
        on_hand = (
            SupplyStock.objects.filter(village=village, item=item).values_list("quantity", flat=True).first()
            or 0
        )
        raise refuse(
            _("库存不足：%(item)s现有 %(on_hand)s，不能发放 %(quantity)s")
            % {"item": SupplyItem(item).label, "on_hand": on_hand, "quantity": quantity},
            code="insufficient_stock",
            field="quantity",
            conflict=True,
        )
    balance = SupplyStock.objects.get(village=village, item=item).quantity
    movement = SupplyMovement(
        village=village,
        item=item,
        kind=MovementKind.ISSUE,
        quantity=quantity,
        balance_after=balance,
        issued_to=issued_to.strip(),
        happened_at=clock.now(),
        recorded_by=_user(actor),
    )
    clean(movement)
    with acting_as(actor):
        movement.save()
    threshold = current_policy(CommunityPolicy).supply_low_stock_threshold
    if balance < threshold:
        low_stock_alert(village=village, item=item, quantity=balance, threshold=threshold, actor=actor)
    return movement


def low_stock_audience(village: OrgUnit) -> list[audiences.Target]:
    targets: list[audiences.Target] = [audiences.unit_staff(village, roles=[Role.VILLAGE_STAFF])]
    township = selectors.township_of(village)
    if township is not None:
        targets.append(audiences.unit_staff(township, roles=[Role.TOWNSHIP_STAFF]))
    return targets


def low_stock_key(village: OrgUnit, item: str) -> str:
    return f"{SUPPLY_LOW_STOCK}:{village.pk}:{item}"


def low_stock_alert(
    *, village: OrgUnit, item: str, quantity: int, threshold: int, actor: User | None = None
) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        label = str(SupplyItem(item).label)
    alert_raise(
        source=Module.COMMUNITY,
        kind=SUPPLY_LOW_STOCK,
        title=f"应急物资库存不足：{village.name} {label}",
        body=f"{village.name}{label}库存 {quantity}，低于预警数量 {threshold}，请及时补充。",
        unit=village,
        audience=low_stock_audience(village),
        severity=Severity.WARNING,
        dedupe_key=low_stock_key(village, item),
        link=reverse("community:village_home", kwargs={"village_id": village.pk}),
        actor=actor,
        check_name=SUPPLY_LOW_STOCK,
    )


# --- Field visits (G1) -------------------------------------------------------------------------


@dataclass
class FindingInput:
    description: str
    assigned_to: str
    deadline: dt.date | None = None


@dataclass
class VisitInput:
    place: OrgUnit
    visited_on: dt.date
    staff: str
    checked: str
    notes: str = ""
    findings: list[FindingInput] = field(default_factory=list)


def _county_of(place: OrgUnit) -> OrgUnit:
    path = place.county_path()
    county = OrgUnit.objects.filter(path=path, kind=UnitKind.COUNTY).first() if path else None
    if county is None:
        raise refuse(_("检查地点须是县（市、区）内的乡镇或村（社区）"), code="invalid_place", field="place")
    return county


@transaction.atomic
def visit_record(*, actor: User | None, data: VisitInput) -> FieldVisit:
    """A county's field visit to a township or village, with the problems it found (G1)."""
    errors: dict[str, list[str]] = {}
    if data.place.kind not in (UnitKind.TOWNSHIP, UnitKind.VILLAGE):
        errors["place"] = [_("检查地点须是乡镇（街道）或村（社区）")]
    if data.visited_on > clock.today():
        errors["visited_on"] = [_("检查日期不能晚于今天")]
    if not data.staff.strip():
        errors["staff"] = [_("请填写检查人员")]
    if not data.checked.strip():
        errors["checked"] = [_("请填写检查内容")]
    raise_all(errors, code="invalid_visit")
    visit = FieldVisit(
        county=_county_of(data.place),
        place=data.place,
        visited_on=data.visited_on,
        staff=data.staff.strip(),
        checked=data.checked.strip(),
        notes=data.notes.strip(),
        recorded_by=_user(actor),
    )
    clean(visit)
    with acting_as(actor):
        visit.save()
    for finding in data.findings:
        visit_finding_add(actor=actor, visit=visit, data=finding)
    return visit


@transaction.atomic
def visit_finding_add(*, actor: User | None, visit: FieldVisit, data: FindingInput) -> object:
    """One problem the visit found, handed to the rectification app (passed to the local command
    or a department, with a deadline: the policy's days unless given)."""
    from shouhu.rectification.services import finding_record

    errors: dict[str, list[str]] = {}
    if not data.description.strip():
        errors["description"] = [_("请填写发现的问题")]
    if not data.assigned_to.strip():
        errors["assigned_to"] = [_("请填写整改责任方（如乡镇疫情防控指挥部、某部门）")]
    days = current_policy(CommunityPolicy, visit.visited_on).visit_finding_days
    deadline = data.deadline or visit.visited_on + dt.timedelta(days=days)
    if deadline < visit.visited_on:
        errors["deadline"] = [_("整改期限不能早于检查日期")]
    raise_all(errors, code="invalid_finding")
    return finding_record(
        actor=actor,
        module=Module.COMMUNITY,
        unit=visit.place,
        origin=visit,
        description=data.description.strip(),
        assigned_to=data.assigned_to.strip(),
        deadline=deadline,
        found_on=visit.visited_on,
        found_unit=visit.county,
    )
