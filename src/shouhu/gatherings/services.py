"""Writes of the gatherings app (G3): one validation path for pages, API and import.

Every function is keyword-only and atomic; writes name their actor (`acting_as`). Every number
comes from the policy (`GatheringsPolicy`). A write that depends on the gathering's state takes
its row with `select_for_update`, so a township approving while the village adds the thirtieth
participant cannot leave a recorded gathering of thirty without an application.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.validation import clean, raise_all, refuse
from shouhu.gatherings import selectors
from shouhu.gatherings.models import (
    LIVE_STATUSES,
    Gathering,
    GatheringKind,
    GatheringsPolicy,
    GatheringStatus,
    Participant,
    TestResult,
)
from shouhu.orgs.models import OrgUnit, UnitKind
from shouhu.people.idcard import (
    InvalidPhone,
    document_key,
    is_resident_id,
    normalise_id_number,
    normalise_phone,
)
from shouhu.people.masking import mask_id_number

MAX_HEADCOUNT = 100_000  # not a policy threshold: the largest number a form accepts as a headcount
_DOCUMENT = re.compile(r"^[0-9A-Z]{5,30}$")


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _locked(gathering: Gathering) -> Gathering:
    return Gathering.objects.select_for_update().select_related("unit").get(pk=gathering.pk)


# --- Gatherings ---------------------------------------------------------------------------------


@dataclass
class GatheringInput:
    kind: str
    title: str
    organiser_name: str
    organiser_phone: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    expected_headcount: int
    note: str = ""


@dataclass(frozen=True)
class Registered:
    gathering: Gathering
    needs_approval: bool

    @property
    def message(self) -> str:
        if self.needs_approval:
            return _("已受理申请：人数达到审批标准，须报乡镇政府批准后方可举办")
        return _("已登记备案：人数未达到审批标准，无需审批")


def _checked_input(
    data: GatheringInput, rules: GatheringsPolicy, *, now: dt.datetime
) -> tuple[dict[str, list[str]], str]:
    errors: dict[str, list[str]] = {}
    if data.kind not in GatheringKind.values:
        errors["kind"] = [_("未知的活动类型")]
    for name, label in (("title", _("活动名称")), ("organiser_name", _("举办人")), ("place", _("举办地点"))):
        if not str(getattr(data, name)).strip():
            errors[name] = [_("请填写%(label)s") % {"label": label}]
    phone = ""
    try:
        phone = normalise_phone(data.organiser_phone)
    except InvalidPhone as error:
        errors["organiser_phone"] = [str(error)]
    if not phone and "organiser_phone" not in errors:
        errors["organiser_phone"] = [_("请填写举办人联系电话")]
    if data.starts_at <= now:
        errors["starts_at"] = [_("开始时间须晚于现在")]
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = [_("结束时间须晚于开始时间")]
    if not 1 <= data.expected_headcount <= MAX_HEADCOUNT:
        errors["expected_headcount"] = [_("预计人数须在 1 至 %(max)s 之间") % {"max": MAX_HEADCOUNT}]
    return errors, phone


def _lead_refusal(starts_at: dt.datetime, rules: GatheringsPolicy, today: dt.date) -> str | None:
    """An application taken later than the policy's days before the day of the gathering."""
    day = starts_at.astimezone(clock.local_zone()).date()
    if (day - today).days < rules.application_lead_days:
        return _(
            "人数达到 %(limit)s 人的活动须至少提前 %(days)s 天申请（开始日期前 %(days)s 天受理），请改期或减少人数"
        ) % {"limit": rules.approval_headcount, "days": rules.application_lead_days}
    return None


def _require_village(village: OrgUnit) -> None:
    if village.kind != UnitKind.VILLAGE:
        raise refuse(
            _("“%(unit)s”不是村（社区），聚集性活动由村委会受理") % {"unit": village.name},
            code="not_a_village",
            field="village",
        )


