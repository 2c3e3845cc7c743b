"""Writes of the funerals app: one validation path for pages and API.

Every function is keyword-only and atomic; writes name their actor (`acting_as`). Every rule's
number comes from the policy. The order of the remains workflow and the stock on hand are held
by the database too (unique steps per case, stock >= 0), and each write takes the row it depends
on — the case with `select_for_update`, the stock row by a guarded UPDATE — so two clerks at once
cannot record a step twice or issue the same mask twice.
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
from shouhu.alerts import audience as audiences
from shouhu.alerts.models import Severity
from shouhu.alerts.services import alert_raise
from shouhu.campaigns.models import ServiceSuspension, ServiceType, SuspensionMode
from shouhu.campaigns.policy import current_policy
from shouhu.campaigns.selectors import service_availability
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.errors import ConflictError, DomainError
from shouhu.common.modules import Module
from shouhu.common.validation import clean, raise_all, refuse
from shouhu.funerals import selectors
from shouhu.funerals.models import (
    REMAINS_ORDER,
    CeremonySuspensionNotice,
    CeremonyType,
    FuneralCase,
    FuneralPolicy,
    MovementKind,
    PPEItem,
    PPEMovement,
    PPEStock,
    RemainsStep,
    RemainsStepRecord,
    step_sequence,
)
from shouhu.notifications.services import message_enqueue
from shouhu.orgs.models import InstitutionType, OrgUnit, UnitKind
from shouhu.people.idcard import InvalidPhone, normalise_phone
from shouhu.people.models import Person
from shouhu.people.services import PersonInput, person_find_by_document, person_record_death, person_register

MAX_QUANTITY = 1_000_000
PPE_LOW_STOCK = "funerals.ppe_low_stock"
CEREMONY_SUSPENDED = "funerals.ceremony_suspended"


def _require_funeral_home(home: OrgUnit) -> None:
    if home.kind != UnitKind.INSTITUTION or home.institution_type != InstitutionType.FUNERAL_HOME:
        raise refuse(
            _("“%(home)s”不是殡葬服务机构") % {"home": home.name}, code="not_a_funeral_home", field="home"
        )


# --- Funeral cases (F1) ------------------------------------------------------------------------


@dataclass
class CaseInput:
    died_on: dt.date
    contact_name: str
    contact_phone: str
    service_date: dt.date
    ceremony_type: str
    deceased: Person | None = None
    deceased_name: str = ""
    deceased_id_number: str = ""
    attendance: int = 0
    covid_remains: bool = False
    note: str = ""


def registered(home: OrgUnit, person: Person, name: str, actor: User | None) -> Person:
    """A person the register already holds, if the clerk may link them.

    The home reaches its own county's register and whatever the clerk may see. Beyond that the
    name is not compared: one neutral refusal whether or not it matches, so the form cannot be
    used to test names against another county's register (404 alike)."""
    if not selectors.person_in_reach(person, home=home, viewer=actor):
        raise refuse(
            _("该证件号码无法在本机构关联登记，请联系地区民政局办理"),
            code="person_out_of_reach",
            field="deceased_id_number",
        )
    if person.name != name:
        raise refuse(_("该身份证号码已登记为另一姓名，请核对"), code="name_mismatch", field="deceased_name")
    return person


def _deceased(home: OrgUnit, data: CaseInput, actor: User | None) -> Person:
    """The person from the register: the one chosen, the one with this ID number, or a new entry."""
    if data.deceased is not None:
        return data.deceased
    name = data.deceased_name.strip()
    number = data.deceased_id_number.strip()
    found = person_find_by_document(id_type="resident_id", id_number=number) if number else None
    if found is not None:
        return registered(home, found, name, actor)
    # Registered at the home: the register needs a unit, and the home is where the record was made.
    try:
        return person_register(
            actor=actor, data=PersonInput(name=name, home_unit=home, id_number=number)
        ).person
    except ConflictError as error:
        # Another clerk registered the same deceased a moment ago: answer as if we had seen it
        # (usually "已有治丧记录"), not with the register's bare "该证件号码已登记".
        found = person_find_by_document(id_type="resident_id", id_number=number) if number else None
        if error.code != "duplicate_person" or found is None:
            raise
        return registered(home, found, name, actor)


