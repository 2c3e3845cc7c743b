"""How an outbox message leaves the system. Set `SHOUHU_SMS_SENDER` to the dotted path of a class.

A sender has one method, `send(phone, body)`, that returns when the gateway accepted the
message and raises `SendFailed` otherwise. The default only logs, and never the full number.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from shouhu.people.masking import mask_phone

logger = logging.getLogger(__name__)

DEFAULT_SENDER = "shouhu.notifications.senders.LoggingSender"


class SendFailed(Exception):
    pass


class Sender(Protocol):
    def send(self, phone: str, body: str) -> None: ...


class LoggingSender:
    """For development and for sites without an SMS gateway: the message goes to the log."""

    def send(self, phone: str, body: str) -> None:
        logger.info("短信 → %s：%s", mask_phone(phone), body)


class FailingSender:
    """Refuses every message (tests of retries and of the staff page's re-send)."""

    def send(self, phone: str, body: str) -> None:
        raise SendFailed("短信网关不可用")


def configured_sender() -> Sender:
    sender: Sender = import_string(getattr(settings, "SHOUHU_SMS_SENDER", DEFAULT_SENDER))()
    return sender
