from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "shouhu.alerts"
    label = "alerts"
    verbose_name = "提醒消息"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.utils.module_loading import autodiscover_modules

        from . import models

        auditlog.register(models.Alert)
        # Reading is not a change of business data; acknowledging is, with its note.
        auditlog.register(models.AlertDelivery, exclude_fields=["read_at"])
        # Each app declares its reminder checks in `<app>/reminders.py` (see registry.py).
        autodiscover_modules("reminders")
