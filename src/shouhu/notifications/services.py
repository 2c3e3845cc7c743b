"""Writes of the outbox: enqueue (inside the caller's transaction), send, re-send."""

from dataclasses import dataclass

from django.db import transaction

from shouhu.accounts.models import User
from shouhu.common import clock
from shouhu.common.audit import acting_as, audit_bulk
from shouhu.common.errors import DomainError
from shouhu.notifications.models import MessageStatus, OutboxMessage
from shouhu.notifications.senders import Sender, SendFailed, configured_sender
from shouhu.orgs.models import OrgUnit
from shouhu.people.idcard import InvalidPhone, normalise_phone, normalised_phone_key, phone_key

MAX_ERROR_LENGTH = 200


@transaction.atomic
def message_enqueue(*, unit: OrgUnit, phone: str, body: str, kind: str) -> OutboxMessage:
    """Queue one message; it is sent by `send_outbox` once the caller's transaction commits."""
    try:
        normalised = normalise_phone(phone)
    except InvalidPhone as error:
        raise DomainError(str(error), code="invalid_phone", field_errors={"phone": [str(error)]}) from error
    if not normalised or not body.strip():
        raise DomainError("短信须有手机号和内容", code="invalid")
    return OutboxMessage.objects.create(
        unit=unit, kind=kind, phone=normalised, phone_index=phone_key(normalised), body=body.strip()
    )


def messages_enqueue(
    *, actor: User | None, unit: OrgUnit, phones: list[str], body: str, kind: str
) -> list[OutboxMessage]:
    """`message_enqueue` for several phones in one insert (one text per distinct number), audited
    as save() would have been, in `actor`'s name (None: the public's own request)."""
    messages: dict[str, OutboxMessage] = {}
    for phone in phones:
        try:
            normalised = normalise_phone(phone)
        except InvalidPhone as error:
            raise DomainError(
                str(error), code="invalid_phone", field_errors={"phone": [str(error)]}
            ) from error
        if not normalised or not body.strip():
            raise DomainError("短信须有手机号和内容", code="invalid")
        messages.setdefault(
            normalised,
            OutboxMessage(
                unit=unit,
                kind=kind,
                phone=normalised,
                phone_index=normalised_phone_key(normalised),
                body=body.strip(),
            ),
        )
    # bulk_create sets the keys from INSERT … RETURNING (PostgreSQL, SQLite 3.35+).
    created = OutboxMessage.objects.bulk_create([messages[phone] for phone in sorted(messages)])
    audit_bulk(actor=actor, created=created)
    return created


@dataclass
class SendResult:
    sent: int
    failed: int


def _deliver(message: OutboxMessage, sender: Sender) -> bool:
    message.attempts += 1
    try:
        sender.send(message.phone, message.body)
    except SendFailed as error:
        message.status = MessageStatus.FAILED
        message.last_error = str(error)[:MAX_ERROR_LENGTH]
        ok = False
    else:
        message.status = MessageStatus.SENT
        message.sent_at = clock.now()
        message.last_error = ""
        ok = True
    message.save(update_fields=["attempts", "status", "last_error", "sent_at", "updated_at"])
    return ok


def outbox_send(*, limit: int, sender: Sender | None = None, retry_failed: bool = False) -> SendResult:
    """Send pending messages, oldest first; each is locked so two runs never send it twice."""
    sender = sender or configured_sender()
    statuses = [MessageStatus.PENDING, MessageStatus.FAILED] if retry_failed else [MessageStatus.PENDING]
    result = SendResult(0, 0)
    ids = list(
        OutboxMessage.objects.filter(status__in=statuses)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            message = OutboxMessage.objects.select_for_update().filter(pk=pk, status__in=statuses).first()
            if message is None:
                continue
            if _deliver(message, sender):
                result.sent += 1
            else:
                result.failed += 1
    return result


@transaction.atomic
def message_resend(*, actor: User, message: OutboxMessage, sender: Sender | None = None) -> OutboxMessage:
    """Staff send a kept message again (the holder lost it, or the gateway failed)."""
    locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    with acting_as(actor):
        _deliver(locked, sender or configured_sender())
    return locked
