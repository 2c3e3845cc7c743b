"""Writes of training sessions and their attendance, for every module (G5, R5).

A session is recorded by its organising unit or a unit above it, for one module; its audience
says who it was for, and each attendee is listed once, in one of those roles. Attendees are
people of the register under the organising unit: a township lists its villages' workers, a
rescue station its own staff.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.common import bounds, clock
from shouhu.common.audit import acting_as
from shouhu.common.modules import Module
from shouhu.common.validation import clean, raise_all, refuse
from shouhu.orgs.models import OrgUnit
from shouhu.people.models import Person
from shouhu.training.models import MAX_HOURS, Attendance, Audience, TrainingSession

HOURS_STEP = Decimal("0.1")  # the column's one decimal


def _audience(values: Iterable[str], errors: dict[str, list[str]]) -> list[str]:
    """The audience as stored: known values, each once, in the choices' order."""
    if isinstance(values, str):
        values = [values]
    given = {str(value) for value in values}
    unknown = given - set(Audience.values)
    if unknown:
        errors.setdefault("audience", []).append(
            _("未知的培训对象：%(values)s") % {"values": "、".join(sorted(unknown))}
        )
    if not given:
        errors.setdefault("audience", []).append(_("请至少选择一类培训对象"))
    return [value for value in Audience.values if value in given]


def _hours(value: object, errors: dict[str, list[str]]) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        hours = Decimal("NaN")
    if not hours.is_finite() or not 0 < hours <= MAX_HOURS or hours != hours.quantize(HOURS_STEP):
        errors["hours"] = [_("培训时长应为 0–24 小时之间的数，最多一位小数，如 1.5")]
        return Decimal("0")
    return hours


def _check_day(held_on: dt.date, errors: dict[str, list[str]]) -> None:
    if not bounds.day_in_bounds(held_on):
        errors["held_on"] = [_("培训日期超出可登记的范围")]
    elif held_on > clock.today():
        errors["held_on"] = [_("培训日期不能晚于今天：培训结束后再登记")]


def _may_record_for(actor: User | None, unit: OrgUnit) -> bool:
    """The actor's unit is the organiser or above it; None is the system (demo, migrations)."""
    if actor is None:
        return True
    own = actor.unit if actor.unit_id else None
    return own is not None and unit.path.startswith(own.path)


@transaction.atomic
def session_record(
    *,
    actor: User | None,
    module: str,
    unit: OrgUnit,
    held_on: dt.date,
    topic: str,
    audience: Iterable[str],
    trainer: str,
    hours: Decimal | str | int,
    place: str = "",
) -> TrainingSession:
    """Record a session held by `unit` for `module`."""
    errors: dict[str, list[str]] = {}
    if module not in Module.values:
        errors["module"] = [_("未知的任务")]
    if not _may_record_for(actor, unit):
        errors["unit"] = [_("只能登记本单位或下级单位组织的培训")]
    _check_day(held_on, errors)
    if not topic.strip():
        errors["topic"] = [_("请填写培训内容")]
    if not trainer.strip():
        errors["trainer"] = [_("请填写授课人")]
    session_audience = _audience(audience, errors)
    session_hours = _hours(hours, errors)
    raise_all(errors, code="invalid_training")
    session = TrainingSession(
        module=module,
        unit=unit,
        held_on=held_on,
        topic=topic.strip(),
        audience=session_audience,
        trainer=trainer.strip(),
        place=place.strip(),
        hours=session_hours,
        recorded_by=actor,
    )
    clean(session)
    with acting_as(actor):
        session.save()
    return session


@transaction.atomic
def session_update(
    *,
    actor: User | None,
    session: TrainingSession,
    held_on: dt.date,
    topic: str,
    audience: Iterable[str],
    trainer: str,
    hours: Decimal | str | int,
    place: str = "",
) -> TrainingSession:
    """Correct a session's details; its module and organising unit stay. An audience that drops
    a role some attendee holds is refused: remove or change those attendees first."""
    session = TrainingSession.objects.select_for_update().select_related("unit").get(pk=session.pk)
    if not _may_record_for(actor, session.unit):
        raise refuse(_("只有组织单位（或其上级）可以修改该培训"), code="not_organiser", field="unit")
    errors: dict[str, list[str]] = {}
    _check_day(held_on, errors)
    if not topic.strip():
        errors["topic"] = [_("请填写培训内容")]
    if not trainer.strip():
        errors["trainer"] = [_("请填写授课人")]
    session_audience = _audience(audience, errors)
    session_hours = _hours(hours, errors)
    raise_all(errors, code="invalid_training")
    held_roles = set(session.attendances.values_list("role", flat=True).distinct())
    dropped = held_roles - set(session_audience)
    if dropped:
        labels = "、".join(str(Audience(role).label) for role in Audience.values if role in dropped)
        raise refuse(
            _("已有以“%(roles)s”身份参训的人员，不能从培训对象中去掉") % {"roles": labels},
            code="audience_in_use",
            field="audience",
            conflict=True,
        )
    session.held_on = held_on
    session.topic = topic.strip()
    session.audience = session_audience
    session.trainer = trainer.strip()
    session.place = place.strip()
    session.hours = session_hours
    clean(session)
    with acting_as(actor):
        session.save(
            update_fields=["held_on", "topic", "audience", "trainer", "place", "hours", "updated_at"]
        )
    return session


@transaction.atomic
def attendance_add(*, actor: User | None, session: TrainingSession, person: Person, role: str) -> Attendance:
    """List `person` as having attended `session` in `role` (one of the session's audience)."""
    if not _may_record_for(actor, session.unit):
        raise refuse(_("只有组织单位（或其上级）可以登记参训人员"), code="not_organiser", field="person")
    if role not in Audience.values:
        raise refuse(_("未知的参训身份"), code="invalid_attendance", field="role")
    if role not in session.audience:
        raise refuse(
            _("本次培训的对象不含“%(role)s”：请选择%(allowed)s")
            % {"role": Audience(role).label, "allowed": "、".join(session.audience_labels)},
            code="role_not_in_audience",
            field="role",
        )
    if person.merged_into_id is not None or not person.home_unit.path.startswith(session.unit.path):
        raise refuse(
            _("只能登记组织单位及其下级单位登记在册的人员"), code="person_outside_unit", field="person"
        )
    if Attendance.objects.filter(session=session, person=person).exists():
        raise refuse(
            _("%(name)s 已在本次培训的参训名单中") % {"name": person.name},
            code="already_attended",
            field="person",
            conflict=True,
        )
    attendance = Attendance(session=session, person=person, role=role, recorded_by=actor)
    # The checks above are the constraints'; a second clerk adding the same person meanwhile
    # meets the unique constraint itself.
    clean(attendance, validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic(), acting_as(actor):
            attendance.save()
    except IntegrityError as error:
        raise refuse(
            _("%(name)s 已在本次培训的参训名单中") % {"name": person.name},
            code="already_attended",
            field="person",
            conflict=True,
        ) from error
    return attendance


@transaction.atomic
def attendance_remove(*, actor: User | None, attendance: Attendance) -> None:
    """Take a person off a session's list (listed by mistake)."""
    if not _may_record_for(actor, attendance.session.unit):
        raise refuse(_("只有组织单位（或其上级）可以修改参训名单"), code="not_organiser", field="person")
    with acting_as(actor):
        attendance.delete()
