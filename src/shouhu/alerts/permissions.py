from enum import StrEnum


class AlertPerm(StrEnum):
    # Every role has its own inbox: what a user sees there was addressed to them by name.
    INBOX = "alerts.inbox"
