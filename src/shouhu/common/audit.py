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
