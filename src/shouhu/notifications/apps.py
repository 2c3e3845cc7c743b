from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shouhu.notifications"
    label = "notifications"
    verbose_name = "通知发送"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.OutboxMessage, exclude_fields=["phone", "phone_index", "body"])
