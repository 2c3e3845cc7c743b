from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "shouhu.training"
    label = "training"
    verbose_name = "培训"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        # Neither keeps personal numbers: the person is a link to the register (masked there).
        auditlog.register(models.TrainingSession)
        auditlog.register(models.Attendance)