@transaction.atomic
def gathering_register(
    *,
    actor: User | None,
    village: OrgUnit,
    data: GatheringInput,
    funeral_case: Any = None,
    marriage_booking: Any = None,
) -> Registered:
    """Take a gathering at the village committee (G3). At or above the policy's headcount it is an
    application for the township to decide, taken at least the policy's days ahead; below it, it
    is recorded only."""
    _require_village(village)
    rules = selectors.policy()
    now = clock.now()
    errors, phone = _checked_input(data, rules, now=now)
    needs = data.expected_headcount >= rules.approval_headcount
    if needs and "starts_at" not in errors:
        late = _lead_refusal(data.starts_at, rules, clock.today())
        if late:
            errors["starts_at"] = [late]
    raise_all(errors, code="invalid_gathering")
    gathering = Gathering(
        unit=village,
        kind=data.kind,
        title=data.title.strip(),
        organiser_name=data.organiser_name.strip(),
        organiser_phone=phone,
        place=data.place.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        expected_headcount=data.expected_headcount,
        status=GatheringStatus.APPLIED if needs else GatheringStatus.RECORDED,
        applied_at=now if needs else None,
        funeral_case=funeral_case,
        marriage_booking=marriage_booking,
        note=data.note.strip(),
        created_by=_actor(actor),
    )
    clean(gathering, validate_unique=False, validate_constraints=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                gathering.save()
        except IntegrityError as error:
            raise refuse(
                _("该治丧记录或婚姻登记预约已登记聚集性活动"), code="duplicate_link", conflict=True
            ) from error
    return Registered(gathering, needs)


@transaction.atomic
def gathering_from_funeral_case(
    *,
    actor: User | None,
    case: Any,
    village: OrgUnit,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    expected_headcount: int | None = None,
    title: str = "",
) -> Registered:
    """A funeral case's ceremony as a gathering of `village`, prefilled from the case: the family's
    contact as organiser, its attendance as the expected headcount. The caller has reached the case
    through the funerals app's own access check."""
    if Gathering.objects.filter(funeral_case=case, status__in=LIVE_STATUSES).exists():
        raise refuse(_("该治丧记录已登记聚集性活动"), code="duplicate_link", conflict=True)
    return gathering_register(
        actor=actor,
        village=village,
        data=GatheringInput(
            kind=GatheringKind.FUNERAL,
            title=title.strip() or _("%(name)s治丧") % {"name": case.deceased.name},
            organiser_name=case.contact_name,
            organiser_phone=case.contact_phone,
            place=place,
            starts_at=starts_at,
            ends_at=ends_at,
            expected_headcount=expected_headcount or case.attendance or 1,
        ),
        funeral_case=case,
    )


def _decidable(gathering: Gathering) -> None:
    if gathering.status != GatheringStatus.APPLIED:
        raise refuse(
            _("该活动当前状态为“%(status)s”，不在待审批状态") % {"status": gathering.get_status_display()},
            code="not_applied",
            conflict=True,
        )


@transaction.atomic
def gathering_approve(*, actor: User | None, gathering: Gathering, reason: str = "") -> Gathering:
    """The township approves an application, before the gathering starts."""
    gathering = _locked(gathering)
    _decidable(gathering)
    now = clock.now()
    if now >= gathering.starts_at:
        raise refuse(
            _("活动已于 %(at)s 开始，须在开始前批准；请不予批准并说明情况")
            % {"at": gathering.starts_at.astimezone(clock.local_zone()).strftime("%Y-%m-%d %H:%M")},
            code="too_late_to_approve",
            conflict=True,
        )
    gathering.status = GatheringStatus.APPROVED
    gathering.decided_at = now
    gathering.decided_by = _actor(actor)
    gathering.decision_reason = reason.strip()
    with acting_as(actor):
        gathering.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "updated_at"])
    return gathering


