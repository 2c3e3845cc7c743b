"""Writes of requests from the public: received, assigned, answered, closed — each once, in that
order, by the module that handles them (which passes its policy's hours)."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from shouhu.accounts.models import User
from shouhu.common import clock
from shouhu.common.audit import acting_as
from shouhu.common.modules import Module
from shouhu.common.validation import clean, raise_all, refuse
from shouhu.inquiries.models import Channel, Inquiry
from shouhu.orgs.models import OrgUnit
from shouhu.people.idcard import InvalidPhone, normalise_phone
from shouhu.people.models import Person

MAX_HOURS = 24 * 366


@transaction.atomic
def inquiry_receive(
    *,
    actor: User | None,
    module: str,
    unit: OrgUnit,
    channel: str,
    summary: str,
    answer_hours: int,
    close_hours: int,
    received_at: dt.datetime | None = None,
    caller_name: str = "",
    caller_phone: str = "",
    person: Person | None = None,
) -> Inquiry:
    """Log a request as received, with its deadlines: the module's policy hours from receipt."""
    now = clock.now()
    received_at = received_at or now
    errors: dict[str, list[str]] = {}
    if module not in Module.values:
        errors["module"] = [_("未知的任务")]
    if channel not in Channel.values:
        errors["channel"] = [_("渠道只能是热线电话、网上留言或来访")]
    if not summary.strip():
        errors["summary"] = [_("请填写诉求内容")]
    if received_at > now:
        errors["received_at"] = [_("受理时间不能晚于现在")]
    if not 0 < answer_hours <= close_hours <= MAX_HOURS:
        errors["module"] = [_("答复和办结时限设置有误")]
    phone = ""
    if caller_phone.strip():
        try:
            phone = normalise_phone(caller_phone)
        except InvalidPhone as error:
            errors["caller_phone"] = [str(error)]
    raise_all(errors, code="invalid_inquiry")
    inquiry = Inquiry(
        module=module,
        unit=unit,
        channel=channel,
        received_at=received_at,
        caller_name=caller_name.strip(),
        caller_phone=phone,
        summary=summary.strip(),
        person=person,
        answer_due_at=received_at + dt.timedelta(hours=answer_hours),
        close_due_at=received_at + dt.timedelta(hours=close_hours),
        recorded_by=actor,
    )
    clean(inquiry)
    with acting_as(actor):
        inquiry.save()
    return inquiry


def _locked(inquiry: Inquiry) -> Inquiry:
    locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if locked.closed_at is not None:
        raise refuse(_("该诉求已办结"), code="inquiry_closed", conflict=True)
    return locked


@transaction.atomic
def inquiry_assign(*, actor: User | None, inquiry: Inquiry, user: User) -> Inquiry:
    """Give the request to a staff member of the handling unit (or of a unit below it)."""
    inquiry = _locked(inquiry)
    if user.unit is None or not user.unit.path.startswith(inquiry.unit.path):
        raise refuse(
            _("承办人须是受理单位或其下级单位的工作人员"), code="assignee_outside_unit", field="user"
        )
    inquiry.assigned_to = user
    with acting_as(actor):
        inquiry.save(update_fields=["assigned_to", "updated_at"])
    return inquiry


@transaction.atomic
def inquiry_answer(*, actor: User | None, inquiry: Inquiry, answer: str) -> Inquiry:
    """The first answer to the caller (受理回应): once; later contact goes into the outcome."""
    inquiry = _locked(inquiry)
    if inquiry.first_answer_at is not None:
        raise refuse(
            _("已于 %(at)s 首次答复") % {"at": f"{inquiry.first_answer_at:%Y-%m-%d %H:%M}"},
            code="answered",
            conflict=True,
        )
    if not answer.strip():
        raise refuse(_("请填写答复内容"), code="invalid_inquiry", field="answer")
    inquiry.first_answer = answer.strip()[:500]
    inquiry.first_answer_at = clock.now()
    with acting_as(actor):
        inquiry.save(update_fields=["first_answer", "first_answer_at", "updated_at"])
    return inquiry


@transaction.atomic
def inquiry_close(*, actor: User | None, inquiry: Inquiry, outcome: str) -> Inquiry:
    """办结: what was done. A request is answered before it is closed."""
    inquiry = _locked(inquiry)
    if inquiry.first_answer_at is None:
        raise refuse(_("请先首次答复来电人，再办结"), code="not_answered", conflict=True)
    if not outcome.strip():
        raise refuse(_("请填写办理结果"), code="invalid_inquiry", field="outcome")
    inquiry.outcome = outcome.strip()[:500]
    inquiry.closed_at = clock.now()
    with acting_as(actor):
        inquiry.save(update_fields=["outcome", "closed_at", "updated_at"])
    return inquiry