@transaction.atomic
def case_register(*, actor: User | None, home: OrgUnit, data: CaseInput) -> FuneralCase:
    """Register a funeral at a home, refusing what the campaign's policy forbids (F1)."""
    _require_funeral_home(home)
    # The rules in force on the day the ceremony is held, not the day it is booked: a farewell
    # booked before the campaign for a day inside it is still a farewell during the campaign.
    policy = current_policy(FuneralPolicy, data.service_date)
    today = clock.today()
    # A funeral is held within days of the death: the policy's span bounds both dates, so a typo
    # in the year (2002 for 2022, 9999) is refused instead of reaching the register.
    max_days = policy.max_days_after_death
    errors: dict[str, list[str]] = {}
    if data.deceased is None and not data.deceased_name.strip():
        errors["deceased_name"] = [_("请填写逝者姓名")]
    if data.died_on > today:
        errors["died_on"] = [_("死亡日期不能晚于今天")]
    if data.service_date < data.died_on:
        errors["service_date"] = [_("治丧日期不能早于死亡日期")]
    elif (data.service_date - today).days > max_days:
        errors["service_date"] = [_("治丧日期距今天不能超过 %(days)s 天，请核对") % {"days": max_days}]
    elif data.service_date < today - dt.timedelta(days=policy.late_entry_days):
        # A funeral held late at night is entered the next morning; anything older is not a new
        # case but a correction for the county bureau.
        errors["service_date"] = [
            _("治丧日期早于今天超过 %(days)s 天，不能作为新的治丧登记；如需补录请联系县级民政局")
            % {"days": policy.late_entry_days}
        ]
    elif (data.service_date - data.died_on).days > max_days and "died_on" not in errors:
        errors["died_on"] = [_("死亡日期早于治丧日期超过 %(days)s 天，请核对") % {"days": max_days}]
    if data.ceremony_type not in CeremonyType.values:
        errors["ceremony_type"] = [_("未知的仪式类型")]
    elif data.covid_remains and data.ceremony_type != CeremonyType.NONE:
        # First: for COVID-19 remains no ceremony at all is the answer, whatever was chosen.
        errors["ceremony_type"] = [_("新冠肺炎患者遗体须就近直接火化，不举办治丧仪式")]
    elif data.ceremony_type == CeremonyType.FAREWELL and not policy.farewell_ceremonies_allowed:
        errors["ceremony_type"] = [_("疫情防控期间不举办遗体告别仪式，请选择简办或直接火化")]
    if data.attendance < 0:
        errors["attendance"] = [_("参加人数不能为负数")]
    elif data.attendance > policy.attendance_limit:
        errors["attendance"] = [
            _("参加人数不能超过 %(limit)s 人（防控政策上限）") % {"limit": policy.attendance_limit}
        ]
    if not data.contact_name.strip():
        errors["contact_name"] = [_("请填写家属联系人")]
    phone = ""
    try:
        phone = normalise_phone(data.contact_phone)
    except InvalidPhone as error:
        errors["contact_phone"] = [str(error)]
    raise_all(errors, code="invalid_case")
    if data.ceremony_type != CeremonyType.NONE:
        availability = service_availability(
            service=ServiceType.FUNERAL_CEREMONY, unit=home, on=data.service_date
        )
        if not availability.is_open:
            raise refuse(availability.reason, code="service_suspended", field="service_date", conflict=True)
    person = _deceased(home, data, actor)
    if FuneralCase.objects.filter(deceased=person).exists():
        raise refuse(_("%(name)s已有治丧记录") % {"name": person.name}, code="duplicate_case", conflict=True)
    case = FuneralCase(
        home=home,
        deceased=person,
        died_on=data.died_on,
        contact_name=data.contact_name.strip(),
        contact_phone=phone,
        service_date=data.service_date,
        ceremony_type=data.ceremony_type,
        attendance=data.attendance,
        covid_remains=data.covid_remains,
        note=data.note.strip(),
        registered_at=clock.now(),
        registered_by=actor if actor is not None and actor.is_authenticated else None,
    )
    clean(case, validate_unique=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError as error:
            raise refuse(
                _("%(name)s已有治丧记录") % {"name": person.name}, code="duplicate_case", conflict=True
            ) from error
    if person.deceased_on is None:
        # The register learns of the death here; every module's handler ends what the person held.
        person_record_death(actor=actor, person=person, died_on=data.died_on)
    return case


# --- Remains of COVID-19 patients (F2) ---------------------------------------------------------


@dataclass
class PPEUse:
    item: str
    quantity: int


@dataclass
class StepInput:
    step: str
    done_at: dt.datetime
    staff: str
    protective_equipment: str
    vehicle: str = ""
    note: str = ""
    issues: list[PPEUse] = field(default_factory=list)


@transaction.atomic
def remains_step_record(*, actor: User | None, case: FuneralCase, data: StepInput) -> RemainsStepRecord:
    """Record the next step of the workflow; any other step is refused with the one that is due."""
    if data.step not in RemainsStep.values:
        raise refuse(_("未知的遗体处置环节"), code="invalid_step", field="step")
    locked = FuneralCase.objects.select_for_update().get(pk=case.pk)
    if not locked.covid_remains:
        raise refuse(_("只有新冠肺炎患者遗体需要按环节记录处置过程"), code="not_covid_case", conflict=True)
    stage = locked.remains_stage
    label = RemainsStep(data.step).label
    if stage >= len(REMAINS_ORDER):
        raise refuse(_("遗体处置四个环节均已完成"), code="workflow_done", field="step", conflict=True)
    due = RemainsStep(REMAINS_ORDER[stage])
    if step_sequence(data.step) <= stage:
        raise refuse(
            _("“%(step)s”环节已记录，不能重复记录") % {"step": label},
            code="step_repeated",
            field="step",
            conflict=True,
        )
    if data.step != due:
        raise refuse(
            _("须先完成“%(due)s”环节，不能跳过或提前记录“%(step)s”") % {"due": due.label, "step": label},
            code="step_out_of_order",
            field="step",
            conflict=True,
        )
    errors: dict[str, list[str]] = {}
    now = clock.now()
    if data.done_at > now:
        errors["done_at"] = [_("环节时间不能晚于当前时间")]
    elif locked.last_step_at is not None and data.done_at < locked.last_step_at:
        previous = locked.last_step_at.astimezone(clock.local_zone())
        errors["done_at"] = [
            _("环节时间不能早于上一环节的时间（%(time)s）") % {"time": f"{previous:%Y-%m-%d %H:%M}"}
        ]
    elif data.done_at.astimezone(clock.local_zone()).date() < locked.died_on:
        errors["done_at"] = [_("环节时间不能早于死亡日期")]
    if not data.staff.strip():
        errors["staff"] = [_("请填写执行人员")]
    if not data.protective_equipment.strip():
        errors["protective_equipment"] = [_("请填写使用的防护装备")]
    if data.step == RemainsStep.TRANSPORT and not data.vehicle.strip():
        errors["vehicle"] = [_("接运环节须填写车辆")]
    raise_all(errors, code="invalid_step")
    record = RemainsStepRecord(
        case=locked,
        step=data.step,
        sequence=step_sequence(data.step),
        done_at=data.done_at,
        staff=data.staff.strip(),
        vehicle=data.vehicle.strip(),
        protective_equipment=data.protective_equipment.strip(),
        note=data.note.strip(),
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    clean(record, validate_unique=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError as error:
            raise refuse(
                _("“%(step)s”环节已记录，不能重复记录") % {"step": label}, code="step_repeated", conflict=True
            ) from error
        locked.remains_stage = stage + 1
        locked.last_step_at = data.done_at
        locked.save(update_fields=["remains_stage", "last_step_at", "updated_at"])
    for use in data.issues:
        _issue(
            actor=actor,
            home=locked.home,
            item=use.item,
            quantity=use.quantity,
            issued_to=record.staff,
            step=record,
        )
    # Only once nothing more can refuse the step: a short stock rolls the step back, and the
    # caller's object must not show it as recorded.
    case.remains_stage, case.last_step_at = locked.remains_stage, locked.last_step_at
    return record


# --- Protective equipment (F3) -----------------------------------------------------------------


def _check_quantity(item: str, quantity: int) -> None:
    errors: dict[str, list[str]] = {}
    if item not in PPEItem.values:
        errors["item"] = [_("未知的防护物资")]
    if not 0 < quantity <= MAX_QUANTITY:
        errors["quantity"] = [_("数量须在 1–%(max)s 之间") % {"max": MAX_QUANTITY}]
    raise_all(errors, code="invalid_quantity")


@transaction.atomic
def ppe_receive(*, actor: User | None, home: OrgUnit, item: str, quantity: int, supplier: str) -> PPEMovement:
    _require_funeral_home(home)
    _check_quantity(item, quantity)
    if not supplier.strip():
        # F3 keeps receipts "with their source": where the stock came from is the point of the row.
        raise refuse(_("请填写物资来源（如上级调拨、采购、捐赠）"), code="invalid_receipt", field="supplier")
    PPEStock.objects.get_or_create(home=home, item=item)
    PPEStock.objects.filter(home=home, item=item).update(
        quantity=F("quantity") + quantity, updated_at=clock.now()
    )
    balance = PPEStock.objects.get(home=home, item=item).quantity
    movement = PPEMovement(
        home=home,
        item=item,
        kind=MovementKind.RECEIPT,
        quantity=quantity,
        balance_after=balance,
        supplier=supplier.strip(),
        happened_at=clock.now(),
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    clean(movement)
    with acting_as(actor):
        movement.save()
    return movement


def _issue(
    *,
    actor: User | None,
    home: OrgUnit,
    item: str,
    quantity: int,
    issued_to: str,
    step: RemainsStepRecord | None = None,
) -> PPEMovement:
    _check_quantity(item, quantity)
    if not issued_to.strip():
        raise refuse(_("请填写领用人"), code="invalid_issue", field="issued_to")
    # The guarded UPDATE is the check: of two concurrent issues only those the stock covers match.
    taken = PPEStock.objects.filter(home=home, item=item, quantity__gte=quantity).update(
        quantity=F("quantity") - quantity, updated_at=clock.now()
    )
    if not taken:
        on_hand = (
            PPEStock.objects.filter(home=home, item=item).values_list("quantity", flat=True).first() or 0
        )
        raise refuse(
            _("库存不足：%(item)s现有 %(on_hand)s，不能发放 %(quantity)s")
            % {"item": PPEItem(item).label, "on_hand": on_hand, "quantity": quantity},
            code="insufficient_stock",
            field="quantity",
            conflict=True,
        )
    balance = PPEStock.objects.get(home=home, item=item).quantity
    movement = PPEMovement(
        home=home,
        item=item,
        kind=MovementKind.ISSUE,
        quantity=quantity,
        balance_after=balance,
        issued_to=issued_to.strip(),
        step=step,
        happened_at=clock.now(),
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    clean(movement)
    with acting_as(actor):
        movement.save()
    threshold = current_policy(FuneralPolicy).ppe_low_stock_threshold
    if balance < threshold:
        low_stock_alert(home=home, item=item, quantity=balance, threshold=threshold, actor=actor)
    return movement


@transaction.atomic
def ppe_issue(*, actor: User | None, home: OrgUnit, item: str, quantity: int, issued_to: str) -> PPEMovement:
    """Issue equipment to a named member of staff; more than in stock is refused."""
    _require_funeral_home(home)
    return _issue(actor=actor, home=home, item=item, quantity=quantity, issued_to=issued_to)


def low_stock_audience(home: OrgUnit) -> list[audiences.Target]:
    """The home's own staff, and the county bureau above it when there is one."""
    targets: list[audiences.Target] = [audiences.institution_staff(home)]
    if home.county_path() is not None:
        # A home directly under the region has no county bureau: its own staff are told.
        with contextlib.suppress(DomainError):
            targets.append(audiences.county_bureau(home))
    return targets


def low_stock_key(home: OrgUnit, item: str) -> str:
    return f"{PPE_LOW_STOCK}:{home.pk}:{item}"


def low_stock_alert(
    *, home: OrgUnit, item: str, quantity: int, threshold: int, actor: User | None = None
) -> None:
    """Told at once when an issue takes the stock under the threshold; the reminder check resolves
    the alert after a receipt (same check name and key). Stored in Chinese, whoever's request."""
    with translation.override(settings.LANGUAGE_CODE):
        label = str(PPEItem(item).label)
    alert_raise(
        source=Module.FUNERALS,
        kind=PPE_LOW_STOCK,
        title=f"防护物资库存不足：{home.name} {label}",
        body=f"{home.name}{label}库存 {quantity}，低于预警数量 {threshold}，请及时补充。",
        unit=home,
        audience=low_stock_audience(home),
        severity=Severity.WARNING,
        dedupe_key=low_stock_key(home, item),
        link=reverse("funerals:ppe_home", kwargs={"funeral_home_id": home.pk}),
        actor=actor,
        check_name=PPE_LOW_STOCK,
    )


# --- Suspensions of funeral ceremonies (C4) ------------------------------------------------------


def _ceremony_suspended_text(case: FuneralCase, suspension: ServiceSuspension) -> str:
    """The family's text; sent as it is stored, in Chinese."""
    if suspension.mode == SuspensionMode.LIMITED:
        return (
            f"【治丧服务】因{suspension.reason}，{suspension.starts_on}至{suspension.ends_on}"
            f"{case.home.name}治丧仪式限流：{suspension.limit_note}。您家属{case.deceased.name}的治丧"
            f"（{case.service_date}）受影响，请按要求安排，如有疑问请联系{case.home.name}。"
        )
    return (
        f"【治丧服务】因{suspension.reason}，{suspension.starts_on}至{suspension.ends_on}"
        f"暂停举办治丧仪式。您家属{case.deceased.name}的治丧仪式（{case.service_date}，"
        f"{case.home.name}）不能如期举办，请联系{case.home.name}改期或改为直接火化。"
    )


@transaction.atomic
def ceremonies_notify(*, suspension: ServiceSuspension) -> int:
    """Tell the family of every ceremony inside a new suspension's (or limit's) window, and the
    home's staff, once per case and suspension (C4: "listed and notified").

    Runs after the suspension is committed (campaigns' suspension handler). Direct cremations hold
    no ceremony and are not affected."""
    if suspension.service != ServiceType.FUNERAL_CEREMONY or suspension.lifted_at is not None:
        return 0
    told = 0
    done = set(
        CeremonySuspensionNotice.objects.filter(suspension=suspension).values_list("case_id", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        for case in selectors.cases_in_suspension(suspension):
            if case.pk in done:
                continue
            CeremonySuspensionNotice.objects.create(case=case, suspension=suspension, notified_at=clock.now())
            message_enqueue(
                unit=case.home,
                phone=case.contact_phone,
                body=_ceremony_suspended_text(case, suspension),
                kind=CEREMONY_SUSPENDED,
            )
            what = "限流" if suspension.mode == SuspensionMode.LIMITED else "暂停"
            alert_raise(
                source=Module.FUNERALS,
                kind=CEREMONY_SUSPENDED,
                title=f"治丧仪式受{what}影响：{case.home.name} {case.deceased.name}",
                body=(
                    f"{suspension.unit.name}{suspension.starts_on}至{suspension.ends_on}{what}治丧仪式"
                    f"（{suspension.reason}），{case.deceased.name}的治丧（{case.service_date}）在此期间，"
                    "已短信告知家属，请与家属联系安排。"
                ),
                unit=case.home,
                audience=[audiences.institution_staff(case.home)],
                severity=Severity.WARNING,
                dedupe_key=f"{CEREMONY_SUSPENDED}:{suspension.pk}:{case.pk}",
                link=reverse("funerals:case_detail", kwargs={"funeral_case_id": case.pk}),
                target=case,
                actor=suspension.created_by,
            )
            told += 1
    return told