@transaction.atomic
def gathering_refuse(*, actor: User | None, gathering: Gathering, reason: str) -> Gathering:
    """The township refuses an application, with its reason."""
    if not reason.strip():
        raise refuse(_("不予批准须说明理由"), code="reason_required", field="reason")
    gathering = _locked(gathering)
    _decidable(gathering)
    gathering.status = GatheringStatus.REFUSED
    gathering.decided_at = clock.now()
    gathering.decided_by = _actor(actor)
    gathering.decision_reason = reason.strip()
    with acting_as(actor):
        gathering.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "updated_at"])
    return gathering


@transaction.atomic
def gathering_submit(*, actor: User | None, gathering: Gathering) -> Gathering:
    """A recorded gathering that now reaches the headcount (its list grew, or the policy's number was
    lowered) goes to the township as an application."""
    gathering = _locked(gathering)
    if gathering.status != GatheringStatus.RECORDED:
        raise refuse(_("只有已备案的活动可以转为申请"), code="not_recorded", conflict=True)
    gathering.status = GatheringStatus.APPLIED
    gathering.applied_at = clock.now()
    with acting_as(actor):
        gathering.save(update_fields=["status", "applied_at", "updated_at"])
    return gathering


@transaction.atomic
def gathering_cancel(*, actor: User | None, gathering: Gathering, reason: str = "") -> Gathering:
    gathering = _locked(gathering)
    if gathering.status not in LIVE_STATUSES:
        raise refuse(
            _("该活动当前状态为“%(status)s”，不能取消") % {"status": gathering.get_status_display()},
            code="not_live",
            conflict=True,
        )
    if clock.now() >= gathering.ends_at:
        raise refuse(_("活动已结束，不能取消"), code="ended", conflict=True)
    gathering.status = GatheringStatus.CANCELLED
    gathering.cancelled_at = clock.now()
    gathering.cancel_reason = reason.strip()
    with acting_as(actor):
        gathering.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    return gathering


# --- Participants ---------------------------------------------------------------------------------


@dataclass
class ParticipantInput:
    name: str
    id_number: str = ""
    phone: str = ""
    test_result: str = TestResult.NONE
    sampled_at: dt.datetime | None = None


@dataclass(frozen=True)
class ListChange:
    participant: Participant | None
    gathering: Gathering
    now_needs_approval: bool  # this change pushed a recorded gathering to the headcount

    @property
    def message(self) -> str:
        if self.now_needs_approval:
            return _("名单人数已达到 %(limit)s 人：本活动须经乡镇政府批准，已自动转为申请，请报乡镇审批") % {
                "limit": selectors.policy().approval_headcount
            }
        return ""


def _document(raw: str) -> tuple[str, str]:
    """The normalised number and its search key ("" for none); raises for a number that is not one."""
    number = normalise_id_number(raw)
    if not number:
        return "", ""
    if len(number) == 18 and number[:17].isdigit():
        if not is_resident_id(number):
            raise refuse(
                _("身份证号码“%(n)s”校验位不正确，请核对") % {"n": raw.strip()},
                code="invalid_id",
                field="id_number",
            )
    elif not _DOCUMENT.match(number):
        raise refuse(
            _("证件号码“%(n)s”格式不正确") % {"n": raw.strip()}, code="invalid_id", field="id_number"
        )
    return number, document_key(number)


def _participant_errors(data: ParticipantInput, gathering: Gathering) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("请填写姓名")]
    if data.test_result not in TestResult.values:
        errors["test_result"] = [_("检测结果应为阴性、阳性或未检测")]
    elif data.test_result == TestResult.NONE and data.sampled_at is not None:
        errors["sampled_at"] = [_("未检测则不填采样时间")]
    elif data.test_result != TestResult.NONE and data.sampled_at is None:
        errors["sampled_at"] = [_("有检测结果须填写采样时间")]
    elif data.sampled_at is not None and data.sampled_at > clock.now():
        errors["sampled_at"] = [_("采样时间不能晚于现在")]
    return errors


