from enum import StrEnum


class NotificationPerm(StrEnum):
    VIEW = "notifications.view"
    RESEND = "notifications.resend"
