"""Audit context for services.

django-auditlog records before/after on every save of a registered model. Its middleware
knows the session user and the IP, but API calls authenticated by token get their user only
inside the view, so services name the actor themselves and keep the request's address.
"""

import contextlib
from collections.abc import Iterator
from typing import Any

from auditlog.context import auditlog_value, set_actor


@contextlib.contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    try:
        current = auditlog_value.get()
    except LookupError:
        current = {}
    with set_actor(
        actor if getattr(actor, "is_authenticated", False) else None,
        remote_addr=current.get("remote_addr"),
        remote_port=current.get("remote_port"),
    ):
        yield


HISTORY_LIMIT = 200


def history_of(*objects: Any) -> list[Any]:
    """The audit entries of some objects, newest first, for an object's history page."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    condition = Q(pk__in=[])
    for obj in objects:
        condition |= Q(content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk))
    return list(
        LogEntry.objects.filter(condition).select_related("actor").order_by("-timestamp")[:HISTORY_LIMIT]
    )