def _editable(gathering: Gathering) -> None:
    if gathering.status not in LIVE_STATUSES:
        raise refuse(
            _("该活动当前状态为“%(status)s”，名单不能再修改") % {"status": gathering.get_status_display()},
            code="not_live",
            conflict=True,
        )
    if clock.now() >= gathering.ends_at:
        raise refuse(_("活动已结束，名单不能再修改"), code="ended", conflict=True)


def _recount(gathering: Gathering, actor: User | None) -> bool:
    """Write the list's size on the (locked) gathering; a recorded gathering the list pushes to the
    headcount becomes an application. Whether it did."""
    gathering.participant_count = Participant.objects.filter(gathering=gathering).count()
    fields = ["participant_count", "updated_at"]
    pushed = False
    if gathering.status == GatheringStatus.RECORDED and selectors.needs_approval(
        gathering, selectors.policy()
    ):
        gathering.status = GatheringStatus.APPLIED
        gathering.applied_at = clock.now()
        fields += ["status", "applied_at"]
        pushed = True
    with acting_as(actor):
        gathering.save(update_fields=fields)
    return pushed


def _fill(participant: Participant, data: ParticipantInput) -> None:
    number, index = _document(data.id_number)
    phone = ""
    if data.phone.strip():
        try:
            phone = normalise_phone(data.phone)
        except InvalidPhone as error:
            raise refuse(str(error), code="invalid_phone", field="phone") from error
    participant.name = data.name.strip()
    participant.id_number = number
    participant.id_index = index
    participant.id_masked = mask_id_number(number)
    participant.phone = phone
    participant.test_result = data.test_result
    participant.sampled_at = data.sampled_at if data.test_result != TestResult.NONE else None


def _save_participant(participant: Participant, actor: User | None) -> None:
    clean(participant, exclude=["gathering"], validate_unique=False, validate_constraints=False)
    with acting_as(actor):
        try:
            with transaction.atomic():
                participant.save()
        except IntegrityError as error:
            raise refuse(
                _("该证件号码已在名单中"), code="duplicate_participant", field="id_number", conflict=True
            ) from error


@transaction.atomic
def participant_add(*, actor: User | None, gathering: Gathering, data: ParticipantInput) -> ListChange:
    gathering = _locked(gathering)
    _editable(gathering)
    raise_all(_participant_errors(data, gathering), code="invalid_participant")
    participant = Participant(gathering=gathering)
    _fill(participant, data)
    _save_participant(participant, actor)
    pushed = _recount(gathering, actor)
    return ListChange(participant, gathering, pushed)


@transaction.atomic
def participant_update(*, actor: User | None, participant: Participant, data: ParticipantInput) -> ListChange:
    gathering = _locked(participant.gathering)
    _editable(gathering)
    raise_all(_participant_errors(data, gathering), code="invalid_participant")
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    _fill(participant, data)
    _save_participant(participant, actor)
    return ListChange(participant, gathering, False)


@transaction.atomic
def participant_remove(*, actor: User | None, participant: Participant) -> ListChange:
    gathering = _locked(participant.gathering)
    _editable(gathering)
    with acting_as(actor):
        Participant.objects.filter(pk=participant.pk).delete()
    _recount(gathering, actor)
    return ListChange(None, gathering, False)


@transaction.atomic
def participant_upsert(*, actor: User | None, gathering: Gathering, data: ParticipantInput) -> str:
    """The import's write: a row naming an ID number already on the list updates that participant
    (a list imported again after the tests), any other row adds one. Answers "created", "updated"
    or "unchanged"."""
    _number, index = _document(data.id_number)
    existing = Participant.objects.filter(gathering=gathering, id_index=index).first() if index else None
    if existing is None:
        participant_add(actor=actor, gathering=gathering, data=data)
        return "created"
    sampled = data.sampled_at if data.test_result != TestResult.NONE else None
    same = (
        existing.name == data.name.strip()
        and existing.test_result == data.test_result
        and existing.sampled_at == sampled
        and (not data.phone.strip() or existing.phone == normalise_phone(data.phone))
    )
    if same:
        return "unchanged"
    participant_update(actor=actor, participant=existing, data=data)
    return "updated"
