"""Reads of the outbox, scoped to the viewer's units."""

from dataclasses import dataclass

from django.db.models import QuerySet

from shouhu.accounts.models import User
from shouhu.accounts.scope import unit_scope
from shouhu.common.access import get_in_scope
from shouhu.common.modules import Module
from shouhu.notifications.models import OutboxMessage
from shouhu.people.idcard import InvalidPhone, phone_key


@dataclass(frozen=True)
class OutboxFilters:
    status: str = ""
    phone: str = ""


def message_list(*, viewer: User, filters: OutboxFilters | None = None) -> QuerySet[OutboxMessage]:
    filters = filters or OutboxFilters()
    messages = OutboxMessage.objects.filter(unit_scope(viewer, module=Module.MARRIAGE)).select_related("unit")
    if filters.status:
        messages = messages.filter(status=filters.status)
    if filters.phone.strip():
        try:
            messages = messages.filter(phone_index=phone_key(filters.phone))
        except InvalidPhone:
            messages = messages.none()
    return messages.order_by("-created_at", "-pk")


def access_message(viewer: User, pk: object) -> OutboxMessage:
    return get_in_scope(message_list(viewer=viewer), pk)
