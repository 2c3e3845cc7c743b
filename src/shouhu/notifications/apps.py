from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shouhu.notifications"
    label = "notifications"
    verbose_name = "通知发送"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from shouhu.common.crypto import register_blind_index
        from shouhu.common.expiry import register_purge
        from shouhu.people.idcard import stored_phone_key

        from . import codes, models

        # The body is not logged: it may hold a one-time code.
        auditlog.register(models.OutboxMessage, exclude_fields=["phone", "phone_index", "body"])
        register_purge("短信验证码", codes.phone_codes_purge)
        for label in ("notifications.OutboxMessage", "notifications.PhoneCode"):
            register_blind_index(label, "phone_index", lambda row: stored_phone_key(row.phone))
